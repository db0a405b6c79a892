import { expect, it } from 'vitest';
import { question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import check from './service-not-found.js';

checkTable(check, {
  valid: [
    {
      name: 'the Service exists in the namespace asked for',
      snapshot: snapshotOf({ services: [service('web')] }),
      question: question('web'),
    },
    {
      name: 'a Service of the same name in another namespace does not matter when the asked one exists',
      snapshot: snapshotOf({ services: [service('web'), service('web', undefined, 'shop')] }),
      question: question('shop/web'),
    },
    {
      name: 'Services not collected: unknown, not a finding',
      snapshot: snapshotOf({ collected: { Service: false } }),
      question: question('web'),
    },
    {
      name: 'an ExternalName Service exists too (it is still a Service)',
      snapshot: snapshotOf({
        services: [
          service('ext', (s) => {
            s.type = 'ExternalName';
            s.externalName = 'db.example.com';
            delete s.selector;
          }),
        ],
      }),
      question: question('ext'),
    },
  ],
  invalid: [
    {
      name: 'a transposed letter in the name suggests the real Service',
      snapshot: snapshotOf({ services: [service('nginx'), service('redis')] }),
      question: question('ngnix'),
      hits: [
        {
          data: {
            namespace: 'default',
            name: 'ngnix',
            namespaceKnown: true,
            similarNames: ['nginx'],
            inNamespaces: [],
          },
          subject: { kind: 'Service', namespace: 'default', name: 'ngnix' },
        },
      ],
    },
    {
      name: 'the Service lives in another namespace',
      snapshot: snapshotOf({
        services: [service('api', undefined, 'prod'), service('api', undefined, 'staging'), service('web')],
      }),
      question: question('api'),
      hits: [{ data: { similarNames: [], inNamespaces: ['prod', 'staging'] } }],
    },
    {
      name: 'a misspelt namespace suggests the existing one',
      snapshot: snapshotOf({ services: [service('web', undefined, 'payments')] }),
      question: question('paymnets/web'),
      hits: [
        {
          data: {
            namespace: 'paymnets',
            namespaceKnown: false,
            similarNamespaces: ['payments'],
            inNamespaces: ['payments'],
          },
        },
      ],
    },
    {
      name: 'nothing close exists',
      snapshot: snapshotOf({ services: [service('frontend')] }),
      question: question('db'),
      hits: [{ data: { similarNames: [], inNamespaces: [], similarNamespaces: [] } }],
    },
  ],
});

it('service-not-found: Services not collected is recorded as unknown', () => {
  const { hits, unknowns } = runCheck(check, {
    name: 'no services',
    snapshot: snapshotOf({ collected: { Service: false } }),
    question: question('web'),
  });
  expect(hits).toEqual([]);
  expect(unknowns).toHaveLength(1);
});
