import type { Snapshot } from '../model/snapshot.js';
import type { NodeDumpFiles, Protocol } from '../model/types.js';
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

export interface NodeDumpPacket {
  src: string;
  dst: string;
  port: number;
  protocol?: Protocol;
  /** Default: 'host' when src is one of the node's addresses, else 'network'. */
  origin?: 'network' | 'host';
  /** The client already has ClientIP affinity (recent lists hold it). */
  affinity?: boolean;
}

/** The answer `trace --node` prints when it reads a node dump (DESIGN.md trace JSON). */
export interface NodeDumpTrace {
  node: string;
  /** Which dump answered. */
  source: 'iptables' | 'ipvs';
  file: string;
  verdict: NodeVerdict;
  endpoints: string[];
  probabilities: Record<string, number>;
  masquerade: boolean;
  rules: TraceRule[];
  unknowns: string[];
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
    const t = evaluateIpvs(view.ipvs, { dst: packet.dst, dport: packet.port, protocol });
    return {
      node,
      source: 'ipvs',
      file: view.ipvs.dump.file,
      verdict: t.verdict,
      endpoints: t.endpoints,
      probabilities: t.probabilities,
      masquerade: false,
      rules: t.service
        ? [
            {
              table: 'ipvs',
              chain: `${t.service.protocol} ${t.service.address}:${t.service.port}`,
              rule: `virtual service ${t.service.protocol} ${t.service.address}:${t.service.port} scheduler ${t.service.scheduler}`,
              line: t.service.line,
            },
          ]
        : [],
      unknowns: ['IPVS mode: masquerading is decided by iptables rules on ipsets, not evaluated'],
    };
  }
  if (!view.iptables) return undefined;
  const t: NodeTrace = evaluateIptables(
    view.iptables,
    {
      src: packet.src,
      dst: packet.dst,
      dport: packet.port,
      protocol,
      ...(packet.origin ? { origin: packet.origin } : {}),
      ...(packet.affinity ? { affinity: true } : {}),
    },
    { localAddresses: nodeLocalAddresses(snapshot, node, view) },
  );
  return {
    node,
    source: 'iptables',
    file: view.iptables.file,
    verdict: t.verdict,
    endpoints: t.endpoints,
    probabilities: t.probabilities,
    masquerade: t.masquerade,
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
