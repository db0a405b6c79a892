import { checkTable } from '../../test/support/check-table.js';
import { ask, type World, world } from '../../test/support/cloud-fixtures.js';
import type { Route } from '../model/types.js';
import check from './route-blackhole.js';

/** The pod web-1 runs on node-1 with IP 10.244.1.7 (node-1's pod CIDR is 10.244.1.0/24). */
function routes(w: World, r: Route[]) {
  for (const p of w.pods) {
    p.podIP = '10.244.1.7';
    p.podIPs = ['10.244.1.7'];
  }
  if (w.cloud) w.cloud.routes = r;
}
const podRoutes: Route[] = [
  { table: 'rtb-1', destination: '10.244.1.0/24', nextHop: 'node/node-1' },
  { table: 'rtb-1', destination: '10.244.2.0/24', nextHop: 'node/node-2' },
  { table: 'rtb-1', destination: '0.0.0.0/0', nextHop: 'nat-1' },
];

checkTable(check, {
  valid: [
    {
      name: 'each pod CIDR routes to its node',
      snapshot: world((w) => routes(w, podRoutes)),
      question: ask('loadbalancer'),
    },
    {
      name: 'a default route to a NAT gateway is not a wrong next hop',
      snapshot: world((w) => routes(w, [{ table: 'rtb-1', destination: '0.0.0.0/0', nextHop: 'nat-1' }])),
      question: ask('loadbalancer'),
    },
    {
      name: 'a blackhole route elsewhere in the VPC',
      snapshot: world((w) =>
        routes(w, [...podRoutes, { table: 'rtb-1', destination: '172.16.0.0/16', nextHop: 'blackhole' }]),
      ),
      question: ask('loadbalancer'),
    },
    { name: 'no routes in the inventory', snapshot: world(), question: ask('loadbalancer') },
  ],
  invalid: [
    {
      name: 'a more specific route black-holes the pod',
      snapshot: world((w) =>
        routes(w, [...podRoutes, { table: 'rtb-1', destination: '10.244.1.0/25', nextHop: 'blackhole' }]),
      ),
      question: ask('clusterip', 'pod-on-other-node'),
      hits: [
        {
          data: { problem: 'blackhole', addresses: ['10.244.1.7'], route: { destination: '10.244.1.0/25' } },
        },
      ],
    },
    {
      name: "node-1's pod CIDR points at node-2",
      snapshot: world((w) =>
        routes(w, [
          { table: 'rtb-1', destination: '10.244.1.0/24', nextHop: '192.168.0.12' },
          { table: 'rtb-1', destination: '10.244.2.0/24', nextHop: 'node/node-2' },
        ]),
      ),
      question: ask('clusterip', 'pod-on-other-node'),
      hits: [
        { data: { problem: 'wrong-next-hop', expectedNextHop: 'node/node-1', addresses: ['10.244.1.7'] } },
      ],
    },
    {
      name: 'a host route black-holes the node the client addresses',
      snapshot: world((w) =>
        routes(w, [...podRoutes, { table: 'rtb-1', destination: '192.168.0.11/32', nextHop: 'blackhole' }]),
      ),
      question: ask('nodeport', 'vpc', { address: { ip: '192.168.0.11', port: 30637 } }),
      hits: [{ data: { problem: 'blackhole', addresses: ['192.168.0.11'] } }],
    },
  ],
});
