// Network models: how packets move between pods, nodes and cloud load balancers outside
// kube-proxy. Three families, named as the CloudInventory names them:
//  - tunnel: an overlay (VXLAN/OVS; CCE container tunnel, flannel). Pod CIDRs are not known to
//    the VPC, so a pod's packets to anything outside the pod network leave SNATed to its node.
//  - vpc: pod CIDRs are VPC routes (CCE VPC network, TKE GlobalRouter). Pod addresses survive
//    on the wire inside the VPC.
//  - eni: pods own VPC addresses on elastic interfaces (CCE Cloud Native 2.0, TKE VPC-CNI, AWS
//    VPC CNI); load balancers can target pods directly.
// Each rule below that goes beyond upstream Kubernetes names the seed it comes from.

import type { Snapshot } from '../../model/snapshot.js';
import type { CloudInventory, NetworkModel, Node, Provider, ProxyMode, Service } from '../../model/types.js';
import { loadBalancerByAddress, loadBalancersForService } from '../cloud/loadBalancers.js';
import { eipsBoundTo } from '../cloud/nat.js';
import {
  lbBehaviour,
  PROFILES,
  parseMinorVersion,
  tkeKubeProxyHasLoopbackFix,
} from '../cloud/providers/index.js';
import type { LbBehaviour } from '../cloud/providers/types.js';
import { parseIP } from '../kubeproxy/ip.js';
import { clusterProvider } from './node-facts.js';

export interface NetworkFacts {
  provider: Provider;
  /** undefined: not stated by the inventory; rules that depend on it report insufficient-info. */
  model?: NetworkModel;
  proxyMode?: ProxyMode;
  kubeProxyVersion?: string;
  clusterVersion?: { major: number; minor: number };
  inventory?: CloudInventory;
}

export function networkFacts(snapshot: Snapshot): NetworkFacts {
  const inv = snapshot.data.cloud;
  const version = inv?.cluster.version ?? snapshot.nodes.find((n) => n.kubeletVersion)?.kubeletVersion;
  const cv = parseMinorVersion(version);
  const mode = snapshot.data.kubeProxy?.mode ?? inv?.cluster.kubeProxy?.mode;
  const kpv =
    inv?.cluster.kubeProxy?.version ?? snapshot.nodes.find((n) => n.kubeProxyVersion)?.kubeProxyVersion;
  return {
    provider: inv?.provider ?? 'generic',
    ...(inv?.cluster.networkModel ? { model: inv.cluster.networkModel } : {}),
    ...(mode ? { proxyMode: mode } : {}),
    ...(kpv ? { kubeProxyVersion: kpv } : {}),
    ...(cv ? { clusterVersion: cv } : {}),
    ...(inv ? { inventory: inv } : {}),
  };
}

export function behaviourFor(snapshot: Snapshot, svc: Service): LbBehaviour {
  return lbBehaviour(snapshot.data.cloud, svc, snapshot.nodes.find((n) => n.kubeletVersion)?.kubeletVersion);
}

/**
 * The LB behaviour when no inventory describes the cloud: the profile of the provider the nodes
 * name (providerID), from the Service's annotations alone.
 */
export function providerBehaviourFor(snapshot: Snapshot, svc: Service): LbBehaviour {
  if (snapshot.data.cloud) return behaviourFor(snapshot, svc);
  const version = parseMinorVersion(snapshot.nodes.find((n) => n.kubeletVersion)?.kubeletVersion);
  return PROFILES[clusterProvider(snapshot)].behaviour({ svc, cluster: {}, ...(version ? { version } : {}) });
}

/** Addresses that are local to a node's kernel (its interface addresses; never a cloud EIP). */
export function nodeLocalAddresses(node: Node): string[] {
  // Simplification: InternalIPs are on the NIC; ExternalIPs reported by cloud nodes are 1:1 NAT
  // in the cloud and never on the interface (seed 003: "the CVM cannot sense its public IP").
  return [...node.internalIPs];
}

export function isNodeLocal(node: Node | undefined, ip: string): boolean {
  return !!node && nodeLocalAddresses(node).includes(ip);
}

/** The node's public address: an EIP bound to it in the inventory, else a Node ExternalIP. */
export function nodePublicAddress(snapshot: Snapshot, node: Node): string | undefined {
  const eip = eipsBoundTo(snapshot.data.cloud, `node/${node.meta.name}`)[0];
  return eip?.address ?? node.externalIPs[0];
}

/** The node whose public address (EIP) this is. */
export function nodeByPublicAddress(snapshot: Snapshot, ip: string): Node | undefined {
  for (const e of snapshot.data.cloud?.eips ?? []) {
    if (e.address === ip && e.boundTo?.startsWith('node/')) return snapshot.node(e.boundTo.slice(5));
  }
  const n = snapshot.nodeByAddress(ip);
  return n?.externalIPs.includes(ip) ? n : undefined;
}

export type SourceRewrite =
  | { kind: 'kept'; address: string; why: string }
  | { kind: 'snat'; address: string; why: string }
  | { kind: 'unknown'; why: string };

/**
 * The source address a pod's packet carries when it leaves its node towards `dst`
 * (another node's address or a load balancer VIP), before kube-proxy on the far side.
 */
export function podEgressSource(
  snapshot: Snapshot,
  facts: NetworkFacts,
  podIP: string,
  node: Node,
  dstIsPublic: boolean,
): SourceRewrite {
  if (dstIsPublic) {
    const pub = nodePublicAddress(snapshot, node);
    // Pods reach the internet SNATed to their node, then to the node's EIP or a NAT gateway.
    return pub
      ? { kind: 'snat', address: pub, why: `leaves SNATed to node/${node.meta.name}'s public address ${pub}` }
      : {
          kind: 'snat',
          address: PUBLIC_EGRESS_PLACEHOLDER,
          why: "leaves SNATed to the cluster's public egress address (not in the inventory)",
        };
  }
  switch (facts.model) {
    case 'tunnel': {
      const ip = node.internalIPs[0];
      if (!ip) return { kind: 'unknown', why: `node/${node.meta.name} has no InternalIP` };
      // Overlay CNIs masquerade pod traffic whose destination is outside the pod network.
      return {
        kind: 'snat',
        address: ip,
        why: `tunnel network: SNATed to node/${node.meta.name} (${ip}) when it leaves the overlay`,
      };
    }
    case 'vpc':
    case 'eni':
      return {
        kind: 'kept',
        address: podIP,
        why: `${facts.model} network: the pod address ${podIP} is routable in the VPC and kept`,
      };
    default:
      return {
        kind: 'unknown',
        why: 'network model unknown (CloudInventory cluster.networkModel): whether the pod address is SNATed is not known',
      };
  }
}

/** Stand-in for a public egress address the inventory does not name; never local to a node. */
export const PUBLIC_EGRESS_PLACEHOLDER = '198.51.100.254';
/** Stand-in for an internet client's address. */
export const INTERNET_CLIENT = '203.0.113.200';

/** Why in-cluster traffic to the LB address leaves the node for the LB. */
export type LbLeaveCause =
  | 'ip-mode-proxy'
  | 'etp-local-pass-through'
  | 'pass-through'
  | 'tke-ipvs'
  | 'hostname';

export type LbCapture =
  | { captured: true; why: string }
  | { captured: false; why: string; rule: string; cause: LbLeaveCause };

/**
 * Whether kube-proxy on a node answers for the LB address itself (so in-cluster traffic to it
 * never reaches the cloud LB) or lets it leave for the LB. Upstream kube-proxy captures every
 * LB ingress IP unless ipMode is Proxy (KEP-1860); two clouds change that:
 *  - CCE pass-through (`kubernetes.io/elb.pass-through`, and onlyLocal set automatically for
 *    eTP Local, seed 001/004) makes in-cluster access go out to the ELB; ignored on <= v1.15.
 *  - TKE in IPVS mode does not bind the CLB VIP to kube-ipvs0 (so CLB health checks from the
 *    VIP are not dropped as local-source), unless prevent-loopback is set and kube-proxy has
 *    the fix (seed 003).
 */
export function lbCapture(snapshot: Snapshot, facts: NetworkFacts, svc: Service, lbIP: string): LbCapture {
  if (!parseIP(lbIP)) {
    // Upstream kube-proxy programs rules only for status.loadBalancer.ingress[].ip; an LB that
    // publishes a DNS name (AWS ELB/NLB) is always reached through the cloud.
    return {
      captured: false,
      rule: 'status.loadBalancer.ingress[].hostname',
      cause: 'hostname',
      why: `the LB publishes the name ${lbIP}, no IP: kube-proxy has no rule for it, traffic goes to the LB`,
    };
  }
  const ing = svc.loadBalancerIngress.find((i) => i.ip === lbIP);
  if (ing?.ipMode === 'Proxy') {
    return {
      captured: false,
      rule: 'status.loadBalancer.ingress[].ipMode=Proxy',
      cause: 'ip-mode-proxy',
      why: 'ipMode Proxy: kube-proxy must not short-circuit the LB address, traffic goes to the LB',
    };
  }
  if (facts.provider === 'cce') {
    const b = behaviourFor(snapshot, svc);
    const v = facts.clusterVersion;
    const supported = !v || v.major > 1 || v.minor > 15;
    if (b.passThrough && b.passThrough !== 'false' && supported) {
      return {
        captured: false,
        rule: `kubernetes.io/elb.pass-through=${b.passThrough}`,
        // Local sets onlyLocal by itself; an explicit annotation is the user's choice.
        cause:
          svc.externalTrafficPolicy === 'Local' || b.passThrough === 'onlyLocal'
            ? 'etp-local-pass-through'
            : 'pass-through',
        why:
          b.annotations['kubernetes.io/elb.pass-through'] !== undefined
            ? `pass-through ${b.passThrough}: in-cluster access to the ELB address goes out to the ELB`
            : 'externalTrafficPolicy Local: CCE sets pass-through to onlyLocal, so in-cluster access goes out to the ELB',
      };
    }
  }
  if (facts.provider === 'tke' && facts.proxyMode === 'ipvs') {
    const prevent =
      (svc.meta.annotations['service.cloud.tencent.com/prevent-loopback'] ?? '').toLowerCase() === 'true';
    const fixed = facts.kubeProxyVersion ? tkeKubeProxyHasLoopbackFix(facts.kubeProxyVersion) : undefined;
    if (!(prevent && fixed === true)) {
      return {
        captured: false,
        rule: 'TKE IPVS: CLB VIP not bound to kube-ipvs0',
        cause: 'tke-ipvs',
        why: prevent
          ? `prevent-loopback is set but kube-proxy ${facts.kubeProxyVersion ?? '(version unknown)'} is not known to have the fix: the CLB VIP is not bound locally, traffic goes to the CLB`
          : 'TKE IPVS mode leaves the CLB VIP off kube-ipvs0: in-cluster traffic really goes to the CLB',
      };
    }
  }
  return { captured: true, why: 'kube-proxy programs the LB address on every node' };
}

/**
 * Whether a CLB health check whose source is the VIP is dropped on the node: IPVS binds the VIP
 * to kube-ipvs0, so the probe arrives with a local source address (seed 003).
 */
export function healthCheckFromVipDropped(
  facts: NetworkFacts,
  capture: LbCapture,
  healthCheckSource: string | undefined,
  vip: string,
): boolean {
  return facts.proxyMode === 'ipvs' && capture.captured && healthCheckSource === vip;
}

/**
 * Whether the internet can reach a load balancer address. An IP says it by its range; a DNS name
 * (AWS) by the LB's scheme in the inventory, else by the provider's reading of the annotations.
 */
export function lbAddressIsPublic(snapshot: Snapshot, svc: Service, address: string): boolean {
  if (parseIP(address)) return isPublicIP(address);
  const inv = snapshot.data.cloud;
  const lb = loadBalancerByAddress(inv, address) ?? loadBalancersForService(inv, svc)[0];
  return (lb?.scheme ?? providerBehaviourFor(snapshot, svc).scheme) !== 'private';
}

/**
 * Whether an address is reached over the internet. Documentation ranges (TEST-NET, as in
 * DESIGN.md's examples) count as public: only private, CGNAT, link-local, ULA and loopback
 * ranges are inside a VPC.
 */
export function isPublicIP(ip: string): boolean {
  const a = parseIP(ip);
  if (!a) return false;
  return !['private', 'carrierGradeNat', 'linkLocal', 'uniqueLocal', 'loopback', 'unspecified'].includes(
    a.range(),
  );
}
