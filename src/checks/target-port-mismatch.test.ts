import { expect, it } from 'vitest';
import { container, node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable, runCheck } from '../../test/support/check-table.js';
import type { Pod } from '../model/types.js';
import check from './target-port-mismatch.js';

const named = (targetPort: string) =>
  service('web', (s) => {
    s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort }];
  });
const exposes =
  (...ports: { name?: string; containerPort: number }[]) =>
  (p: Pod) => {
    p.containers = [
      container('app', (c) => (c.ports = ports.map((x) => ({ ...x, protocol: 'TCP' as const })))),
    ];
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
      name: 'a numeric targetPort the container declares',
      snapshot: snapshotOf({ services: [service('web')], pods: [pod('web-1')] }),
      question: question('web'),
    },
    {
      name: 'pods of one Service give the named port different numbers',
      snapshot: snapshotOf({
        services: [named('http')],
        pods: [
          pod('web-1', exposes({ name: 'http', containerPort: 8080 })),
          pod('web-2', exposes({ name: 'http', containerPort: 9090 })),
        ],
      }),
      question: question('web'),
    },
    {
      name: 'containers that declare no ports say nothing about a numeric targetPort',
      snapshot: snapshotOf({ services: [service('web')], pods: [pod('web-1', exposes())] }),
      question: question('web'),
    },
    {
      name: 'a named targetPort defined by a sidecar (restartable init container)',
      snapshot: snapshotOf({
        services: [named('proxy')],
        pods: [
          pod('web-1', (p) => {
            p.initContainers = [
              container('envoy', (c) => {
                c.restartPolicy = 'Always';
                c.ports = [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }];
              }),
            ];
          }),
        ],
      }),
      question: question('web'),
    },
    {
      name: 'a named port declared under another protocol is left to protocol-mismatch',
      snapshot: snapshotOf({
        services: [named('http')],
        pods: [
          pod('web-1', (p) => {
            p.containers = [
              container('app', (c) => (c.ports = [{ name: 'http', containerPort: 8080, protocol: 'UDP' }])),
            ];
          }),
        ],
      }),
      question: question('web'),
    },
    {
      name: 'pods not collected: unknown, not a finding',
      snapshot: snapshotOf({ services: [named('http')], collected: { Pod: false } }),
      question: question('web'),
    },
  ],
  invalid: [
    {
      name: 'a named targetPort no pod defines',
      snapshot: snapshotOf({
        services: [named('http')],
        pods: [pod('web-1', exposes({ name: 'web', containerPort: 8080 }))],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'error',
          data: {
            port: 80,
            portName: 'http',
            targetPort: 'http',
            kind: 'named',
            podsWithout: ['web-1'],
            pods: 1,
            declared: ['web=8080/TCP'],
            suggestion: 'web',
          },
        },
      ],
    },
    {
      name: 'a typo in the port name suggests the real name',
      snapshot: snapshotOf({
        services: [named('htpp')],
        pods: [
          pod(
            'web-1',
            exposes({ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }),
          ),
        ],
      }),
      question: question('web'),
      hits: [{ severity: 'error', data: { targetPort: 'htpp', suggestion: 'http' } }],
    },
    {
      name: 'a numeric targetPort the containers do not declare is a warning',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => (s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 80 }])),
        ],
        pods: [pod('web-1'), pod('web-2')],
      }),
      question: question('web'),
      hits: [
        {
          severity: 'warning',
          data: {
            kind: 'number',
            targetPort: 80,
            podsWithout: ['web-1', 'web-2'],
            pods: 2,
            suggestion: 8080,
          },
        },
      ],
    },
    {
      name: 'one pod of two lacks the port name (mid-rollout template change)',
      snapshot: snapshotOf({
        services: [named('http')],
        pods: [
          pod('web-1', exposes({ name: 'http', containerPort: 8080 })),
          pod('web-2', exposes({ containerPort: 8080 })),
        ],
      }),
      question: question('web'),
      hits: [{ severity: 'warning', data: { podsWithout: ['web-2'], pods: 2 } }],
    },
    {
      name: 'only the port the client asked about is judged',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.ports = [
              { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
              { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
            ];
          }),
        ],
        pods: [pod('web-1', exposes({ name: 'http', containerPort: 8080 }))],
      }),
      question: question('web', { port: 443 }),
      hits: [{ data: { port: 443, targetPort: 'https', podsWithout: ['web-1'] } }],
    },
  ],
});

it('target-port-mismatch: pods not collected is recorded as unknown', () => {
  const { unknowns } = runCheck(check, {
    name: 'unknown',
    snapshot: snapshotOf({ services: [named('http')], collected: { Pod: false } }),
    question: question('web'),
  });
  expect(unknowns).toHaveLength(1);
});
