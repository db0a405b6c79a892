import type { Cidr } from '../ip.js';

// The parsed form of an `iptables-save` dump. Everything the evaluator needs is compiled here
// once (addresses to integers, ports to ranges), so walking a packet does no string work.

export interface Counters {
  packets: number;
  bytes: number;
}

export interface PortRange {
  from: number;
  to: number;
}

export interface PortMatch {
  negated: boolean;
  ranges: PortRange[];
}

export interface AddrMatch {
  negated: boolean;
  /** As written (a comma list is allowed by iptables; iptables-save prints one rule per address). */
  text: string;
  cidrs: Cidr[];
}

export interface IfaceMatch {
  negated: boolean;
  /** A trailing "+" is a prefix wildcard, as in iptables. */
  name: string;
}

export interface NegatedList {
  negated: boolean;
  values: string[];
}

/** An option of a match or target we do not model, kept verbatim so nothing is lost. */
export interface RawOption {
  name: string;
  negated: boolean;
  values: string[];
}

export type Match =
  | { kind: 'comment'; comment: string }
  | {
      kind: 'ports';
      /** tcp | udp | sctp | udplite | dccp; implicit when the option followed -p without -m. */
      module: string;
      implicit: boolean;
      sport?: PortMatch;
      dport?: PortMatch;
      extra: RawOption[];
    }
  | { kind: 'multiport'; sports?: PortMatch; dports?: PortMatch; ports?: PortMatch }
  | {
      kind: 'addrtype';
      srcType?: NegatedList;
      dstType?: NegatedList;
      limitIfaceIn: boolean;
      limitIfaceOut: boolean;
    }
  | {
      kind: 'statistic';
      negated: boolean;
      mode: 'random' | 'nth';
      probability?: number;
      /** As written, so a re-rendered rule keeps kube-proxy's 10-digit form. */
      probabilityText?: string;
      every?: number;
      packet?: number;
    }
  | {
      kind: 'recent';
      negated: boolean;
      name: string;
      action: 'set' | 'rcheck' | 'update' | 'remove';
      seconds?: number;
      hitcount?: number;
      reap: boolean;
      rttl: boolean;
      side: 'rsource' | 'rdest';
      mask?: string;
    }
  | { kind: 'mark'; negated: boolean; value: number; mask: number; text: string }
  | { kind: 'conntrack'; ctstate?: NegatedList; extra: RawOption[] }
  | { kind: 'state'; negated: boolean; states: string[] }
  | { kind: 'nfacct'; name: string }
  | { kind: 'set'; negated: boolean; name: string; flags: string }
  /** A match module we do not evaluate: kept with its arguments and reported. */
  | { kind: 'unknown'; module: string; options: RawOption[] };

export interface Target {
  name: string;
  /** -g (goto) instead of -j (jump). */
  goto: boolean;
  options: RawOption[];
  /** DNAT --to-destination */
  toDestination?: string;
  /** SNAT --to-source */
  toSource?: string;
  /** MARK, in the kernel's form: mark = (mark & ~mask) ^ value. */
  mark?: { value: number; mask: number };
  /** REJECT --reject-with */
  rejectWith?: string;
}

export interface Rule {
  table: string;
  chain: string;
  /** 1-based line in the dump. */
  line: number;
  /** The rule as written (without its counters prefix). */
  text: string;
  counters?: Counters;
  protocol?: { negated: boolean; name: string };
  source?: AddrMatch;
  destination?: AddrMatch;
  inInterface?: IfaceMatch;
  outInterface?: IfaceMatch;
  fragment?: { negated: boolean };
  matches: Match[];
  target?: Target;
}

export interface Chain {
  name: string;
  builtin: boolean;
  /** Built-in chains only: ACCEPT or DROP. */
  policy?: string;
  counters?: Counters;
  line: number;
  rules: Rule[];
}

export interface Table {
  name: string;
  line: number;
  /** In the order they were declared. */
  chains: Map<string, Chain>;
}

export interface RulesetWarning {
  line: number;
  code: 'unknown-match' | 'unknown-option' | 'unknown-target';
  detail: string;
}

export interface Ruleset {
  file: string;
  tables: Map<string, Table>;
  ruleCount: number;
  /** Everything kept but not understood: reported, never silently dropped. */
  warnings: RulesetWarning[];
}

export const BUILTIN_CHAINS: Record<string, readonly string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Targets provided by the kernel or an extension (not user chains). */
export const KNOWN_TARGETS = new Set([
  'ACCEPT',
  'DROP',
  'RETURN',
  'QUEUE',
  'REJECT',
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
  'NETMAP',
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
  'NFQUEUE',
  'AUDIT',
  'CHECKSUM',
  'TPROXY',
  'SET',
  'CONNSECMARK',
  'SECMARK',
  'IDLETIMER',
  'LED',
  'TEE',
  'SYNPROXY',
  'CLUSTERIP',
]);
