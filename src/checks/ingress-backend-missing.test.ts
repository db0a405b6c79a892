import { describe, expect, it } from 'vitest';
import { notReady } from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import { ask, ingress, svcBackend, world } from '../../test/support/cloud-fixtures.js';
import type { IngressBackend } from '../model/types.js';
import check from './ingress-backend-missing.js';

const to = (backend: IngressBackend, extra?: IngressBackend) =>
  ingress('shop', (i) => {
    i.rules = [
      {
        host: 'shop.example.com',
        paths: [
          { path: '/', pathType: 'Prefix', backend },
          ...(extra ? [{ path: '/admin', pathType: 'Prefix' as const, backend: extra }] : []),
        ],
      },
    ];
  });
const viaIngress = (path = '/') => ask('ingress', 'internet', { host: 'shop.example.com', path });

checkTable(check, {
  valid: [
    {
      name: 'backend by port number 80',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 80))])),
      question: viaIngress(),
    },
    {
      name: 'backend by port name http',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 'http'))])),
      question: viaIngress(),
    },
    {
      name: 'not an Ingress question (the port is wrong, but the client uses the LB)',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 8080))])),
      question: ask('loadbalancer'),
    },
    {
      name: 'Ingresses not collected: nothing to say',
      snapshot: world((w) => {
        w.ingresses = [];
        w.extra = { collected: { Ingress: false } };
      }),
      question: viaIngress(),
    },
  ],
  invalid: [
    {
      name: 'the backend names the targetPort 8080 instead of the Service port 80',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 8080))])),
      question: viaIngress(),
      hits: [
        { data: { ingress: 'default/shop', problem: 'port-missing', port: 8080, servicePorts: ['http=80'] } },
      ],
    },
    {
      name: 'a port name the Service does not have',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 'htpp'))])),
      question: viaIngress(),
      hits: [{ data: { problem: 'port-missing', port: 'htpp' } }],
    },
    {
      name: 'the request matches a rule whose Service does not exist',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 80), svcBackend('wbe-admin', 80))])),
      question: viaIngress('/admin'),
      hits: [
        {
          data: {
            problem: 'service-missing',
            service: 'wbe-admin',
            where: 'spec.rules[0].http.paths[1].backend',
          },
        },
      ],
    },
    {
      name: 'the Service has no ready endpoint (503)',
      snapshot: world((w) => {
        w.ingresses = [to(svcBackend('web', 80))];
        for (const p of w.pods) notReady(p);
      }),
      question: viaIngress(),
      hits: [{ data: { problem: 'no-ready-endpoints', service: 'web' } }],
    },
    {
      name: 'audit finds a wrong port whatever the question',
      snapshot: world((w) => (w.ingresses = [to(svcBackend('web', 443))])),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { problem: 'port-missing', port: 443 } }],
    },
  ],
});

describe('observed symptoms raise confidence', () => {
  it('an observed 503 makes a wrong backend port near certain', () => {
    const snapshot = world((w) => {
      w.ingresses = [to(svcBackend('web', 8080))];
      w.extra = { observations: [{ from: 'internet', to: 'http://shop.example.com/', result: 'http-503' }] };
    });
    const { hits } = runCheck(check, { name: '503', snapshot, question: viaIngress() });
    expect(hits.map((h) => [h.data.problem, h.confidence])).toEqual([['port-missing', 0.95]]);
  });
});
