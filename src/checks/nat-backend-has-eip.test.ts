import { checkTable } from '../../test/support/check-table.js';
import { ask, lbService, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './nat-backend-has-eip.js';

const EIP = '198.51.100.7';
function nat(w: World, nodeEips: { address: string; boundTo: string }[] = []) {
  w.services = [
    lbService('web', (s) => {
      s.type = 'NodePort';
      s.loadBalancerIngress = [];
    }),
  ];
  if (w.cloud) {
    w.cloud.natGateways = [
      {
        id: 'nat-1',
        dnatRules: [
          {
            eip: EIP,
            protocol: 'tcp',
            externalPort: 80,
            internalAddress: '192.168.0.11',
            internalPort: 30637,
          },
        ],
      },
    ];
    w.cloud.eips = [{ address: EIP, boundTo: 'nat/nat-1', bandwidthMbps: 5 }, ...nodeEips];
  }
}
const viaEip = () => ask('nodeport', 'internet', { address: { ip: EIP, port: 80 } });

checkTable(check, {
  valid: [
    {
      name: 'the DNAT backend node has no EIP of its own',
      snapshot: world((w) => nat(w)),
      question: viaEip(),
    },
    {
      name: 'another node (not a DNAT backend) has an EIP',
      snapshot: world((w) => nat(w, [{ address: '198.51.100.50', boundTo: 'node/node-2' }])),
      question: viaEip(),
    },
    {
      name: 'an in-cluster ClusterIP question does not go through NAT',
      snapshot: world((w) => nat(w, [{ address: '198.51.100.50', boundTo: 'node/node-1' }])),
      question: ask('clusterip', 'pod-on-other-node'),
    },
  ],
  invalid: [
    {
      name: 'the DNAT backend node has its own EIP',
      snapshot: world((w) => nat(w, [{ address: '198.51.100.50', boundTo: 'node/node-1' }])),
      question: viaEip(),
      hits: [{ data: { nat: 'nat-1', eip: EIP, node: 'node-1', nodeEip: '198.51.100.50' } }],
    },
    {
      name: 'found from a VPC client too',
      snapshot: world((w) => nat(w, [{ address: '198.51.100.51', boundTo: 'node/node-1' }])),
      question: ask('nodeport', 'vpc'),
      hits: [{ data: { nodeEip: '198.51.100.51' } }],
    },
    {
      name: 'audit finds it whatever the question',
      snapshot: world((w) => nat(w, [{ address: '198.51.100.50', boundTo: 'node/node-1' }])),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { node: 'node-1' } }],
    },
  ],
});
