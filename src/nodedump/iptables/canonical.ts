import type { Cidr } from '../ip.js';
import type { AddrMatch, Match, PortMatch, Rule, Ruleset } from './model.js';

// A canonical key per rule, equal for two rules the kernel treats the same however they were
// written: iptables-save prints "-d 10.0.0.1/32 -p tcp -m comment ..." for kube-proxy's
// "-m comment ... -m tcp -p tcp -d 10.0.0.1", "--set-xmark 0x4000/0x0" for "--xor-mark 0x4000",
// and adds defaults (-m recent --mask 255.255.255.255 --rsource).

function cidrKey(c: Cidr): string {
  if (c.family === 4) return `${c.base}/${c.bits}`;
  return `${c.addr.toNormalizedString()}/${c.bits}`;
}

function addrKey(a: AddrMatch | undefined): string {
  if (!a) return '';
  return `${a.negated ? '!' : ''}${a.cidrs.map(cidrKey).join(',')}`;
}

function portsKey(p: PortMatch | undefined): string {
  if (!p) return '';
  return `${p.negated ? '!' : ''}${p.ranges.map((r) => `${r.from}-${r.to}`).join(',')}`;
}

function matchKey(m: Match): string {
  switch (m.kind) {
    case 'comment':
      return `comment=${m.comment}`;
    case 'ports':
      return `ports:${m.module}:s${portsKey(m.sport)}:d${portsKey(m.dport)}:${m.extra.map((o) => `${o.name}=${o.values.join(' ')}`).join(';')}`;
    case 'multiport':
      return `multiport:s${portsKey(m.sports)}:d${portsKey(m.dports)}:p${portsKey(m.ports)}`;
    case 'addrtype':
      return `addrtype:${m.srcType ? `${m.srcType.negated ? '!' : ''}${m.srcType.values.join(',')}` : ''}:${m.dstType ? `${m.dstType.negated ? '!' : ''}${m.dstType.values.join(',')}` : ''}:${m.limitIfaceIn}:${m.limitIfaceOut}`;
    case 'statistic':
      return `statistic:${m.negated}:${m.mode}:${m.probability?.toFixed(9) ?? ''}:${m.every ?? ''}:${m.packet ?? ''}`;
    case 'recent':
      return `recent:${m.negated}:${m.name}:${m.action}:${m.seconds ?? ''}:${m.hitcount ?? ''}:${m.reap}:${m.rttl}:${m.side}:${m.mask ?? '255.255.255.255'}`;
    case 'mark':
      return `mark:${m.negated}:${m.value}/${m.mask}`;
    case 'conntrack':
      return `conntrack:${m.ctstate ? `${m.ctstate.negated ? '!' : ''}${[...m.ctstate.values].sort().join(',')}` : ''}:${m.extra.map((o) => `${o.name}=${o.values.join(' ')}`).join(';')}`;
    case 'state':
      return `state:${m.negated}:${[...m.states].sort().join(',')}`;
    case 'nfacct':
      return `nfacct:${m.name}`;
    case 'set':
      return `set:${m.negated}:${m.name}:${m.flags}`;
    case 'unknown':
      return `${m.module}:${m.options.map((o) => `${o.negated ? '!' : ''}${o.name}=${o.values.join(' ')}`).join(';')}`;
  }
}

/** The rule's meaning as one string: chain, matches (order-insensitive) and target. */
export function canonicalRule(r: Rule): string {
  const proto = r.protocol ? `${r.protocol.negated ? '!' : ''}${r.protocol.name}` : '';
  const matches = r.matches.map(matchKey).sort();
  let target = '';
  if (r.target) {
    const t = r.target;
    target = `${t.goto ? 'g' : 'j'}:${t.name}`;
    if (t.mark) target += `:mark=${t.mark.value}/${t.mark.mask}`;
    else if (t.toDestination) target += `:to=${t.toDestination}`;
    else if (t.toSource) target += `:to=${t.toSource}`;
    else {
      const opts = t.options.map((o) => `${o.name}=${o.values.join(' ')}`);
      if (t.name === 'REJECT' && !t.rejectWith) opts.push('reject-with=icmp-port-unreachable');
      opts.sort();
      if (opts.length) target += `:${opts.join(';')}`;
    }
  }
  return [
    r.chain,
    `p=${proto}`,
    `s=${addrKey(r.source)}`,
    `d=${addrKey(r.destination)}`,
    `i=${r.inInterface ? `${r.inInterface.negated ? '!' : ''}${r.inInterface.name}` : ''}`,
    `o=${r.outInterface ? `${r.outInterface.negated ? '!' : ''}${r.outInterface.name}` : ''}`,
    `f=${r.fragment ? (r.fragment.negated ? '!f' : 'f') : ''}`,
    ...matches,
    target,
  ].join('|');
}

/** table -> chain -> canonical rules in order. */
export function canonicalRuleset(rs: Ruleset): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const t of rs.tables.values()) {
    const chains = new Map<string, string[]>();
    for (const c of t.chains.values()) chains.set(c.name, c.rules.map(canonicalRule));
    out.set(t.name, chains);
  }
  return out;
}
