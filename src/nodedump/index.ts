import type { Snapshot } from '../model/snapshot.js';
import type { Step } from '../model/trace.js';
import type { NodeDumpFiles, Protocol, ProxyMode } from '../model/types.js';
import { type AddrDump, localAddresses, parseIpAddr } from './addr/parse.js';
import { isIPv4 } from './ip.js';
import { evaluateIptables, type NodeTrace, type NodeVerdict, type TraceRule } from './iptables/evaluate.js';
import type { Ruleset } from './iptables/model.js';
import { parseIptablesSave } from './iptables/parse.js';
import { type RenderOptions, type RenderResult, renderKubeProxyIptables } from './iptables/render.js';
import { evaluateIpvs, type IpvsIndex, indexIpvs } from './ipvs/evaluate.js';
import { parseIpvsadm } from './ipvs/parse.js';

export { parseIpAddr } from './addr/parse.js';
export { isNodeDumpParseError, NodeDumpParseError } from './errors.js';
export type { NodeTrace, NodeVerdict, TraceRule } from './iptables/evaluate.js';
export { evaluateIptables } from './iptables/evaluate.js';
export { parseIptablesSave } from './iptables/parse.js';
export { renderKubeProxyIptables } from './iptables/render.js';
export { evaluateIpvs, indexIpvs } from './ipvs/evaluate.js';
export { parseIpvsadm } from './ipvs/parse.js';

/** A node's dumps, parsed once. Parse errors are thrown (typed, with file and line). */
export interface NodeDumpView {
  node: string;
  iptables?: Ruleset;
  ipvs?: IpvsIndex;
  addr?: AddrDump;
}

const viewCache = new WeakMap<NodeDumpFiles, NodeDumpView>();

export function loadNodeDump(files: NodeDumpFiles): NodeDumpView {
  const cached = viewCache.get(files);
  if (cached) return cached;
  const view: NodeDumpView = { node: files.node };
  if (files.iptables) view.iptables = parseIptablesSave(files.iptables.text, files.iptables.file);
  if (files.ipvs) view.ipvs = indexIpvs(parseIpvsadm(files.ipvs.text, files.ipvs.file));
  if (files.addr) view.addr = parseIpAddr(files.addr.text, files.addr.file);
  viewCache.set(files, view);
  return view;
}

export function nodeDumpFiles(snapshot: Snapshot, node: string): NodeDumpFiles | undefined {
  return snapshot.data.nodeDumps.find((d) => d.node === node);
}

/** The node's own addresses: from `ip -o addr` when dumped, else the Node object's. */
export function nodeLocalAddresses(snapshot: Snapshot, node: string, view?: NodeDumpView): string[] {
  if (view?.addr) return localAddresses(view.addr);
  const n = snapshot.node(node);
  return n
    ? n.addresses.filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address)
    : [];
}

/** The packet shape of src/dataplane/kubeproxy (Packet), plus what only a real dump can use. */
export interface NodeDumpPacket {
  src: string;
  dst: string;
  dport: number;
  protocol?: Protocol;
  /** 'prerouting': arrived at the node; 'output': sent by a host process. Default: 'output' when src is one of the node's addresses. */
  hook?: 'prerouting' | 'output';
  /** The endpoint ("IP:port") the client already has ClientIP affinity to. */
  affinityTo?: string;
}

/**
 * The answer `trace --node` prints when it reads a node dump: DESIGN.md's trace JSON, shaped as
 * src/dataplane/kubeproxy's ProxyResult so either can answer, plus the matched rules.
 */
export interface NodeDumpTrace {
  verdict: NodeVerdict;
  /** DNAT targets the packet may go to (sorted). */
  endpoints: string[];
  masquerade: boolean;
  steps: Step[];
  mode: ProxyMode;
  service?: { namespace: string; name: string; port: string };
  notes: string[];
  node: string;
  /** Which dump answered. */
  source: 'iptables' | 'ipvs';
  file: string;
  probabilities: Record<string, number>;
  rules: TraceRule[];
  unknowns: string[];
}

const SERVICE_COMMENT = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9.]*)(?::([-a-z0-9]+))?(?:\s|$)/;

/** The Service a trace went through, from kube-proxy's rule comments ("ns/name:port cluster IP"). */
function serviceOf(rules: TraceRule[], ruleset: Ruleset | undefined): NodeDumpTrace['service'] {
  if (!ruleset) return undefined;
  for (const r of rules) {
    if (!r.chain.startsWith('KUBE-')) continue;
    const rule = ruleset.tables
      .get(r.table)
      ?.chains.get(r.chain)
      ?.rules.find((x) => x.line === r.line);
    for (const m of rule?.matches ?? []) {
      if (m.kind !== 'comment') continue;
      const c = SERVICE_COMMENT.exec(m.comment);
      if (c) return { namespace: c[1] as string, name: c[2] as string, port: c[3] ?? '' };
    }
  }
  return undefined;
}

function stepsOf(rules: TraceRule[]): Step[] {
  return rules.map((r) => ({ rule: `${r.table}/${r.chain} line ${r.line}`, detail: r.rule }));
}

/**
 * One packet through the node's real rules, from its dump. Undefined when the snapshot holds no
 * dump for the node. IPVS dumps answer when kube-proxy runs in IPVS mode (or only an IPVS dump
 * exists); then masquerading is not known (it lives in iptables rules matching ipsets).
 */
export function traceOnNodeDump(
  snapshot: Snapshot,
  node: string,
  packet: NodeDumpPacket,
): NodeDumpTrace | undefined {
  const files = nodeDumpFiles(snapshot, node);
  if (!files) return undefined;
  const view = loadNodeDump(files);
  const mode = snapshot.data.kubeProxy?.mode ?? snapshot.data.cloud?.cluster.kubeProxy?.mode;
  const protocol = (packet.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp';
  if (view.ipvs && (mode === 'ipvs' || !view.iptables)) {
    const t = evaluateIpvs(view.ipvs, { dst: packet.dst, dport: packet.dport, protocol });
    const rules: TraceRule[] = t.service
      ? [
          {
            table: 'ipvs',
            chain: `${t.service.protocol} ${t.service.address}:${t.service.port}`,
            rule: `virtual service ${t.service.protocol} ${t.service.address}:${t.service.port} scheduler ${t.service.scheduler}`,
            line: t.service.line,
          },
        ]
      : [];
    const unknowns = ['IPVS mode: masquerading is decided by iptables rules on ipsets, not evaluated'];
    return {
      verdict: t.verdict,
      endpoints: [...t.endpoints].sort(),
      masquerade: false,
      steps: stepsOf(rules),
      mode: 'ipvs',
      notes: unknowns,
      node,
      source: 'ipvs',
      file: view.ipvs.dump.file,
      probabilities: t.probabilities,
      rules,
      unknowns,
    };
  }
  // In IPVS or nftables mode the iptables dump alone does not decide where a packet goes.
  if (!view.iptables || mode === 'ipvs' || mode === 'nftables') return undefined;
  const t: NodeTrace = evaluateIptables(
    view.iptables,
    {
      src: packet.src,
      dst: packet.dst,
      dport: packet.dport,
      protocol,
      ...(packet.hook ? { origin: packet.hook === 'output' ? ('host' as const) : ('network' as const) } : {}),
      ...(packet.affinityTo ? { affinityTo: packet.affinityTo } : {}),
    },
    { localAddresses: nodeLocalAddresses(snapshot, node, view) },
  );
  const service = serviceOf(t.rules, view.iptables);
  return {
    verdict: t.verdict,
    endpoints: [...t.endpoints].sort(),
    masquerade: t.masquerade,
    steps: stepsOf(t.rules),
    mode: 'iptables',
    ...(service ? { service } : {}),
    notes: [`evaluated ${view.iptables.file} (${view.iptables.ruleCount} rules)`, ...t.unknowns],
    node,
    source: 'iptables',
    file: view.iptables.file,
    probabilities: t.probabilities,
    rules: t.rules,
    unknowns: t.unknowns,
  };
}

export interface ExpectedRules {
  rendered: RenderResult;
  ruleset: Ruleset;
}

const expectedCache = new WeakMap<Snapshot, Map<string, ExpectedRules>>();

/** What kube-proxy (iptables mode) should have programmed on the node, rendered and parsed once per snapshot. */
export function expectedIptables(snapshot: Snapshot, node: string, opts: RenderOptions = {}): ExpectedRules {
  let perNode = expectedCache.get(snapshot);
  if (!perNode) {
    perNode = new Map();
    expectedCache.set(snapshot, perNode);
  }
  const key = `${node}\0${JSON.stringify(opts)}`;
  const hit = perNode.get(key);
  if (hit) return hit;
  const rendered = renderKubeProxyIptables(snapshot, node, opts);
  const value = { rendered, ruleset: parseIptablesSave(rendered.text, `expected:${node}`) };
  perNode.set(key, value);
  return value;
}

export function firstIPv4(addresses: readonly string[]): string | undefined {
  return addresses.find(isIPv4);
}
