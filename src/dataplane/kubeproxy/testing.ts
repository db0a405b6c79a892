// Fixture helpers for the kube-proxy simulator's tests (kept out of *.test.ts so several test
// files can share them). They mirror upstream's makeTestEndpointSlice / NewFakeProxier.
import type { EndpointSlice, KubeProxyConfig, Node, Protocol } from '../../model/types.js';
import type { ProxyResult } from './types.js';

export interface EpSpec {
  ip: string;
  node?: string;
  /** nil in upstream fixtures means true */
  ready?: boolean;
  /** nil means "same as ready" */
  serving?: boolean;
  terminating?: boolean;
}

export interface PortSpec {
  name: string;
  port: number;
  protocol?: Protocol;
}

/** An EndpointSlice as upstream's makeTestEndpointSlice builds it (slice "<svc>-<n>"). */
export function slice(
  namespace: string,
  service: string,
  eps: EpSpec[],
  ports: PortSpec[],
  opts: { n?: number; family?: 'IPv4' | 'IPv6' } = {},
): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    meta: {
      name: `${service}-${opts.n ?? 1}`,
      namespace,
      labels: { 'kubernetes.io/service-name': service },
      annotations: {},
      ownerReferences: [],
      managedFields: [],
    },
    serviceName: service,
    addressType: opts.family ?? 'IPv4',
    endpoints: eps.map((e) => {
      const ready = e.ready ?? true;
      return {
        addresses: [e.ip],
        conditions: { ready, serving: e.serving ?? ready, terminating: e.terminating ?? false },
        ...(e.node ? { nodeName: e.node } : {}),
        hintsForZones: [],
        hintsForNodes: [],
      };
    }),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

export function kubeProxyConfig(over: Partial<KubeProxyConfig> = {}): KubeProxyConfig {
  return { mode: 'iptables', nodePortAddresses: [], masqueradeAll: false, masqueradeBit: 14, ...over };
}

/** Upstream's NewFakeProxier node: eth0 carries these addresses (first IPv4 is the node IP). */
export const TEST_NODE = 'test-node';
export const TEST_NODE_IP = '192.168.0.2';
export const TEST_NODE_IP_ALT = '192.168.1.2';
export const TEST_EXTERNAL_IP = '192.168.99.11';
export const TEST_NODE_IPV6 = '2001:db8::1';
export const TEST_NODE_IPV6_ALT = '2001:db8:1::2';
export const TEST_EXTERNAL_CLIENT = '203.0.113.2';
export const TEST_EXTERNAL_CLIENT_BLOCKED = '203.0.113.130';

export function withUpstreamAddresses(n: Node): void {
  const ips = [TEST_NODE_IP, TEST_NODE_IP_ALT, TEST_EXTERNAL_IP, TEST_NODE_IPV6, TEST_NODE_IPV6_ALT];
  n.addresses = [
    ...ips.map((address) => ({ type: 'InternalIP', address })),
    { type: 'Hostname', address: n.meta.name },
  ];
  n.internalIPs = ips;
  n.podCIDRs = ['10.180.0.0/24'];
}

/** Renders a result the way upstream's packet tracer prints its output. */
export function flowOutput(r: ProxyResult): string {
  switch (r.verdict) {
    case 'delivered':
      return r.endpoints.join(', ');
    case 'rejected':
      return 'REJECT';
    case 'dropped':
      return 'DROP';
    case 'local':
      return 'ACCEPT';
    default:
      return '';
  }
}
