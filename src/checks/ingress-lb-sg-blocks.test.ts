import { describe, expect, it } from 'vitest';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import { ask, group, ingress, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './ingress-lb-sg-blocks.js';

/** A TKE-style CLB Ingress: the CLB listens on 80/443 and forwards to web's nodePort on every node. */
function clbIngress(w: World, tls = true) {
  w.ingresses = [
    ingress('shop', (i) => (i.tls = tls ? [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }] : [])),
  ];
  w.cloud?.loadBalancers?.push({
    id: 'clb-ing',
    kind: 'clb',
    scheme: 'public',
    addresses: ['203.0.113.20'],
    owner: 'ingress/default/shop',
    listeners: [
      { protocol: 'HTTP', port: 80 },
      { protocol: 'HTTPS', port: 443, certificate: { id: 'cert-1', notAfter: '2027-01-01T00:00:00Z' } },
    ],
  });
}
const viaIngress = (port?: number) =>
  ask('ingress', 'internet', { host: 'shop.example.com', path: '/', ...(port ? { port } : {}) });
const sshOnly = [{ protocol: 'tcp' as const, ports: '22', source: '0.0.0.0/0', action: 'allow' as const }];

checkTable(check, {
  valid: [
    {
      name: 'LB group opens 80/443 and nodes open the nodePort range',
      snapshot: world((w) => clbIngress(w)),
      question: viaIngress(),
    },
    {
      name: 'the Ingress LB is not in the inventory (a controller behind a LoadBalancer Service)',
      snapshot: world((w) => (w.ingresses = [ingress('shop')])),
      question: viaIngress(),
    },
    {
      name: 'not an Ingress question',
      snapshot: world((w) => {
        clbIngress(w);
        group(w, 'sg-lb').inbound = [];
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'the LB group opens only 443 and the client uses 443',
      snapshot: world((w) => {
        clbIngress(w);
        group(w, 'sg-lb').inbound = [{ protocol: 'tcp', ports: '443', source: '0.0.0.0/0', action: 'allow' }];
      }),
      question: viaIngress(443),
    },
  ],
  invalid: [
    {
      name: 'the CLB security group does not open 443',
      snapshot: world((w) => {
        clbIngress(w);
        group(w, 'sg-lb').inbound = [{ protocol: 'tcp', ports: '80', source: '0.0.0.0/0', action: 'allow' }];
      }),
      question: viaIngress(443),
      hits: [{ data: { lb: 'clb-ing', problem: 'lb-listener', port: 443, groups: ['sg-lb'] } }],
    },
    {
      name: 'the node group does not open the nodePort: 504',
      snapshot: world((w) => {
        clbIngress(w);
        group(w, 'sg-nodes').inbound = sshOnly;
      }),
      question: viaIngress(),
      hits: [
        {
          severity: 'error',
          data: {
            problem: 'node-nodeport',
            port: 30637,
            groups: ['sg-nodes'],
            targets: ['node/node-1', 'node/node-2'],
          },
        },
      ],
    },
    {
      name: 'a TLS Ingress whose LB has no 443 listener',
      snapshot: world((w) => {
        clbIngress(w);
        const lb = w.cloud?.loadBalancers?.find((l) => l.id === 'clb-ing');
        if (lb) lb.listeners = lb.listeners.filter((l) => l.port === 80);
      }),
      question: viaIngress(),
      hits: [{ data: { problem: 'no-https-listener', port: 443 } }],
    },
    {
      name: 'audit: nothing opens the nodePort for the LB',
      snapshot: world((w) => {
        clbIngress(w, false);
        group(w, 'sg-nodes').inbound = sshOnly;
      }),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { problem: 'node-nodeport' } }],
    },
  ],
});

describe('observed symptoms raise confidence', () => {
  it('an observed 504 points at the node security group', () => {
    const snapshot = world((w) => {
      clbIngress(w);
      group(w, 'sg-nodes').inbound = sshOnly;
      w.extra = { observations: [{ from: 'internet', to: 'https://shop.example.com/', result: 'http-504' }] };
    });
    const { hits } = runCheck(check, { name: '504', snapshot, question: viaIngress() });
    expect(hits.map((h) => [h.data.problem, h.confidence])).toEqual([['node-nodeport', 0.95]]);
  });
});
