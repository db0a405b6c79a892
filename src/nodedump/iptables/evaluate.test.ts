import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSvcdoctorError } from '../../errors.js';
import { localAddresses, parseIpAddr } from '../addr/parse.js';
import { GOLDEN_FLOWS } from '../fixtures/golden-flows.js';
import { evaluateIptables } from './evaluate.js';
import { parseIptablesSave } from './parse.js';

// The golden node's packet-flow table (fixtures/golden-flows.ts) evaluated on its iptables-save.

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const rules = parseIptablesSave(readFileSync(fixture('test-node.iptables'), 'utf8'), 'test-node.iptables');
const local = localAddresses(parseIpAddr(readFileSync(fixture('test-node.addr'), 'utf8'), 'test-node.addr'));

const cases = GOLDEN_FLOWS;
const POD = '10.0.0.2';
const NODE = '192.168.0.2';
const OUTSIDE = '203.0.113.2';

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

describe('evaluator input', () => {
  it('a packet address that is not an IP is a usage error', () => {
    try {
      evaluateIptables(rules, { src: 'pod/ns/x', dst: '172.30.0.41', dport: 80 }, { localAddresses: [] });
      expect.unreachable();
    } catch (e) {
      expect(isSvcdoctorError(e) && e.code).toBe('SVCDOCTOR_USAGE');
    }
  });
});
