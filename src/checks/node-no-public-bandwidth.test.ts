import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './node-no-public-bandwidth.js';

function nodeBandwidth(w: World, n1: number | undefined, n2: number | undefined) {
  const eips = w.cloud?.eips;
  if (!eips) return;
  eips.push({
    address: '198.51.100.11',
    boundTo: 'node/node-1',
    ...(n1 !== undefined ? { bandwidthMbps: n1 } : {}),
  });
  eips.push({
    address: '198.51.100.12',
    boundTo: 'node/node-2',
    ...(n2 !== undefined ? { bandwidthMbps: n2 } : {}),
  });
}
const tke = (fn: (w: World) => void) => world(fn, 'tke');

checkTable(check, {
  valid: [
    {
      name: 'nodes have public bandwidth',
      snapshot: tke((w) => nodeBandwidth(w, 5, 5)),
      question: ask('loadbalancer'),
    },
    {
      name: 'a private CLB does not use node public bandwidth',
      snapshot: tke((w) => {
        nodeBandwidth(w, 0, 0);
        firstLb(w).scheme = 'private';
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'not TKE: bandwidth is billed on the LB',
      snapshot: world((w) => nodeBandwidth(w, 0, 0), 'cce'),
      question: ask('loadbalancer'),
    },
    {
      name: 'node bandwidth not captured',
      snapshot: tke((w) => nodeBandwidth(w, undefined, undefined)),
      question: ask('loadbalancer'),
    },
  ],
  invalid: [
    {
      name: 'every backend node has 0 Mbit/s',
      snapshot: tke((w) => nodeBandwidth(w, 0, 0)),
      question: ask('loadbalancer'),
      hits: [{ severity: 'error', data: { lb: 'elb-1', nodes: ['node-1', 'node-2'], withBandwidth: 0 } }],
    },
    {
      name: 'one backend node has none (warning)',
      snapshot: tke((w) => nodeBandwidth(w, 10, 0)),
      question: ask('loadbalancer'),
      hits: [{ severity: 'warning', data: { nodes: ['node-2'], withBandwidth: 1 } }],
    },
    {
      name: 'node public IP from Node status matched to a zero-bandwidth EIP',
      snapshot: tke((w) => {
        for (const n of w.nodes)
          n.externalIPs = [n.meta.name === 'node-1' ? '198.51.100.21' : '198.51.100.22'];
        w.cloud?.eips?.push(
          { address: '198.51.100.21', boundTo: null, bandwidthMbps: 0 },
          { address: '198.51.100.22', boundTo: null, bandwidthMbps: 0 },
        );
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { nodes: ['node-1', 'node-2'] } }],
    },
  ],
});
