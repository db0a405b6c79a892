import { node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { Service } from '../model/types.js';
import check from './service-port-mismatch.js';

// Seed 000's Service: nodePort 30637 on every node, port 123 on the ClusterIP, targetPort 80 in the Pod.
const seed000 = () =>
  service('web', (s: Service) => {
    s.type = 'NodePort';
    s.clusterIP = '10.247.12.40';
    s.clusterIPs = ['10.247.12.40'];
    s.ports = [{ name: 'http', protocol: 'TCP', port: 123, targetPort: 80, nodePort: 30637 }];
  });
const cluster = () =>
  snapshotOf({
    services: [seed000()],
    pods: [
      pod('web-1', (p) => {
        p.containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP' }];
        p.podIP = '10.244.1.50';
        p.podIPs = ['10.244.1.50'];
      }),
    ],
    nodes: [node('node-1')],
  });
const nodeIP = '192.168.0.11';

const internalLb = (ingress: Service['loadBalancerIngress']) =>
  snapshotOf({
    services: [
      service('web', (s) => {
        s.type = 'LoadBalancer';
        s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30637 }];
        s.loadBalancerIngress = ingress;
      }),
    ],
    pods: [pod('web-1')],
    nodes: [node('node-1')],
  });

checkTable(check, {
  valid: [
    {
      name: 'an internet client at a LoadBalancer whose address is public',
      snapshot: internalLb([{ ip: '203.0.113.10' }]),
      question: question('web', { client: 'internet', via: 'loadbalancer' }),
    },
    {
      name: 'an in-cluster client at an internal LoadBalancer',
      snapshot: internalLb([{ ip: '10.1.0.20' }]),
      question: question('web', { client: 'pod-on-other-node', via: 'loadbalancer' }),
    },
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
      name: 'NodeIP:nodePort from the internet',
      snapshot: cluster(),
      question: question('web', { client: 'internet', address: { ip: nodeIP, port: 30637 }, port: 30637 }),
    },
    {
      name: 'ClusterIP:port from a pod',
      snapshot: cluster(),
      question: question('web', { address: { ip: '10.247.12.40', port: 123 }, port: 123 }),
    },
    {
      name: 'no port in the question',
      snapshot: cluster(),
      question: question('web', { via: 'clusterip' }),
    },
    {
      name: 'the Service port named by its name',
      snapshot: cluster(),
      question: question('web', { via: 'dns', port: 'http' }),
    },
    {
      name: 'a headless Service is left to headless-service-no-vip',
      snapshot: snapshotOf({
        services: [
          service('db', (s) => {
            s.clusterIP = 'None';
            s.clusterIPs = [];
            s.headless = true;
          }),
        ],
      }),
      question: question('db', { via: 'dns', port: 5432 }),
    },
    {
      name: 'an outside client at an address the bundle does not know (a NAT EIP) on a guessed path',
      snapshot: cluster(),
      question: question('web', { client: 'internet', address: { ip: '198.51.100.7', port: 80 }, port: 80 }),
    },
    {
      name: 'a load balancer listener port that differs from the Service port',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.type = 'LoadBalancer';
            s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31080 }];
          }),
        ],
        pods: [pod('web-1')],
        cloud: {
          provider: 'cce',
          cluster: {},
          loadBalancers: [
            {
              id: 'elb-1',
              addresses: ['203.0.113.10'],
              owner: 'service/default/web',
              listeners: [{ protocol: 'HTTPS', port: 443 }],
            },
          ],
        },
      }),
      question: question('web', { client: 'internet', via: 'loadbalancer', port: 443 }),
    },
    {
      name: 'a Pod IP and a named targetPort with Pods not collected: unknown, not a finding',
      snapshot: snapshotOf({
        services: [
          service(
            'web',
            (s) => (s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]),
          ),
        ],
        collected: { Pod: false },
      }),
      question: question('web', { via: 'pod', port: 8080 }),
    },
  ],
  invalid: [
    {
      name: 'an internet client at an internal LoadBalancer (private address only)',
      snapshot: internalLb([{ ip: '10.1.0.20' }]),
      question: question('web', { client: 'internet', via: 'loadbalancer' }),
      hits: [{ data: { via: 'loadbalancer', exposure: 'internal-load-balancer' } }],
    },
    {
      name: 'an internet client at the private address of a LoadBalancer, given exactly',
      snapshot: internalLb([{ ip: '10.1.0.20' }]),
      question: question('web', {
        client: 'internet',
        via: 'loadbalancer',
        address: { ip: '10.1.0.20', port: 80 },
      }),
      hits: [{ data: { via: 'loadbalancer', exposure: 'internal-load-balancer' } }],
    },
    {
      name: 'curl NodeIP:123 uses the Service port on a node',
      snapshot: cluster(),
      question: question('web', { client: 'internet', address: { ip: nodeIP, port: 123 }, port: 123 }),
      hits: [
        {
          data: {
            via: 'nodeport',
            used: 123,
            usedAs: 'port',
            servicePort: 'http 123/TCP',
            use: 30637,
            valid: [30637],
          },
        },
      ],
    },
    {
      name: 'ClusterIP:30637 uses the nodePort on the ClusterIP',
      snapshot: cluster(),
      question: question('web', { address: { ip: '10.247.12.40', port: 30637 }, port: 30637 }),
      hits: [{ data: { via: 'clusterip', used: 30637, usedAs: 'nodePort', use: 123 } }],
    },
    {
      name: 'ClusterIP:80 uses the targetPort on the ClusterIP',
      snapshot: cluster(),
      question: question('web', { via: 'clusterip', port: 80 }),
      hits: [{ data: { via: 'clusterip', used: 80, usedAs: 'targetPort', use: 123 } }],
    },
    {
      name: 'a node port asked of a ClusterIP Service',
      snapshot: snapshotOf({ services: [service('api')], pods: [pod('api-1')], nodes: [node('node-1')] }),
      question: question('api', { client: 'internet', via: 'nodeport', port: 80 }),
      hits: [{ data: { via: 'nodeport', used: 80, usedAs: 'port', use: null, valid: [] } }],
    },
    {
      name: 'a number that is no part of the Service',
      snapshot: cluster(),
      question: question('web', { via: 'clusterip', port: 8443 }),
      hits: [{ data: { used: 8443, usedAs: null, servicePort: null, use: 123, valid: [123] } }],
    },
    {
      name: 'straight to a Pod IP on the Service port instead of the targetPort',
      snapshot: cluster(),
      question: question('web', { address: { ip: '10.244.1.50', port: 123 }, port: 123 }),
      hits: [{ data: { via: 'pod', used: 123, usedAs: 'port', use: 80, valid: [80] } }],
    },
    {
      name: 'a misspelt port name',
      snapshot: cluster(),
      question: question('web', { via: 'dns', port: 'htp' }),
      hits: [{ data: { via: 'dns', used: 'htp', usedAs: null, use: 123 } }],
    },
  ],
});
