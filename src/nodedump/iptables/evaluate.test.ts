import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localAddresses, parseIpAddr } from '../addr/parse.js';
import { evaluateIptables, type NodePacket, type NodeVerdict } from './evaluate.js';
import { parseIptablesSave } from './parse.js';

// Packet-flow cases on the golden dump (a kube-proxy node's iptables-save, see
// fixtures/golden-cluster.ts), written like upstream's runPacketFlowTests in
// pkg/proxy/iptables/proxier_test.go: the first seven are upstream's TestTracePacket cases on the
// same Services; the rest follow upstream's LoadBalancer / NodePort / traffic-policy cases.

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const rules = parseIptablesSave(readFileSync(fixture('test-node.iptables'), 'utf8'), 'test-node.iptables');
const local = localAddresses(parseIpAddr(readFileSync(fixture('test-node.addr'), 'utf8'), 'test-node.addr'));

const NODE = '192.168.0.2';
const POD = '10.0.0.2';
const OUTSIDE = '203.0.113.2';
const OUTSIDE_BLOCKED = '203.0.113.130';

interface FlowCase {
  name: string;
  packet: NodePacket;
  verdict: NodeVerdict;
  endpoints?: string[];
  masq?: boolean;
  probabilities?: Record<string, number>;
}

const cases: FlowCase[] = [
  {
    name: 'a packet to no Service is left alone',
    packet: { src: POD, dst: '10.0.0.3', dport: 80 },
    verdict: 'unhandled',
  },
  {
    name: 'a pod reaches a single-endpoint ClusterIP without masquerade',
    packet: { src: POD, dst: '172.30.0.41', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.1:80'],
  },
  {
    name: 'a ClusterIP with two endpoints may go to either, half each',
    packet: { src: POD, dst: '172.30.0.44', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.4:80', '10.180.0.5:80'],
    probabilities: { '10.180.0.4:80': 0.5, '10.180.0.5:80': 0.5 },
  },
  {
    name: 'the node itself reaches an eTP Local external IP through the cluster chain, masqueraded',
    packet: { src: NODE, dst: '192.168.99.22', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.2:80'],
    masq: true,
  },
  {
    name: 'an outside client to an eTP Local external IP with no local endpoint is dropped',
    packet: { src: OUTSIDE, dst: '192.168.99.22', dport: 80 },
    verdict: 'dropped',
  },
  {
    name: 'the health check node port is accepted on the node',
    packet: { src: NODE, dst: NODE, dport: 30000 },
    verdict: 'local',
  },
  {
    name: 'a ClusterIP without endpoints is rejected',
    packet: { src: POD, dst: '172.30.0.46', dport: 80 },
    verdict: 'rejected',
  },
  {
    name: 'a pod to a NodePort on the node IP is masqueraded',
    packet: { src: POD, dst: NODE, dport: 3003 },
    verdict: 'delivered',
    endpoints: ['10.180.0.3:80'],
    masq: true,
  },
  {
    name: 'an outside client to an eTP Cluster NodePort is masqueraded',
    packet: { src: OUTSIDE, dst: NODE, dport: 3003 },
    verdict: 'delivered',
    endpoints: ['10.180.0.3:80'],
    masq: true,
  },
  {
    name: 'a NodePort answers on every local address, not only the InternalIP',
    packet: { src: OUTSIDE, dst: '192.168.1.2', dport: 3003 },
    verdict: 'delivered',
    endpoints: ['10.180.0.3:80'],
    masq: true,
  },
  {
    name: 'a NodePort on an address that is not the node is not captured',
    packet: { src: OUTSIDE, dst: '192.168.0.3', dport: 3003 },
    verdict: 'unhandled',
  },
  {
    name: 'an allowed source reaches an eTP Cluster LoadBalancer IP, masqueraded',
    packet: { src: OUTSIDE, dst: '5.6.7.8', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.3:80'],
    masq: true,
  },
  {
    name: 'a source outside loadBalancerSourceRanges is dropped by KUBE-PROXY-FIREWALL',
    packet: { src: OUTSIDE_BLOCKED, dst: '5.6.7.8', dport: 80 },
    verdict: 'dropped',
  },
  {
    name: 'an allowed outside client to an eTP Local LB IP goes to the local endpoint only, source kept',
    packet: { src: OUTSIDE, dst: '9.10.11.12', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.7:80'],
    masq: false,
  },
  {
    name: 'a pod to an LB IP with source ranges that do not include pods is dropped',
    packet: { src: POD, dst: '9.10.11.12', dport: 80 },
    verdict: 'dropped',
  },
  {
    name: 'an outside client to an eTP Local NodePort goes to the local endpoint unmasqueraded',
    packet: { src: OUTSIDE, dst: NODE, dport: 3007 },
    verdict: 'delivered',
    endpoints: ['10.180.0.7:80'],
    masq: false,
  },
  {
    name: 'a pod to an eTP Local NodePort is short-circuited to every ready endpoint',
    packet: { src: POD, dst: NODE, dport: 3007 },
    verdict: 'delivered',
    endpoints: ['10.180.0.7:80', '10.180.0.8:80'],
    masq: false,
  },
  {
    name: 'the node to its own eTP Local NodePort uses every ready endpoint, masqueraded',
    packet: { src: NODE, dst: NODE, dport: 3007 },
    verdict: 'delivered',
    endpoints: ['10.180.0.7:80', '10.180.0.8:80'],
    masq: true,
  },
  {
    name: 'an outside client to an eTP Local NodePort without local endpoints is dropped',
    packet: { src: OUTSIDE, dst: NODE, dport: 3001 },
    verdict: 'dropped',
  },
  {
    name: 'the node reaches a NodePort on localhost, masqueraded',
    packet: { src: '127.0.0.1', dst: '127.0.0.1', dport: 3003 },
    verdict: 'delivered',
    endpoints: ['10.180.0.3:80'],
    masq: true,
  },
  {
    name: 'a UDP ClusterIP with three endpoints splits a third each',
    packet: { src: POD, dst: '172.30.0.48', dport: 53, protocol: 'udp' },
    verdict: 'delivered',
    endpoints: ['10.180.0.10:53', '10.180.0.11:53', '10.180.0.12:53'],
    probabilities: { '10.180.0.10:53': 1 / 3, '10.180.0.11:53': 1 / 3, '10.180.0.12:53': 1 / 3 },
  },
  {
    name: 'TCP to a UDP-only Service port is not captured',
    packet: { src: POD, dst: '172.30.0.48', dport: 53, protocol: 'tcp' },
    verdict: 'unhandled',
  },
  {
    name: 'iTP Local without an endpoint on this node drops ClusterIP traffic',
    packet: { src: POD, dst: '172.30.0.49', dport: 80 },
    verdict: 'dropped',
  },
  {
    name: 'an off-cluster source to a ClusterIP is masqueraded',
    packet: { src: OUTSIDE, dst: '172.30.0.41', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.1:80'],
    masq: true,
  },
  {
    name: 'an endpoint reaching itself through its Service is masqueraded (hairpin)',
    packet: { src: '10.180.0.1', dst: '172.30.0.41', dport: 80 },
    verdict: 'delivered',
    endpoints: ['10.180.0.1:80'],
    masq: true,
  },
  {
    name: 'a client with ClientIP affinity returns to its endpoint',
    packet: { src: OUTSIDE, dst: '5.6.7.8', dport: 80, affinity: true },
    verdict: 'delivered',
    endpoints: ['10.180.0.3:80'],
    masq: true,
  },
  {
    name: 'the wrong port on a ClusterIP is not captured',
    packet: { src: POD, dst: '172.30.0.41', dport: 81 },
    verdict: 'unhandled',
  },
];

describe('golden kube-proxy node: packet flows', () => {
  it('parses the dump without unknown matches', () => {
    expect(rules.warnings).toEqual([]);
    expect(rules.ruleCount).toBeGreaterThan(100);
  });
  for (const c of cases) {
    it(c.name, () => {
      const t = evaluateIptables(rules, c.packet, { localAddresses: local });
      const walked = t.rules.map((r) => `${r.table} ${r.line}: ${r.rule}`).join('\n');
      expect({ verdict: t.verdict, endpoints: t.endpoints, masq: t.masquerade }, walked).toEqual({
        verdict: c.verdict,
        endpoints: c.endpoints ?? [],
        masq: c.masq ?? false,
      });
      for (const [ep, p] of Object.entries(c.probabilities ?? {}))
        expect(t.probabilities[ep]).toBeCloseTo(p, 6);
      expect(t.unknowns).toEqual([]);
    });
  }

  it('names every rule a ClusterIP packet walked, in order', () => {
    const t = evaluateIptables(rules, { src: POD, dst: '172.30.0.41', dport: 80 }, { localAddresses: local });
    const chains = t.rules.map((r) => `${r.table}/${r.chain}`);
    expect(chains.slice(0, 4)).toEqual([
      'nat/PREROUTING',
      'nat/KUBE-SERVICES',
      'nat/KUBE-SVC-XPGD46QRK7WJZT7O',
      'nat/KUBE-SEP-SXIVWICOYRO3J4NJ',
    ]);
    for (const r of t.rules)
      expect(
        rules.tables
          .get(r.table)
          ?.chains.get(r.chain)
          ?.rules.some((x) => x.line === r.line),
      ).toBe(true);
  });

  it('without the local addresses, addrtype LOCAL does not match the node IP', () => {
    const t = evaluateIptables(rules, { src: OUTSIDE, dst: NODE, dport: 3003 }, { localAddresses: [] });
    expect(t.verdict).toBe('unhandled');
  });
});

describe('evaluator semantics', () => {
  const rs = (text: string) => parseIptablesSave(text, 'inline');
  it('a goto returns to the caller of the chain that jumped', () => {
    const r = rs(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':A - [0:0]',
        ':B - [0:0]',
        '-A PREROUTING -j A',
        '-A PREROUTING -p tcp -j DNAT --to-destination 10.1.1.1:1',
        '-A A -g B',
        '-A A -p tcp -j DNAT --to-destination 10.2.2.2:2',
        '-A B -j RETURN',
        'COMMIT',
      ].join('\n'),
    );
    const t = evaluateIptables(r, { src: '10.9.9.9', dst: '10.8.8.8', dport: 80 }, { localAddresses: [] });
    expect(t.endpoints).toEqual(['10.1.1.1:1']);
  });
  it('a DROP policy on a built-in chain drops what no rule accepted', () => {
    const r = rs(
      ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT'].join('\n'),
    );
    expect(
      evaluateIptables(r, { src: '10.9.9.9', dst: '10.8.8.8', dport: 80 }, { localAddresses: [] }).verdict,
    ).toBe('dropped');
  });
  it('an unknown match is assumed not to match and reported', () => {
    const r = rs(
      [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':FORWARD ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        '-A FORWARD -m physdev --physdev-is-in -j DROP',
        'COMMIT',
      ].join('\n'),
    );
    const t = evaluateIptables(r, { src: '10.9.9.9', dst: '10.8.8.8', dport: 80 }, { localAddresses: [] });
    expect(t.verdict).toBe('unhandled');
    expect(t.unknowns).toHaveLength(1);
    expect(r.warnings.map((w) => w.code)).toEqual(['unknown-match']);
  });
  it('marks set with --set-xmark are seen by later mark matches', () => {
    const r = rs(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        '-A PREROUTING -j MARK --set-xmark 0x10/0x10',
        '-A PREROUTING -m mark --mark 0x10/0x10 -j DNAT --to-destination 10.1.1.1:8080',
        '-A POSTROUTING -m mark --mark 0x10/0x10 -j MASQUERADE',
        'COMMIT',
      ].join('\n'),
    );
    const t = evaluateIptables(r, { src: '10.9.9.9', dst: '10.8.8.8', dport: 80 }, { localAddresses: [] });
    expect({ e: t.endpoints, m: t.masquerade }).toEqual({ e: ['10.1.1.1:8080'], m: true });
  });
  it('multiport and negated addresses match like the kernel', () => {
    const r = rs(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        '-A PREROUTING ! -s 10.0.0.0/8 -p tcp -m multiport --dports 80,8000:8100 -j DNAT --to-destination 10.1.1.1',
        'COMMIT',
      ].join('\n'),
    );
    const ev = (src: string, dport: number) =>
      evaluateIptables(r, { src, dst: '10.8.8.8', dport }, { localAddresses: [] }).endpoints;
    expect([ev('192.0.2.1', 8050), ev('192.0.2.1', 81), ev('10.1.2.3', 80)]).toEqual([['10.1.1.1'], [], []]);
  });
});
