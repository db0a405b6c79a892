// The simulator (API objects -> decisions) against the node-dump evaluator (iptables-save of the
// same cluster -> decisions): for every packet in a grid of sources, destinations and hooks,
// both must give the same verdict, DNAT targets and masquerade. A disagreement is a bug in one
// of the two models of kube-proxy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Snapshot } from '../../model/snapshot.js';
import type { Protocol } from '../../model/types.js';
import { GOLDEN_LOCAL_ADDRESSES, GOLDEN_NODE, goldenData } from '../../nodedump/fixtures/golden-cluster.js';
import { traceOnNodeDump } from '../../nodedump/index.js';
import { proxyPacket } from './index.js';
import { flowOutput } from './testing.js';
import type { Packet } from './types.js';

const dump = readFileSync(
  path.join(import.meta.dirname, '../../nodedump/fixtures/test-node.iptables'),
  'utf8',
);

function snapshots(): { sim: Snapshot; withDump: Snapshot } {
  const data = goldenData();
  // The dump's node has these addresses on eth0 (its `ip -o addr`); give the Node object the same.
  data.nodes = data.nodes.map((n) => ({
    ...n,
    addresses: [
      ...GOLDEN_LOCAL_ADDRESSES.map((address) => ({ type: 'InternalIP', address })),
      ...n.addresses.slice(1),
    ],
    internalIPs: [...GOLDEN_LOCAL_ADDRESSES],
  }));
  const sim = new Snapshot(data);
  const withDump = new Snapshot({
    ...data,
    nodeDumps: [{ node: GOLDEN_NODE, iptables: { text: dump, file: 'test-node.iptables' } }],
  });
  return { sim, withDump };
}

const { sim, withDump } = snapshots();

const sources = [
  '10.0.0.2',
  '10.180.0.1',
  '10.180.0.5',
  '192.168.0.2',
  '203.0.113.2',
  '203.0.113.130',
  '1.2.3.4',
  '5.6.7.8',
];
const destinations: [string, number, Protocol][] = [];
for (const s of sim.services) {
  const ips = [s.clusterIP, ...s.externalIPs, ...s.loadBalancerIngress.flatMap((i) => (i.ip ? [i.ip] : []))];
  for (const p of s.ports) {
    for (const ip of ips) destinations.push([ip, p.port, p.protocol]);
    if (p.nodePort) for (const ip of GOLDEN_LOCAL_ADDRESSES) destinations.push([ip, p.nodePort, p.protocol]);
  }
  if (s.healthCheckNodePort) destinations.push(['192.168.0.2', s.healthCheckNodePort, 'TCP']);
}
destinations.push(['172.30.0.41', 443, 'TCP'], ['10.0.0.3', 80, 'TCP']);

const packets: Packet[] = [];
for (const src of sources)
  for (const [dst, dport, protocol] of destinations)
    for (const hook of ['prerouting', 'output'] as const) {
      // Only the node's own addresses send on the OUTPUT path.
      if (hook === 'output' && !GOLDEN_LOCAL_ADDRESSES.includes(src)) continue;
      packets.push({ src, dst, dport, protocol, hook });
    }

describe('simulator and node-dump evaluator agree on the golden cluster', () => {
  test('the grid is not trivial', () => {
    expect(packets.length).toBeGreaterThan(250);
    const verdicts = new Set(packets.map((p) => proxyPacket(sim, GOLDEN_NODE, p).verdict));
    expect([...verdicts].sort()).toEqual(['delivered', 'dropped', 'local', 'rejected', 'unhandled']);
  });

  test.each(
    packets.map((p) => ({ ...p, name: `${p.src} -> ${p.dst}:${p.dport}/${p.protocol} (${p.hook})` })),
  )('$name', (p) => {
    const simulated = proxyPacket(sim, GOLDEN_NODE, p, { mode: 'iptables' });
    const fromDump = traceOnNodeDump(withDump, GOLDEN_NODE, p);
    expect(fromDump).toBeDefined();
    const walked = simulated.steps.map((s) => `${s.rule ?? ''}: ${s.detail}`).join('\n');
    const dumpWalked = (fromDump?.steps ?? []).map((s) => `${s.rule ?? ''}: ${s.detail}`).join('\n');
    expect(
      { output: flowOutput(simulated), masq: simulated.masquerade },
      `simulated:\n${walked}\n\ndump:\n${dumpWalked}\n${(fromDump?.unknowns ?? []).join('\n')}`,
    ).toEqual({ output: fromDump ? flowOutput(fromDump) : '', masq: fromDump?.masquerade });
  });
});
