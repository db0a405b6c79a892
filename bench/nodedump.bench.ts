// Node dumps at scale: parse and index a synthetic iptables-save of a 10,000-Service cluster
// (about 110,000 rules, rendered as kube-proxy would program it), against a bare line split of the
// same text; then the median time of one packet trace through it (first and last Service in
// KUBE-SERVICES, since the evaluator walks that chain rule by rule like the kernel).
import { performance } from 'node:perf_hooks';
import { emptySnapshotData, Snapshot } from '../src/model/snapshot.js';
import type { EndpointSlice, Node, Service } from '../src/model/types.js';
import { evaluateIptables, indexRuleset } from '../src/nodedump/iptables/evaluate.js';
import { parseIptablesSave } from '../src/nodedump/iptables/parse.js';
import { renderKubeProxyIptables } from '../src/nodedump/iptables/render.js';
import { median, ms, ratio } from './util.js';

const SERVICES = 10_000;
const ENDPOINTS = 3;

const meta = (name: string, namespace: string, labels: Record<string, string> = {}) => ({
  name,
  namespace,
  labels,
  annotations: {},
  ownerReferences: [],
  managedFields: [],
});

export function syntheticCluster(): Snapshot {
  const data = emptySnapshotData();
  const node: Node = {
    kind: 'Node',
    meta: meta('node-1', ''),
    addresses: [{ type: 'InternalIP', address: '192.168.1.1' }],
    internalIPs: ['192.168.1.1'],
    externalIPs: [],
    conditions: [{ type: 'Ready', status: 'True' }],
    ready: true,
    unschedulable: false,
    taints: [],
    podCIDRs: ['10.101.0.0/16'],
  };
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let s = 0; s < SERVICES; s++) {
    const ip = `10.96.${s >> 8}.${s & 255}`;
    const nodePort = s % 10 === 0 ? 30000 + (s % 2700) : undefined;
    services.push({
      kind: 'Service',
      meta: meta(`svc-${s}`, `ns-${s % 50}`),
      type: nodePort ? 'NodePort' : 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      headless: false,
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, ...(nodePort ? { nodePort } : {}) },
      ],
      externalIPs: [],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      loadBalancerSourceRanges: [],
      ipFamilies: ['IPv4'],
      sessionAffinity: 'None',
      publishNotReadyAddresses: false,
      loadBalancerIngress: [],
    });
    slices.push({
      kind: 'EndpointSlice',
      meta: meta(`svc-${s}-1`, `ns-${s % 50}`, { 'kubernetes.io/service-name': `svc-${s}` }),
      serviceName: `svc-${s}`,
      addressType: 'IPv4',
      endpoints: Array.from({ length: ENDPOINTS }, (_, e) => ({
        addresses: [`10.${110 + e}.${s >> 8}.${s & 255}`],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: `node-${e + 1}`,
        hintsForZones: [],
        hintsForNodes: [],
      })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  data.services = services;
  data.endpointSlices = slices;
  data.nodes = [node];
  data.kubeProxy = {
    mode: 'iptables',
    clusterCIDR: '10.96.0.0/12',
    nodePortAddresses: [],
    masqueradeAll: false,
    masqueradeBit: 14,
  };
  return new Snapshot(data);
}

export async function run(): Promise<string[]> {
  const t0 = performance.now();
  const text = renderKubeProxyIptables(syntheticCluster(), 'node-1').text;
  const renderMs = performance.now() - t0;
  const split = await median(() => text.split('\n').length, 5);
  let rules = 0;
  let cpu = 0;
  const parse = await median(() => {
    const c0 = process.cpuUsage();
    const parsed = parseIptablesSave(text, 'bench.iptables');
    indexRuleset(parsed);
    rules = parsed.ruleCount;
    const c = process.cpuUsage(c0);
    cpu = (c.user + c.system) / 1000;
  }, 3);
  const rs = parseIptablesSave(text, 'bench.iptables');
  indexRuleset(rs);
  const local = { localAddresses: ['192.168.1.1'] };
  const first = await median(
    () => evaluateIptables(rs, { src: '10.101.0.5', dst: '10.96.0.0', dport: 80 }, local),
    51,
  );
  const last = await median(
    () =>
      evaluateIptables(
        rs,
        { src: '10.101.0.5', dst: `10.96.${(SERVICES - 1) >> 8}.${(SERVICES - 1) & 255}`, dport: 80 },
        local,
      ),
    51,
  );
  const nodePort = await median(
    () => evaluateIptables(rs, { src: '203.0.113.9', dst: '192.168.1.1', dport: 30000 }, local),
    51,
  );
  return [
    `${SERVICES} Services, ${rules} rules, ${(text.length / 1e6).toFixed(1)} MB of iptables-save (rendered in ${ms(renderMs)})`,
    `parse + index: ${ms(parse)} (${ms(cpu)} CPU), ${ratio(parse, split)} a bare line split (${ms(split)})`,
    `one trace, first Service in KUBE-SERVICES: ${ms(first)} median = ${ratio(first, split)} the bare line split`,
    `one trace, last Service in KUBE-SERVICES: ${ms(last)} median (${ratio(last, first)} the first)`,
    `one trace, NodePort from outside (walks all of KUBE-SERVICES, then KUBE-NODEPORTS): ${ms(nodePort)} median (${ratio(nodePort, first)} the first)`,
  ];
}
