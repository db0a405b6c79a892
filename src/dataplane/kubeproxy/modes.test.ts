// How the three Linux kube-proxy modes differ for the same packet, plus iptables behaviour the
// upstream packet-flow tables do not cover (host-process packets, ipMode Proxy, chain names).
import { describe, expect, test } from 'vitest';
import { node, service, snapshotOf } from '../../../test/support/builders.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { KubeProxyConfig, ProxyMode, Service, ServiceCIDR } from '../../model/types.js';
import { iptablesChains } from './chains.js';
import { proxyPacket } from './index.js';
import {
  type EpSpec,
  flowOutput,
  kubeProxyConfig,
  slice,
  TEST_EXTERNAL_CLIENT,
  TEST_NODE,
  TEST_NODE_IP,
  TEST_NODE_IP_ALT,
  withUpstreamAddresses,
} from './testing.js';
import type { Packet, ProxyOptions } from './types.js';

function svc(name: string, ip: string, mutate: (s: Service) => void): Service {
  return service(
    name,
    (s) => {
      s.clusterIP = ip;
      s.clusterIPs = [ip];
      s.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80 }];
      mutate(s);
    },
    'ns1',
  );
}

function snap(
  services: Service[],
  eps: Record<string, EpSpec[]>,
  cfg: Partial<KubeProxyConfig> = {},
  extra: { serviceCIDRs?: ServiceCIDR[] } = {},
): Snapshot {
  return snapshotOf({
    services,
    endpointSlices: Object.entries(eps).map(([name, list]) =>
      slice('ns1', name, list, [{ name: 'p80', port: 80 }]),
    ),
    nodes: [node(TEST_NODE, withUpstreamAddresses), node('node-2')],
    kubeProxy: kubeProxyConfig({ clusterCIDR: '10.0.0.0/8', ...cfg }),
    autoSlices: false,
    ...extra,
  });
}

const pkt = (src: string, dst: string, dport: number, hook: Packet['hook'] = 'prerouting'): Packet => ({
  src,
  dst,
  dport,
  protocol: 'TCP',
  hook,
});

interface ModeCase {
  name: string;
  snapshot: Snapshot;
  packet: Packet;
  /** expected output per mode ("ip:port, ..." | REJECT | DROP | ACCEPT | "") */
  expect: Partial<Record<ProxyMode, string>>;
  opts?: ProxyOptions;
  /** a rule name (chain, IPVS object) that must appear in the steps, per mode */
  rule?: Partial<Record<ProxyMode, string>>;
}

const etpLocalLB = svc('web', '172.30.0.41', (s) => {
  s.type = 'LoadBalancer';
  s.externalTrafficPolicy = 'Local';
  s.healthCheckNodePort = 30000;
  s.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3001 }];
  s.loadBalancerIngress = [{ ip: '1.2.3.4' }];
});
const remoteOnly = { web: [{ ip: '10.180.1.1', node: 'node-2' }] };
const localAndRemote = {
  web: [
    { ip: '10.180.0.1', node: TEST_NODE },
    { ip: '10.180.1.1', node: 'node-2' },
  ],
};
const itpLocal = svc('itp', '172.30.0.50', (s) => {
  s.internalTrafficPolicy = 'Local';
});
const plain = svc('plain', '172.30.0.42', () => {});
const nodePortSvc = svc('np', '172.30.0.43', (s) => {
  s.type = 'NodePort';
  s.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3003 }];
});
const cidr: ServiceCIDR = {
  kind: 'ServiceCIDR',
  meta: {
    name: 'kubernetes',
    namespace: '',
    labels: {},
    annotations: {},
    ownerReferences: [],
    managedFields: [],
  },
  cidrs: ['172.30.0.0/16'],
};

const cases: ModeCase[] = [
  {
    name: 'a pod on a node without a local endpoint reaches an eTP Local LoadBalancer IP through the in-node short-circuit',
    snapshot: snap([etpLocalLB], remoteOnly),
    packet: pkt('10.0.0.2', '1.2.3.4', 80),
    expect: { iptables: '10.180.1.1:80', nftables: '10.180.1.1:80', ipvs: '10.180.1.1:80' },
    rule: { iptables: iptablesChains('ns1/web:p80', 'TCP').ext, ipvs: 'ipvs' },
  },
  {
    name: 'kube-proxy before 1.21 in IPVS mode leaves the eTP Local virtual server empty on such a node, so the pod is refused',
    snapshot: snap([etpLocalLB], remoteOnly),
    packet: pkt('10.0.0.2', '1.2.3.4', 80),
    opts: { kubeProxyVersion: 'v1.20.6-tke.12' },
    expect: { ipvs: 'REJECT', iptables: '10.180.1.1:80' },
  },
  {
    name: 'a host-network process on a node without a local endpoint reaches an eTP Local LoadBalancer IP in iptables and nftables but times out in IPVS',
    snapshot: snap([etpLocalLB], remoteOnly),
    packet: pkt(TEST_NODE_IP, '1.2.3.4', 80, 'output'),
    expect: { iptables: '10.180.1.1:80', nftables: '10.180.1.1:80', ipvs: 'DROP' },
  },
  {
    name: 'an external client sent to a node without a local endpoint of an eTP Local LoadBalancer fails',
    snapshot: snap([etpLocalLB], remoteOnly),
    packet: pkt(TEST_EXTERNAL_CLIENT, '1.2.3.4', 80),
    expect: { iptables: 'DROP', nftables: 'DROP', ipvs: 'DROP' },
  },
  {
    name: 'an external client on a node with a local endpoint reaches only that endpoint',
    snapshot: snap([etpLocalLB], localAndRemote),
    packet: pkt(TEST_EXTERNAL_CLIENT, '1.2.3.4', 80),
    expect: { iptables: '10.180.0.1:80', nftables: '10.180.0.1:80', ipvs: '10.180.0.1:80' },
  },
  {
    name: 'the health check node port is answered by kube-proxy itself in every mode',
    snapshot: snap([etpLocalLB], remoteOnly),
    packet: pkt(TEST_EXTERNAL_CLIENT, TEST_NODE_IP, 30000),
    expect: { iptables: 'ACCEPT', nftables: 'ACCEPT', ipvs: 'ACCEPT' },
  },
  {
    name: 'a ClusterIP without endpoints is refused in every mode, by REJECT rules or by the empty IPVS server',
    snapshot: snap([plain], {}),
    packet: pkt('10.0.0.2', '172.30.0.42', 80),
    expect: { iptables: 'REJECT', nftables: 'REJECT', ipvs: 'REJECT' },
    rule: {
      iptables: 'filter/FORWARD/KUBE-SERVICES',
      nftables: 'filter-forward/service-endpoints-check',
      ipvs: 'ipvs',
    },
  },
  {
    name: 'internalTrafficPolicy Local without a local endpoint drops in iptables and nftables but is refused by IPVS',
    snapshot: snap([itpLocal], { itp: [{ ip: '10.180.1.9', node: 'node-2' }] }),
    packet: pkt('10.0.0.2', '172.30.0.50', 80),
    expect: { iptables: 'DROP', nftables: 'DROP', ipvs: 'REJECT' },
  },
  {
    name: 'internalTrafficPolicy Local on a NodePort Service without a local endpoint: IPVS falls back to every endpoint',
    snapshot: snap(
      [
        svc('itpnp', '172.30.0.51', (s) => {
          s.type = 'NodePort';
          s.internalTrafficPolicy = 'Local';
          s.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3005 }];
        }),
      ],
      { itpnp: [{ ip: '10.180.1.9', node: 'node-2' }] },
    ),
    packet: pkt('10.0.0.2', '172.30.0.51', 80),
    expect: { iptables: 'DROP', nftables: 'DROP', ipvs: '10.180.1.9:80' },
  },
  {
    name: 'a ClusterIP on a port no Service defines is left alone by iptables, rejected by nftables and by the IPVS filter',
    snapshot: snap([plain], { plain: [{ ip: '10.180.1.2', node: 'node-2' }] }),
    packet: pkt('10.0.0.2', '172.30.0.42', 8080),
    expect: { iptables: '', nftables: 'REJECT', ipvs: 'REJECT' },
    rule: { nftables: 'filter-forward/cluster-ips-check', ipvs: 'filter/INPUT/KUBE-IPVS-FILTER' },
  },
  {
    name: 'an unallocated address inside the service CIDR is dropped by nftables only',
    snapshot: snap([plain], { plain: [{ ip: '10.180.1.2', node: 'node-2' }] }, {}, { serviceCIDRs: [cidr] }),
    packet: pkt('10.0.0.2', '172.30.9.9', 80),
    expect: { iptables: '', nftables: 'DROP', ipvs: '' },
  },
  {
    name: 'localhost NodePorts are served by iptables (IPv4, route_localnet) but not by nftables or IPVS',
    snapshot: snap([nodePortSvc], { np: [{ ip: '10.180.1.3', node: 'node-2' }] }),
    packet: pkt('127.0.0.1', '127.0.0.1', 3003, 'output'),
    expect: { iptables: '10.180.1.3:80', nftables: '', ipvs: '' },
  },
  {
    name: 'nftables accepts NodePorts on the primary node IP only by default; iptables and IPVS on every node address',
    snapshot: snap([nodePortSvc], { np: [{ ip: '10.180.1.3', node: 'node-2' }] }),
    packet: pkt(TEST_EXTERNAL_CLIENT, TEST_NODE_IP_ALT, 3003),
    expect: { iptables: '10.180.1.3:80', nftables: '', ipvs: '10.180.1.3:80' },
  },
  {
    name: 'the primary NodePort address keyword restricts iptables too',
    snapshot: snap(
      [nodePortSvc],
      { np: [{ ip: '10.180.1.3', node: 'node-2' }] },
      { nodePortAddresses: ['primary'] },
    ),
    packet: pkt(TEST_EXTERNAL_CLIENT, TEST_NODE_IP_ALT, 3003),
    expect: { iptables: '', nftables: '' },
  },
  {
    name: 'a host process reaching a ClusterIP without endpoints is rejected on the OUTPUT path',
    snapshot: snap([plain], {}),
    packet: pkt(TEST_NODE_IP, '172.30.0.42', 80, 'output'),
    expect: { iptables: 'REJECT', nftables: 'REJECT' },
    rule: { iptables: 'filter/OUTPUT/KUBE-SERVICES', nftables: 'filter-output/service-endpoints-check' },
  },
  {
    name: 'a LoadBalancer ingress with ipMode Proxy is not captured, so the packet goes on to the load balancer',
    snapshot: snap(
      [
        svc('proxied', '172.30.0.44', (s) => {
          s.type = 'LoadBalancer';
          s.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3004 }];
          s.loadBalancerIngress = [{ ip: '5.6.7.8', ipMode: 'Proxy' }];
        }),
      ],
      { proxied: [{ ip: '10.180.1.4', node: 'node-2' }] },
    ),
    packet: pkt('10.0.0.2', '5.6.7.8', 80),
    expect: { iptables: '', nftables: '', ipvs: '' },
  },
];

describe('kube-proxy modes differ where users notice', () => {
  const rows = cases.flatMap((c) =>
    Object.entries(c.expect).map(([mode, expected]) => ({ ...c, mode: mode as ProxyMode, expected })),
  );
  test.each(rows)('$mode: $name', (c) => {
    const r = proxyPacket(c.snapshot, TEST_NODE, c.packet, { ...c.opts, mode: c.mode });
    const walked = r.steps.map((s) => `${s.rule ?? ''}: ${s.detail}`).join('\n');
    expect(flowOutput(r), `rules walked:\n${walked}\nnotes: ${r.notes.join(' | ')}`).toBe(c.expected);
    expect(r.mode).toBe(c.mode);
    const rule = c.rule?.[c.mode];
    if (rule) expect(r.steps.map((s) => s.rule)).toContain(rule);
  });
});

describe('iptables details', () => {
  const s = snap(
    [
      svc('svc1', '172.30.0.41', (x) => {
        x.sessionAffinity = 'ClientIP';
        x.sessionAffinityTimeoutSeconds = 600;
      }),
    ],
    { svc1: [{ ip: '10.180.0.1' }, { ip: '10.180.1.1' }] },
  );

  test('steps carry the chain names kube-proxy computes, so a node dump can be matched', () => {
    // The Service is ns1/svc1 port p80, as in upstream's fixtures.
    const r = proxyPacket(s, TEST_NODE, pkt('10.0.0.2', '172.30.0.41', 80), { mode: 'iptables' });
    expect(r.steps.map((x) => x.rule)).toEqual(
      expect.arrayContaining([
        'nat/PREROUTING',
        'KUBE-SERVICES',
        'KUBE-SVC-XPGD46QRK7WJZT7O',
        'KUBE-SEP-SXIVWICOYRO3J4NJ',
      ]),
    );
    expect(r.service).toEqual({ namespace: 'ns1', name: 'svc1', port: 'p80' });
  });

  test('session affinity is reported without narrowing the endpoint set', () => {
    const r = proxyPacket(s, TEST_NODE, pkt('10.0.0.2', '172.30.0.41', 80), { mode: 'iptables' });
    expect(r.endpoints).toEqual(['10.180.0.1:80', '10.180.1.1:80']);
    expect(r.notes.some((n) => n.startsWith('sessionAffinity ClientIP'))).toBe(true);
    const none = snap([svc('svc1', '172.30.0.41', () => {})], { svc1: [{ ip: '10.180.0.1' }] });
    const r2 = proxyPacket(none, TEST_NODE, pkt('10.0.0.2', '172.30.0.41', 80), { mode: 'iptables' });
    expect(r2.notes.some((n) => n.startsWith('sessionAffinity'))).toBe(false);
  });

  test('ipMode Proxy is honoured only by kube-proxy versions with LoadBalancerIPMode on', () => {
    const snapshot = snap(
      [
        svc('proxied', '172.30.0.44', (x) => {
          x.type = 'LoadBalancer';
          x.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3004 }];
          x.loadBalancerIngress = [{ ip: '5.6.7.8', ipMode: 'Proxy' }];
        }),
      ],
      { proxied: [{ ip: '10.180.1.4', node: 'node-2' }] },
    );
    const old = proxyPacket(snapshot, TEST_NODE, pkt('10.0.0.2', '5.6.7.8', 80), {
      kubeProxyVersion: 'v1.28.2',
    });
    expect(flowOutput(old)).toBe('10.180.1.4:80');
  });

  test('mode comes from the kube-proxy configuration when not forced', () => {
    const snapshot = snap([plain], {}, { mode: 'ipvs' });
    expect(proxyPacket(snapshot, TEST_NODE, pkt('10.0.0.2', '172.30.0.42', 80)).mode).toBe('ipvs');
  });

  test("an unknown kube-proxy configuration is said so, and the detector falls back to the nodes' podCIDRs", () => {
    const snapshot = snapshotOf({
      services: [plain],
      endpointSlices: [slice('ns1', 'plain', [{ ip: '10.180.1.2' }], [{ name: 'p80', port: 80 }])],
      nodes: [node(TEST_NODE, withUpstreamAddresses)],
      autoSlices: false,
    });
    const fromPod = proxyPacket(snapshot, TEST_NODE, pkt('10.180.0.7', '172.30.0.42', 80));
    const fromOutside = proxyPacket(snapshot, TEST_NODE, pkt(TEST_EXTERNAL_CLIENT, '172.30.0.42', 80));
    expect([fromPod.masquerade, fromOutside.masquerade]).toEqual([false, true]);
    expect(fromPod.notes.some((n) => n.startsWith('kube-proxy mode unknown'))).toBe(true);
  });
});

describe('kube-proxy configuration sources', () => {
  const base = {
    services: [plain],
    endpointSlices: [slice('ns1', 'plain', [{ ip: '10.180.1.2' }], [{ name: 'p80', port: 80 }])],
    nodes: [node(TEST_NODE, withUpstreamAddresses)],
    autoSlices: false,
  };
  const fromNode = pkt(TEST_NODE_IP, '172.30.0.42', 80, 'output');

  test('a CloudInventory that names only the mode leaves the cluster CIDR unknown', () => {
    // The kube-proxy ConfigMap was not collected; the inventory says the mode only.
    const snapshot = snapshotOf({
      ...base,
      cloud: { provider: 'tke', cluster: { kubeProxy: { mode: 'iptables' } } },
    });
    const r = proxyPacket(snapshot, TEST_NODE, fromNode);
    expect(r.masquerade).toBe(true);
    expect(r.notes.some((n) => n.startsWith('kube-proxy configuration unknown'))).toBe(true);
  });

  test('a collected config without clusterCIDR really has no local-traffic detector', () => {
    const snapshot = snapshotOf({ ...base, kubeProxy: kubeProxyConfig({ mode: 'iptables' }) });
    const r = proxyPacket(snapshot, TEST_NODE, fromNode);
    expect(r.masquerade).toBe(false);
  });
});

describe('the index makes a trace independent of the number of Services', () => {
  test('after the first trace, tracing never reads the Service list again', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      svc(`s${i}`, `172.31.${Math.floor(i / 250)}.${(i % 250) + 1}`, () => {}),
    );
    const snapshot = snap([plain, ...many], { plain: [{ ip: '10.180.1.2', node: 'node-2' }] });
    proxyPacket(snapshot, TEST_NODE, pkt('10.0.0.2', '172.30.0.42', 80));
    let reads = 0;
    const services = snapshot.data.services;
    Object.defineProperty(snapshot.data, 'services', {
      get() {
        reads++;
        return services;
      },
    });
    const r = proxyPacket(snapshot, TEST_NODE, pkt('10.0.0.2', '172.30.0.42', 80));
    expect(r.endpoints).toEqual(['10.180.1.2:80']);
    expect(reads).toBe(0);
  });
});
