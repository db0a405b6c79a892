// Which endpoints kube-proxy programs: legacy Endpoints fallback, dual-stack families, zone hints.
import { describe, expect, test } from 'vitest';
import {
  endpointsFor as legacyEndpoints,
  node,
  pod,
  service,
  snapshotOf,
} from '../../../test/support/builders.js';
import type { EndpointSlice, Service } from '../../model/types.js';
import { proxyPacket } from './index.js';
import { kubeProxyConfig, slice, TEST_NODE, withUpstreamAddresses } from './testing.js';
import type { Packet } from './types.js';

const pkt = (dst: string, src = '10.0.0.2'): Packet => ({
  src,
  dst,
  dport: 80,
  protocol: 'TCP',
  hook: 'prerouting',
});

function web(mutate: (s: Service) => void = () => {}): Service {
  return service('web', (s) => {
    s.clusterIP = '172.30.0.41';
    s.clusterIPs = ['172.30.0.41'];
    s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }];
    mutate(s);
  });
}

describe('endpoint sources', () => {
  test('legacy Endpoints are used when no EndpointSlice exists; not-ready addresses are not', () => {
    const svc = web();
    const ready = pod('web-1', (p) => {
      p.podIP = '10.180.0.1';
      p.podIPs = ['10.180.0.1'];
    });
    const notReady = pod('web-2', (p) => {
      p.podIP = '10.180.0.2';
      p.podIPs = ['10.180.0.2'];
      p.ready = false;
    });
    const snapshot = snapshotOf({
      services: [svc],
      pods: [ready, notReady],
      endpoints: [legacyEndpoints(svc, [ready, notReady])],
      nodes: [node(TEST_NODE, withUpstreamAddresses)],
      kubeProxy: kubeProxyConfig({ clusterCIDR: '10.0.0.0/8' }),
      autoSlices: false,
    });
    expect(proxyPacket(snapshot, TEST_NODE, pkt('172.30.0.41')).endpoints).toEqual(['10.180.0.1:8080']);
  });

  test('a dual-stack Service sends each family to the endpoints of that family', () => {
    const svc = web((s) => {
      s.clusterIPs = ['172.30.0.41', 'fd00:172:30::41'];
      s.ipFamilies = ['IPv4', 'IPv6'];
      s.ipFamilyPolicy = 'PreferDualStack';
    });
    const port = [{ name: 'http', port: 8080 }];
    const snapshot = snapshotOf({
      services: [svc],
      endpointSlices: [
        slice('default', 'web', [{ ip: '10.180.0.1' }], port),
        slice('default', 'web', [{ ip: 'fd00:10:180::1' }], port, { n: 2, family: 'IPv6' }),
      ],
      nodes: [node(TEST_NODE, withUpstreamAddresses)],
      kubeProxy: kubeProxyConfig({ clusterCIDR: '10.0.0.0/8,fd00:10::/64' }),
      autoSlices: false,
    });
    expect(proxyPacket(snapshot, TEST_NODE, pkt('172.30.0.41')).endpoints).toEqual(['10.180.0.1:8080']);
    expect(proxyPacket(snapshot, TEST_NODE, pkt('fd00:172:30::41', 'fd00:10::2')).endpoints).toEqual([
      '[fd00:10:180::1]:8080',
    ]);
  });
});

describe('topology-aware routing', () => {
  const zoned = (hints: [string, string][]): EndpointSlice => {
    const s = slice(
      'default',
      'web',
      hints.map(([ip]) => ({ ip })),
      [{ name: 'http', port: 8080 }],
    );
    s.endpoints = s.endpoints.map((e, i) => ({ ...e, hintsForZones: [hints[i]?.[1] ?? ''] }));
    return s;
  };
  const snap = (svc: Service, s: EndpointSlice) =>
    snapshotOf({
      services: [svc],
      endpointSlices: [s],
      nodes: [
        node(TEST_NODE, (n) => {
          withUpstreamAddresses(n);
          n.meta.labels['topology.kubernetes.io/zone'] = 'zone-a';
        }),
      ],
      kubeProxy: kubeProxyConfig({ clusterCIDR: '10.0.0.0/8' }),
      autoSlices: false,
    });
  const hinted = zoned([
    ['10.180.0.1', 'zone-a'],
    ['10.180.0.2', 'zone-b'],
  ]);

  test.each([
    {
      name: 'trafficDistribution PreferClose keeps traffic in the node zone',
      svc: web((s) => (s.trafficDistribution = 'PreferClose')),
      expected: ['10.180.0.1:8080'],
    },
    {
      name: 'the topology-mode annotation does the same',
      svc: web((s) => (s.meta.annotations['service.kubernetes.io/topology-mode'] = 'Auto')),
      expected: ['10.180.0.1:8080'],
    },
    {
      name: 'without either, hints are ignored',
      svc: web(),
      expected: ['10.180.0.1:8080', '10.180.0.2:8080'],
    },
  ])('$name', ({ svc, expected }) => {
    expect(proxyPacket(snap(svc, hinted), TEST_NODE, pkt('172.30.0.41')).endpoints).toEqual(expected);
  });

  test('hints are ignored when no endpoint is hinted for the node zone', () => {
    const elsewhere = zoned([
      ['10.180.0.1', 'zone-b'],
      ['10.180.0.2', 'zone-c'],
    ]);
    const svc = web((s) => (s.trafficDistribution = 'PreferClose'));
    expect(proxyPacket(snap(svc, elsewhere), TEST_NODE, pkt('172.30.0.41')).endpoints).toEqual([
      '10.180.0.1:8080',
      '10.180.0.2:8080',
    ]);
  });
});
