import { pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import check from './selector-matches-no-pods.js';

const web = () => service('web');

checkTable(check, {
  valid: [
    {
      name: 'the selector matches a running pod',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-1')] }),
      question: question('web'),
    },
    {
      name: 'a selector-less Service with manual endpoints is not judged by labels',
      snapshot: snapshotOf({ services: [service('db', (s) => delete s.selector)], pods: [] }),
      question: question('db'),
    },
    {
      name: 'an ExternalName Service has no selector to match',
      snapshot: snapshotOf({
        services: [
          service('ext', (s) => {
            s.type = 'ExternalName';
            s.externalName = 'db.example.com';
          }),
        ],
      }),
      question: question('ext'),
    },
    {
      name: 'pods not collected: unknown, not a finding',
      snapshot: snapshotOf({ services: [web()], collected: { Pod: false } }),
      question: question('web'),
    },
    {
      name: 'a matching pod that is not ready still matches the selector (readiness is another check)',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1', (p) => {
            p.ready = false;
          }),
        ],
      }),
      question: question('web'),
    },
  ],
  invalid: [
    {
      name: 'a typo in the selector value is shown as a near miss',
      snapshot: snapshotOf({
        services: [service('web', (s) => (s.selector = { app: 'wbe' }))],
        pods: [pod('web-1')],
      }),
      question: question('web'),
      hits: [
        {
          data: {
            selector: 'app=wbe',
            nearMisses: [{ pod: 'web-1', differs: { app: ['wbe', 'web'] }, missing: {} }],
          },
        },
      ],
    },
    {
      name: 'a label key spelled differently on the pods',
      snapshot: snapshotOf({
        services: [service('web', (s) => (s.selector = { app: 'web', tier: 'frontend' }))],
        pods: [pod('web-1', (p) => (p.meta.labels = { app: 'web', tir: 'frontend' }))],
      }),
      question: question('web'),
      hits: [{ data: { nearMisses: [{ pod: 'web-1', differs: {}, missing: { tier: 'tir' } }] } }],
    },
    {
      name: 'pods with the right labels live in another namespace',
      snapshot: snapshotOf({ services: [web()], pods: [pod('web-1', undefined, 'other')] }),
      question: question('web'),
      hits: [{ data: { selector: 'app=web', podsInNamespace: 0 } }],
    },
    {
      name: 'no pods at all',
      snapshot: snapshotOf({ services: [web()], pods: [] }),
      question: question('web'),
      hits: [{ subject: { kind: 'Service', namespace: 'default', name: 'web' } }],
    },
  ],
});
