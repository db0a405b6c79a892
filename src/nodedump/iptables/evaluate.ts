import { SvcdoctorError } from '../../errors.js';
import { type Addr, type Cidr, cidrContains, parseAddr, parseCidr } from '../ip.js';
import type { Chain, Match, PortMatch, Rule, Ruleset, Table } from './model.js';

// Walks one packet through the real rules of a node the way netfilter does: hook by hook, table
// by table in priority order, rule by rule, following jumps, gotos and RETURNs. A rule with
// `-m statistic --mode random` forks the walk (one branch where it matched, one where it did
// not), so the answer is the full set of DNAT targets with their probabilities, as upstream's
// test tracer computes it — but here MARK targets, mark matches and the POSTROUTING MASQUERADE
// are executed, not pattern-matched on chain names.
//
// Simplifications (said here so a reviewer can judge fidelity):
// - Only the first packet of a connection is modelled: conntrack state is NEW (+DNAT/SNAT once
//   translated); rules that need history (`-m recent --rcheck/--update`) do not match unless the
//   caller names the endpoint the client already has affinity to (`affinityTo`).
// - Routing is reduced to "destination is a local address or not"; policy routing is ignored.
// - Matches we cannot decide (unknown modules, ipsets, interfaces the caller did not give) are
//   assumed not to match and are listed in `unknowns`.

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface NodePacket {
  src: string;
  dst: string;
  dport: number;
  protocol?: Protocol;
  sport?: number;
  /** 'network': arrives on an interface (from a pod or another host); 'host': sent by a process on the node. Default: 'host' when src is a local address. */
  origin?: 'network' | 'host';
  inInterface?: string;
  outInterface?: string;
  /** Packet mark on entry. */
  mark?: number;
  /**
   * The endpoint ("IP:port") this client already has ClientIP affinity to: the `-m recent` list
   * kube-proxy names after that endpoint's chain holds the source. Default: no affinity yet.
   */
  affinityTo?: string;
}

export interface EvalOptions {
  /** The node's own addresses (InternalIP, ExternalIP, kube-ipvs0 VIPs, ...). 127.0.0.0/8 and ::1 are always local. */
  localAddresses: readonly string[];
  /** Safety limits. */
  maxBranches?: number;
}

export interface TraceRule {
  table: string;
  chain: string;
  rule: string;
  line: number;
}

export type NodeVerdict = 'delivered' | 'local' | 'rejected' | 'dropped' | 'unhandled';

export interface TraceBranch {
  verdict: NodeVerdict;
  /** The DNAT target (IP:port) this branch ends at, if any. */
  endpoint?: string;
  probability: number;
  masquerade: boolean;
  rules: TraceRule[];
}

export interface NodeTrace {
  verdict: NodeVerdict;
  /** DNAT targets the packet may go to, in rule order. */
  endpoints: string[];
  /** Probability of each endpoint (sums to the probability of being delivered). */
  probabilities: Record<string, number>;
  masquerade: boolean;
  /** Every rule that matched on any branch, in the order first met. */
  rules: TraceRule[];
  branches: TraceBranch[];
  /** Matches that could not be decided and were assumed not to match. */
  unknowns: string[];
}

interface State {
  dst: Addr;
  dport: number;
  mark: number;
  dnat?: string;
  masq: boolean;
  prob: number;
  rules: TraceRule[];
}

type Terminal = 'ACCEPT' | 'DROP' | 'REJECT' | 'DNAT' | 'SNAT' | 'UNHANDLED';
type ChainEnd = { state: State; end: 'return' } | { state: State; end: 'verdict'; verdict: Terminal };

const NON_TERMINATING = new Set([
  'MARK',
  'CONNMARK',
  'LOG',
  'NFLOG',
  'ULOG',
  'TRACE',
  'CT',
  'NOTRACK',
  'TCPMSS',
  'CLASSIFY',
  'DSCP',
  'TOS',
  'TTL',
  'HL',
  'AUDIT',
  'CHECKSUM',
  'SET',
  'CONNSECMARK',
  'SECMARK',
  'IDLETIMER',
  'LED',
]);

// Tables in netfilter priority order at each hook.
const HOOK_TABLES: Record<string, readonly string[]> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'security', 'nat'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};

const LOOPBACK4 = parseCidr('127.0.0.0/8')!;

/**
 * Per chain: rules whose only destination is one IPv4 address, bucketed by that address, and
 * the indices of all other rules. A walk visits, in order, only the rules that can match the
 * packet's destination; KUBE-SERVICES with 10,000 Services then costs a map lookup.
 */
interface ChainIndex {
  /** Absent when no rule has a single-address destination (most chains of a big dump). */
  byDst: Map<number, number[]> | undefined;
  /** Read-only: shared between chains of the same length when it is every rule. */
  readonly other: readonly number[];
}

const chainIndexes = new WeakMap<Chain, ChainIndex>();

/** Indexes of chains without single-address destinations, by rule count: their answer is every rule. */
const wholeChains: ChainIndex[] = [];

function wholeChain(n: number): ChainIndex {
  let idx = wholeChains[n];
  if (!idx) {
    idx = { byDst: undefined, other: Array.from({ length: n }, (_, i) => i) };
    if (n <= 64) wholeChains[n] = idx;
  }
  return idx;
}

/** The single IPv4 address a rule's destination is, if it is one. */
function singleDst(r: Rule): number | undefined {
  const d = r.destination;
  const c = d && !d.negated && d.cidrs.length === 1 ? d.cidrs[0] : undefined;
  return c && c.family === 4 && c.bits === 32 ? c.base : undefined;
}

function chainIndex(chain: Chain): ChainIndex {
  let idx = chainIndexes.get(chain);
  if (idx) return idx;
  const rules = chain.rules;
  let first = 0;
  while (first < rules.length && singleDst(rules[first] as Rule) === undefined) first++;
  if (first === rules.length) idx = wholeChain(rules.length);
  else {
    const byDst = new Map<number, number[]>();
    const other: number[] = [];
    for (let i = 0; i < first; i++) other.push(i);
    for (let i = first; i < rules.length; i++) {
      const base = singleDst(rules[i] as Rule);
      if (base === undefined) other.push(i);
      else {
        const list = byDst.get(base);
        if (list) list.push(i);
        else byDst.set(base, [i]);
      }
    }
    idx = { byDst, other };
  }
  chainIndexes.set(chain, idx);
  return idx;
}

/** Builds every chain's index now (otherwise done on first use). */
export function indexRuleset(rs: Ruleset): void {
  for (const t of rs.tables.values()) for (const c of t.chains.values()) chainIndex(c);
}

/** Rule indices of `chain` that may match destination `dst`, in rule order. */
function candidates(chain: Chain, dst: Addr): readonly number[] {
  const idx = chainIndex(chain);
  const exact = dst.family === 4 ? idx.byDst?.get(dst.n) : undefined;
  if (!exact) return idx.other;
  if (idx.other.length === 0) return exact;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < exact.length || j < idx.other.length) {
    const a = exact[i] ?? Number.POSITIVE_INFINITY;
    const b = idx.other[j] ?? Number.POSITIVE_INFINITY;
    if (a < b) {
      out.push(a);
      i++;
    } else {
      out.push(b);
      j++;
    }
  }
  return out;
}

function anyContains(cidrs: Cidr[], a: Addr): boolean {
  for (const c of cidrs) if (cidrContains(c, a)) return true;
  return false;
}

class Walker {
  readonly unknowns = new Set<string>();
  private branches = 0;
  private readonly local: Set<string>;
  private readonly src: Addr;
  private readonly proto: Protocol;
  private readonly sport: number;

  constructor(
    private readonly rs: Ruleset,
    private readonly pkt: NodePacket,
    opts: EvalOptions,
    private readonly maxBranches: number,
  ) {
    this.local = new Set(opts.localAddresses);
    const src = parseAddr(pkt.src);
    if (!src) throw badAddress('source', pkt.src);
    this.src = src;
    this.proto = pkt.protocol ?? 'tcp';
    this.sport = pkt.sport ?? 40000;
  }

  isLocal(a: Addr): boolean {
    if (a.family === 4 && cidrContains(LOOPBACK4, a)) return true;
    if (a.family === 6 && a.text === '::1') return true;
    return this.local.has(a.text);
  }

  private unknown(rule: Rule, what: string): void {
    this.unknowns.add(`${this.rs.file}:${rule.line}: ${what} not evaluated; assumed not to match`);
  }

  private portOk(p: PortMatch | undefined, port: number): boolean {
    if (!p) return true;
    let hit = false;
    for (const r of p.ranges) {
      if (port >= r.from && port <= r.to) {
        hit = true;
        break;
      }
    }
    return hit !== p.negated;
  }

  private addrType(a: Addr, types: string[]): boolean {
    for (const t of types) {
      if (t === 'LOCAL' && this.isLocal(a)) return true;
      if (
        t === 'UNICAST' &&
        !this.isLocal(a) &&
        !(a.family === 4 && (a.n >>> 28 === 14 || a.n === 0xffffffff))
      )
        return true;
      if (t === 'MULTICAST' && a.family === 4 && a.n >>> 28 === 14) return true;
      if (t === 'BROADCAST' && a.family === 4 && a.n === 0xffffffff) return true;
    }
    return false;
  }

  /** kube-proxy names each endpoint's recent list after its KUBE-SEP chain, whose DNAT says where it leads. */
  private listDnatsTo(list: string, endpoint: string): boolean {
    const chain = this.rs.tables.get('nat')?.chains.get(list);
    return chain?.rules.some((r) => r.target?.toDestination === endpoint) ?? false;
  }

  private ctStates(st: State): Set<string> {
    const s = new Set(['NEW']);
    if (st.dnat) s.add('DNAT');
    return s;
  }

  /** 1: matches, 0: does not, in between: matches with that probability. */
  private matchOne(rule: Rule, m: Match, st: State): number {
    switch (m.kind) {
      case 'comment':
      case 'nfacct':
        return 1;
      case 'ports': {
        if (m.module !== this.proto) return 0;
        if (m.extra.length > 0) {
          for (const o of m.extra) {
            // --syn / --tcp-flags SYN... match the first packet of a TCP connection.
            const firstPacket =
              o.name === 'syn' || (o.name === 'tcp-flags' && (o.values[1] ?? '').includes('SYN'));
            if (!firstPacket) {
              this.unknown(rule, `--${o.name}`);
              return 0;
            }
            if (o.negated) return 0;
          }
        }
        return this.portOk(m.sport, this.sport) && this.portOk(m.dport, st.dport) ? 1 : 0;
      }
      case 'multiport': {
        if (m.sports && !this.portOk(m.sports, this.sport)) return 0;
        if (m.dports && !this.portOk(m.dports, st.dport)) return 0;
        if (m.ports) {
          const either =
            this.portOk({ ...m.ports, negated: false }, this.sport) ||
            this.portOk({ ...m.ports, negated: false }, st.dport);
          if (either === m.ports.negated) return 0;
        }
        return 1;
      }
      case 'addrtype': {
        if (m.srcType && this.addrType(this.src, m.srcType.values) === m.srcType.negated) return 0;
        if (m.dstType && this.addrType(st.dst, m.dstType.values) === m.dstType.negated) return 0;
        return 1;
      }
      case 'statistic': {
        // nth mode is a per-rule packet counter; over many connections it matches 1 in `every`.
        const p = m.mode === 'random' ? (m.probability ?? 0) : 1 / Math.max(1, m.every ?? 1);
        return m.negated ? 1 - p : p;
      }
      case 'recent': {
        let hit: boolean;
        if (m.action === 'set') hit = true;
        else hit = this.pkt.affinityTo !== undefined && this.listDnatsTo(m.name, this.pkt.affinityTo);
        return hit !== m.negated ? 1 : 0;
      }
      case 'mark':
        return ((st.mark & m.mask) >>> 0 === m.value) !== m.negated ? 1 : 0;
      case 'conntrack': {
        if (m.extra.length > 0) {
          this.unknown(rule, `-m conntrack ${m.extra.map((o) => `--${o.name}`).join(' ')}`);
          return 0;
        }
        if (!m.ctstate) return 1;
        const have = this.ctStates(st);
        const any = m.ctstate.values.some((v) => have.has(v));
        return any !== m.ctstate.negated ? 1 : 0;
      }
      case 'state': {
        const any = m.states.includes('NEW');
        return any !== m.negated ? 1 : 0;
      }
      case 'set':
        this.unknown(rule, `-m set --match-set ${m.name}`);
        return 0;
      case 'unknown':
        this.unknown(rule, `-m ${m.module}`);
        return 0;
    }
  }

  private ifaceOk(rule: Rule, spec: Rule['inInterface'], actual: string | undefined, which: string): boolean {
    if (!spec) return true;
    if (actual === undefined) {
      this.unknown(rule, `${which} ${spec.name} (interface not known)`);
      return false;
    }
    const wild = spec.name.endsWith('+');
    const hit = wild ? actual.startsWith(spec.name.slice(0, -1)) : actual === spec.name;
    return hit !== spec.negated;
  }

  private matchRule(rule: Rule, st: State, hook: string): number {
    if (rule.destination && anyContains(rule.destination.cidrs, st.dst) === rule.destination.negated)
      return 0;
    if (rule.protocol && rule.protocol.name !== 'all') {
      if ((rule.protocol.name === this.proto) === rule.protocol.negated) return 0;
    }
    if (rule.source && anyContains(rule.source.cidrs, this.src) === rule.source.negated) return 0;
    if (rule.fragment && !rule.fragment.negated) return 0;
    if (
      rule.inInterface &&
      !this.ifaceOk(rule, rule.inInterface, hook === 'OUTPUT' ? undefined : this.pkt.inInterface, '-i')
    )
      return 0;
    if (rule.outInterface && !this.ifaceOk(rule, rule.outInterface, this.pkt.outInterface, '-o')) return 0;
    let p = 1;
    for (const m of rule.matches) {
      const q = this.matchOne(rule, m, st);
      if (q === 0) return 0;
      p *= q;
    }
    return p;
  }

  private fork(st: State, factor: number): State {
    this.branches++;
    if (this.branches > this.maxBranches) throw new BranchLimit();
    return { ...st, prob: st.prob * factor, rules: st.rules.slice() };
  }

  runChain(table: Table, chain: Chain, start: State, hook: string, depth: number): ChainEnd[] {
    if (depth > 64) {
      this.unknowns.add(
        `${this.rs.file}: jump depth over 64 in ${table.name}/${chain.name}; treated as unhandled`,
      );
      return [{ state: start, end: 'verdict', verdict: 'UNHANDLED' }];
    }
    let active: State[] = [start];
    const done: ChainEnd[] = [];
    // Every state walking this chain shares the destination: only DNAT changes it, and DNAT ends the walk.
    const rules = chain.rules;
    for (const ri of candidates(chain, start.dst)) {
      const rule = rules[ri] as Rule;
      if (active.length === 0) break;
      const next: State[] = [];
      for (const st of active) {
        const p = this.matchRule(rule, st, hook);
        if (p === 0) {
          next.push(st);
          continue;
        }
        let hit = st;
        if (p < 1) {
          next.push(this.fork(st, 1 - p));
          hit = this.fork(st, p);
        }
        hit.rules.push({ table: table.name, chain: chain.name, rule: rule.text, line: rule.line });
        const t = rule.target;
        if (!t) {
          next.push(hit);
          continue;
        }
        const sub = table.chains.get(t.name);
        if (sub && !sub.builtin) {
          for (const r of this.runChain(table, sub, hit, hook, depth + 1)) {
            if (r.end === 'verdict') done.push(r);
            else if (t.goto) done.push(r);
            else next.push(r.state);
          }
          continue;
        }
        switch (t.name) {
          case 'ACCEPT':
          case 'DROP':
          case 'REJECT':
            done.push({ state: hit, end: 'verdict', verdict: t.name });
            break;
          case 'RETURN':
            done.push({ state: hit, end: 'return' });
            break;
          case 'DNAT':
          case 'REDIRECT': {
            const to = t.name === 'DNAT' ? splitHostPort(t.toDestination ?? '') : redirectTarget(t, hit);
            const dst = to && parseAddr(to.host);
            if (!to || !dst) {
              this.unknowns.add(`${this.rs.file}:${rule.line}: ${t.name} target not understood`);
              done.push({ state: hit, end: 'verdict', verdict: 'UNHANDLED' });
              break;
            }
            hit.dst = dst;
            if (to.port !== undefined) hit.dport = to.port;
            hit.dnat = to.port === undefined ? to.host : joinHostPort(to.host, hit.dport);
            done.push({ state: hit, end: 'verdict', verdict: 'DNAT' });
            break;
          }
          case 'MASQUERADE':
          case 'SNAT':
            hit.masq = true;
            done.push({ state: hit, end: 'verdict', verdict: 'SNAT' });
            break;
          case 'MARK':
            if (t.mark) hit.mark = ((hit.mark & ~t.mark.mask) ^ t.mark.value) >>> 0;
            next.push(hit);
            break;
          default:
            if (NON_TERMINATING.has(t.name)) next.push(hit);
            else {
              // QUEUE, NFQUEUE, TPROXY, an undeclared chain...: the packet leaves our model.
              this.unknowns.add(`${this.rs.file}:${rule.line}: target ${t.name} not evaluated`);
              done.push({ state: hit, end: 'verdict', verdict: 'UNHANDLED' });
            }
        }
      }
      active = next;
    }
    for (const st of active) done.push({ state: st, end: 'return' });
    return done;
  }

  /** Runs every table at one hook; returns surviving states and the ones that ended. */
  runHook(
    hook: string,
    states: State[],
  ): { alive: State[]; ended: { state: State; verdict: NodeVerdict }[] } {
    let alive = states;
    const ended: { state: State; verdict: NodeVerdict }[] = [];
    for (const tname of HOOK_TABLES[hook] ?? []) {
      const table = this.rs.tables.get(tname);
      const chain = table?.chains.get(hook);
      if (!table || !chain) continue;
      const next: State[] = [];
      for (const st of alive) {
        for (const r of this.runChain(table, chain, st, hook, 0)) {
          const v = r.end === 'return' ? (chain.policy === 'DROP' ? 'DROP' : 'ACCEPT') : r.verdict;
          if (v === 'DROP') ended.push({ state: r.state, verdict: 'dropped' });
          else if (v === 'REJECT') ended.push({ state: r.state, verdict: 'rejected' });
          else if (v === 'UNHANDLED') ended.push({ state: r.state, verdict: 'unhandled' });
          else next.push(r.state);
        }
      }
      alive = next;
    }
    return { alive, ended };
  }
}

class BranchLimit extends Error {}

function badAddress(which: string, text: string): SvcdoctorError {
  return new SvcdoctorError('SVCDOCTOR_USAGE', `the packet's ${which} "${text}" is not an IP address`, {
    hint: 'give --src and --dst as IPv4 or IPv6 addresses',
  });
}

export function splitHostPort(s: string): { host: string; port?: number } | undefined {
  // Ranges ("a-b:p1-p2") pick their first member: kube-proxy never writes ranges.
  let host: string;
  let port: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    host = s.slice(1, close);
    port = s[close + 1] === ':' ? s.slice(close + 2) : undefined;
  } else {
    const colons = s.split(':').length - 1;
    if (colons === 1) {
      const i = s.indexOf(':');
      host = s.slice(0, i);
      port = s.slice(i + 1);
    } else host = s;
  }
  host = host.split('-')[0] ?? host;
  if (port !== undefined) {
    const p = Number(port.split('-')[0]);
    if (!Number.isInteger(p) || p < 0 || p > 65535) return undefined;
    return { host, port: p };
  }
  return { host };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function redirectTarget(t: NonNullable<Rule['target']>, st: State): { host: string; port?: number } {
  const ports = t.options.find((o) => o.name === 'to-ports')?.values[0];
  const port = ports ? Number(ports.split('-')[0]) : st.dport;
  return { host: '127.0.0.1', port };
}

/** Traces one packet through the node's rules. Pure; the ruleset is not modified. */
export function evaluateIptables(rs: Ruleset, pkt: NodePacket, opts: EvalOptions): NodeTrace {
  const walker = new Walker(rs, pkt, opts, opts.maxBranches ?? 10_000);
  const dst = parseAddr(pkt.dst);
  if (!dst) throw badAddress('destination', pkt.dst);
  const origin = pkt.origin ?? (walker.isLocal(parseAddr(pkt.src)!) ? 'host' : 'network');
  const start: State = { dst, dport: pkt.dport, mark: pkt.mark ?? 0, masq: false, prob: 1, rules: [] };
  const finals: { state: State; verdict: NodeVerdict }[] = [];
  try {
    const finish = (states: State[], local: boolean): void => {
      for (const st of states) {
        const verdict: NodeVerdict = st.dnat ? 'delivered' : local ? 'local' : 'unhandled';
        finals.push({ state: st, verdict });
      }
    };
    const toInput = (states: State[]): void => {
      const input = walker.runHook('INPUT', states);
      finals.push(...input.ended);
      finish(input.alive, true);
    };
    if (origin === 'network') {
      const pre = walker.runHook('PREROUTING', [start]);
      finals.push(...pre.ended);
      const local = pre.alive.filter((s) => walker.isLocal(s.dst));
      const remote = pre.alive.filter((s) => !walker.isLocal(s.dst));
      toInput(local);
      const fwd = walker.runHook('FORWARD', remote);
      finals.push(...fwd.ended);
      const post = walker.runHook('POSTROUTING', fwd.alive);
      finals.push(...post.ended);
      finish(post.alive, false);
    } else {
      const out = walker.runHook('OUTPUT', [start]);
      finals.push(...out.ended);
      const post = walker.runHook('POSTROUTING', out.alive);
      finals.push(...post.ended);
      // Host traffic to a local address loops back through INPUT (nat PREROUTING does not
      // run again: the connection's NAT was decided in OUTPUT).
      toInput(post.alive.filter((s) => walker.isLocal(s.dst)));
      finish(
        post.alive.filter((s) => !walker.isLocal(s.dst)),
        false,
      );
    }
  } catch (e) {
    if (!(e instanceof BranchLimit)) throw e;
    walker.unknowns.add(`${rs.file}: more than ${opts.maxBranches ?? 10_000} branches; trace abandoned`);
    return {
      verdict: 'unhandled',
      endpoints: [],
      probabilities: {},
      masquerade: false,
      rules: [],
      branches: [],
      unknowns: [...walker.unknowns],
    };
  }
  return summarise(finals, [...walker.unknowns]);
}

const VERDICT_ORDER: NodeVerdict[] = ['delivered', 'local', 'rejected', 'dropped', 'unhandled'];

function summarise(finals: { state: State; verdict: NodeVerdict }[], unknowns: string[]): NodeTrace {
  const branches: TraceBranch[] = finals.map(({ state, verdict }) => ({
    verdict,
    ...(state.dnat ? { endpoint: state.dnat } : {}),
    probability: state.prob,
    masquerade: state.masq,
    rules: state.rules,
  }));
  const endpoints: string[] = [];
  const probabilities: Record<string, number> = {};
  const weight = new Map<NodeVerdict, number>();
  const rules: TraceRule[] = [];
  const seenRule = new Set<string>();
  let masquerade = false;
  for (const b of branches) {
    weight.set(b.verdict, (weight.get(b.verdict) ?? 0) + b.probability);
    if (b.masquerade) masquerade = true;
    if (b.verdict === 'delivered' && b.endpoint) {
      if (!(b.endpoint in probabilities)) {
        endpoints.push(b.endpoint);
        probabilities[b.endpoint] = 0;
      }
      probabilities[b.endpoint] = (probabilities[b.endpoint] ?? 0) + b.probability;
    }
    for (const r of b.rules) {
      const k = `${r.table}\0${r.line}`;
      if (!seenRule.has(k)) {
        seenRule.add(k);
        rules.push(r);
      }
    }
  }
  let verdict: NodeVerdict = 'unhandled';
  let best = -1;
  for (const v of VERDICT_ORDER) {
    const w = weight.get(v) ?? 0;
    if (w > best + 1e-12) {
      best = w;
      verdict = v;
    }
  }
  return { verdict, endpoints, probabilities, masquerade, rules, branches, unknowns };
}
