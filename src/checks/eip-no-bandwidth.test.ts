import { checkTable } from '../../test/support/check-table.js';
import { ask, lbService, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './eip-no-bandwidth.js';

const zero = (w: World) => {
  for (const e of w.cloud?.eips ?? []) e.bandwidthMbps = 0;
};

checkTable(check, {
  valid: [
    { name: 'the LB EIP has 10 Mbit/s', snapshot: world(), question: ask('loadbalancer') },
    {
      name: 'bandwidth not captured is unknown, not zero',
      snapshot: world((w) => {
        for (const e of w.cloud?.eips ?? []) delete e.bandwidthMbps;
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'an in-cluster pod on the ClusterIP never uses the EIP',
      snapshot: world(zero),
      question: ask('clusterip', 'pod-on-other-node'),
    },
    {
      name: 'a zero-bandwidth EIP that is not on the path',
      snapshot: world((w) =>
        w.cloud?.eips?.push({ address: '198.51.100.99', boundTo: null, bandwidthMbps: 0 }),
      ),
      question: ask('loadbalancer'),
    },
  ],
  invalid: [
    {
      name: 'the LB public address has 0 Mbit/s',
      snapshot: world(zero),
      question: ask('loadbalancer'),
      hits: [{ data: { eip: '203.0.113.10', boundTo: 'lb/elb-1', role: 'load-balancer' } }],
    },
    {
      name: 'the EIP the client used has no bandwidth',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => {
            s.type = 'NodePort';
            s.loadBalancerIngress = [];
          }),
        ];
        w.cloud?.eips?.push({ address: '198.51.100.7', boundTo: 'node/node-1', bandwidthMbps: 0 });
      }),
      question: ask('nodeport', 'internet', { address: { ip: '198.51.100.7', port: 30637 } }),
      hits: [{ data: { eip: '198.51.100.7', role: 'address-used' } }],
    },
    {
      name: 'the NAT DNAT EIP for the Service has no bandwidth',
      snapshot: world((w) => {
        if (!w.cloud) return;
        w.cloud.natGateways = [
          {
            id: 'nat-1',
            dnatRules: [
              {
                eip: '198.51.100.7',
                protocol: 'tcp',
                externalPort: 80,
                internalAddress: '192.168.0.11',
                internalPort: 30637,
              },
            ],
          },
        ];
        w.cloud.eips?.push({ address: '198.51.100.7', boundTo: 'nat/nat-1', bandwidthMbps: 0 });
      }),
      question: ask('loadbalancer', 'internet'),
      hits: [{ data: { eip: '198.51.100.7', role: 'nat' } }],
    },
  ],
});
