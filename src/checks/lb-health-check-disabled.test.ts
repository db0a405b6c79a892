import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, lbService, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-health-check-disabled.js';

const hcOff = () =>
  world((w) => {
    const hc = firstLb(w).listeners[0]?.healthCheck;
    if (hc) hc.enabled = false;
  });
const flagOff = lbService(
  'web',
  (s) => (s.meta.annotations = { 'kubernetes.io/elb.health-check-flag': 'off' }),
);

checkTable(check, {
  valid: [
    { name: 'the listener health check is on', snapshot: world(), question: ask('loadbalancer') },
    {
      name: 'an HTTP (layer-7) listener is not judged here',
      snapshot: world((w) => {
        const l = firstLb(w).listeners[0];
        if (l?.healthCheck) {
          l.protocol = 'HTTP';
          l.healthCheck.enabled = false;
        }
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'the annotation says on',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => (s.meta.annotations = { 'kubernetes.io/elb.health-check-flag': 'on' })),
        ];
        delete w.cloud;
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'a pod reaching the ClusterIP does not use the LB',
      snapshot: hcOff(),
      question: ask('clusterip', 'pod-on-other-node'),
    },
  ],
  invalid: [
    {
      name: 'the TCP listener runs without a health check',
      snapshot: hcOff(),
      question: ask('loadbalancer'),
      hits: [{ data: { lb: 'elb-1', listener: 'TCP/80', source: 'inventory' } }],
    },
    {
      name: 'the listener is off and the CCE annotation says why',
      snapshot: world((w) => {
        w.services = [flagOff];
        const hc = firstLb(w).listeners[0]?.healthCheck;
        if (hc) hc.enabled = false;
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { source: 'inventory', annotation: 'off' } }],
    },
    {
      name: 'no inventory, but the CCE annotation switches the health check off',
      snapshot: world((w) => {
        w.services = [flagOff];
        delete w.cloud;
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { source: 'annotation' } }],
    },
    {
      name: 'audit finds it for an in-cluster question too',
      snapshot: hcOff(),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { listener: 'TCP/80' } }],
    },
  ],
});
