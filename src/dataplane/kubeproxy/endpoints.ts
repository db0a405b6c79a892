import { backendsOf } from '../../model/endpoints.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { IPFamily, Service, ServicePort } from '../../model/types.js';
import { canonicalIP, familyOfText, joinHostPort } from './ip.js';
import { externallyAccessibleType } from './lookup.js';

/** One endpoint of one Service port as kube-proxy's EndpointsMap holds it. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** "ip:port" */
  addr: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  local: boolean;
  nodeName?: string;
  zoneHints: string[];
}

/** The result of proxy.CategorizeEndpoints for this node. */
export interface Categorized {
  all: ProxyEndpoint[];
  cluster: ProxyEndpoint[];
  local: ProxyEndpoint[];
  /** Endpoints some rule on this node can DNAT to (the KUBE-SEP chains written). */
  reachable: ProxyEndpoint[];
  hasAnyEndpoints: boolean;
  usedTopology: boolean;
  usedTerminatingFallback: boolean;
}

export interface PortPolicy {
  externallyAccessible: boolean;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
}

/** BaseServicePortInfo.ExternallyAccessible / ExternalPolicyLocal / InternalPolicyLocal for one port. */
export function portPolicy(svc: Service, port: ServicePort, lbVIPs: number): PortPolicy {
  const externallyAccessible = (port.nodePort ?? 0) !== 0 || lbVIPs > 0 || svc.externalIPs.length > 0;
  return {
    externallyAccessible,
    externalPolicyLocal: externallyAccessibleType(svc) && svc.externalTrafficPolicy === 'Local',
    internalPolicyLocal: svc.internalTrafficPolicy === 'Local',
  };
}

export function endpointsFor(
  snapshot: Snapshot,
  svc: Service,
  port: ServicePort,
  family: IPFamily,
  nodeName: string,
): ProxyEndpoint[] {
  const out: ProxyEndpoint[] = [];
  const seen = new Set<string>();
  const hints = topologyRequested(svc) ? zoneHints(snapshot, svc) : undefined;
  for (const b of backendsOf(snapshot, svc).backends) {
    // EndpointSliceCache keys endpoints by Service port name and protocol.
    const ep = b.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
    if (!ep || ep.port === undefined) continue;
    if (familyOfText(b.ip) !== family) continue;
    const ip = canonicalIP(b.ip);
    const addr = joinHostPort(ip, ep.port);
    if (seen.has(addr)) continue;
    seen.add(addr);
    out.push({
      ip,
      port: ep.port,
      addr,
      ready: b.ready,
      serving: b.serving,
      terminating: b.terminating,
      local: b.nodeName !== undefined && b.nodeName === nodeName,
      nodeName: b.nodeName,
      zoneHints: hints?.get(b.ip) ?? [],
    });
  }
  return out;
}

function zoneHints(snapshot: Snapshot, svc: Service): Map<string, string[]> {
  // Zone hints live on the slice endpoint; the merged Backend does not carry them.
  const m = new Map<string, string[]>();
  for (const s of snapshot.endpointSlicesFor(svc.meta.namespace, svc.meta.name)) {
    for (const e of s.endpoints) {
      const ip = e.addresses[0];
      if (ip && !m.has(ip)) m.set(ip, e.hintsForZones);
    }
  }
  return m;
}

function topologyRequested(svc: Service): boolean {
  const a =
    svc.meta.annotations['service.kubernetes.io/topology-mode'] ??
    svc.meta.annotations['service.kubernetes.io/topology-aware-hints'] ??
    '';
  if (a !== '' && a !== 'disabled' && a !== 'Disabled') return true;
  return svc.trafficDistribution !== undefined && svc.trafficDistribution !== '';
}

/**
 * proxy.CategorizeEndpoints: which endpoints "Cluster" and "Local" policies use on this node,
 * with the fallback to serving+terminating endpoints when no ready one exists.
 * Zone hints are honoured; node hints (PreferSameNode) are not modelled.
 */
export function categorize(
  endpoints: ProxyEndpoint[],
  svc: Service,
  policy: PortPolicy,
  nodeZone: string | undefined,
): Categorized {
  const usesCluster = !policy.internalPolicyLocal || policy.externallyAccessible;
  const usesLocal = policy.internalPolicyLocal || (policy.externalPolicyLocal && policy.externallyAccessible);
  let cluster: ProxyEndpoint[] = [];
  let local: ProxyEndpoint[] = [];
  let hasAny = false;
  let useTopology = false;
  let useTerminating = false;

  if (usesCluster) {
    useTopology =
      topologyRequested(svc) &&
      nodeZone !== undefined &&
      nodeZone !== '' &&
      endpoints.filter((e) => e.ready).every((e) => e.zoneHints.length > 0) &&
      endpoints.some((e) => e.ready && e.zoneHints.includes(nodeZone));
    cluster = endpoints.filter((e) => e.ready && (!useTopology || e.zoneHints.includes(nodeZone ?? '')));
    if (cluster.length === 0) cluster = endpoints.filter((e) => e.serving && e.terminating);
    if (cluster.length > 0) hasAny = true;
  }
  if (!usesLocal) {
    return {
      all: endpoints,
      cluster,
      local,
      reachable: cluster,
      hasAnyEndpoints: hasAny,
      usedTopology: useTopology,
      usedTerminatingFallback: cluster.some((e) => !e.ready),
    };
  }
  let localReady = false;
  let localTerminating = false;
  for (const e of endpoints) {
    if (e.ready) {
      hasAny = true;
      if (e.local) localReady = true;
    } else if (e.serving && e.terminating) {
      hasAny = true;
      if (e.local) localTerminating = true;
    }
  }
  if (localReady) local = endpoints.filter((e) => e.local && e.ready);
  else if (localTerminating) {
    useTerminating = true;
    local = endpoints.filter((e) => e.local && e.serving && e.terminating);
  }
  let reachable: ProxyEndpoint[];
  if (!usesCluster) reachable = local;
  else if (!useTopology && !useTerminating) reachable = cluster;
  else {
    const m = new Map<string, ProxyEndpoint>();
    for (const e of [...cluster, ...local]) m.set(e.addr, e);
    reachable = [...m.values()];
  }
  return {
    all: endpoints,
    cluster,
    local,
    reachable,
    hasAnyEndpoints: hasAny,
    usedTopology: useTopology,
    usedTerminatingFallback: useTerminating || cluster.some((e) => !e.ready),
  };
}
