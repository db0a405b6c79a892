import { question } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import { seedCluster } from '../../test/support/seed-cluster.js';
import check from './etp-local-in-cluster-lb-access.js';

const cce = (o: Partial<Parameters<typeof seedCluster>[0]> = {}) =>
  seedCluster({ network: 'vpc', mode: 'ipvs', version: 'v1.25.5', kind: 'dedicated-lb', ...o });

checkTable(check, {
  valid: [
    {
      name: 'a pod on a node without a backend reaches the ELB (pass-through sends it to the backend node)',
      snapshot: cce(),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
    },
    {
      name: 'externalTrafficPolicy Cluster: in-cluster access to the LB address is masqueraded and works',
      snapshot: cce({ mutateService: (s) => (s.externalTrafficPolicy = 'Cluster') }),
      question: question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' }),
    },
    {
      name: 'the recommended path: a pod on the backend node uses the ClusterIP',
      snapshot: cce(),
      question: question('nginx', { client: 'pod-on-backend-node', via: 'clusterip' }),
    },
    {
      name: 'an internet client is not an in-cluster client',
      snapshot: cce({
        mutateService: (s) => {
          s.loadBalancerIngress = [{ ip: '121.36.200.1' }];
        },
        mutateData: (d) => {
          const lb = d.cloud?.loadBalancers?.[0];
          if (lb) lb.addresses = ['121.36.200.1'];
        },
      }),
      question: question('nginx', { client: 'internet', via: 'loadbalancer' }),
    },
    {
      name: 'TKE IPVS, eTP Local, pod on the backend node: a CLB loopback (seed 003), not the CCE pass-through case',
      snapshot: cce({
        provider: 'tke',
        version: 'v1.20.6-tke.5',
        mutateService: (s) => {
          s.meta.annotations = { 'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid': 'subnet-1' };
        },
      }),
      question: question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' }),
    },
  ],
  invalid: [
    {
      name: 'seed 001/004: a pod on the backend node reaches the ELB address, VPC network, IPVS',
      snapshot: cce(),
      question: question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' }),
      hits: [
        {
          data: {
            provider: 'cce',
            networkModel: 'vpc',
            proxyMode: 'ipvs',
            via: 'loadbalancer',
            passThroughOffered: true,
          },
        },
      ],
    },
    {
      name: 'seed 001: the backend node itself reaches the shared ELB, tunnel network, iptables',
      snapshot: cce({ kind: 'shared-lb', network: 'tunnel', mode: 'iptables' }),
      question: question('nginx', { client: 'same-node-as-backend', via: 'loadbalancer' }),
      hits: [{ data: { networkModel: 'tunnel', proxyMode: 'iptables' } }],
    },
    {
      name: 'seed 001: a pod on its own backend node reaches the node private IP + NodePort, VPC network',
      snapshot: cce({ kind: 'nodeport' }),
      question: question('nginx', {
        client: 'pod-on-backend-node',
        via: 'nodeport',
        address: { ip: '192.168.0.11', port: 30000 },
      }),
      hits: [{ data: { via: 'nodeport' } }],
    },
    {
      name: 'v1.15 cluster (no pass-through), old IPVS kube-proxy: a pod on another node is refused by the empty virtual server',
      snapshot: cce({ version: 'v1.15.11' }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
      // CCE ignores pass-through on v1.15 and earlier: the fix must not offer it.
      hits: [{ data: { proxyMode: 'ipvs', passThroughOffered: false } }],
    },
    {
      name: 'audit: some in-cluster client location cannot use the LB address',
      snapshot: cce(),
      question: question('nginx'),
      mode: 'audit',
      hits: [
        { severity: 'warning', data: { failingClients: ['same-node-as-backend', 'pod-on-backend-node'] } },
      ],
    },
  ],
});
