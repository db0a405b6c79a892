import { container, node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { ContainerPort, Pod, ServicePort } from '../model/types.js';
import check from './protocol-mismatch.js';

const svc = (name: string, ports: ServicePort[]) => service(name, (s) => (s.ports = ports));
const exposes =
  (...ports: ContainerPort[]) =>
  (p: Pod) => {
    p.containers = [container('app', (c) => (c.ports = ports))];
  };

const dnsService = () =>
  svc('dns', [
    { name: 'dns', protocol: 'UDP', port: 53, targetPort: 'dns' },
    { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 'dns-tcp' },
  ]);
const dnsPod = exposes(
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
);

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
      name: 'TCP client, TCP Service, TCP container',
      snapshot: snapshotOf({ services: [service('web')], pods: [pod('web-1')] }),
      question: question('web', { port: 80, protocol: 'TCP' }),
    },
    {
      name: 'a UDP client of a DNS Service exposing 53 over UDP and TCP',
      snapshot: snapshotOf({ services: [dnsService()], pods: [pod('dns-1', dnsPod)] }),
      question: question('dns', { port: 53, protocol: 'UDP' }),
    },
    {
      name: 'named ports resolved per protocol on both entries',
      snapshot: snapshotOf({ services: [dnsService()], pods: [pod('dns-1', dnsPod)] }),
      question: question('dns'),
    },
    {
      name: 'containers that declare no ports are not judged',
      snapshot: snapshotOf({
        services: [svc('statsd', [{ name: '', protocol: 'UDP', port: 8125, targetPort: 8125 }])],
        pods: [pod('statsd-1', exposes())],
      }),
      question: question('statsd'),
    },
  ],
  invalid: [
    {
      name: 'a UDP client against a TCP-only Service port',
      snapshot: snapshotOf({ services: [service('web')], pods: [pod('web-1')] }),
      question: question('web', { port: 80, protocol: 'UDP' }),
      hits: [
        {
          data: {
            between: 'client-service',
            port: 80,
            serviceProtocol: 'TCP',
            clientProtocol: 'UDP',
          },
        },
      ],
    },
    {
      name: 'a TCP client (curl, nc) against a UDP-only syslog Service',
      snapshot: snapshotOf({
        services: [svc('syslog', [{ name: 'syslog', protocol: 'UDP', port: 514, targetPort: 514 }])],
        pods: [pod('syslog-1', exposes({ containerPort: 514, protocol: 'UDP' }))],
      }),
      question: question('syslog', { port: 514, protocol: 'TCP' }),
      hits: [
        { data: { between: 'client-service', port: 514, serviceProtocol: 'UDP', clientProtocol: 'TCP' } },
      ],
    },
    {
      name: 'a named targetPort the container declares only under UDP: no endpoint port',
      snapshot: snapshotOf({
        services: [svc('logs', [{ name: 'syslog', protocol: 'TCP', port: 514, targetPort: 'syslog' }])],
        pods: [pod('logs-1', exposes({ name: 'syslog', containerPort: 514, protocol: 'UDP' }))],
      }),
      question: question('logs'),
      hits: [
        {
          severity: 'error',
          data: {
            between: 'service-container',
            port: 514,
            serviceProtocol: 'TCP',
            containerProtocol: 'UDP',
            pods: ['logs-1'],
          },
        },
      ],
    },
    {
      name: 'a UDP Service port whose numeric target the container declares as TCP',
      snapshot: snapshotOf({
        services: [svc('statsd', [{ name: '', protocol: 'UDP', port: 8125, targetPort: 8125 }])],
        pods: [pod('statsd-1', exposes({ containerPort: 8125, protocol: 'TCP' }))],
      }),
      question: question('statsd'),
      hits: [
        {
          severity: 'warning',
          data: { between: 'service-container', containerProtocol: 'TCP', pods: ['statsd-1'] },
        },
      ],
    },
  ],
});
