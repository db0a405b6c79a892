import { checkTable } from '../../test/support/check-table.js';
import { ask, event, lbService, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-not-provisioned.js';

const pending = lbService('web', (s) => (s.loadBalancerIngress = []));
const svcRef = { kind: 'Service', namespace: 'default', name: 'web' };

checkTable(check, {
  valid: [
    {
      name: 'the LoadBalancer Service has an external address',
      snapshot: world(),
      question: ask('loadbalancer'),
    },
    {
      name: 'a NodePort Service has no LB to provision',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => {
            s.type = 'NodePort';
            s.loadBalancerIngress = [];
          }),
        ];
      }),
      question: ask('nodeport'),
    },
    {
      name: 'a pod using the ClusterIP does not depend on the LB',
      snapshot: world((w) => (w.services = [pending])),
      question: ask('clusterip', 'pod-on-other-node'),
    },
    {
      name: 'an LB published by hostname counts as provisioned',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => (s.loadBalancerIngress = [{ hostname: 'a1b2.elb.amazonaws.com' }])),
        ];
      }),
      question: ask('loadbalancer'),
    },
  ],
  invalid: [
    {
      name: 'the controller reports SyncLoadBalancerFailed: its message is the cause',
      snapshot: world((w) => {
        w.services = [pending];
        w.events = [
          event(svcRef, 'EnsuringLoadBalancer', 'Ensuring load balancer', 'Normal', '2026-11-22T09:50:00Z'),
          event(
            svcRef,
            'SyncLoadBalancerFailed',
            'Error syncing load balancer: failed to ensure load balancer: elb elb-9 not found',
          ),
        ];
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'controller-error', reason: 'SyncLoadBalancerFailed' }, severity: 'error' }],
    },
    {
      name: 'only EnsuringLoadBalancer so far: still in progress (warning)',
      snapshot: world((w) => {
        w.services = [pending];
        w.events = [event(svcRef, 'EnsuringLoadBalancer', 'Ensuring load balancer', 'Normal')];
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'in-progress' }, severity: 'warning' }],
    },
    {
      name: 'no event at all: no controller handles the Service',
      snapshot: world((w) => (w.services = [pending])),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'no-controller-events' }, subject: svcRef }],
    },
    {
      name: 'a loadBalancerClass nobody implements',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => {
            s.loadBalancerIngress = [];
            s.loadBalancerClass = 'example.com/lb';
          }),
        ];
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'load-balancer-class', loadBalancerClass: 'example.com/lb' } }],
    },
    {
      name: 'audit reports it whatever the question',
      snapshot: world((w) => (w.services = [pending])),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { cause: 'no-controller-events' } }],
    },
  ],
});
