// Chain names must equal kube-proxy's so a simulated trace lines up with a node's rule dump.
// Expected values are upstream's (iptables proxier_test.go rule dumps, nftables
// Test_servicePortChainNameBase / Test_servicePortEndpointChainNameBase).
import { describe, expect, test } from 'vitest';
import {
  iptablesChains,
  iptablesEndpointChain,
  nftablesChainBase,
  nftablesEndpointChainBase,
} from './chains.js';

const longNs = 'very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx';
const longName = 'very-long-service-name-why-would-you-even-do-this-i-mean-really';
const longPort = 'port-443-providing-the-hypertext-transmission-protocol-with-tls';
const longBase = `${longNs}/${longName}/sctp/${longPort}`;

describe('iptables chain names', () => {
  test.each([
    { spn: 'ns1/svc1:p80', svc: 'KUBE-SVC-XPGD46QRK7WJZT7O' },
    { spn: 'ns2/svc2:p80', svc: 'KUBE-SVC-GNZBNJ2PO5MGZ6GT' },
    { spn: 'ns3/svc3:p80', svc: 'KUBE-SVC-X27LE4BHSL4DOUIK' },
    { spn: 'ns4/svc4:p80', svc: 'KUBE-SVC-4SW47YFZTEDKD3PK' },
    { spn: 'ns5/svc5:p80', svc: 'KUBE-SVC-NUKIZ6OKUXPJNT4C' },
  ])('$spn hashes to $svc', ({ spn, svc }) => {
    expect(iptablesChains(spn, 'TCP').svc).toBe(svc);
  });

  test.each([
    { spn: 'ns1/svc1:p80', ep: '10.180.0.1:80', sep: 'KUBE-SEP-SXIVWICOYRO3J4NJ' },
    { spn: 'ns2/svc2:p80', ep: '10.180.0.2:80', sep: 'KUBE-SEP-RS4RBKLTHTF2IUXJ' },
    { spn: 'ns4/svc4:p80', ep: '10.180.0.5:80', sep: 'KUBE-SEP-C6EBXVWJJZMIWKLZ' },
  ])('endpoint $ep of $spn hashes to $sep', ({ spn, ep, sep }) => {
    expect(iptablesEndpointChain(spn, 'TCP', ep)).toBe(sep);
  });
});

describe('nftables chain names', () => {
  test.each([
    { port: 'http', expected: 'P4ZYZVCF-testing/service/tcp/http' },
    { port: 'https', expected: 'LZBRENCP-testing/service/tcp/https' },
  ])('testing/service port $port', ({ port, expected }) => {
    expect(nftablesChainBase('testing', 'service', port, 'TCP')).toBe(expected);
  });

  test('the maximum-length service chain base is kept whole', () => {
    expect(nftablesChainBase(longNs, longName, longPort, 'SCTP')).toBe(`KR6NACJP-${longBase}`);
  });

  test.each([
    { ip: '10.180.0.1', port: 80, expected: 'JO2XBXZR-testing/service/tcp/http__10.180.0.1/80' },
    { ip: '10.180.0.2', port: 80, expected: '5S6H3H22-testing/service/tcp/http__10.180.0.2/80' },
    {
      ip: 'fd80:abcd:12::a1b2:c3d4:e5f6:9999',
      port: 80,
      expected: 'U7E2ET36-testing/service/tcp/http__fd80.abcd.12..a1b2.c3d4.e5f6.9999/80',
    },
  ])('endpoint $ip:$port', ({ ip, port, expected }) => {
    expect(nftablesEndpointChainBase('testing', 'service', 'http', 'TCP', ip, port)).toBe(expected);
  });

  test.each([
    {
      ip: '1234:5678:9abc:def0::abc:1234',
      expected: `5YS7AFEA-${longBase}__1234.5678.9abc.def0..abc.1234/443`,
    },
    {
      ip: '1234:5678:9abc:def0::abcd:1234:5678',
      expected: `CI6C53Q3-${longBase}__1234.5678.9abc.def0..abcd.1234...`,
    },
    {
      ip: '1234:5678:9abc:def0::abcd:1234:8765',
      expected: `2FLXFK6X-${longBase}__1234.5678.9abc.def0..abcd.1234...`,
    },
  ])('long endpoint chain names are truncated after hashing ($ip)', ({ ip, expected }) => {
    expect(nftablesEndpointChainBase(longNs, longName, longPort, 'SCTP', ip, 443)).toBe(expected);
  });
});
