// Trace speed: one packet through the kube-proxy simulator in a 10,000-Service snapshot, against
// a bare Map lookup, and against the same trace in a 1,000-Service snapshot (a ratio near 1 means
// the trace does not grow with the cluster). The Service list is watched to show it is not read.
import { performance } from 'node:perf_hooks';
import { proxyPacket } from '../src/dataplane/kubeproxy/index.js';
import type { Packet } from '../src/dataplane/kubeproxy/types.js';
import { emptySnapshotData, Snapshot } from '../src/model/snapshot.js';
import type { EndpointSlice, Node, Service } from '../src/model/types.js';
import { ms, ratio } from './util.js';

const meta = (name: string, namespace: string, labels: Record<string, string> = {}) => ({
  name,
  namespace,
  labels,
  annotations: {},
  ownerReferences: [],
  managedFields: [],
});

function clusterOf(services: number): Snapshot {
  const data = emptySnapshotData();
  const nodes: Node[] = [];
  for (let n = 1; n <= 20; n++) {
    const ip = `192.168.1.${n}`;
    nodes.push({
      kind: 'Node',
      meta: meta(`node-${n}`, ''),
      addresses: [{ type: 'InternalIP', address: ip }],
      internalIPs: [ip],
      externalIPs: [],
      conditions: [{ type: 'Ready', status: 'True' }],
      ready: true,
      unschedulable: false,
      taints: [],
      podCIDRs: [`10.${100 + n}.0.0/16`],
    });
  }
  const svcs: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let s = 0; s < services; s++) {
    const ns = `ns-${s % 50}`;
    const name = `svc-${s}`;
    const ip = `10.96.${Math.floor(s / 250)}.${(s % 250) + 1}`;
    svcs.push({
      kind: 'Service',
      meta: meta(name, ns),
      type: s % 10 === 0 ? 'LoadBalancer' : 'ClusterIP',
      selector: { app: name },
      clusterIP: ip,
      clusterIPs: [ip],
      headless: false,
      ports: [
        {
          name: 'http',
          protocol: 'TCP',
          port: 80,
          targetPort: 8080,
          ...(s % 10 === 0 ? { nodePort: 30000 + (s % 2000) } : {}),
        },
      ],
      externalIPs: [],
      externalTrafficPolicy: s % 20 === 0 ? 'Local' : 'Cluster',
      internalTrafficPolicy: 'Cluster',
      loadBalancerSourceRanges: [],
      ipFamilies: ['IPv4'],
      sessionAffinity: 'None',
      publishNotReadyAddresses: false,
      loadBalancerIngress: s % 10 === 0 ? [{ ip: `203.0.${Math.floor(s / 250)}.${(s % 250) + 1}` }] : [],
    });
    slices.push({
      kind: 'EndpointSlice',
      meta: meta(`${name}-x`, ns, { 'kubernetes.io/service-name': name }),
      serviceName: name,
      addressType: 'IPv4',
      endpoints: [0, 1, 2].map((p) => ({
        addresses: [`10.${100 + ((s + p) % 20) + 1}.${Math.floor(s / 250)}.${(s % 250) + 1}`],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: `node-${((s + p) % 20) + 1}`,
        hintsForZones: [],
        hintsForNodes: [],
      })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  data.services = svcs;
  data.endpointSlices = slices;
  data.nodes = nodes;
  data.kubeProxy = {
    mode: 'iptables',
    clusterCIDR: '10.0.0.0/8',
    nodePortAddresses: [],
    masqueradeAll: false,
    masqueradeBit: 14,
  };
  return new Snapshot(data);
}

function perOp(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 200); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

export async function run(): Promise<string[]> {
  const big = clusterOf(10_000);
  const small = clusterOf(1_000);
  // The last ClusterIP of the big cluster, an eTP Local LoadBalancer, traced from outside.
  const target = big.services[big.services.length - 1] as Service;
  const clusterIPPacket: Packet = {
    src: '10.101.0.5',
    dst: target.clusterIP,
    dport: 80,
    protocol: 'TCP',
    hook: 'prerouting',
  };
  const smallTarget = small.services[small.services.length - 1] as Service;
  const smallPacket: Packet = { ...clusterIPPacket, dst: smallTarget.clusterIP };

  const t0 = performance.now();
  const first = proxyPacket(big, 'node-1', clusterIPPacket);
  const firstMs = performance.now() - t0;

  let reads = 0;
  const services = big.data.services;
  Object.defineProperty(big.data, 'services', {
    get() {
      reads++;
      return services;
    },
  });
  proxyPacket(small, 'node-1', smallPacket);
  // Alternate the two clusters and keep each one's best round, so machine load hits both alike.
  const n = 2000;
  let trace = Number.POSITIVE_INFINITY;
  let traceSmall = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    trace = Math.min(
      trace,
      perOp(() => proxyPacket(big, 'node-1', clusterIPPacket), n),
    );
    traceSmall = Math.min(
      traceSmall,
      perOp(() => proxyPacket(small, 'node-1', smallPacket), n),
    );
  }
  const readsPerTrace = reads;

  const map = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) map.set(`10.96.${Math.floor(i / 250)}.${(i % 250) + 1}|80|TCP`, i);
  const key = `${target.clusterIP}|80|TCP`;
  let sink = 0;
  const lookup = perOp(() => {
    sink += map.get(key) ?? 0;
  }, 200_000);
  if (sink < 0) throw new Error('unreachable');

  return [
    `10,000 Services: first trace (builds the index once) ${ms(firstMs)}, verdict ${first.verdict} -> ${first.endpoints.join(', ')}`,
    `one trace ${(trace * 1000).toFixed(1)} µs; Map lookup baseline ${(lookup * 1e6).toFixed(0)} ns; trace / lookup ${ratio(trace, lookup)}`,
    `trace in 10,000 Services / trace in 1,000 Services: ${ratio(trace, traceSmall)} (10× the Services; a scan of every Service would cost about 10×)`,
    `Service list reads during ${5 * (n + Math.min(n, 200))} traces after indexing: ${readsPerTrace} (no scan)`,
  ];
}
