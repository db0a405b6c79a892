import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeDumpParseError } from '../errors.js';
import { evaluateIpvs, indexIpvs } from './evaluate.js';
import { formatIpvsSave, type IpvsDump, parseIpvsadm } from './parse.js';

const SAVE = [
  '-A -t 10.96.0.1:443 -s rr',
  '-a -t 10.96.0.1:443 -r 172.18.0.2:6443 -m -w 1',
  '-A -u 10.96.0.10:53 -s rr -p 10800',
  '-a -u 10.96.0.10:53 -r 10.244.0.2:53 -m -w 1',
  '-a -u 10.96.0.10:53 -r 10.244.0.3:53 -m -w 0',
  '-A -t 10.96.0.20:80 -s wrr',
  '-a -t 10.96.0.20:80 -r 10.244.1.5:8080 -m -w 3',
  '-a -t 10.96.0.20:80 -r 10.244.2.5:8080 -m -w 1',
  '-A -t 10.96.0.30:80 -s rr',
  '-A -t [fd00::10]:80 -s rr',
  '-a -t [fd00::10]:80 -r [fd00:1::5]:8080 -m -w 1',
  '-A -f 100 -s rr',
  '',
].join('\n');

const LIST = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  'TCP  10.96.0.1:443 rr',
  '  -> 172.18.0.2:6443              Masq    1      3          0',
  'UDP  10.96.0.10:53 rr persistent 10800',
  '  -> 10.244.0.2:53                Masq    1      0          4',
  '  -> 10.244.0.3:53                Masq    0      0          0',
  'TCP  [fd00::10]:80 rr',
  '  -> [fd00:1::5]:8080             Masq    1      0          0',
  'FWM  100 rr',
  '',
].join('\n');

describe('ipvsadm parsing', () => {
  it('reads -S -n output: services, schedulers, persistence, real servers', () => {
    const d = parseIpvsadm(SAVE, 'node.ipvs');
    expect(
      d.services.map((s) => [s.protocol, s.address, s.port, s.scheduler, s.persistent, s.realServers.length]),
    ).toEqual([
      ['TCP', '10.96.0.1', 443, 'rr', undefined, 1],
      ['UDP', '10.96.0.10', 53, 'rr', 10800, 2],
      ['TCP', '10.96.0.20', 80, 'wrr', undefined, 2],
      ['TCP', '10.96.0.30', 80, 'rr', undefined, 0],
      ['TCP', 'fd00::10', 80, 'rr', undefined, 1],
      ['FWM', '', 0, 'rr', undefined, 0],
    ]);
    expect(d.services[1]?.realServers[1]).toMatchObject({
      address: '10.244.0.3',
      port: 53,
      forwarding: 'masq',
      weight: 0,
      line: 5,
    });
  });
  it('reads -Ln output with connection counters', () => {
    const d = parseIpvsadm(LIST, 'node.ipvs');
    expect(d.services).toHaveLength(4);
    expect(d.services[1]).toMatchObject({ protocol: 'UDP', persistent: 10800, line: 6 });
    expect(d.services[1]?.realServers[0]).toMatchObject({
      address: '10.244.0.2',
      activeConn: 0,
      inactiveConn: 4,
    });
    expect(d.services[2]?.realServers[0]?.address).toBe('fd00:1::5');
  });
  it.each([
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1\n', 1, 'not added before'],
    ['-A -t 10.0.0.1 -s rr\n', 1, 'bad service address'],
    ['-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w x\n', 2, 'bad weight'],
    ['TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80 Bogus 1 0 0\n', 2, 'bad real server'],
    ['hello\n', 1, 'unexpected'],
  ])('rejects %j with its line', (text, line, reason) => {
    try {
      parseIpvsadm(text, 'x.ipvs');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NodeDumpParseError);
      expect((e as NodeDumpParseError).line).toBe(line);
      expect((e as NodeDumpParseError).reason).toContain(reason);
    }
  });
  it('render -> parse round-trips', () => {
    const rs = fc.record({
      address: fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.1.${a}.${b}`),
      port: fc.integer({ min: 1, max: 65535 }),
      forwarding: fc.constantFrom('masq', 'route', 'tunnel') as fc.Arbitrary<'masq' | 'route' | 'tunnel'>,
      weight: fc.nat(100),
    });
    const vs = fc.record({
      protocol: fc.constantFrom('TCP', 'UDP') as fc.Arbitrary<'TCP' | 'UDP'>,
      address: fc.nat(255).map((n) => `10.96.0.${n}`),
      port: fc.integer({ min: 1, max: 65535 }),
      scheduler: fc.constantFrom('rr', 'wrr', 'lc', 'sh'),
      persistent: fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined }),
      realServers: fc.uniqueArray(rs, { maxLength: 4, selector: (r) => `${r.address}:${r.port}` }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(vs, { maxLength: 6, selector: (v) => `${v.protocol}${v.address}:${v.port}` }),
        (services) => {
          const dump: IpvsDump = {
            file: 'p',
            services: services.map((s) => ({
              ...s,
              ...(s.persistent === undefined ? { persistent: undefined } : {}),
              flags: [],
              line: 0,
              realServers: s.realServers.map((r) => ({ ...r, line: 0 })),
            })),
          };
          const back = parseIpvsadm(formatIpvsSave(dump), 'p');
          const strip = (d: IpvsDump) =>
            JSON.parse(
              JSON.stringify(
                d.services.map((s) => ({
                  ...s,
                  line: 0,
                  realServers: s.realServers.map((r) => ({ ...r, line: 0 })),
                })),
              ),
            );
          expect(strip(back)).toEqual(strip(dump));
        },
      ),
      { numRuns: 200 },
    );
  });
  it('random garbage never throws anything but the typed parse error', () => {
    const tok = fc.constantFrom(
      '-A',
      '-a',
      '-t',
      '-u',
      '-f',
      '-r',
      '-s',
      'rr',
      '-m',
      '-w',
      '1',
      '10.0.0.1:80',
      '[::1]:80',
      'TCP',
      'UDP',
      '->',
      'Masq',
      'x',
      '',
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(tok, { maxLength: 8 }).map((t) => t.join(' ')),
          { maxLength: 8 },
        ),
        (lines) => {
          try {
            parseIpvsadm(lines.join('\n'), 'g');
          } catch (e) {
            expect(e).toBeInstanceOf(NodeDumpParseError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('IPVS evaluation', () => {
  const idx = indexIpvs(parseIpvsadm(SAVE, 'node.ipvs'));
  it.each([
    ['round robin over one server', { dst: '10.96.0.1', dport: 443 }, 'delivered', { '172.18.0.2:6443': 1 }],
    [
      'weight 0 servers get no new connections',
      { dst: '10.96.0.10', dport: 53, protocol: 'udp' as const },
      'delivered',
      { '10.244.0.2:53': 1 },
    ],
    [
      'wrr shares by weight',
      { dst: '10.96.0.20', dport: 80 },
      'delivered',
      { '10.244.1.5:8080': 0.75, '10.244.2.5:8080': 0.25 },
    ],
    [
      'a virtual service without real servers resets the connection',
      { dst: '10.96.0.30', dport: 80 },
      'rejected',
      {},
    ],
    [
      'UDP to a TCP-only VIP is not an IPVS service',
      { dst: '10.96.0.1', dport: 443, protocol: 'udp' as const },
      'unhandled',
      {},
    ],
    [
      'IPv6 VIPs match whatever way they are written',
      { dst: 'fd00:0::10', dport: 80 },
      'delivered',
      { '[fd00:1::5]:8080': 1 },
    ],
  ])('%s', (_n, pkt, verdict, probabilities) => {
    const t = evaluateIpvs(idx, pkt);
    expect({ verdict: t.verdict, probabilities: t.probabilities }).toEqual({ verdict, probabilities });
  });
});
