import { pod } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, group, lbService, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-health-check-failing.js';

const local = lbService('web', (s) => {
  s.externalTrafficPolicy = 'Local';
  s.healthCheckNodePort = 32001;
});
function health(w: World, h1: 'healthy' | 'unhealthy', h2: 'healthy' | 'unhealthy') {
  const [b1, b2] = firstLb(w).listeners[0]?.backends ?? [];
  if (b1) b1.health = h1;
  if (b2) b2.health = h2;
}

checkTable(check, {
  valid: [
    { name: 'every member healthy', snapshot: world(), question: ask('loadbalancer') },
    {
      name: 'eTP Local: the node without a pod fails by design while the pod node passes',
      snapshot: world((w) => {
        w.services = [local];
        health(w, 'healthy', 'unhealthy');
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'health unknown is not failing',
      snapshot: world((w) => {
        for (const b of firstLb(w).listeners[0]?.backends ?? []) delete b.health;
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'an in-cluster ClusterIP question does not involve the LB',
      snapshot: world((w) => health(w, 'unhealthy', 'unhealthy')),
      question: ask('clusterip', 'pod-on-other-node'),
    },
  ],
  invalid: [
    {
      name: 'eTP Local and the only pod is on a node outside the backend group',
      snapshot: world((w) => {
        w.services = [local];
        w.pods = [
          pod('web-1', (p) => {
            p.meta.labels = { app: 'web' };
            p.nodeName = 'node-3';
          }),
        ];
        health(w, 'unhealthy', 'unhealthy');
      }),
      question: ask('loadbalancer'),
      hits: [
        {
          severity: 'error',
          data: { cause: 'etp-local-no-endpoints', unhealthy: ['node/node-1', 'node/node-2'] },
        },
      ],
    },
    {
      name: 'the node security group does not admit the health checker on the nodePort',
      snapshot: world((w) => {
        group(w, 'sg-nodes').inbound = [
          { protocol: 'tcp', ports: '22', source: '0.0.0.0/0', action: 'allow' },
        ];
        health(w, 'unhealthy', 'unhealthy');
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'security-group', group: 'sg-nodes', healthCheckPort: 30637 } }],
    },
    {
      name: 'no ready endpoint at all',
      snapshot: world((w) => {
        w.pods = [];
        health(w, 'unhealthy', 'unhealthy');
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'no-ready-endpoints' } }],
    },
    {
      name: 'the health check probes a port that is not the nodePort (one member down: warning)',
      snapshot: world((w) => {
        const hc = firstLb(w).listeners[0]?.healthCheck;
        if (hc) hc.port = 31000;
        health(w, 'healthy', 'unhealthy');
      }),
      question: ask('loadbalancer'),
      hits: [{ severity: 'warning', data: { cause: 'wrong-port', unhealthy: ['node/node-2'] } }],
    },
    {
      name: "GKE: the firewall does not admit the Google health checkers on kube-proxy's healthz port",
      snapshot: world((w) => {
        const l = firstLb(w).listeners[0];
        if (l) l.healthCheck = { enabled: true, protocol: 'HTTP', port: 10256, path: '/healthz' };
        health(w, 'unhealthy', 'unhealthy');
      }, 'gke'),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'security-group', healthCheckPort: 10256, group: 'sg-nodes' } }],
    },
    {
      name: 'GKE: the firewall admits the health checkers, so the cause is not the firewall',
      snapshot: world((w) => {
        const l = firstLb(w).listeners[0];
        if (l) l.healthCheck = { enabled: true, protocol: 'HTTP', port: 10256, path: '/healthz' };
        group(w, 'sg-nodes').inbound.push(
          { protocol: 'tcp', ports: '10256', source: '130.211.0.0/22', action: 'allow' },
          { protocol: 'tcp', ports: '10256', source: '35.191.0.0/16', action: 'allow' },
        );
        health(w, 'unhealthy', 'unhealthy');
      }, 'gke'),
      question: ask('loadbalancer'),
      hits: [{ data: { cause: 'unknown', healthCheckPort: 10256 } }],
    },
    {
      name: 'TKE private CLB in IPVS mode: every probe loops back',
      snapshot: world((w) => {
        if (w.cloud) w.cloud.cluster.kubeProxy = { mode: 'ipvs', version: 'v1.18.4-tke.5' };
        firstLb(w).scheme = 'private';
        health(w, 'unhealthy', 'unhealthy');
      }, 'tke'),
      question: ask('loadbalancer', 'vpc'),
      hits: [{ data: { cause: 'clb-loopback' } }],
    },
  ],
});
