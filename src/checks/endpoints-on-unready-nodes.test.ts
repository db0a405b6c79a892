import { expect, it } from 'vitest';
import {
  endpointsFor,
  node,
  notReady,
  pod,
  question,
  service,
  snapshotOf,
} from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import type { Node } from '../model/types.js';
import check from './endpoints-on-unready-nodes.js';

const web = () => service('web');
const down = (n: Node) => {
  n.ready = false;
  n.conditions = [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }];
};
const lost = (n: Node) => {
  n.ready = undefined;
  n.conditions = [
    {
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    },
  ];
};
const cordoned = (n: Node) => {
  n.unschedulable = true;
  n.taints = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }];
};
const on = (nodeName: string) => (p: { nodeName?: string }) => {
  p.nodeName = nodeName;
};

checkTable(check, {
  valid: [
    {
      name: 'an ExternalName Service (a DNS alias) is never judged by its selector or ports',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.type = 'ExternalName';
            s.externalName = 'web.example.com';
            s.clusterIP = '';
            s.clusterIPs = [];
            s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }];
          }),
        ],
        pods: [pod('web-1')],
        nodes: [node('node-1', (n) => (n.unschedulable = true))],
      }),
      question: question('web', { port: 80, protocol: 'UDP' }),
    },
    {
      name: 'every endpoint is on a ready node',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-1', on('node-1')), pod('web-2', on('node-2'))],
        nodes: [node('node-1'), node('node-2')],
      }),
      question: question('web'),
    },
    {
      name: 'nodes not collected: unknown, not a finding',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-1')] }),
      question: question('web'),
    },
    {
      name: 'the pods on the NotReady node were already marked not ready (another check)',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-1', (p) => notReady(p))],
        nodes: [node('node-1', down)],
      }),
      question: question('web'),
    },
    {
      name: 'a node captured without its Ready condition is not judged',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-1')],
        nodes: [
          node('node-1', (n) => {
            n.conditions = [];
            n.ready = undefined;
          }),
        ],
      }),
      question: question('web'),
    },
  ],
  invalid: [
    {
      name: 'the only ready endpoint is on a NotReady node',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-1')], nodes: [node('node-1', down)] }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: {
            readyEndpoints: 1,
            affectedEndpoints: 1,
            scope: 'all',
            nodes: [{ node: 'node-1', state: 'NotReady', endpoints: 1 }],
          },
        },
      ],
    },
    {
      name: 'the kubelet stopped posting status (Ready=Unknown)',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-1', on('node-2')), pod('web-2', on('node-2'))],
        nodes: [node('node-1'), node('node-2', lost)],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: { scope: 'all', nodes: [{ node: 'node-2', state: 'Unknown', endpoints: 2 }] },
        },
      ],
    },
    {
      name: 'all endpoints on a cordoned node: a warning, traffic still flows',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-7d4b9c6f5-x2k8p', (p) => {
            p.meta.labels = { app: 'web', 'pod-template-hash': '7d4b9c6f5' };
            p.meta.ownerReferences = [{ kind: 'ReplicaSet', name: 'web-7d4b9c6f5', controller: true }];
          }),
        ],
        nodes: [node('node-1', cordoned)],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'warning',
          data: { scope: 'all', nodes: [{ node: 'node-1', state: 'Cordoned' }], workload: 'deployment/web' },
        },
      ],
    },
    {
      name: 'one of two endpoints on a NotReady node: part of the connections time out',
      snapshot: snapshotOf({
        services: [web()],
        pods: [pod('web-1', on('node-1')), pod('web-2', on('node-2'))],
        nodes: [node('node-1'), node('node-2', down)],
      }),
      question: question('web'),
      hits: [{ severity: 'warning', data: { scope: 'some', readyEndpoints: 2, affectedEndpoints: 1 } }],
    },
    {
      name: 'legacy Endpoints only, on a NotReady node',
      snapshot: (() => {
        const svc = web();
        const pods = [pod('web-1')];
        return snapshotOf({
          services: [svc],
          pods,
          nodes: [node('node-1', down)],
          endpoints: [endpointsFor(svc, pods)],
          autoSlices: false,
          collected: { EndpointSlice: false, Endpoints: true },
        });
      })(),
      question: question('web'),
      hits: [{ data: { scope: 'all', nodes: [{ node: 'node-1', state: 'NotReady' }] } }],
    },
  ],
});

it('endpoints-on-unready-nodes: nodes not collected is recorded as unknown', () => {
  const { unknowns } = runCheck(check, {
    name: 'unknown',
    snapshot: snapshotOf({ services: [web()], pods: [pod('web-1')] }),
    question: question('web'),
  });
  expect(unknowns).toHaveLength(1);
});
