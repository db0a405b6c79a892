import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, lbService, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-backend-mismatch.js';

/** CCE Turbo: a dedicated ELB binds pod ENIs at the targetPort. */
const turbo = (podTarget: string, address: string, port: number) =>
  world((w) => {
    w.services = [
      lbService('web', (s) => (s.meta.annotations = { 'kubernetes.io/elb.class': 'performance' })),
    ];
    if (w.cloud) w.cloud.cluster.networkModel = 'eni';
    for (const p of w.pods) {
      p.podIP = '10.244.1.7';
      p.podIPs = ['10.244.1.7'];
    }
    const lb = firstLb(w);
    lb.kind = 'dedicated';
    (lb.listeners[0] as { backends?: unknown[] }).backends = [
      { target: podTarget, address, port, health: 'healthy' },
    ];
  });

checkTable(check, {
  valid: [
    { name: 'both nodes registered at the nodePort', snapshot: world(), question: ask('loadbalancer') },
    {
      name: 'generic provider: targets read from the backends, which are right',
      snapshot: world(undefined, 'generic'),
      question: ask('loadbalancer'),
    },
    {
      name: 'CCE Turbo dedicated ELB with the ready pod at its targetPort',
      snapshot: turbo('pod/default/web-1', '10.244.1.7', 8080),
      question: ask('loadbalancer'),
    },
    {
      name: 'no cloud inventory: nothing to compare (reported as unknown elsewhere)',
      snapshot: world((w) => delete w.cloud),
      question: ask('loadbalancer'),
    },
    {
      name: 'Nodes not collected: members cannot be judged unknown nodes',
      snapshot: world((w) => {
        w.nodes = [];
        w.extra = { collected: { Node: false } };
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'a pod client on the ClusterIP does not use the LB',
      snapshot: world((w) => {
        firstLb(w).listeners = [];
      }),
      question: ask('clusterip', 'pod-on-other-node'),
    },
  ],
  invalid: [
    {
      name: 'every member registered at an old nodePort',
      snapshot: world((w) => {
        for (const b of firstLb(w).listeners[0]?.backends ?? []) b.port = 31111;
      }),
      question: ask('loadbalancer'),
      hits: [
        {
          severity: 'error',
          data: {
            lb: 'elb-1',
            problem: 'wrong-port',
            expected: { targets: 'nodes', port: 30637 },
            problems: [
              { kind: 'wrong-port', backend: 'node/node-1', port: 31111, expectedPort: 30637 },
              { kind: 'wrong-port', backend: 'node/node-2', port: 31111, expectedPort: 30637 },
            ],
          },
        },
      ],
    },
    {
      name: 'one member is a node that left the cluster (warning: the others work)',
      snapshot: world((w) => {
        firstLb(w).listeners[0]?.backends?.push({
          target: 'node/node-9',
          address: '192.168.0.19',
          port: 30637,
        });
      }),
      question: ask('loadbalancer'),
      hits: [{ severity: 'warning', data: { problem: 'unknown-node' } }],
    },
    {
      name: 'the LB has no listener for Service port 80',
      snapshot: world((w) => {
        const l = firstLb(w).listeners[0];
        if (l) l.port = 8080;
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { problem: 'no-listener', servicePort: 80 } }],
    },
    {
      name: 'an empty backend server group',
      snapshot: world((w) => {
        const l = firstLb(w).listeners[0];
        if (l) l.backends = [];
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { problem: 'empty-backend-group' } }],
    },
    {
      name: 'CCE Turbo ELB still points at a deleted pod',
      snapshot: turbo('pod/default/web-old', '10.244.1.99', 8080),
      question: ask('loadbalancer'),
      hits: [{ data: { problem: 'stale-pod', expected: { targets: 'pods', port: 8080 } } }],
    },
  ],
});
