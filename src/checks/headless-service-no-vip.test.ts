import { container, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { Service } from '../model/types.js';
import check from './headless-service-no-vip.js';

const headless = (name = 'web', mutate?: (s: Service) => void) =>
  service(name, (s) => {
    s.clusterIP = 'None';
    s.clusterIPs = [];
    s.headless = true;
    mutate?.(s);
  });

checkTable(check, {
  valid: [
    {
      name: 'a normal ClusterIP Service reached through its ClusterIP',
      snapshot: snapshotOf({ services: [service('web')], pods: [pod('web-1')] }),
      question: question('web', { via: 'clusterip', port: 80 }),
    },
    {
      name: 'a headless Service reached by DNS on the targetPort',
      snapshot: snapshotOf({ services: [headless()], pods: [pod('web-1')] }),
      question: question('web', { via: 'dns', port: 8080 }),
    },
    {
      name: 'a headless Service with port equal to targetPort',
      snapshot: snapshotOf({
        services: [
          headless('db', (s) => (s.ports = [{ name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 }])),
        ],
        pods: [pod('db-0', (p) => (p.containers[0]!.ports = [{ containerPort: 5432, protocol: 'TCP' }]))],
      }),
      question: question('db', { via: 'dns', port: 5432 }),
    },
    {
      name: 'no port and no explicit path: nothing to say',
      snapshot: snapshotOf({ services: [headless()], pods: [pod('web-1')] }),
      question: question('web'),
    },
    {
      name: 'audit mode asks no client question',
      snapshot: snapshotOf({ services: [headless()], pods: [pod('web-1')] }),
      question: question('web', { via: 'clusterip' }),
      mode: 'audit',
    },
  ],
  invalid: [
    {
      name: 'the client connects through a ClusterIP the headless Service does not have',
      snapshot: snapshotOf({ services: [headless()], pods: [pod('web-1')] }),
      question: question('web', { via: 'clusterip' }),
      hits: [
        { data: { service: 'default/web', reason: 'no-cluster-ip', targetPort: 8080, targetPorts: [8080] } },
      ],
    },
    {
      name: 'by DNS on the Service port, which is not mapped on Pod IPs',
      snapshot: snapshotOf({ services: [headless()], pods: [pod('web-1')] }),
      question: question('web', { via: 'dns', port: 80 }),
      hits: [{ data: { reason: 'port-not-mapped', usedPort: 80, targetPorts: [8080] } }],
    },
    {
      name: 'a named targetPort resolves to the container port the client must use',
      snapshot: snapshotOf({
        services: [
          headless(
            'db',
            (s) => (s.ports = [{ name: 'pg', protocol: 'TCP', port: 15432, targetPort: 'postgres' }]),
          ),
        ],
        pods: [
          pod('db-0', (p) => {
            p.containers = [
              container(
                'postgres',
                (c) => (c.ports = [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }]),
              ),
            ];
          }),
        ],
      }),
      question: question('db', { via: 'dns', port: 15432 }),
      hits: [
        { data: { reason: 'port-not-mapped', usedPort: 15432, targetPort: 'postgres', targetPorts: [5432] } },
      ],
    },
    {
      name: 'an in-cluster client with an inferred path uses the Service port',
      snapshot: snapshotOf({ services: [headless()], pods: [pod('web-1')] }),
      question: question('web', { port: 80 }),
      hits: [{ data: { reason: 'port-not-mapped', usedPort: 80 } }],
    },
  ],
});
