import type { Match, PortMatch, RawOption, Rule, Ruleset, Target } from './model.js';

// Renders the parsed model back to iptables-save text. Used by the round-trip property tests
// and wherever a rule must be shown in its canonical form.

/** Quotes a word the way iptables-save does: only when it holds spaces, quotes or backslashes. */
export function quoteWord(w: string): string {
  if (w !== '' && w !== '!' && !/[\s"'\\]/.test(w)) return w;
  return `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A negation marker, kept apart from a value that happens to be "!" (which gets quoted). */
const NOT = '\u0000!';

function neg(n: boolean): string[] {
  return n ? [NOT] : [];
}

const word = (w: string): string => (w === NOT ? '!' : quoteWord(w));

function ports(p: PortMatch): string {
  return p.ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`)).join(',');
}

function raw(o: RawOption): string[] {
  return [...neg(o.negated), `--${o.name}`, ...o.values];
}

function matchWords(m: Match): string[] {
  switch (m.kind) {
    case 'comment':
      return ['-m', 'comment', '--comment', m.comment];
    case 'ports': {
      const w = m.implicit ? [] : ['-m', m.module];
      if (m.sport) w.push(...neg(m.sport.negated), '--sport', ports(m.sport));
      if (m.dport) w.push(...neg(m.dport.negated), '--dport', ports(m.dport));
      for (const o of m.extra) w.push(...raw(o));
      return w;
    }
    case 'multiport': {
      const w = ['-m', 'multiport'];
      if (m.sports) w.push(...neg(m.sports.negated), '--sports', ports(m.sports));
      if (m.dports) w.push(...neg(m.dports.negated), '--dports', ports(m.dports));
      if (m.ports) w.push(...neg(m.ports.negated), '--ports', ports(m.ports));
      return w;
    }
    case 'addrtype': {
      const w = ['-m', 'addrtype'];
      if (m.srcType) w.push(...neg(m.srcType.negated), '--src-type', m.srcType.values.join(','));
      if (m.dstType) w.push(...neg(m.dstType.negated), '--dst-type', m.dstType.values.join(','));
      if (m.limitIfaceIn) w.push('--limit-iface-in');
      if (m.limitIfaceOut) w.push('--limit-iface-out');
      return w;
    }
    case 'statistic': {
      const w = ['-m', 'statistic', '--mode', m.mode];
      if (m.mode === 'random')
        w.push(...neg(m.negated), '--probability', m.probabilityText ?? String(m.probability));
      else {
        if (m.every !== undefined) w.push(...neg(m.negated), '--every', String(m.every));
        if (m.packet !== undefined) w.push('--packet', String(m.packet));
      }
      return w;
    }
    case 'recent': {
      const w = ['-m', 'recent'];
      w.push(...neg(m.negated), `--${m.action}`);
      if (m.seconds !== undefined) w.push('--seconds', String(m.seconds));
      if (m.hitcount !== undefined) w.push('--hitcount', String(m.hitcount));
      if (m.reap) w.push('--reap');
      if (m.rttl) w.push('--rttl');
      w.push('--name', m.name);
      if (m.mask !== undefined) w.push('--mask', m.mask);
      w.push(`--${m.side}`);
      return w;
    }
    case 'mark':
      return ['-m', 'mark', ...neg(m.negated), '--mark', m.text];
    case 'conntrack': {
      const w = ['-m', 'conntrack'];
      if (m.ctstate) w.push(...neg(m.ctstate.negated), '--ctstate', m.ctstate.values.join(','));
      for (const o of m.extra) w.push(...raw(o));
      return w;
    }
    case 'state':
      return ['-m', 'state', ...neg(m.negated), '--state', m.states.join(',')];
    case 'nfacct':
      return ['-m', 'nfacct', '--nfacct-name', m.name];
    case 'set':
      return ['-m', 'set', ...neg(m.negated), '--match-set', m.name, m.flags];
    case 'unknown': {
      const w = ['-m', m.module];
      for (const o of m.options) w.push(...raw(o));
      return w;
    }
  }
}

function targetWords(t: Target): string[] {
  const w = [t.goto ? '-g' : '-j', t.name];
  for (const o of t.options) w.push(...raw(o));
  return w;
}

/** The rule's words after `-A CHAIN`, in iptables-save's order (negations as NOT markers). */
function ruleWords(r: Rule): string[] {
  const w: string[] = [];
  if (r.source) w.push(...neg(r.source.negated), '-s', r.source.text);
  if (r.destination) w.push(...neg(r.destination.negated), '-d', r.destination.text);
  if (r.inInterface) w.push(...neg(r.inInterface.negated), '-i', r.inInterface.name);
  if (r.outInterface) w.push(...neg(r.outInterface.negated), '-o', r.outInterface.name);
  if (r.protocol) w.push(...neg(r.protocol.negated), '-p', r.protocol.name);
  if (r.fragment) w.push(...neg(r.fragment.negated), '-f');
  for (const m of r.matches) w.push(...matchWords(m));
  if (r.target) w.push(...targetWords(r.target));
  return w;
}

export function formatRule(r: Rule): string {
  const body = ['-A', r.chain, ...ruleWords(r)].map(word).join(' ');
  return r.counters ? `[${r.counters.packets}:${r.counters.bytes}] ${body}` : body;
}

/** The whole ruleset as iptables-save prints it (chains in declaration order, then their rules). */
export function formatRuleset(rs: Ruleset): string {
  const out: string[] = [];
  for (const t of rs.tables.values()) {
    out.push(`*${t.name}`);
    for (const c of t.chains.values()) {
      const cnt = c.counters ? `[${c.counters.packets}:${c.counters.bytes}]` : '[0:0]';
      out.push(`:${c.name} ${c.builtin ? (c.policy ?? 'ACCEPT') : '-'} ${cnt}`);
    }
    for (const c of t.chains.values()) for (const r of c.rules) out.push(formatRule(r));
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}
