import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SvcdoctorError } from '../../errors.js';
import { formatDuration, NS_PER_MINUTE, NS_PER_SECOND, parseAt, parseTimestamp } from '../../model/time.js';

const T10 = BigInt(Date.UTC(2026, 10, 22, 10, 0, 0)) * 1_000_000n; // 2026-11-22T10:00:00Z in ns

describe('parseTimestamp reads the timestamps Kubernetes and kubectl write', () => {
  const cases: { name: string; text: string; ns: bigint; iso: string }[] = [
    { name: 'RFC 3339 with Z', text: '2026-11-22T10:00:00Z', ns: T10, iso: '2026-11-22T10:00:00Z' },
    { name: 'lower-case z and t', text: '2026-11-22t10:00:00z', ns: T10, iso: '2026-11-22T10:00:00Z' },
    {
      name: 'a positive offset is subtracted to reach UTC',
      text: '2026-11-22T18:00:00+08:00',
      ns: T10,
      iso: '2026-11-22T10:00:00Z',
    },
    {
      name: 'a negative offset crossing midnight',
      text: '2026-11-21T23:30:00-10:30',
      ns: T10,
      iso: '2026-11-22T10:00:00Z',
    },
    {
      name: 'Event eventTime microseconds are kept',
      text: '2026-11-22T10:00:00.123456Z',
      ns: T10 + 123_456_000n,
      iso: '2026-11-22T10:00:00.123456Z',
    },
    {
      name: 'nanoseconds are kept exactly',
      text: '2026-11-22T18:00:00.000000001+08:00',
      ns: T10 + 1n,
      iso: '2026-11-22T10:00:00.000000001Z',
    },
    {
      name: 'kubectl describe style with zone name',
      text: '2026-11-22 10:00:00 +0000 UTC',
      ns: T10,
      iso: '2026-11-22T10:00:00Z',
    },
    {
      name: 'Go time.String with fraction, offset, zone abbreviation and monotonic clock',
      text: '2026-11-22 18:00:00.5 +0800 CST m=+12.000000001',
      ns: T10 + 500_000_000n,
      iso: '2026-11-22T10:00:00.5Z',
    },
    {
      name: 'leap day',
      text: '2028-02-29T00:00:00Z',
      ns: BigInt(Date.UTC(2028, 1, 29)) * 1_000_000n,
      iso: '2028-02-29T00:00:00Z',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const t = parseTimestamp(c.text, 'field');
      expect(t?.ns).toBe(c.ns);
      expect(t?.iso).toBe(c.iso);
    });

  it('an absent value is not a timestamp and not an error', () => {
    expect(parseTimestamp(undefined, 'x')).toBeUndefined();
    expect(parseTimestamp('', 'x')).toBeUndefined();
  });

  const bad: { name: string; text: string }[] = [
    { name: 'no zone', text: '2026-11-22T10:00:00' },
    { name: 'no seconds in data', text: '2026-11-22T10:00Z' },
    { name: 'month 13', text: '2026-13-01T00:00:00Z' },
    { name: '30 February', text: '2026-02-30T00:00:00Z' },
    { name: '29 February outside a leap year', text: '2026-02-29T00:00:00Z' },
    { name: 'hour 24', text: '2026-11-22T24:00:00Z' },
    { name: 'leap second (Go rejects it too)', text: '2026-12-31T23:59:60Z' },
    { name: 'offset hour 24', text: '2026-11-22T10:00:00+24:00' },
    { name: 'ten fractional digits', text: '2026-11-22T10:00:00.1234567891Z' },
    { name: 'words', text: 'yesterday' },
    { name: 'epoch seconds', text: '1795341600' },
  ];
  for (const c of bad)
    it(`rejects ${c.name} with SVCDOCTOR_BAD_TIME naming the field`, () => {
      let err: unknown;
      try {
        parseTimestamp(c.text, 'event default/x lastTimestamp');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SvcdoctorError);
      expect((err as SvcdoctorError).code).toBe('SVCDOCTOR_BAD_TIME');
      expect((err as SvcdoctorError).message.startsWith('event default/x lastTimestamp: ')).toBe(true);
      expect((err as SvcdoctorError).hint).toMatch(/RFC 3339/);
    });
});

describe('parseAt reads --at', () => {
  const now = new Date('2026-11-22T10:30:00Z');
  const cases: { name: string; text: string; ns: bigint }[] = [
    { name: 'RFC 3339', text: '2026-11-22T10:00:00Z', ns: T10 },
    { name: 'a date-time with offset and a space', text: '2026-11-22 18:00:00 +08:00', ns: T10 },
    { name: 'a date-time with offset and no seconds', text: '2026-11-22T18:00+08:00', ns: T10 },
    { name: '30m ago', text: '30m ago', ns: T10 },
    { name: 'compound 0h30m ago', text: '0h30m ago', ns: T10 },
    { name: '1800 seconds ago', text: '1800 seconds ago', ns: T10 },
    { name: 'half an hour in words', text: '30 minutes ago', ns: T10 },
    { name: 'now', text: 'now', ns: T10 + 30n * NS_PER_MINUTE },
    { name: '1h30m ago', text: '1h30m ago', ns: T10 - 60n * NS_PER_MINUTE },
  ];
  for (const c of cases) it(c.name, () => expect(parseAt(c.text, now).ns).toBe(c.ns));

  for (const text of ['10 ago', 'ago', '10 fortnights ago', 'tomorrow', '2026-11-22 10:00', '10m'])
    it(`rejects "${text}" naming --at and the accepted formats`, () => {
      let err: unknown;
      try {
        parseAt(text, now);
      } catch (e) {
        err = e;
      }
      expect((err as SvcdoctorError).code).toBe('SVCDOCTOR_BAD_TIME');
      expect((err as SvcdoctorError).message.startsWith('--at: ')).toBe(true);
      expect((err as SvcdoctorError).hint).toMatch(/10m ago/);
    });
});

describe('formatDuration', () => {
  it.each([
    [4n * NS_PER_MINUTE + 30n * NS_PER_SECOND, '4m 30s'],
    [125n * NS_PER_MINUTE, '2h 5m'],
    [12n * NS_PER_SECOND, '12s'],
    [850_000_000n, '850ms'],
    [0n, '0ms'],
  ])('%s ns → %s', (ns, text) => expect(formatDuration(ns)).toBe(text));
});

describe('properties', () => {
  // Renders epoch nanoseconds in a given offset, the way another system's clock would print it.
  function renderWithOffset(ns: bigint, offsetMinutes: number, digits: number): string {
    const shifted = ns + BigInt(offsetMinutes) * NS_PER_MINUTE;
    const ms = shifted / 1_000_000n;
    const d = new Date(Number(ms));
    const frac = (shifted % NS_PER_SECOND).toString().padStart(9, '0').slice(0, digits);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return `${d.toISOString().slice(0, 19)}${digits ? `.${frac}` : ''}${zone}`;
  }

  it('the same instant written in any offset and precision parses to the same nanoseconds', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 86_400n * NS_PER_SECOND, max: 4_102_444_800n * NS_PER_SECOND }), // 1970-01-02 .. 2100
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.integer({ min: 0, max: 9 }),
        (ns, offset, digits) => {
          const unit = 10n ** BigInt(9 - digits);
          const truncated = ns - (ns % unit);
          const parsed = parseTimestamp(renderWithOffset(truncated, offset, digits), 'x');
          expect(parsed?.ns).toBe(truncated);
          // and the canonical UTC rendering reads back to the same instant
          expect(parseTimestamp(parsed?.iso, 'x')?.ns).toBe(truncated);
        },
      ),
      { numRuns: 500 },
    );
  });
});
