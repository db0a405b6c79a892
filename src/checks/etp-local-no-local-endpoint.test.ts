import { question } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import { NODE_EIP, NODE_IP, seedCluster } from '../../test/support/seed-cluster.js';
import check from './etp-local-no-local-endpoint.js';

const np = (o: Partial<Parameters<typeof seedCluster>[0]> = {}) =>
  seedCluster({ network: 'vpc', mode: 'iptables', version: 'v1.25.5', kind: 'nodeport', ...o });

checkTable(check, {
  valid: [
    {
      name: 'an internet client uses the public IP of the node that runs the backend',
      snapshot: np(),
      question: question('nginx', {
        client: 'internet',
        via: 'nodeport',
        address: { ip: NODE_EIP['node-1'], port: 30000 },
      }),
    },
    {
      name: 'externalTrafficPolicy Cluster: any node forwards',
      snapshot: np({ mutateService: (s) => (s.externalTrafficPolicy = 'Cluster') }),
      question: question('nginx', {
        client: 'internet',
        via: 'nodeport',
        address: { ip: NODE_EIP['node-3'], port: 30000 },
      }),
    },
    {
      name: 'a VPC client uses the private IP of the backend node',
      snapshot: np({ mode: 'ipvs' }),
      question: question('nginx', {
        client: 'vpc',
        via: 'nodeport',
        address: { ip: NODE_IP['node-1'], port: 30000 },
      }),
    },
  ],
  invalid: [
    {
      name: 'an internet client hits a node without a backend (iptables drops it)',
      snapshot: np(),
      question: question('nginx', {
        client: 'internet',
        via: 'nodeport',
        address: { ip: NODE_EIP['node-3'], port: 30000 },
      }),
      hits: [{ data: { node: 'node-3', nodesWithEndpoints: ['node-1'] } }],
    },
    {
      name: 'IPVS before v1.21 refuses on a node without a local endpoint',
      snapshot: np({ mode: 'ipvs', version: 'v1.19.16' }),
      question: question('nginx', {
        client: 'vpc',
        via: 'nodeport',
        address: { ip: NODE_IP['node-2'], port: 30000 },
      }),
      hits: [{ data: { node: 'node-2' } }],
    },
    {
      name: 'IPVS v1.21+ forwards to another node without SNAT: the reply goes astray',
      snapshot: np({ mode: 'ipvs', version: 'v1.25.5' }),
      question: question('nginx', {
        client: 'vpc',
        via: 'nodeport',
        address: { ip: NODE_IP['node-3'], port: 30000 },
      }),
      hits: [{ data: { node: 'node-3' } }],
    },
    {
      name: "seed 001: the backend node itself uses another node's NodePort",
      snapshot: np({ network: 'tunnel' }),
      question: question('nginx', {
        client: 'same-node-as-backend',
        via: 'nodeport',
        address: { ip: NODE_IP['node-2'], port: 30000 },
      }),
      hits: [{ data: { node: 'node-2' } }],
    },
    {
      name: "IPVS v1.21+: the backend node uses another node's NodePort and gets its own packet back (local source)",
      snapshot: np({ network: 'tunnel', mode: 'ipvs' }),
      question: question('nginx', {
        client: 'same-node-as-backend',
        via: 'nodeport',
        address: { ip: NODE_IP['node-3'], port: 30000 },
      }),
      hits: [{ data: { node: 'node-3' } }],
    },
  ],
});
