// Differential test against real netfilter. A network namespace plays the node: rules that
// src/nodedump/iptables/render.ts renders for a cluster are loaded into it with iptables-restore;
// test hosts in other namespaces (a pod, an outside client, the node itself) send real TCP and
// UDP packets; a backend namespace answers with the address it was reached at and the source
// it saw (so masquerading shows). Each landing is compared with
//   - src/nodedump/iptables/evaluate.ts on the same rules,
//   - the data-path simulator (src/dataplane/kubeproxy) on the same API objects,
// over generated clusters (Service types, traffic policies, endpoints, source ranges, affinity,
// kube-proxy settings), and the golden node's packet-flow table is played on it too.
//
// Every address is in 198.18.0.0/15 and lives only inside namespaces this test creates and
// deletes (also on failure; a crashed run's namespaces are removed by the next run). Needs root,
// `ip` and `iptables-restore`; otherwise it is skipped with the reason printed.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyPacket } from '../src/dataplane/kubeproxy/index.js';
import type { ProxyResult } from '../src/dataplane/kubeproxy/types.js';
import { emptySnapshotData, Snapshot } from '../src/model/snapshot.js';
import type { EndpointSlice, Meta, Node, Service, SnapshotData } from '../src/model/types.js';
import { GOLDEN_NODE, goldenData } from '../src/nodedump/fixtures/golden-cluster.js';
import { GOLDEN_FLOWS } from '../src/nodedump/fixtures/golden-flows.js';
import { evaluateIptables, type NodeTrace } from '../src/nodedump/iptables/evaluate.js';
import { parseIptablesSave } from '../src/nodedump/iptables/parse.js';
import { renderKubeProxyIptables } from '../src/nodedump/iptables/render.js';

const PREFIX = 'svcdkd-';
const RUN = `${PREFIX}${process.pid}-`;
const NS = { node: `${RUN}node`, pod: `${RUN}pod`, out: `${RUN}out`, be: `${RUN}be` };

// Addressing (all inside 198.18.0.0/15):
const CLUSTER_CIDR = '198.18.0.0/16';
const POD_GW = '198.18.0.1';
const POD_CLIENT = '198.18.0.2';
const BE_GW = '198.18.180.1';
const NODE_IP = '198.19.0.2';
const OUT_GW = '198.19.113.1';
const OUT_ALLOWED = '198.19.113.2';
const OUT_BLOCKED = '198.19.113.130';
const SOURCE_RANGE = '198.19.113.0/25';
const NODE_LOCAL = [NODE_IP, OUT_GW, POD_GW, BE_GW];
const EP_POOL = Array.from({ length: 24 }, (_, i) => `198.18.180.${10 + i}`);
const TCP_PORTS = [8080, 8081];
const UDP_PORT = 5353;
const TIMEOUT_MS = 400;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  if (!run('ip', ['-V']).ok) return '`ip` (iproute2) not installed';
  if (!run('iptables-restore', ['--version']).ok) return '`iptables-restore` not installed';
  const probe = `${RUN}probe`;
  const made = run('ip', ['netns', 'add', probe]);
  if (!made.ok) return `cannot create network namespaces: ${made.out.trim()}`;
  const ipt = run(
    'ip',
    ['netns', 'exec', probe, 'iptables-restore'],
    '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n',
  );
  run('ip', ['netns', 'del', probe]);
  if (!ipt.ok) return `iptables-restore does not work in a namespace: ${ipt.out.trim()}`;
  return undefined;
}

/** Deletes namespaces left by a run whose process is gone (a crash or a killed CI job). */
function cleanLeftovers(): void {
  for (const line of run('ip', ['netns', 'list']).out.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    try {
      if (!alive) process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) run('ip', ['netns', 'del', name]);
  }
}

// A tiny agent per namespace: "client" answers {id, proto, src, dst, port} with where the
// connection landed; "server" answers every connection/datagram with "LOCAL:PORT REMOTE".
const AGENT = String.raw`
import net from 'node:net';
import dgram from 'node:dgram';
import readline from 'node:readline';
const [mode, timeoutMs, ...ports] = process.argv.slice(2);
if (mode === 'server') {
  let pending = 0;
  const up = () => { if (--pending === 0) console.log('ready'); };
  for (const p of ports) {
    const [proto, port, addrs] = p.split('/');
    if (proto === 'tcp') {
      pending++;
      const srv = net.createServer((s) => { s.on('error', () => {}); s.end(s.localAddress + ':' + s.localPort + ' ' + s.remoteAddress + '\n'); });
      srv.listen(Number(port), '0.0.0.0', up);
    } else {
      // One socket per address, so the reply can say which address the datagram was sent to.
      for (const a of (addrs ?? '').split(',').filter(Boolean)) {
        pending++;
        const u = dgram.createSocket('udp4');
        u.on('message', (_m, r) => u.send(a + ':' + port + ' ' + r.address, r.port, r.address));
        u.bind(Number(port), a, up);
      }
    }
  }
} else {
  const rl = readline.createInterface({ input: process.stdin });
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  rl.on('line', (line) => {
    const q = JSON.parse(line);
    let done = false;
    const finish = (r) => { if (!done) { done = true; clearTimeout(t); out({ id: q.id, ...r }); try { sock.destroy?.(); sock.close?.(); } catch {} } };
    const t = setTimeout(() => finish({ result: 'timeout' }), Number(q.timeout ?? timeoutMs));
    const err = (e) => finish(e.code === 'ECONNREFUSED' ? { result: 'refused' } : { result: 'error', message: e.code || String(e) });
    let sock;
    if (q.proto === 'tcp') {
      sock = net.connect({ host: q.dst, port: q.port, localAddress: q.src });
      let buf = '';
      sock.on('data', (d) => { buf += d; });
      sock.on('end', () => finish({ result: 'ok', answer: buf.trim() }));
      sock.on('error', err);
    } else {
      sock = dgram.createSocket('udp4');
      sock.on('error', err);
      sock.on('message', (m) => finish({ result: 'ok', answer: String(m).trim() }));
      sock.bind(0, q.src, () => sock.connect(q.port, q.dst, (e) => (e ? err(e) : sock.send('x'))));
    }
  });
  console.log('ready');
}
`;

interface Agent {
  proc: ChildProcessWithoutNullStreams;
  ask(q: { proto: string; src: string; dst: string; port: number; timeout?: number }): Promise<Observed>;
}
interface Observed {
  result: 'ok' | 'refused' | 'timeout' | 'error';
  answer?: string;
  message?: string;
}

function startAgent(ns: string, script: string, args: string[]): Promise<Agent> {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const waiting = new Map<number, (o: Observed) => void>();
  let next = 0;
  let buf = '';
  return new Promise((resolve, reject) => {
    const fail = setTimeout(() => reject(new Error(`agent in ${ns} did not start`)), 30_000);
    proc.on('error', reject);
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i = buf.indexOf('\n');
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') {
          clearTimeout(fail);
          resolve(agent);
        } else if (line.startsWith('{')) {
          const o = JSON.parse(line) as Observed & { id: number };
          waiting.get(o.id)?.(o);
          waiting.delete(o.id);
        }
        i = buf.indexOf('\n');
      }
    });
    const agent: Agent = {
      proc,
      ask(q) {
        const id = next++;
        return new Promise((res) => {
          waiting.set(id, res);
          proc.stdin.write(`${JSON.stringify({ id, ...q })}\n`);
        });
      },
    };
  });
}

/**
 * One connection attempt. Silence after the short timeout is asked again with a long one when an
 * answer was expected, so a loaded machine cannot turn a slow answer into a "drop".
 */
async function observe(
  agent: Agent,
  q: { proto: string; src: string; dst: string; port: number },
  expected: string,
): Promise<Observed> {
  const first = await agent.ask(q);
  if (first.result !== 'timeout' || expected === 'timeout') return first;
  return agent.ask({ ...q, timeout: 3000 });
}

// ------------------------------------------------------------------ generated clusters

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function meta(name: string, namespace: string, labels: Record<string, string> = {}): Meta {
  return { name, namespace, labels, annotations: {}, ownerReferences: [], managedFields: [] };
}

interface Case {
  name: string;
  from: 'pod' | 'out' | 'node';
  src: string;
  dst: string;
  port: number;
  proto: 'tcp' | 'udp';
}

function generate(seed: number): { data: SnapshotData; cases: Case[] } {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  const cases: Case[] = [];
  const n = 10;
  for (let i = 0; i < n; i++) {
    const type = pick(['ClusterIP', 'NodePort', 'LoadBalancer'] as const);
    const proto = rnd() < 0.3 ? 'UDP' : 'TCP';
    const p = proto === 'TCP' ? 'tcp' : 'udp';
    const port = proto === 'TCP' ? 80 : 53;
    const targetPort = proto === 'TCP' ? pick(TCP_PORTS) : UDP_PORT;
    const clusterIP = `198.19.30.${10 + i}`;
    const nodePort = type === 'ClusterIP' ? undefined : 30000 + seed * 100 + i;
    const external = rnd() < 0.3 ? [`198.19.99.${10 + i}`] : [];
    const lb = type === 'LoadBalancer' ? `198.19.200.${10 + i}` : undefined;
    const ranges = lb && rnd() < 0.5 ? (rnd() < 0.3 ? [SOURCE_RANGE, CLUSTER_CIDR] : [SOURCE_RANGE]) : [];
    const name = `svc${i}`;
    const ns = `ns${seed}`;
    services.push({
      kind: 'Service',
      meta: meta(name, ns),
      type,
      clusterIP,
      clusterIPs: [clusterIP],
      headless: false,
      ports: [{ name: 'p', protocol: proto, port, targetPort, ...(nodePort ? { nodePort } : {}) }],
      externalIPs: external,
      externalTrafficPolicy: type !== 'ClusterIP' && rnd() < 0.5 ? 'Local' : 'Cluster',
      internalTrafficPolicy: rnd() < 0.2 ? 'Local' : 'Cluster',
      loadBalancerSourceRanges: ranges,
      ipFamilies: ['IPv4'],
      sessionAffinity: rnd() < 0.2 ? 'ClientIP' : 'None',
      publishNotReadyAddresses: false,
      loadBalancerIngress: lb ? [{ ip: lb }] : [],
      ...(type === 'LoadBalancer' ? { healthCheckNodePort: 32000 + i } : {}),
    });
    const count = Math.floor(rnd() * 4);
    const used = new Set<string>();
    const eps = [];
    for (let k = 0; k < count; k++) {
      const ip = pick(EP_POOL);
      if (used.has(ip)) continue;
      used.add(ip);
      const r = rnd();
      const ready = r < 0.75;
      const terminating = !ready && rnd() < 0.6;
      eps.push({
        addresses: [ip],
        conditions: { ready, serving: ready || terminating, terminating },
        nodeName: rnd() < 0.5 ? 'kd-node' : 'other-node',
        hintsForZones: [],
        hintsForNodes: [],
      });
    }
    if (eps.length > 0 || rnd() < 0.5) {
      slices.push({
        kind: 'EndpointSlice',
        meta: meta(`${name}-1`, ns, { 'kubernetes.io/service-name': name }),
        serviceName: name,
        addressType: 'IPv4',
        endpoints: eps,
        ports: [{ name: 'p', port: targetPort, protocol: proto }],
      });
    }
    const c = (label: string, from: Case['from'], src: string, dst: string, dport: number) =>
      cases.push({
        name: `seed ${seed} ${ns}/${name} ${type}: ${label}`,
        from,
        src,
        dst,
        port: dport,
        proto: p,
      });
    c('pod to ClusterIP', 'pod', POD_CLIENT, clusterIP, port);
    c('node to ClusterIP', 'node', NODE_IP, clusterIP, port);
    c('outside to ClusterIP', 'out', OUT_ALLOWED, clusterIP, port);
    if (nodePort) {
      c('outside to NodePort on node IP', 'out', OUT_ALLOWED, NODE_IP, nodePort);
      c('outside to NodePort on another local address', 'out', OUT_ALLOWED, OUT_GW, nodePort);
      c('pod to NodePort', 'pod', POD_CLIENT, NODE_IP, nodePort);
      c('node to its own NodePort', 'node', NODE_IP, NODE_IP, nodePort);
    }
    if (lb) {
      c('allowed outside to LB IP', 'out', OUT_ALLOWED, lb, port);
      c('blocked outside to LB IP', 'out', OUT_BLOCKED, lb, port);
      c('pod to LB IP', 'pod', POD_CLIENT, lb, port);
      c('node to LB IP', 'node', NODE_IP, lb, port);
    }
    for (const ip of external) {
      c('outside to external IP', 'out', OUT_ALLOWED, ip, port);
      c('pod to external IP', 'pod', POD_CLIENT, ip, port);
    }
  }
  cases.push({
    name: `seed ${seed}: pod to an address no Service owns`,
    from: 'pod',
    src: POD_CLIENT,
    dst: '198.19.30.250',
    port: 80,
    proto: 'tcp',
  });
  cases.push({
    name: `seed ${seed}: outside to an unused node port`,
    from: 'out',
    src: OUT_ALLOWED,
    dst: NODE_IP,
    port: 29999,
    proto: 'tcp',
  });
  const node: Node = {
    kind: 'Node',
    meta: meta('kd-node', ''),
    // Every address the node namespace holds, so the simulator (which reads only the Node
    // object) knows the same local addresses as the evaluator.
    addresses: NODE_LOCAL.map((address) => ({ type: 'InternalIP', address })),
    internalIPs: NODE_LOCAL,
    externalIPs: [],
    conditions: [{ type: 'Ready', status: 'True' }],
    ready: true,
    unschedulable: false,
    taints: [],
    podCIDRs: ['198.18.0.0/24'],
  };
  return {
    data: {
      ...emptySnapshotData(),
      services,
      endpointSlices: slices,
      nodes: [node],
      // Each seed also varies kube-proxy's own configuration.
      kubeProxy: {
        mode: 'iptables',
        ...(seed % 4 === 2 ? {} : { clusterCIDR: CLUSTER_CIDR }),
        nodePortAddresses: seed % 4 === 3 ? [`${NODE_IP}/32`] : [],
        masqueradeAll: seed % 4 === 1,
        masqueradeBit: seed % 4 === 1 ? 12 : 14,
      },
    },
    cases,
  };
}

/** What an answer (the evaluator's or the simulator's) means for a real client. */
function expectedFor(
  t: Pick<NodeTrace | ProxyResult, 'verdict' | 'endpoints' | 'masquerade'>,
  dst: string,
): { kind: 'delivered'; endpoints: string[]; masq: boolean } | { kind: 'refused' | 'timeout' } {
  switch (t.verdict) {
    case 'delivered':
      return { kind: 'delivered', endpoints: t.endpoints, masq: t.masquerade };
    case 'rejected':
    case 'local': // nothing listens on the node itself: the kernel answers with RST / port unreachable
      return { kind: 'refused' };
    case 'unhandled':
      // Untouched by kube-proxy: a packet for the node itself meets no listener (reset);
      // anything else is routed on to an address nobody owns (silence).
      return NODE_LOCAL.includes(dst) ? { kind: 'refused' } : { kind: 'timeout' };
    case 'dropped':
      return { kind: 'timeout' };
  }
}

// ------------------------------------------------------------------ the test

// ------------------------------------------------------------------ the golden node, remapped

// The golden cluster (src/nodedump/fixtures) uses upstream's test addresses; here every one is
// moved into 198.18.0.0/15 so its packet-flow table can be played on real netfilter.
const GOLDEN_TCP_PORT = 80;
const GOLDEN_UDP_PORT = 53;

function remapIP(ip: string): string {
  const fixed: Record<string, string> = {
    '192.168.0.2': NODE_IP,
    '192.168.1.2': OUT_GW, // the golden node's other local addresses stay local here
    '192.168.99.11': POD_GW,
    '10.0.0.2': POD_CLIENT,
    '1.2.3.4': '198.19.200.4',
    '5.6.7.8': '198.19.200.8',
    '9.10.11.12': '198.19.200.12',
  };
  if (fixed[ip]) return fixed[ip];
  const o = ip.split('.').map(Number);
  if (o[0] === 10 && o[1] === 180) return `198.18.180.${10 + (o[3] ?? 0)}`; // endpoints, into EP_POOL
  if (o[0] === 10) return `198.18.${o[2]}.${o[3]}`;
  if (o[0] === 172 && o[1] === 30) return `198.19.30.${o[3]}`;
  if (o[0] === 192 && o[1] === 168) return `198.19.${o[2]}.${o[3]}`;
  if (o[0] === 203 && o[1] === 0 && o[2] === 113) return `198.19.113.${o[3]}`;
  throw new Error(`no remap for ${ip}`);
}

function remapCidr(cidr: string): string {
  const [ip, bits] = cidr.trim().split('/');
  if (ip === '10.0.0.0' && bits === '8') return CLUSTER_CIDR;
  return `${remapIP(ip as string)}/${bits}`;
}

const remapEndpoint = (ep: string): string => {
  const [ip, port] = ep.split(':');
  return `${remapIP(ip as string)}:${port}`;
};

function remappedGolden(): SnapshotData {
  const d = goldenData();
  for (const s of d.services) {
    s.clusterIP = remapIP(s.clusterIP);
    s.clusterIPs = s.clusterIPs.map(remapIP);
    s.externalIPs = s.externalIPs.map(remapIP);
    s.loadBalancerIngress = s.loadBalancerIngress.map((i) => ({
      ...i,
      ...(i.ip ? { ip: remapIP(i.ip) } : {}),
    }));
    s.loadBalancerSourceRanges = s.loadBalancerSourceRanges.map(remapCidr);
  }
  for (const sl of d.endpointSlices) for (const e of sl.endpoints) e.addresses = e.addresses.map(remapIP);
  for (const n of d.nodes) {
    n.addresses = NODE_LOCAL.map((address) => ({ type: 'InternalIP', address }));
    n.internalIPs = [...NODE_LOCAL];
    n.podCIDRs = n.podCIDRs.map(remapCidr);
  }
  d.kubeProxy = { ...d.kubeProxy!, clusterCIDR: CLUSTER_CIDR };
  return d;
}

const reason = unavailable();
let dir = '';
const agents: Partial<Record<'pod' | 'out' | 'node' | 'be', Agent>> = {};

function sh(...args: string[]): void {
  const r = run(args[0] as string, args.slice(1));
  if (!r.ok) throw new Error(`${args.join(' ')}: ${r.out}`);
}

function setUpNetwork(): void {
  cleanLeftovers();
  for (const ns of Object.values(NS)) sh('ip', 'netns', 'add', ns);
  const inNs = (ns: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);
  const link = (a: string, b: string, ns: string) => {
    sh('ip', 'link', 'add', a, 'netns', NS.node, 'type', 'veth', 'peer', 'name', b, 'netns', ns);
  };
  link('kd-pod', 'eth0', NS.pod);
  link('kd-out', 'eth0', NS.out);
  link('kd-be', 'eth0', NS.be);
  for (const ns of Object.values(NS)) {
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    inNs(ns, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
  }
  // REJECT answers with ICMP; the kernel's per-host ICMP rate limit would turn most of the
  // parallel cases' answers into silence.
  inNs(
    NS.node,
    'sysctl',
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.ipv4.icmp_ratelimit=0',
    'net.ipv4.icmp_msgs_per_sec=100000',
  );
  inNs(NS.node, 'ip', 'addr', 'add', `${POD_GW}/24`, 'dev', 'kd-pod');
  inNs(NS.node, 'ip', 'addr', 'add', `${OUT_GW}/24`, 'dev', 'kd-out');
  inNs(NS.node, 'ip', 'addr', 'add', `${NODE_IP}/32`, 'dev', 'kd-out');
  inNs(NS.node, 'ip', 'addr', 'add', `${BE_GW}/24`, 'dev', 'kd-be');
  for (const d of ['kd-pod', 'kd-out', 'kd-be']) {
    inNs(NS.node, 'ip', 'link', 'set', d, 'up');
    inNs(NS.node, 'sysctl', '-qw', `net.ipv4.conf.${d}.rp_filter=0`, `net.ipv4.conf.${d}.send_redirects=0`);
  }
  // Whatever kube-proxy does not translate is routed to the outside host, which drops it.
  inNs(NS.node, 'ip', 'route', 'add', 'default', 'via', OUT_ALLOWED);
  inNs(NS.pod, 'ip', 'addr', 'add', `${POD_CLIENT}/24`, 'dev', 'eth0');
  inNs(NS.out, 'ip', 'addr', 'add', `${OUT_ALLOWED}/24`, 'dev', 'eth0');
  inNs(NS.out, 'ip', 'addr', 'add', `${OUT_BLOCKED}/24`, 'dev', 'eth0');
  for (const ip of EP_POOL) inNs(NS.be, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
  for (const ns of [NS.pod, NS.out, NS.be]) inNs(ns, 'ip', 'link', 'set', 'eth0', 'up');
  inNs(NS.pod, 'ip', 'route', 'add', 'default', 'via', POD_GW);
  inNs(NS.out, 'ip', 'route', 'add', 'default', 'via', OUT_GW);
  inNs(NS.be, 'ip', 'route', 'add', 'default', 'via', BE_GW);
}

function tearDown(): void {
  for (const a of Object.values(agents)) a?.proc.kill('SIGKILL');
  for (const ns of Object.values(NS)) run('ip', ['netns', 'del', ns]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}

describe.skipIf(reason !== undefined)(
  'kernel differential: rendered kube-proxy rules in a namespace vs the evaluator',
  () => {
    beforeAll(async () => {
      try {
        dir = mkdtempSync(join(tmpdir(), 'svcd-kd-'));
        const script = join(dir, 'agent.mjs');
        writeFileSync(script, AGENT);
        setUpNetwork();
        const serverPorts = [
          ...[...TCP_PORTS, GOLDEN_TCP_PORT].map((p) => `tcp/${p}`),
          ...[UDP_PORT, GOLDEN_UDP_PORT].map((p) => `udp/${p}/${EP_POOL.join(',')}`),
        ];
        agents.be = await startAgent(NS.be, script, ['server', '0', ...serverPorts]);
        agents.pod = await startAgent(NS.pod, script, ['client', String(TIMEOUT_MS)]);
        agents.out = await startAgent(NS.out, script, ['client', String(TIMEOUT_MS)]);
        agents.node = await startAgent(NS.node, script, ['client', String(TIMEOUT_MS)]);
      } catch (e) {
        tearDown();
        throw e;
      }
    }, 60_000);

    afterAll(() => {
      tearDown();
    });

    it("the golden node's packet-flow table holds on the real kernel", async () => {
      const rendered = renderKubeProxyIptables(new Snapshot(remappedGolden()), GOLDEN_NODE, {
        nfacct: false,
      });
      const restore = run('ip', ['netns', 'exec', NS.node, 'iptables-restore'], rendered.text);
      expect(restore.ok, restore.out).toBe(true);
      const clientOf = (src: string): 'pod' | 'out' | 'node' | undefined =>
        src === POD_CLIENT
          ? 'pod'
          : src === OUT_ALLOWED || src === OUT_BLOCKED
            ? 'out'
            : src === NODE_IP
              ? 'node'
              : undefined;
      const played: string[] = [];
      const skipped: string[] = [];
      const failures: string[] = [];
      await Promise.all(
        GOLDEN_FLOWS.map(async (f) => {
          const src = f.packet.src.startsWith('127.') ? f.packet.src : remapIP(f.packet.src);
          const from = clientOf(src);
          // Loopback NodePorts need route_localnet; an endpoint as client needs a host in the backend namespace.
          if (!from) {
            skipped.push(f.name);
            return;
          }
          const dst = remapIP(f.packet.dst);
          const proto = f.packet.protocol ?? 'tcp';
          const want = expectedFor(
            {
              verdict: f.verdict,
              endpoints: (f.endpoints ?? []).map(remapEndpoint),
              masquerade: f.masq ?? false,
            },
            dst,
          );
          const obs = await observe(agents[from]!, { proto, src, dst, port: f.packet.dport }, want.kind);
          played.push(f.name);
          const [landed, seen] = (obs.answer ?? '').split(' ');
          const ok =
            obs.result === 'ok'
              ? want.kind === 'delivered' &&
                want.endpoints.includes(landed ?? '') &&
                want.masq === (seen !== src)
              : want.kind === obs.result;
          if (!ok)
            failures.push(
              `${f.name}: ${proto} ${src} -> ${dst}:${f.packet.dport}: kernel ${obs.result} ${obs.answer ?? ''}, table ${JSON.stringify(want)}`,
            );
        }),
      );
      console.log(
        `kernel differential: played ${played.length} golden packet-flow cases on the kernel (${skipped.length} need a client this topology lacks: ${skipped.join('; ')})`,
      );
      expect(failures, failures.join('\n')).toEqual([]);
      expect(played.length).toBeGreaterThan(20);
    }, 60_000);

    it('real packets land where the evaluator says, for every generated case', async () => {
      let compared = 0;
      const failures: string[] = [];
      const simFailures: string[] = [];
      for (const seed of SEEDS) {
        const { data, cases } = generate(seed);
        const snapshot = new Snapshot(data);
        const rendered = renderKubeProxyIptables(snapshot, 'kd-node', { nfacct: false });
        const restore = run('ip', ['netns', 'exec', NS.node, 'iptables-restore'], rendered.text);
        expect(restore.ok, restore.out).toBe(true);
        const rs = parseIptablesSave(rendered.text, `rendered seed ${seed}`);
        const results = await Promise.all(
          cases.map(async (c) => {
            const t = evaluateIptables(
              rs,
              { src: c.src, dst: c.dst, dport: c.port, protocol: c.proto },
              { localAddresses: NODE_LOCAL },
            );
            const want = expectedFor(t, c.dst);
            const q = { proto: c.proto, src: c.src, dst: c.dst, port: c.port };
            return { c, t, want, obs: await observe(agents[c.from]!, q, want.kind) };
          }),
        );
        for (const { c, t, want, obs } of results) {
          compared++;
          const [landed, seen] = (obs.answer ?? '').split(' ');
          const got =
            obs.result === 'ok'
              ? `delivered to ${landed}, source seen ${seen}`
              : obs.result + (obs.message ? ` (${obs.message})` : '');
          const agrees = (w: ReturnType<typeof expectedFor>): boolean =>
            obs.result === 'ok'
              ? w.kind === 'delivered' && w.endpoints.includes(landed ?? '') && w.masq === (seen !== c.src)
              : w.kind === obs.result;
          const ok = agrees(want);
          // The data-path simulator (src/dataplane/kubeproxy) answers from the API objects alone.
          const sim = expectedFor(
            proxyPacket(snapshot, 'kd-node', {
              src: c.src,
              dst: c.dst,
              dport: c.port,
              protocol: c.proto === 'tcp' ? 'TCP' : 'UDP',
              hook: c.from === 'node' ? 'output' : 'prerouting',
            }),
            c.dst,
          );
          if (!agrees(sim)) {
            simFailures.push(
              `${c.name}: ${c.proto} ${c.src} -> ${c.dst}:${c.port}\n  kernel: ${got}\n  simulator: ${JSON.stringify(sim)}`,
            );
          }
          if (!ok) {
            failures.push(
              `${c.name}: ${c.proto} ${c.src} -> ${c.dst}:${c.port}\n  kernel: ${got}\n  evaluator: ${JSON.stringify(want)}\n  rules:\n    ${t.rules.map((r) => `${r.table} ${r.chain}: ${r.rule}`).join('\n    ')}`,
            );
          }
        }
      }
      console.log(
        `kernel differential: compared ${compared} cases (${SEEDS.length} generated clusters); the evaluator disagreed on ${failures.length}, the simulator on ${simFailures.length}`,
      );
      expect(failures, failures.join('\n\n')).toEqual([]);
      expect(simFailures, simFailures.join('\n\n')).toEqual([]);
      expect(compared).toBeGreaterThan(100);
    }, 120_000);
  },
);

if (reason !== undefined) {
  console.log(`kernel differential test skipped: ${reason}`);
}
