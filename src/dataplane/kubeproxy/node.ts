import type { Snapshot } from '../../model/snapshot.js';
import type { IPFamily, Node, Pod, ProxyMode } from '../../model/types.js';
import {
  type Addr,
  anyContains,
  type Cidr,
  canonicalIP,
  cidrContains,
  cidrText,
  familyOf,
  isLoopback,
  parseCIDR,
  parseIP,
} from './ip.js';
import type { ProxyIndex } from './lookup.js';
import type { ProxyOptions } from './types.js';

/** What kube-proxy on one node knows about itself: addresses, configuration, version. */
export interface NodeContext {
  nodeName: string;
  node?: Node;
  /** Addresses `-m addrtype LOCAL` matches on this node (node addresses and loopback). */
  localAddrs: Set<string>;
  primary: Partial<Record<IPFamily, Addr>>;
  mode: ProxyMode;
  version?: { major: number; minor: number };
  /** The local-traffic detector's CIDRs; undefined when kube-proxy runs without one (no-op). */
  detector?: Cidr[];
  detectorPods?: ReadonlyMap<string, Pod>;
  masqueradeAll: boolean;
  nodePortAddresses: string[];
  localhostNodePorts: boolean;
  notes: string[];
  /** Per-Service-port evaluations on this node (filled lazily by evalPort). */
  evalCache: Map<string, import('./service.js').PortEval>;
}

export function parseVersion(v: string | undefined): { major: number; minor: number } | undefined {
  const m = v ? /v?(\d+)\.(\d+)/.exec(v) : null;
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function versionAtLeast(ctx: NodeContext, major: number, minor: number): boolean | undefined {
  if (!ctx.version) return undefined;
  return ctx.version.major > major || (ctx.version.major === major && ctx.version.minor >= minor);
}

export function nodeContext(
  snapshot: Snapshot,
  index: ProxyIndex,
  nodeName: string,
  opts: ProxyOptions,
): NodeContext {
  const notes: string[] = [];
  const node = snapshot.node(nodeName);
  if (!node) notes.push(`node ${nodeName} is not in the snapshot: its addresses are unknown`);
  const localAddrs = new Set<string>(['127.0.0.1', '::1']);
  const primary: Partial<Record<IPFamily, Addr>> = {};
  // utilnode.GetNodeHostIPs: InternalIP addresses first, ExternalIP after.
  const ordered = node
    ? [
        ...node.addresses.filter((a) => a.type === 'InternalIP'),
        ...node.addresses.filter((a) => a.type === 'ExternalIP'),
      ]
    : [];
  for (const a of ordered) {
    const addr = parseIP(a.address);
    if (!addr) continue;
    localAddrs.add(addr.toString());
    const fam = familyOf(addr);
    if (!primary[fam]) primary[fam] = addr;
  }

  const cloudProxy = snapshot.data.cloud?.cluster.kubeProxy;
  const cfg = snapshot.data.kubeProxy;
  // The ConfigMap's config is authoritative; the CloudInventory may name only the mode.
  const cfgKnown = cfg !== undefined;
  let mode: ProxyMode;
  if (opts.mode) mode = opts.mode;
  else if (cfg?.mode) mode = cfg.mode;
  else if (cfg && cfgKnown && !cloudProxy?.mode)
    mode = 'iptables'; // an empty mode means iptables on Linux
  else if (cloudProxy?.mode) mode = cloudProxy.mode;
  else {
    mode = 'iptables';
    notes.push('kube-proxy mode unknown: assumed iptables, the Linux default');
  }

  let versionText = opts.kubeProxyVersion ?? cloudProxy?.version ?? node?.kubeProxyVersion;
  if (!versionText && node?.kubeletVersion) {
    versionText = node.kubeletVersion;
    notes.push(`kube-proxy version assumed equal to the kubelet's (${node.kubeletVersion})`);
  }

  // Local traffic detector (pkg/proxy/util/localdetector.go); interface-based modes cannot be
  // evaluated from addresses alone, so they are approximated by the node's pod CIDRs.
  let detector: Cidr[] | undefined;
  let detectorPods: ReadonlyMap<string, Pod> | undefined;
  const parseList = (list: readonly string[]): Cidr[] => {
    const out: Cidr[] = [];
    for (const s of list.flatMap((x) => x.split(','))) {
      const c = parseCIDR(s);
      if (c) out.push(c);
    }
    return out;
  };
  if (cfg && cfgKnown) {
    const detectMode = cfg.detectLocalMode ?? 'ClusterCIDR';
    if (detectMode === 'ClusterCIDR') {
      const cidrs = parseList(cfg.clusterCIDR ? [cfg.clusterCIDR] : []);
      if (cidrs.length > 0) detector = cidrs;
      else
        notes.push(
          'kube-proxy has no clusterCIDR: no local-traffic detector (pod traffic is not told apart)',
        );
    } else {
      const cidrs = parseList(node?.podCIDRs ?? []);
      if (cidrs.length > 0) detector = cidrs;
      if (detectMode !== 'NodeCIDR') {
        notes.push(`detectLocalMode ${detectMode} approximated by this node's podCIDRs and pods`);
        const pods = new Map<string, Pod>();
        for (const p of snapshot.podsOnNode(nodeName)) {
          if (p.hostNetwork) continue;
          for (const ip of p.podIPs) pods.set(canonicalIP(ip), p);
        }
        detectorPods = pods;
      }
    }
  } else if (index.nodePodCIDRs.length > 0) {
    detector = index.nodePodCIDRs;
    notes.push(
      `kube-proxy configuration unknown: cluster CIDR assumed to be the nodes' podCIDRs (${index.nodePodCIDRs
        .slice(0, 3)
        .map(cidrText)
        .join(', ')}${index.nodePodCIDRs.length > 3 ? ', ...' : ''})`,
    );
  } else {
    notes.push('kube-proxy configuration unknown and no podCIDRs: no local-traffic detector assumed');
  }

  return {
    nodeName,
    node,
    localAddrs,
    primary,
    mode,
    version: parseVersion(versionText),
    detector,
    detectorPods,
    masqueradeAll: cfgKnown ? (cfg?.masqueradeAll ?? false) : false,
    nodePortAddresses: cfgKnown ? (cfg?.nodePortAddresses ?? []) : [],
    localhostNodePorts: opts.localhostNodePorts ?? true,
    notes,
    evalCache: new Map(),
  };
}

const contexts = new WeakMap<Snapshot, Map<string, NodeContext>>();

/** nodeContext, built once per snapshot, node and options (a Snapshot never changes). */
export function cachedNodeContext(
  snapshot: Snapshot,
  index: ProxyIndex,
  nodeName: string,
  opts: ProxyOptions,
): NodeContext {
  let perSnap = contexts.get(snapshot);
  if (!perSnap) {
    perSnap = new Map();
    contexts.set(snapshot, perSnap);
  }
  const key = `${nodeName}|${opts.mode ?? ''}|${opts.localhostNodePorts ?? ''}|${opts.kubeProxyVersion ?? ''}`;
  let ctx = perSnap.get(key);
  if (!ctx) {
    ctx = nodeContext(snapshot, index, nodeName, opts);
    perSnap.set(key, ctx);
  }
  return ctx;
}

/** proxier.localDetector.IsImplemented() */
export function detectorImplemented(ctx: NodeContext): boolean {
  return ctx.detector !== undefined || ctx.detectorPods !== undefined;
}

/** proxier.localDetector.IfLocal(): the source is a pod of the cluster (or of this node). */
export function isPodSource(ctx: NodeContext, src: Addr): boolean {
  if (ctx.detector && anyContains(ctx.detector, src)) return true;
  return ctx.detectorPods?.has(src.toString()) ?? false;
}

/** `-m addrtype --src-type LOCAL` / `--dst-type LOCAL` */
export function isLocalAddress(ctx: NodeContext, a: Addr): boolean {
  if (isLoopback(a)) return true;
  return ctx.localAddrs.has(a.toString());
}

export interface NodePortAddresses {
  matchAll: boolean;
  cidrs: Cidr[];
  containsIPv4Loopback: boolean;
}

/** proxyutil.NewNodePortAddresses, including the "primary" keyword. */
export function nodePortAddresses(
  ctx: NodeContext,
  family: IPFamily,
  defaultPrimary: boolean,
): NodePortAddresses {
  const raw = ctx.nodePortAddresses.length > 0 ? ctx.nodePortAddresses : defaultPrimary ? ['primary'] : [];
  const cidrs: Cidr[] = [];
  for (const s of raw) {
    if (s.trim() === 'primary') {
      const p = ctx.primary[family];
      if (p) cidrs.push([p, family === 'IPv4' ? 32 : 128]);
      continue;
    }
    const c = parseCIDR(s);
    if (c && familyOf(c[0]) === family) cidrs.push(c);
  }
  if (cidrs.length === 0) {
    const zero = parseCIDR(family === 'IPv4' ? '0.0.0.0/0' : '::/0')!;
    return { matchAll: true, cidrs: [zero], containsIPv4Loopback: family === 'IPv4' };
  }
  const matchAll = cidrs.some((c) => c[1] === 0);
  const lo = parseIP('127.0.0.1')!;
  const containsIPv4Loopback =
    family === 'IPv4' && (matchAll || cidrs.some((c) => isLoopback(c[0]) || cidrContains(c, lo)));
  return { matchAll, cidrs, containsIPv4Loopback };
}
