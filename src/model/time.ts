import { SvcdoctorError } from '../errors.js';

// Instants are kept as epoch nanoseconds (bigint) because Event eventTime and audit stage
// timestamps carry micro/nanoseconds: a JS Date would round them to milliseconds and make a
// change 1 µs outside a window look like it sits exactly on the boundary.

export type Nanos = bigint;

export const NS_PER_MS = 1_000_000n;
export const NS_PER_SECOND = 1_000_000_000n;
export const NS_PER_MINUTE = 60n * NS_PER_SECOND;

/** A parsed timestamp: the exact instant and a canonical UTC RFC 3339 rendering of it. */
export interface Instant {
  ns: Nanos;
  /** UTC, `Z`, fractional digits kept as precise as the input was (no trailing zeros). */
  iso: string;
}

export const ACCEPTED_AT_FORMATS =
  'RFC 3339 (2026-11-22T10:00:00Z, 2026-11-22T18:00:00.123456+08:00), a date-time with offset ' +
  '(2026-11-22 18:00:00 +08:00, or kubectl\'s "2026-11-22 10:00:00 +0000 UTC"), or relative ' +
  '("10m ago", "1h30m ago", "90 seconds ago", "now")';

const ACCEPTED_DATA_FORMATS =
  "RFC 3339 with a zone (2026-11-22T10:00:00Z, 2026-11-22T18:00:00.123456+08:00) or kubectl's " +
  '"2026-11-22 10:00:00 +0000 UTC"';

// RFC 3339 date-time; the separator may be T, t or a space (RFC 3339 §5.6 note), seconds are
// optional only where `allowNoSeconds` (a human typing --at), the zone is mandatory.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})(?:\s+[A-Za-z][A-Za-z0-9+-]{0,5})?(?:\s+m=[+-]\d+(?:\.\d+)?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Formats epoch nanoseconds as RFC 3339 UTC, keeping sub-second digits only when non-zero. */
export function formatNanos(ns: Nanos): string {
  let ms = ns / NS_PER_MS;
  let rest = ns % NS_PER_MS;
  if (rest < 0n) {
    rest += NS_PER_MS;
    ms -= 1n;
  }
  const d = new Date(Number(ms));
  const base = d.toISOString().slice(0, 19);
  const fracNs = BigInt(d.getUTCMilliseconds()) * NS_PER_MS + rest;
  if (fracNs === 0n) return `${base}Z`;
  const digits = fracNs.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}.${digits}Z`;
}

export function instantOfNanos(ns: Nanos): Instant {
  return { ns, iso: formatNanos(ns) };
}

export function instantOfDate(d: Date): Instant {
  return instantOfNanos(BigInt(d.getTime()) * NS_PER_MS);
}

export function dateOfInstant(i: Instant): Date {
  return new Date(Number(i.ns / NS_PER_MS));
}

/** Parses an absolute timestamp, or returns a reason it is not one. */
function parseAbsolute(text: string, allowNoSeconds: boolean): Instant | string {
  const m = DATE_TIME.exec(text.trim());
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim()))
      return 'it has no time zone (add Z or an offset such as +08:00)';
    return 'it is not in a known timestamp format';
  }
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  if (ss === undefined && !allowNoSeconds) return 'it has no seconds';
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  if (mo < 1 || mo > 12) return `month ${mos} is out of range`;
  const dim = mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 31);
  if (d < 1 || d > dim) return `day ${ds} is out of range for month ${mos}`;
  if (h > 23) return `hour ${hs} is out of range`;
  if (mi > 59) return `minute ${mis} is out of range`;
  // Like Go's time.Parse (what the API server uses), a leap second (60) is rejected.
  if (s > 59) return `second ${ss} is out of range`;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return `offset ${zone} is out of range`;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const fracNs = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  const ns = BigInt(date.getTime()) * NS_PER_MS + fracNs - BigInt(offsetMinutes) * NS_PER_MINUTE;
  return instantOfNanos(ns);
}

/**
 * Parses a timestamp found in input data (Events, Pods, Nodes, audit logs, cloud changes).
 * Returns undefined for an absent value; throws SVCDOCTOR_BAD_TIME naming `field` otherwise.
 */
export function parseTimestamp(text: string | undefined, field: string): Instant | undefined {
  if (text === undefined || text === '') return undefined;
  const r = parseAbsolute(String(text), false);
  if (typeof r === 'string')
    throw new SvcdoctorError('SVCDOCTOR_BAD_TIME', `${field}: "${text}" is not a valid timestamp: ${r}`, {
      hint: `accepted: ${ACCEPTED_DATA_FORMATS}`,
    });
  return r;
}

const UNIT_NS: Record<string, Nanos> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: NS_PER_MS,
  s: NS_PER_SECOND,
  sec: NS_PER_SECOND,
  secs: NS_PER_SECOND,
  second: NS_PER_SECOND,
  seconds: NS_PER_SECOND,
  m: NS_PER_MINUTE,
  min: NS_PER_MINUTE,
  mins: NS_PER_MINUTE,
  minute: NS_PER_MINUTE,
  minutes: NS_PER_MINUTE,
  h: 60n * NS_PER_MINUTE,
  hr: 60n * NS_PER_MINUTE,
  hrs: 60n * NS_PER_MINUTE,
  hour: 60n * NS_PER_MINUTE,
  hours: 60n * NS_PER_MINUTE,
  d: 24n * 60n * NS_PER_MINUTE,
  day: 24n * 60n * NS_PER_MINUTE,
  days: 24n * 60n * NS_PER_MINUTE,
};

const RELATIVE_PART = /(\d+)\s*([a-zµ]+)\s*/gy;

/** "10m ago", "1h30m ago", "90 seconds ago" → the duration in nanoseconds; undefined if not relative. */
function parseRelative(text: string): Nanos | undefined {
  const t = text.trim().toLowerCase();
  if (!t.endsWith('ago')) return undefined;
  const body = t.slice(0, -3).trim();
  if (body === '') return undefined;
  RELATIVE_PART.lastIndex = 0;
  let total = 0n;
  let consumed = 0;
  for (let m = RELATIVE_PART.exec(body); m; m = RELATIVE_PART.exec(body)) {
    const unit = UNIT_NS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += BigInt(m[1] ?? '0') * unit;
    consumed = RELATIVE_PART.lastIndex;
  }
  return consumed === body.length ? total : undefined;
}

/**
 * Parses the user's `--at`: an absolute time with a zone, or a time relative to `now`.
 * Throws SVCDOCTOR_BAD_TIME naming `field` and the accepted formats.
 */
export function parseAt(text: string, now: Date, field = '--at'): Instant {
  const t = text.trim();
  if (t.toLowerCase() === 'now') return instantOfDate(now);
  const rel = parseRelative(t);
  if (rel !== undefined) return instantOfNanos(BigInt(now.getTime()) * NS_PER_MS - rel);
  const r = /\bago$/i.test(t)
    ? 'a relative time is a number and a unit (s, m, h, d, or words like minutes) followed by "ago"'
    : parseAbsolute(t, true);
  if (typeof r === 'string')
    throw new SvcdoctorError('SVCDOCTOR_BAD_TIME', `${field}: "${text}" is not a time: ${r}`, {
      hint: `accepted: ${ACCEPTED_AT_FORMATS}`,
    });
  return r;
}

/** "4m 30s", "2h 5m", "12s", "850ms" — a short human duration for reports. */
export function formatDuration(ns: Nanos): string {
  const neg = ns < 0n;
  let rest = neg ? -ns : ns;
  if (rest < NS_PER_SECOND) return `${neg ? '-' : ''}${rest / NS_PER_MS}ms`;
  const h = rest / (60n * NS_PER_MINUTE);
  rest -= h * 60n * NS_PER_MINUTE;
  const m = rest / NS_PER_MINUTE;
  rest -= m * NS_PER_MINUTE;
  const s = rest / NS_PER_SECOND;
  const parts: string[] = [];
  if (h > 0n) parts.push(`${h}h`);
  if (m > 0n) parts.push(`${m}m`);
  if (s > 0n && h === 0n) parts.push(`${s}s`);
  return `${neg ? '-' : ''}${parts.join(' ') || '0s'}`;
}
