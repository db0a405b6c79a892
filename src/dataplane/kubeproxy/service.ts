import type { Snapshot } from '../../model/snapshot.js';
import type { IPFamily, Service, ServicePort } from '../../model/types.js';
import { servicePortName } from './chains.js';
import { type Categorized, categorize, endpointsFor, type PortPolicy, portPolicy } from './endpoints.js';
import { type Addr, type Cidr, familyOf, parseCIDR, parseIP } from './ip.js';
import { clusterIPsOf } from './lookup.js';
import { type NodeContext, versionAtLeast } from './node.js';

/** Everything kube-proxy derives for one Service port on one node (its servicePortInfo). */
export interface PortEval {
  svc: Service;
  port: ServicePort;
  /** ServicePortName.String(), e.g. "ns1/svc1:p80" */
  spn: string;
  family: IPFamily;
  clusterIP?: string;
  lbVIPs: Addr[];
  sourceRanges: Cidr[];
  policy: PortPolicy;
  cat: Categorized;
  hasEndpoints: boolean;
  hasInternalEndpoints: boolean;
  hasExternalEndpoints: boolean;
  usesExternalTrafficChain: boolean;
  usesFWChain: boolean;
  healthCheckNodePort?: number;
}

/** The Service's ClusterIP of one family (each family has its own proxier); undefined if none. */
export function clusterIPsOfFamily(svc: Service, family: IPFamily): string | undefined {
  for (const ip of clusterIPsOf(svc)) {
    const a = parseIP(ip);
    if (a && familyOf(a) === family) return a.toString();
  }
  return undefined;
}

/** Whether kube-proxy ignores LoadBalancer ingress with ipMode Proxy (LoadBalancerIPMode, on by default since 1.30). */
export function honoursIPModeProxy(ctx: NodeContext): boolean {
  return versionAtLeast(ctx, 1, 30) ?? true;
}

/** evalPort, memoised on the node context (which is itself cached per snapshot and node). */
export function evalPort(
  snapshot: Snapshot,
  ctx: NodeContext,
  svc: Service,
  port: ServicePort,
  family: IPFamily,
): PortEval {
  const key = `${svc.meta.namespace}/${svc.meta.name}|${port.name}|${port.protocol}|${family}`;
  let ev = ctx.evalCache.get(key);
  if (!ev) {
    ev = computePort(snapshot, ctx, svc, port, family);
    ctx.evalCache.set(key, ev);
  }
  return ev;
}

function computePort(
  snapshot: Snapshot,
  ctx: NodeContext,
  svc: Service,
  port: ServicePort,
  family: IPFamily,
): PortEval {
  const lbVIPs: Addr[] = [];
  for (const ing of svc.loadBalancerIngress) {
    if (!ing.ip) continue;
    if (ing.ipMode === 'Proxy' && honoursIPModeProxy(ctx)) continue;
    const a = parseIP(ing.ip);
    if (a && familyOf(a) === family) lbVIPs.push(a);
  }
  const sourceRanges: Cidr[] = [];
  for (const r of svc.loadBalancerSourceRanges) {
    const c = parseCIDR(r);
    if (c && familyOf(c[0]) === family) sourceRanges.push(c);
  }
  const policy = portPolicy(svc, port, lbVIPs.length);
  const eps = endpointsFor(snapshot, svc, port, family, ctx.nodeName);
  const cat = categorize(eps, svc, policy, ctx.node?.meta.labels['topology.kubernetes.io/zone']);
  const hasEndpoints = cat.hasAnyEndpoints;
  const hasInternalEndpoints = hasEndpoints && (!policy.internalPolicyLocal || cat.local.length > 0);
  const hasExternalEndpoints = hasEndpoints && (!policy.externalPolicyLocal || cat.local.length > 0);
  const hc =
    svc.type === 'LoadBalancer' && policy.externalPolicyLocal && svc.healthCheckNodePort
      ? svc.healthCheckNodePort
      : undefined;
  return {
    svc,
    port,
    spn: servicePortName(svc.meta.namespace, svc.meta.name, port.name),
    family,
    clusterIP: clusterIPsOfFamily(svc, family),
    lbVIPs,
    sourceRanges,
    policy,
    cat,
    hasEndpoints,
    hasInternalEndpoints,
    hasExternalEndpoints,
    usesExternalTrafficChain: hasEndpoints && policy.externallyAccessible,
    usesFWChain: hasEndpoints && lbVIPs.length > 0 && sourceRanges.length > 0,
    healthCheckNodePort: hc,
  };
}
