import { describe, expect, it } from 'vitest';
import { NodeDumpParseError } from '../errors.js';
import { ipvsDummyAddresses, localAddresses, parseIpAddr } from './parse.js';

const TEXT = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic eth0\\       valid_lft 3000sec preferred_lft 3000sec',
  '2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever',
  '5: kube-ipvs0    inet 10.96.0.1/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever',
  '5: kube-ipvs0    inet 10.96.0.10/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever',
  '7: veth1234@if3    inet 169.254.1.1/32 scope global veth1234\\       valid_lft forever preferred_lft forever',
].join('\n');

describe('ip -o addr', () => {
  it('reads interfaces, families, prefixes and scopes', () => {
    const d = parseIpAddr(TEXT, 'node.addr');
    expect(d.addresses.map((a) => [a.iface, a.family, a.address, a.prefix, a.scope])).toEqual([
      ['lo', 'inet', '127.0.0.1', 8, 'host'],
      ['eth0', 'inet', '10.0.0.5', 24, 'global'],
      ['eth0', 'inet6', 'fe80::1', 64, 'link'],
      ['kube-ipvs0', 'inet', '10.96.0.1', 32, 'global'],
      ['kube-ipvs0', 'inet', '10.96.0.10', 32, 'global'],
      ['veth1234', 'inet', '169.254.1.1', 32, 'global'],
    ]);
    expect(ipvsDummyAddresses(d)).toEqual(['10.96.0.1', '10.96.0.10']);
    expect(localAddresses(d)).toContain('10.0.0.5');
  });
  it.each([
    ['2: eth0 link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff', 'not an "ip -o addr" line'],
    ['2: eth0    inet 10.0.0.500/24 scope global eth0', 'bad inet address'],
    ['2: eth0    inet6 10.0.0.5/24 scope global eth0', 'bad inet6 address'],
  ])('rejects %j', (line, reason) => {
    try {
      parseIpAddr(`1: lo    inet 127.0.0.1/8 scope host lo\n${line}\n`, 'node.addr');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NodeDumpParseError);
      expect({ line: (e as NodeDumpParseError).line, file: (e as NodeDumpParseError).file }).toEqual({
        line: 2,
        file: 'node.addr',
      });
      expect((e as NodeDumpParseError).reason).toContain(reason);
    }
  });
});
