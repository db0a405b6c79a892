import { checkTable } from '../../test/support/check-table.js';
import { ask, lbService, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './nat-rule-missing-eip.js';

const EIP = '198.51.100.7';
/** NodePort Service exposed on EIP:80 through nat-1 to node-1:30637. */
function nat(
  w: World,
  mutate?: (r: { internalAddress: string; internalPort: number }) => void,
  boundTo: string | null = 'nat/nat-1',
) {
  w.services = [
    lbService('web', (s) => {
      s.type = 'NodePort';
      s.loadBalancerIngress = [];
    }),
  ];
  const rule = {
    eip: EIP,
    protocol: 'tcp',
    externalPort: 80,
    internalAddress: '192.168.0.11',
    internalPort: 30637,
  };
  mutate?.(rule);
  if (w.cloud) {
    w.cloud.natGateways = [{ id: 'nat-1', dnatRules: [rule] }];
    w.cloud.eips = [{ address: EIP, boundTo, bandwidthMbps: 5 }];
  }
}
const viaEip = () => ask('nodeport', 'internet', { address: { ip: EIP, port: 80 } });

checkTable(check, {
  valid: [
    {
      name: 'EIP bound to the gateway, rule to node-1 at the nodePort',
      snapshot: world((w) => nat(w)),
      question: viaEip(),
    },
    {
      name: 'no NAT gateways in the inventory',
      snapshot: world((w) => {
        nat(w);
        if (w.cloud) delete w.cloud.natGateways;
      }),
      question: viaEip(),
    },
    {
      name: 'a pod in the cluster using the ClusterIP does not go through NAT',
      snapshot: world((w) => nat(w, undefined, null)),
      question: ask('clusterip', 'pod-on-other-node'),
    },
    {
      name: 'eips section absent: binding unknown, not a finding',
      snapshot: world((w) => {
        nat(w);
        if (w.cloud) delete w.cloud.eips;
      }),
      question: viaEip(),
    },
  ],
  invalid: [
    {
      name: 'the DNAT EIP is not bound to anything',
      snapshot: world((w) => nat(w, undefined, null)),
      question: viaEip(),
      hits: [{ data: { nat: 'nat-1', eip: EIP, problem: 'eip-unbound', boundTo: null } }],
    },
    {
      name: 'the DNAT EIP is bound to a node instead of the gateway',
      snapshot: world((w) => nat(w, undefined, 'node/node-2')),
      question: viaEip(),
      hits: [{ data: { problem: 'eip-bound-elsewhere', boundTo: 'node/node-2' } }],
    },
    {
      name: 'the rule the client used forwards to the container port, not the nodePort',
      snapshot: world((w) => nat(w, (r) => (r.internalPort = 8080))),
      question: viaEip(),
      hits: [{ data: { problem: 'wrong-internal-port', internalPort: 8080, expectedPorts: [30637] } }],
    },
    {
      name: 'the rule forwards to an address that is no node',
      snapshot: world((w) => nat(w, (r) => (r.internalAddress = '192.168.9.9'))),
      question: viaEip(),
      hits: [{ data: { problem: 'unknown-internal-address' } }],
    },
    {
      name: 'audit: the EIP of a rule for the Service is missing from the inventory',
      snapshot: world((w) => {
        nat(w);
        if (w.cloud) w.cloud.eips = [];
      }),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { problem: 'eip-missing' } }],
    },
  ],
});
