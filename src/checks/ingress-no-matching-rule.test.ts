import { describe, expect, it } from 'vitest';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import { ask, ingress, svcBackend, world } from '../../test/support/cloud-fixtures.js';
import type { IngressPath } from '../model/types.js';
import check from './ingress-no-matching-rule.js';

const paths =
  (...p: IngressPath[]) =>
  (i: { rules: { host?: string; paths: IngressPath[] }[] }) => {
    i.rules = [{ host: 'shop.example.com', paths: p }];
  };
const prefix = (path: string, svc = 'web'): IngressPath => ({
  path,
  pathType: 'Prefix',
  backend: svcBackend(svc, 80),
});
const viaIngress = (host: string | undefined, path: string) =>
  ask('ingress', 'internet', { ...(host ? { host } : {}), path });

checkTable(check, {
  valid: [
    {
      name: 'the host and a Prefix path match a rule for the Service',
      snapshot: world((w) => (w.ingresses = [ingress('shop', paths(prefix('/cart')))])),
      question: viaIngress('shop.example.com', '/cart/items'),
    },
    {
      name: 'a wildcard host covers one label',
      snapshot: world(
        (w) =>
          (w.ingresses = [
            ingress('shop', (i) => (i.rules = [{ host: '*.example.com', paths: [prefix('/')] }])),
          ]),
      ),
      question: viaIngress('shop.example.com', '/'),
    },
    {
      name: 'the Service is the default backend',
      snapshot: world((w) => {
        w.ingresses = [
          ingress('shop', (i) => {
            i.rules = [];
            i.defaultBackend = svcBackend('web', 80);
          }),
        ];
      }),
      question: viaIngress('anything.example.org', '/x'),
    },
    {
      name: 'not an Ingress question',
      snapshot: world((w) => (w.ingresses = [ingress('shop', paths(prefix('/cart')))])),
      question: ask('loadbalancer'),
    },
  ],
  invalid: [
    {
      name: 'Prefix /cart does not match /carts (elements, not characters): 404',
      snapshot: world((w) => (w.ingresses = [ingress('shop', paths(prefix('/cart')))])),
      question: viaIngress('shop.example.com', '/carts'),
      hits: [
        {
          data: { problem: 'no-rule', host: 'shop.example.com', path: '/carts', ingresses: ['default/shop'] },
        },
      ],
    },
    {
      name: 'a typo in the host: 404 with a suggestion',
      snapshot: world((w) => (w.ingresses = [ingress('shop', paths(prefix('/')))])),
      question: viaIngress('shop.exmaple.com', '/'),
      hits: [{ data: { problem: 'no-rule', suggestion: 'shop.example.com' } }],
    },
    {
      name: 'an Exact rule for another Service wins over the Prefix rule',
      snapshot: world((w) => {
        w.ingresses = [
          ingress(
            'shop',
            paths(prefix('/api'), { path: '/api', pathType: 'Exact', backend: svcBackend('legacy', 80) }),
          ),
        ];
      }),
      question: viaIngress('shop.example.com', '/api'),
      hits: [{ data: { problem: 'routes-elsewhere', routedTo: 'default/legacy' } }],
    },
    {
      name: 'no rule matches and the default backend is another Service',
      snapshot: world(
        (w) =>
          (w.ingresses = [
            ingress('shop', (i) => {
              paths(prefix('/cart'))(i);
              i.defaultBackend = svcBackend('fallback', 80);
            }),
          ]),
      ),
      question: viaIngress('shop.example.com', '/checkout'),
      hits: [{ data: { problem: 'default-backend', routedTo: 'default/fallback' } }],
    },
    {
      name: 'host/path from an observed URL that returned 404',
      snapshot: world((w) => {
        w.ingresses = [ingress('shop', paths(prefix('/cart')))];
        w.extra = {
          observations: [{ from: 'internet', to: 'http://shop.example.com/login', result: 'http-404' }],
        };
      }),
      question: ask('ingress', 'internet'),
      hits: [{ data: { problem: 'no-rule', path: '/login' } }],
    },
    {
      name: 'a catch-all rule of another IngressClass is not seen by this controller: 404',
      snapshot: world((w) => {
        w.ingresses = [
          ingress('shop', paths(prefix('/cart'))),
          ingress('other', (i) => {
            i.ingressClassName = 'internal';
            i.rules = [
              {
                host: 'shop.example.com',
                paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('other', 80) }],
              },
            ];
          }),
        ];
      }),
      question: viaIngress('shop.example.com', '/checkout'),
      hits: [{ data: { problem: 'no-rule', path: '/checkout' } }],
    },
    {
      name: 'no Ingress names the Service at all',
      snapshot: world((w) => (w.ingresses = [ingress('other', paths(prefix('/', 'other')))])),
      question: ask('ingress', 'internet'),
      hits: [{ data: { problem: 'no-ingress-for-service' } }],
    },
  ],
});

describe('observed symptoms raise confidence', () => {
  it('an observed 404 for the host makes "no rule" near certain', () => {
    const snapshot = world((w) => {
      w.ingresses = [ingress('shop', paths(prefix('/cart')))];
      w.extra = {
        observations: [{ from: 'internet', to: 'https://shop.example.com/carts', result: 'http-404' }],
      };
    });
    const plain = runCheck(check, {
      name: 'no observation',
      snapshot: world((w) => (w.ingresses = [ingress('shop', paths(prefix('/cart')))])),
      question: viaIngress('shop.example.com', '/carts'),
    });
    const seen = runCheck(check, {
      name: 'observed 404',
      snapshot,
      question: viaIngress('shop.example.com', '/carts'),
    });
    expect(plain.hits[0]?.confidence).toBeUndefined();
    expect(seen.hits[0]?.confidence).toBe(0.95);
  });
});
