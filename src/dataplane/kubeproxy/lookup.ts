import type { Snapshot } from '../../model/snapshot.js';
import type { Protocol, Service, ServicePort } from '../../model/types.js';
import { type Cidr, canonicalIP, parseCIDR } from './ip.js';

// A per-Snapshot index of every address:port kube-proxy programs, built once (WeakMap cache)
// so that tracing one packet costs a few Map lookups whatever the number of Services.

export type VipKind = 'clusterIP' | 'externalIP' | 'loadBalancer';

export interface VipEntry {
  svc: Service;
  port: ServicePort;
  kind: VipKind;
  ip: string;
  /** LoadBalancer ingress with ipMode: Proxy (KEP-1860): kube-proxy must not capture it. */
  ipModeProxy?: boolean;
}

export interface NodePortEntry {
  svc: Service;
  port: ServicePort;
}

export interface ProxyIndex {
  /** "ip|port|PROTO" -> entries in Service order */
  byVip: Map<string, VipEntry[]>;
  /** "ip" -> every entry on that address (kube-ipvs0 binding, nftables cluster-ips set) */
  byIp: Map<string, VipEntry[]>;
  /** "port|PROTO" -> NodePort entries */
  byNodePort: Map<string, NodePortEntry[]>;
  /** health check node port -> Services (eTP Local LoadBalancers) */
  byHealthCheckPort: Map<number, Service[]>;
  /** Service CIDRs from ServiceCIDR objects (nftables drops unallocated ClusterIPs in them). */
  serviceCIDRs: Cidr[];
  /** Union of the nodes' podCIDRs, computed once, for when no kube-proxy config is known. */
  nodePodCIDRs: Cidr[];
}

const cache = new WeakMap<Snapshot, ProxyIndex>();

export function vipKey(ip: string, port: number, protocol: Protocol): string {
  return `${ip}|${port}|${protocol}`;
}

export function nodePortKey(port: number, protocol: Protocol): string {
  return `${port}|${protocol}`;
}

/** kube-proxy's ShouldSkipService: headless, unallocated and ExternalName Services get no rules. */
export function skippedByProxy(svc: Service): boolean {
  if (svc.type === 'ExternalName') return true;
  if (svc.headless || svc.clusterIP === 'None' || svc.clusterIP === '') return true;
  return false;
}

export function clusterIPsOf(svc: Service): string[] {
  const ips = svc.clusterIPs.length > 0 ? svc.clusterIPs : [svc.clusterIP];
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

/** apiservice.ExternallyAccessible */
export function externallyAccessibleType(svc: Service): boolean {
  return (
    svc.type === 'LoadBalancer' ||
    svc.type === 'NodePort' ||
    (svc.type === 'ClusterIP' && svc.externalIPs.length > 0)
  );
}

/** apiservice.NeedsHealthCheck: only eTP Local LoadBalancers get a health check node port. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local';
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export function proxyIndex(snapshot: Snapshot): ProxyIndex {
  const hit = cache.get(snapshot);
  if (hit) return hit;
  const idx: ProxyIndex = {
    byVip: new Map(),
    byIp: new Map(),
    byNodePort: new Map(),
    byHealthCheckPort: new Map(),
    serviceCIDRs: [],
    nodePodCIDRs: [],
  };
  const addVip = (e: VipEntry) => {
    push(idx.byVip, vipKey(e.ip, e.port.port, e.port.protocol), e);
    push(idx.byIp, e.ip, e);
  };
  for (const svc of snapshot.services) {
    if (skippedByProxy(svc)) continue;
    for (const port of svc.ports) {
      for (const ip of clusterIPsOf(svc)) {
        const c = canonicalIP(ip);
        if (c) addVip({ svc, port, kind: 'clusterIP', ip: c });
      }
      for (const ip of svc.externalIPs) {
        const c = canonicalIP(ip);
        if (c) addVip({ svc, port, kind: 'externalIP', ip: c });
      }
      for (const ing of svc.loadBalancerIngress) {
        const c = ing.ip ? canonicalIP(ing.ip) : '';
        if (c) addVip({ svc, port, kind: 'loadBalancer', ip: c, ipModeProxy: ing.ipMode === 'Proxy' });
      }
      if (port.nodePort) push(idx.byNodePort, nodePortKey(port.nodePort, port.protocol), { svc, port });
    }
    if (needsHealthCheck(svc) && svc.healthCheckNodePort)
      push(idx.byHealthCheckPort, svc.healthCheckNodePort, svc);
  }
  for (const sc of snapshot.data.serviceCIDRs) {
    for (const c of sc.cidrs) {
      const p = parseCIDR(c);
      if (p) idx.serviceCIDRs.push(p);
    }
  }
  for (const n of snapshot.nodes) {
    for (const c of n.podCIDRs) {
      const p = parseCIDR(c);
      if (p) idx.nodePodCIDRs.push(p);
    }
  }
  cache.set(snapshot, idx);
  return idx;
}
