import { NodeDumpParseError } from '../errors.js';
import { type Cidr, parseCidr } from '../ip.js';
import {
  type AddrMatch,
  BUILTIN_CHAINS,
  type Chain,
  type Counters,
  KNOWN_TARGETS,
  type Match,
  type NegatedList,
  type PortMatch,
  type RawOption,
  type Rule,
  type Ruleset,
  type RulesetWarning,
  type Table,
  type Target,
} from './model.js';

// Reads `iptables-save` output (also iptables-restore input: kube-proxy's own `-X` lines and
// `-N`/`-I` are accepted). Syntax that iptables-restore would refuse is a NodeDumpParseError
// naming the file and line; match modules and options we do not evaluate are kept on the rule
// and listed in `warnings`.

class LineError extends Error {}

/**
 * Two-character options ("-A", "-m", "-j", ...) by their second character: a dump repeats them
 * on every line, and a shared string is no garbage, where a slice is a new one each time.
 */
const DASH_WORDS: (string | undefined)[] = [];
for (const w of ['-A', '-I', '-N', '-X', '-F', '-m', '-j', '-g', '-p', '-s', '-d', '-i', '-o', '-c', '-f'])
  DASH_WORDS[w.charCodeAt(1)] = w;

/** Characters that make a line need the full tokenizer. */
const SPECIAL_CHARS = /["'\t\r]/;

/**
 * Splits one line like iptables-restore does: whitespace separates words, double or single
 * quotes group them, and a backslash inside quotes escapes the next character.
 */
export function tokenize(line: string, quotedOut?: number[]): string[] {
  // Most lines have no quotes, tabs or carriage returns: then the words are what lies between
  // spaces, and the engine's own split finds them much faster than a loop over characters.
  if (!SPECIAL_CHARS.test(line)) {
    const words = line.split(' ');
    let k = 0;
    for (let m = 0; m < words.length; m++) {
      const w = words[m] as string;
      if (w !== '') words[k++] = w;
    }
    words.length = k;
    return words;
  }
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    let word = '';
    let quoted = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) break;
      if (c === 34 || c === 39) {
        const q = c;
        quoted = true;
        i++;
        // Common case first: the closing quote comes before any backslash, so no escapes.
        const close = line.indexOf(q === 34 ? '"' : "'", i);
        if (close >= 0) {
          const backslash = line.indexOf('\\', i);
          if (backslash < 0 || backslash > close) {
            word += line.slice(i, close);
            i = close + 1;
            continue;
          }
        }
        let closed = false;
        while (i < n) {
          const d = line.charCodeAt(i);
          if (d === 92 && i + 1 < n) {
            word += line[i + 1];
            i += 2;
            continue;
          }
          if (d === q) {
            closed = true;
            i++;
            break;
          }
          word += line[i];
          i++;
        }
        if (!closed) throw new LineError('unterminated quote');
        continue;
      }
      // Find the run of plain characters at once (the common case) for speed.
      let j = i;
      while (j < n) {
        const d = line.charCodeAt(j);
        if (d === 32 || d === 9 || d === 13 || d === 34 || d === 39) break;
        j++;
      }
      word +=
        j - i === 2 && c === 45 ? (DASH_WORDS[line.charCodeAt(i + 1)] ?? line.slice(i, j)) : line.slice(i, j);
      i = j;
    }
    if (quoted) quotedOut?.push(out.length);
    if (word !== '' || quoted) out.push(word);
  }
  return out;
}

const ZERO_COUNTERS = '[0:0]';

function parseCounters(text: string): Counters | undefined {
  if (text === ZERO_COUNTERS) return { packets: 0, bytes: 0 };
  const m = /^\[(\d+):(\d+)\]$/.exec(text);
  if (!m) return undefined;
  return { packets: Number(m[1]), bytes: Number(m[2]) };
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new LineError(`bad port "${text}"`);
  const p = Number(text);
  if (p > 65535) throw new LineError(`bad port "${text}"`);
  return p;
}

/** "80", "80:90", ":1024", "1024:" (and multiport lists "80,443,1000:2000"). */
export function parsePortList(text: string, negated: boolean, allowList: boolean): PortMatch {
  const parts = text.split(',');
  if (!allowList && parts.length > 1) throw new LineError(`bad port "${text}"`);
  const ranges = parts.map((p) => {
    const colon = p.indexOf(':');
    if (colon < 0) {
      const v = parsePort(p);
      return { from: v, to: v };
    }
    const from = colon === 0 ? 0 : parsePort(p.slice(0, colon));
    const to = colon === p.length - 1 ? 65535 : parsePort(p.slice(colon + 1));
    if (from > to) throw new LineError(`bad port range "${p}"`);
    return { from, to };
  });
  return { negated, ranges };
}

function parseNumber(text: string, what: string): number {
  const v =
    text.startsWith('0x') || text.startsWith('0X') ? Number.parseInt(text.slice(2), 16) : Number(text);
  if (!/^(0[xX][0-9a-fA-F]+|\d+(\.\d+)?)$/.test(text) || !Number.isFinite(v)) {
    throw new LineError(`bad ${what} "${text}"`);
  }
  return v;
}

/** "0x4000/0x4000" or "0x4000" (mask defaults to all ones). */
function parseMarkValue(text: string): { value: number; mask: number } {
  const slash = text.indexOf('/');
  const value = parseNumber(slash < 0 ? text : text.slice(0, slash), 'mark');
  const mask = slash < 0 ? 0xffffffff : parseNumber(text.slice(slash + 1), 'mark mask');
  if (value > 0xffffffff || mask > 0xffffffff) throw new LineError(`bad mark "${text}"`);
  return { value: value >>> 0, mask: mask >>> 0 };
}

function parseAddrList(text: string, negated: boolean): { negated: boolean; text: string; cidrs: Cidr[] } {
  if (!text.includes(',')) {
    const c = parseCidr(text);
    if (!c) throw new LineError(`bad address "${text}"`);
    return { negated, text, cidrs: [c] };
  }
  const cidrs: Cidr[] = [];
  for (const part of text.split(',')) {
    const c = parseCidr(part);
    if (!c) throw new LineError(`bad address "${part}"`);
    cidrs.push(c);
  }
  return { negated, text, cidrs };
}

const PROTOCOL_NUMBERS: Record<string, string> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'ipv6-icmp',
  '132': 'sctp',
};

function protocolName(text: string): string {
  const lower = text.toLowerCase();
  return PROTOCOL_NUMBERS[lower] ?? lower;
}

const PORT_MODULES = new Set(['tcp', 'udp', 'sctp', 'udplite', 'dccp']);

/** Options (with their value count) of the match modules we evaluate. */
const MODULE_OPTIONS: Record<string, Record<string, number>> = {
  comment: { comment: 1 },
  tcp: {
    sport: 1,
    'source-port': 1,
    dport: 1,
    'destination-port': 1,
    'tcp-flags': 2,
    syn: 0,
    'tcp-option': 1,
  },
  udp: { sport: 1, 'source-port': 1, dport: 1, 'destination-port': 1 },
  sctp: { sport: 1, 'source-port': 1, dport: 1, 'destination-port': 1 },
  udplite: { sport: 1, 'source-port': 1, dport: 1, 'destination-port': 1 },
  dccp: { sport: 1, 'source-port': 1, dport: 1, 'destination-port': 1 },
  multiport: { sports: 1, 'source-ports': 1, dports: 1, 'destination-ports': 1, ports: 1 },
  addrtype: { 'src-type': 1, 'dst-type': 1, 'limit-iface-in': 0, 'limit-iface-out': 0 },
  statistic: { mode: 1, probability: 1, every: 1, packet: 1 },
  recent: {
    name: 1,
    set: 0,
    rcheck: 0,
    update: 0,
    remove: 0,
    seconds: 1,
    hitcount: 1,
    reap: 0,
    rttl: 0,
    rsource: 0,
    rdest: 0,
    mask: 1,
  },
  mark: { mark: 1 },
  conntrack: {
    ctstate: 1,
    ctproto: 1,
    ctorigsrc: 1,
    ctorigdst: 1,
    ctreplsrc: 1,
    ctrepldst: 1,
    ctorigsrcport: 1,
    ctorigdstport: 1,
    ctreplsrcport: 1,
    ctrepldstport: 1,
    ctstatus: 1,
    ctexpire: 1,
    ctdir: 1,
  },
  state: { state: 1 },
  nfacct: { 'nfacct-name': 1 },
  set: { 'match-set': 2, 'return-nomatch': 0, 'update-counters': 0, 'update-subcounters': 0 },
};

// MODULE_OPTIONS again as Maps. Looking a freshly split word up as an object key makes V8
// intern it (a probe of its global string table) every time; a Map lookup does not. A name the
// Maps lack falls back to the object, so even inherited keys ("constructor") behave as before.
const MODULE_OPTION_MAPS = new Map(
  Object.entries(MODULE_OPTIONS).map(([m, o]) => [m, new Map(Object.entries(o))] as const),
);

function moduleKnown(module: string): boolean {
  return MODULE_OPTION_MAPS.has(module) || !!MODULE_OPTIONS[module];
}

function optionArity(module: string, name: string): number | undefined {
  const arity = MODULE_OPTION_MAPS.get(module)?.get(name);
  return arity !== undefined ? arity : MODULE_OPTIONS[module]?.[name];
}

/** Whether a known module has the option (the module must be known). */
function hasOption(module: string, name: string): boolean {
  return MODULE_OPTION_MAPS.get(module)?.has(name) || name in (MODULE_OPTIONS[module] as object);
}

interface MatchBuilder {
  module: string;
  options: RawOption[];
  line: number;
  implicit?: boolean;
}

function isOptionToken(t: string): boolean {
  return t.length > 1 && t[0] === '-' && !/^-\d/.test(t);
}

function listOf(opt: RawOption): NegatedList {
  return { negated: opt.negated, values: (opt.values[0] ?? '').split(',') };
}

/**
 * A small direct-mapped cache keyed by text. Pieces a dump repeats all over (the cluster CIDR,
 * jumps to KUBE-MARK-MASQ) stay in it; the many one-off pieces (each endpoint's address, each
 * KUBE-SEP chain name) replace one another in a slot. A Map of every distinct text would cost a
 * lookup and an insert per one-off piece, each a cache miss in a map of tens of thousands.
 */
class Recent<T> {
  private readonly keys: (string | undefined)[] = new Array(RECENT_SLOTS).fill(undefined);
  private readonly values: (T | undefined)[] = new Array(RECENT_SLOTS).fill(undefined);

  clear(): void {
    this.keys.fill(undefined);
    this.values.fill(undefined);
  }

  get(key: string): T | undefined {
    const slot = recentSlot(key);
    return this.keys[slot] === key ? this.values[slot] : undefined;
  }

  set(key: string, value: T): void {
    const slot = recentSlot(key);
    this.keys[slot] = key;
    this.values[slot] = value;
  }
}

const RECENT_SLOTS = 512;

function recentSlot(key: string): number {
  const n = key.length;
  if (n === 0) return 0;
  return (n * 131 + key.charCodeAt(n - 1) * 31 + key.charCodeAt(n >> 1) * 7 + key.charCodeAt(n - 2)) & 511;
}

/** A jump or goto target shared by rules, with whether its name was a chain of the table when last checked. */
interface SharedTarget {
  target: Target;
  table: Table | undefined;
  chainsVersion: number;
  isChain: boolean;
}

// A dump of a big cluster repeats the same pieces tens of thousands of times (protocols,
// comments, port matches, jumps to KUBE-MARK-MASQ). Parsed pieces are immutable, so rules share
// one object per text while it is recent: far less memory and garbage collection.
interface Interned {
  protocol: Map<string, NonNullable<Rule['protocol']>>;
  addr: Recent<AddrMatch>;
  addrNeg: Recent<AddrMatch>;
  comment: Recent<Match>;
  /** Single-option matches ("--dport 80", "--probability 0.5") keyed by module, option and value. */
  simple: Map<string, Match>;
  /** `-m statistic` matches ("--mode random --probability 0.5") keyed by their options. */
  statistic: Map<string, Match>;
  jump: Recent<SharedTarget>;
  goto: Recent<SharedTarget>;
}

const newInterned = (): Interned => ({
  protocol: new Map(),
  addr: new Recent(),
  addrNeg: new Recent(),
  comment: new Recent(),
  simple: new Map(),
  statistic: new Map(),
  jump: new Recent(),
  goto: new Recent(),
});

let interned = newInterned();

function internedAddr(text: string, negated: boolean): AddrMatch {
  const cache = negated ? interned.addrNeg : interned.addr;
  let a = cache.get(text);
  if (!a) {
    a = parseAddrList(text, negated);
    cache.set(text, a);
  }
  return a;
}

function internedComment(comment: string): Match {
  let m = interned.comment.get(comment);
  if (!m) {
    m = { kind: 'comment', comment };
    interned.comment.set(comment, m);
  }
  return m;
}

/** A finished match, shared when it is a known module with at most one simple option. */
function finishShared(b: MatchBuilder, warn: (code: RulesetWarning['code'], detail: string) => void): Match {
  if (b.module === 'statistic' && b.options.length > 1) return sharedStatistic(b, warn);
  const o = b.options[0];
  if (!moduleKnown(b.module) || b.module === 'set' || b.options.length > 1 || (o && o.values.length !== 1)) {
    return finishMatch(b, warn);
  }
  const key = `${b.module}\0${b.implicit === true}\0${o ? `${o.negated}\0${o.name}\0${o.values[0]}` : ''}`;
  let m = interned.simple.get(key);
  if (!m) {
    m = finishMatch(b, warn);
    interned.simple.set(key, m);
  }
  return m;
}

/**
 * kube-proxy writes the same "-m statistic --mode random --probability P" into every Service
 * with as many endpoints. Shared only when every option is known and single-valued: then
 * finishMatch has nothing to warn about, so sharing drops no per-line warning.
 */
function sharedStatistic(
  b: MatchBuilder,
  warn: (code: RulesetWarning['code'], detail: string) => void,
): Match {
  let key = '';
  for (const o of b.options) {
    if (o.values.length !== 1 || !hasOption('statistic', o.name)) return finishMatch(b, warn);
    key += `${o.negated}\0${o.name}\0${o.values[0]}\0`;
  }
  let m = interned.statistic.get(key);
  if (!m) {
    m = finishMatch(b, warn);
    interned.statistic.set(key, m);
  }
  return m;
}

/** Indices of words that were quoted: a quoted "!" is a value, not a negation. */
const quotedWords: number[] = [];

const isBang = (words: string[], i: number): boolean => words[i] === '!' && !quotedWords.includes(i);

function need(words: string[], i: number, opt: string): string {
  const v = words[i];
  if (v === undefined || isBang(words, i)) throw new LineError(`${opt} needs a value`);
  return v;
}

function one(o: RawOption): string {
  const v = o.values[0];
  if (v === undefined) throw new LineError(`--${o.name} needs a value`);
  return v;
}

function finishMatch(b: MatchBuilder, warn: (code: RulesetWarning['code'], detail: string) => void): Match {
  if (!moduleKnown(b.module)) {
    warn('unknown-match', `-m ${b.module} is not evaluated`);
    return { kind: 'unknown', module: b.module, options: b.options };
  }
  const unknownOpts: RawOption[] = [];
  for (const o of b.options) {
    if (!hasOption(b.module, o.name)) {
      unknownOpts.push(o);
      warn('unknown-option', `-m ${b.module} --${o.name} is not evaluated`);
    }
  }
  switch (b.module) {
    case 'comment': {
      const o = b.options.find((x) => x.name === 'comment');
      if (!o) throw new LineError('-m comment needs --comment');
      return { kind: 'comment', comment: one(o) };
    }
    case 'multiport': {
      const m: Match = { kind: 'multiport' };
      for (const o of b.options) {
        if (o.name === 'sports' || o.name === 'source-ports')
          m.sports = parsePortList(one(o), o.negated, true);
        else if (o.name === 'dports' || o.name === 'destination-ports')
          m.dports = parsePortList(one(o), o.negated, true);
        else if (o.name === 'ports') m.ports = parsePortList(one(o), o.negated, true);
      }
      return m;
    }
    case 'addrtype': {
      const m: Match = { kind: 'addrtype', limitIfaceIn: false, limitIfaceOut: false };
      for (const o of b.options) {
        if (o.name === 'src-type') m.srcType = listOf(o);
        else if (o.name === 'dst-type') m.dstType = listOf(o);
        else if (o.name === 'limit-iface-in') m.limitIfaceIn = true;
        else if (o.name === 'limit-iface-out') m.limitIfaceOut = true;
      }
      return m;
    }
    case 'statistic': {
      let mode: 'random' | 'nth' | undefined;
      let negated = false;
      const m: { probability?: number; probabilityText?: string; every?: number; packet?: number } = {};
      for (const o of b.options) {
        if (o.negated) negated = true;
        if (o.name === 'mode') {
          const v = one(o);
          if (v !== 'random' && v !== 'nth') throw new LineError(`bad statistic mode "${v}"`);
          mode = v;
        } else if (o.name === 'probability') {
          const p = parseNumber(one(o), 'probability');
          if (p < 0 || p > 1) throw new LineError(`bad probability "${one(o)}"`);
          m.probability = p;
          m.probabilityText = one(o);
        } else if (o.name === 'every') m.every = parseNumber(one(o), 'every');
        else if (o.name === 'packet') m.packet = parseNumber(one(o), 'packet');
      }
      if (!mode) throw new LineError('-m statistic needs --mode');
      if (mode === 'random' && m.probability === undefined)
        throw new LineError('--mode random needs --probability');
      return { kind: 'statistic', negated, mode, ...m };
    }
    case 'recent': {
      let action: 'set' | 'rcheck' | 'update' | 'remove' | undefined;
      const m: Extract<Match, { kind: 'recent' }> = {
        kind: 'recent',
        negated: false,
        name: 'DEFAULT',
        action: 'set',
        reap: false,
        rttl: false,
        side: 'rsource',
      };
      for (const o of b.options) {
        switch (o.name) {
          case 'name':
            m.name = one(o);
            break;
          case 'set':
          case 'rcheck':
          case 'update':
          case 'remove':
            if (action) throw new LineError('-m recent takes one of --set, --rcheck, --update, --remove');
            action = o.name;
            if (o.negated) m.negated = true;
            break;
          case 'seconds':
            m.seconds = parseNumber(one(o), 'seconds');
            break;
          case 'hitcount':
            m.hitcount = parseNumber(one(o), 'hitcount');
            break;
          case 'reap':
            m.reap = true;
            break;
          case 'rttl':
            m.rttl = true;
            break;
          case 'rsource':
          case 'rdest':
            m.side = o.name;
            break;
          case 'mask':
            m.mask = one(o);
            break;
        }
      }
      m.action = action ?? 'set';
      return m;
    }
    case 'mark': {
      const o = b.options.find((x) => x.name === 'mark');
      if (!o) throw new LineError('-m mark needs --mark');
      const v = parseMarkValue(one(o));
      return { kind: 'mark', negated: o.negated, value: v.value, mask: v.mask, text: one(o) };
    }
    case 'conntrack': {
      const o = b.options.find((x) => x.name === 'ctstate');
      const extra = b.options.filter((x) => x.name !== 'ctstate');
      for (const e of extra)
        if (hasOption(b.module, e.name)) warn('unknown-option', `-m conntrack --${e.name} is not evaluated`);
      return o ? { kind: 'conntrack', ctstate: listOf(o), extra } : { kind: 'conntrack', extra };
    }
    case 'state': {
      const o = b.options.find((x) => x.name === 'state');
      if (!o) throw new LineError('-m state needs --state');
      return { kind: 'state', negated: o.negated, states: one(o).split(',') };
    }
    case 'nfacct': {
      const o = b.options.find((x) => x.name === 'nfacct-name');
      if (!o) throw new LineError('-m nfacct needs --nfacct-name');
      return { kind: 'nfacct', name: one(o) };
    }
    case 'set': {
      const o = b.options.find((x) => x.name === 'match-set');
      if (!o || o.values.length < 2) throw new LineError('-m set needs --match-set NAME FLAGS');
      warn(
        'unknown-match',
        `-m set --match-set ${o.values[0]} is not evaluated (ipset contents are not in the dump)`,
      );
      return { kind: 'set', negated: o.negated, name: o.values[0] ?? '', flags: o.values[1] ?? '' };
    }
    default: {
      // tcp, udp, sctp, udplite, dccp
      const m: Extract<Match, { kind: 'ports' }> = {
        kind: 'ports',
        module: b.module,
        implicit: b.implicit === true,
        extra: [],
      };
      for (const o of b.options) {
        if (o.name === 'sport' || o.name === 'source-port') m.sport = parsePortList(one(o), o.negated, false);
        else if (o.name === 'dport' || o.name === 'destination-port')
          m.dport = parsePortList(one(o), o.negated, false);
        else m.extra.push(o);
      }
      for (const e of m.extra)
        if (hasOption(b.module, e.name))
          warn('unknown-option', `-m ${b.module} --${e.name} is not evaluated`);
      return m;
    }
  }
}

function finishTarget(name: string, goto: boolean, options: RawOption[]): Target {
  // kube-proxy's DNAT: built whole, as adding the field later gives the object a property array.
  const only = options.length === 1 ? options[0] : undefined;
  if (only?.name === 'to-destination' && only.values[0] && name !== 'MARK')
    return { name, goto, options, toDestination: only.values[0] };
  const t: Target = { name, goto, options };
  for (const o of options) {
    switch (o.name) {
      case 'to-destination':
        t.toDestination = one(o);
        break;
      case 'to-source':
        t.toSource = one(o);
        break;
      case 'reject-with':
        t.rejectWith = one(o);
        break;
      case 'set-xmark': {
        t.mark = parseMarkValue(one(o));
        break;
      }
      case 'set-mark': {
        // iptables turns --set-mark v/m into the kernel's xmark form with mask m|v.
        const v = parseMarkValue(one(o));
        t.mark = { value: v.value, mask: (v.mask | v.value) >>> 0 };
        break;
      }
      case 'or-mark': {
        const v = parseNumber(one(o), 'mark') >>> 0;
        t.mark = { value: v, mask: v };
        break;
      }
      case 'and-mark': {
        const v = parseNumber(one(o), 'mark') >>> 0;
        t.mark = { value: 0, mask: ~v >>> 0 };
        break;
      }
      case 'xor-mark': {
        const v = parseNumber(one(o), 'mark') >>> 0;
        t.mark = { value: v, mask: 0 };
        break;
      }
    }
  }
  if (name === 'DNAT' && !t.toDestination) throw new LineError('-j DNAT needs --to-destination');
  if (name === 'MARK' && !t.mark) throw new LineError('-j MARK needs a mark operation');
  return t;
}

/** Parses the words of one rule after `-A CHAIN`; returns the rule's target when it is shared. */
function parseRuleWords(
  words: string[],
  start: number,
  rule: Rule,
  warn: (code: RulesetWarning['code'], detail: string) => void,
): SharedTarget | undefined {
  let neg = false;
  // Like iptables, an option belongs to whichever loaded match knows it, not only the last one:
  // kube-proxy writes "-m tcp -p tcp -d X --dport 80".
  const open: (MatchBuilder | Match)[] = [];
  // The target as separate parts: most rules have one and no options, so no temporary objects.
  let targetName: string | undefined;
  let targetGoto = false;
  let targetOptions: RawOption[] | undefined;
  let i = start;
  while (i < words.length) {
    const w = words[i] as string;
    if (w === '!' && isBang(words, i)) {
      if (neg) throw new LineError('double negation');
      neg = true;
      i++;
      continue;
    }
    switch (w) {
      case '-p':
      case '--protocol':
        {
          const raw = need(words, i + 1, w);
          const key = neg ? `!${raw}` : raw;
          let p = interned.protocol.get(key);
          if (!p) {
            p = { negated: neg, name: protocolName(raw) };
            interned.protocol.set(key, p);
          }
          rule.protocol = p;
        }
        i += 2;
        break;
      case '-s':
      case '--source':
      case '--src':
        rule.source = internedAddr(need(words, i + 1, w), neg);
        i += 2;
        break;
      case '-d':
      case '--destination':
      case '--dst':
        rule.destination = internedAddr(need(words, i + 1, w), neg);
        i += 2;
        break;
      case '-i':
      case '--in-interface':
        rule.inInterface = { negated: neg, name: need(words, i + 1, w) };
        i += 2;
        break;
      case '-o':
      case '--out-interface':
        rule.outInterface = { negated: neg, name: need(words, i + 1, w) };
        i += 2;
        break;
      case '-f':
      case '--fragment':
        rule.fragment = { negated: neg };
        i += 1;
        break;
      case '-m':
      case '--match':
        if (neg) throw new LineError('"!" cannot negate -m');
        {
          const module = need(words, i + 1, w);
          // Fast path for the most common match of all: "-m comment --comment TEXT".
          if (module === 'comment' && words[i + 2] === '--comment' && i + 3 < words.length) {
            open.push(internedComment(need(words, i + 3, '--comment')));
            i += 4;
            break;
          }
          open.push({ module, options: [], line: rule.line });
        }
        i += 2;
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto':
        if (neg) throw new LineError(`"!" cannot negate ${w}`);
        if (targetName !== undefined) throw new LineError('more than one target');
        targetName = need(words, i + 1, w);
        targetGoto = w === '-g' || w === '--goto';
        i += 2;
        break;
      case '-c':
      case '--set-counters': {
        if (neg) throw new LineError('"!" cannot negate -c');
        const p = need(words, i + 1, w);
        const b = need(words, i + 2, w);
        if (!/^\d+$/.test(p) || !/^\d+$/.test(b)) throw new LineError('bad counters');
        rule.counters = { packets: Number(p), bytes: Number(b) };
        i += 3;
        break;
      }
      default: {
        if (!w.startsWith('--') || w.length < 3) throw new LineError(`unexpected "${w}"`);
        const name = w.slice(2);
        // Where does this option belong: the target, the current match, or an implicit
        // protocol match (iptables loads -m tcp by itself for "-p tcp --dport 80")?
        let arity: number | undefined;
        let sink: RawOption[];
        let owner: MatchBuilder | undefined;
        let lastUnknown: MatchBuilder | undefined;
        for (let k = open.length - 1; k >= 0 && targetName === undefined; k--) {
          const b = open[k] as MatchBuilder | Match;
          if ('kind' in b) continue;
          if (!moduleKnown(b.module)) lastUnknown ??= b;
          else if (!owner && optionArity(b.module, name) !== undefined) owner = b;
        }
        if (targetName !== undefined) {
          targetOptions ??= [];
          sink = targetOptions;
        } else if (owner) {
          arity = optionArity(owner.module, name);
          sink = owner.options;
        } else if (lastUnknown) {
          sink = lastUnknown.options;
        } else if (
          rule.protocol &&
          PORT_MODULES.has(rule.protocol.name) &&
          optionArity(rule.protocol.name, name) !== undefined
        ) {
          const implicit = { module: rule.protocol.name, options: [], line: rule.line, implicit: true };
          open.push(implicit);
          arity = optionArity(rule.protocol.name, name);
          sink = implicit.options;
        } else if (open.some((b) => !('kind' in b))) {
          sink = (open.filter((b): b is MatchBuilder => !('kind' in b)).at(-1) as MatchBuilder).options;
        } else {
          throw new LineError(`unknown option "${w}"`);
        }
        const values: string[] = [];
        let j = i + 1;
        if (arity !== undefined) {
          for (let k = 0; k < arity; k++) values.push(need(words, j++, w));
        } else {
          // Unknown option: take every following word that is not itself an option.
          while (j < words.length && !isOptionToken(words[j] as string) && !isBang(words, j))
            values.push(words[j++] as string);
        }
        sink.push({ name, negated: neg, values });
        i = j;
      }
    }
    neg = false;
  }
  if (neg) throw new LineError('dangling "!"');
  // Kept for the ruleset's lifetime, so sized exactly (a pushed-to array keeps spare room).
  const matches =
    open.length === 0 ? (open as Match[]) : open.map((b) => ('kind' in b ? b : finishShared(b, warn)));
  rule.matches = matches;
  for (const m of matches) {
    // The kernel refuses a port match whose protocol is not the rule's.
    if (m.kind === 'ports' && (rule.protocol?.name !== m.module || rule.protocol.negated)) {
      throw new LineError(`-m ${m.module} needs -p ${m.module}`);
    }
  }
  if (targetName !== undefined) {
    if (targetOptions === undefined) {
      const cache = targetGoto ? interned.goto : interned.jump;
      let shared = cache.get(targetName);
      if (!shared) {
        shared = {
          target: finishTarget(targetName, targetGoto, []),
          table: undefined,
          chainsVersion: -1,
          isChain: false,
        };
        cache.set(targetName, shared);
      }
      rule.target = shared.target;
      return shared;
    }
    rule.target = finishTarget(targetName, targetGoto, targetOptions);
  }
  return undefined;
}

/** Parses iptables-save text. Throws NodeDumpParseError (file and line) on malformed input. */
export function parseIptablesSave(text: string, file = 'iptables-save'): Ruleset {
  const tables = new Map<string, Table>();
  const warnings: RulesetWarning[] = [];
  let table: Table | undefined;
  let ruleCount = 0;
  let lineNo = 0;
  let pos = 0;
  const len = text.length;
  interned = newInterned();
  // Rules of one chain come together: the last chain looked up is kept while no chain changes.
  let chainsVersion = 0;
  let lastChain: Chain | undefined;
  let lastChainVersion = -1;
  // Chains recently named as a jump target: kube-proxy writes a chain's rules right after the
  // rules that jump to it, so its `-A` line finds it here. Emptied whenever a chain changes.
  const recentChains = new Recent<Chain>();
  const zeroCounters: Counters = { packets: 0, bytes: 0 };
  let recentChainsVersion = -1;
  const warn = (code: RulesetWarning['code'], detail: string): void => {
    warnings.push({ line: lineNo, code, detail });
  };
  const fail = (reason: string): never => {
    throw new NodeDumpParseError(file, lineNo, reason);
  };
  while (pos <= len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    const raw = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const c = line.charCodeAt(0);
    if (line.length === 0 || c === 35 /* # */) continue;
    try {
      if (c === 42 /* * */) {
        if (table) fail(`table "${line.slice(1)}" starts before COMMIT of table "${table.name}"`);
        const name = line.slice(1).trim();
        if (!/^[a-z]+$/.test(name)) fail(`bad table name "${name}"`);
        if (tables.has(name)) fail(`table "${name}" appears twice`);
        table = { name, line: lineNo, chains: new Map() };
        for (const b of BUILTIN_CHAINS[name] ?? []) {
          table.chains.set(b, { name: b, builtin: true, policy: 'ACCEPT', line: lineNo, rules: [] });
        }
        tables.set(name, table);
        chainsVersion++;
        continue;
      }
      if (c === 67 /* C */ && line.trim() === 'COMMIT') {
        if (!table) fail('COMMIT outside a table');
        table = undefined;
        continue;
      }
      if (!table) fail('line outside a table (missing "*table")');
      const t = table as Table;
      if (c === 58 /* : */) {
        const words = tokenize(line.slice(1));
        const [name, policy, counters] = words;
        if (!name || !policy || words.length > 3) fail('bad chain line, want ":NAME POLICY [packets:bytes]"');
        // Every chain of a fresh dump is "[0:0]"; they share one (read-only) zero.
        const cnt =
          counters === undefined
            ? undefined
            : counters === ZERO_COUNTERS
              ? zeroCounters
              : parseCounters(counters);
        if (counters !== undefined && !cnt) fail(`bad counters "${counters}"`);
        if (name!.length > 28) fail(`chain name "${name}" is longer than 28 characters`);
        const builtin = (BUILTIN_CHAINS[t.name] ?? []).includes(name!);
        let existing: Chain | undefined;
        if (builtin) {
          existing = t.chains.get(name!);
          if (policy === '-') fail(`built-in chain ${name} needs a policy`);
          if (existing && existing.line !== t.line) fail(`chain "${name}" declared twice`);
        } else if (policy !== '-') fail(`user chain ${name} cannot have policy "${policy}"`);
        const rules = existing?.rules ?? [];
        let chain: Chain;
        if (builtin) {
          chain = { name: name!, builtin, line: lineNo, rules, policy };
          if (cnt) chain.counters = cnt;
        }
        // Counters in the literal: adding them afterwards gives every chain a property array.
        else
          chain = cnt
            ? { name: name!, builtin, line: lineNo, rules, counters: cnt }
            : { name: name!, builtin, line: lineNo, rules };
        const before = t.chains.size;
        t.chains.set(name!, chain);
        chainsVersion++;
        // A user chain is new exactly when the map grew: one lookup per declaration, not two.
        if (!builtin && t.chains.size === before) fail(`chain "${name}" declared twice`);
        continue;
      }
      let body = line;
      let counters: Counters | undefined;
      if (c === 91 /* [ */) {
        const close = line.indexOf(']');
        counters = close < 0 ? undefined : parseCounters(line.slice(0, close + 1));
        if (!counters) fail('bad counters prefix');
        body = line.slice(close + 1).trimStart();
      }
      quotedWords.length = 0;
      const words = tokenize(body, quotedWords);
      const op = words[0];
      const chainName = words[1];
      if (op === '-X' || op === '--delete-chain' || op === '-F' || op === '--flush') {
        if (chainName && op.startsWith('-X')) {
          t.chains.delete(chainName);
          chainsVersion++;
        } else if (chainName) {
          const ch = t.chains.get(chainName);
          if (ch) ch.rules = [];
        }
        continue;
      }
      if (op === '-N' || op === '--new-chain') {
        if (!chainName) fail('-N needs a chain name');
        if (t.chains.has(chainName!)) fail(`chain "${chainName}" declared twice`);
        t.chains.set(chainName!, { name: chainName!, builtin: false, line: lineNo, rules: [] });
        chainsVersion++;
        continue;
      }
      const append = op === '-A' || op === '--append';
      const insert = op === '-I' || op === '--insert';
      if (!append && !insert) fail(`unexpected line start "${op ?? ''}"`);
      if (!chainName) fail(`${op} needs a chain name`);
      if (recentChainsVersion !== chainsVersion) {
        recentChains.clear();
        recentChainsVersion = chainsVersion;
      }
      const chain =
        lastChainVersion === chainsVersion && lastChain!.name === chainName
          ? lastChain
          : (recentChains.get(chainName!) ?? t.chains.get(chainName!));
      if (!chain) fail(`chain "${chainName}" does not exist in table ${t.name}`);
      let first = 2;
      let at = chain!.rules.length;
      if (insert) {
        at = 0;
        const n = words[2];
        if (n && /^\d+$/.test(n)) {
          at = Math.min(Number(n) - 1, chain!.rules.length);
          first = 3;
        }
      }
      // Share the declared chain's name string rather than keep this line's copy.
      const rule: Rule = { table: t.name, chain: chain!.name, line: lineNo, text: body, matches: [] };
      if (counters) rule.counters = counters;
      const shared = parseRuleWords(words, first, rule, warn);
      // A built-in target (DNAT, ACCEPT, ...) never warns, so only other names are looked up.
      let targetIsChain = false;
      if (rule.target && !isKnownTargetName(rule.target.name)) {
        if (shared && shared.table === t && shared.chainsVersion === chainsVersion)
          targetIsChain = shared.isChain;
        else {
          const targetChain = t.chains.get(rule.target.name);
          targetIsChain = targetChain !== undefined;
          if (targetChain) recentChains.set(targetChain.name, targetChain);
          if (shared) {
            shared.table = t;
            shared.chainsVersion = chainsVersion;
            shared.isChain = targetIsChain;
          }
        }
      }
      if (rule.target && !targetIsChain && !isKnownTargetName(rule.target.name)) {
        warnings.push({
          line: lineNo,
          code: 'unknown-target',
          detail: `target "${rule.target.name}" is not a chain here`,
        });
      }
      lastChain = chain;
      lastChainVersion = chainsVersion;
      if (insert) chain!.rules.splice(at, 0, rule);
      else chain!.rules.push(rule);
      ruleCount++;
    } catch (e) {
      if (e instanceof LineError) throw new NodeDumpParseError(file, lineNo, e.message);
      throw e;
    }
  }
  if (table)
    throw new NodeDumpParseError(file, table.line, `table "${table.name}" has no COMMIT before the end`);
  interned = newInterned();
  return { file, tables, ruleCount, warnings };
}

function isKnownTargetName(name: string): boolean {
  return KNOWN_TARGETS.has(name);
}
