import type { Snapshot } from '../../model/snapshot.js';
import type { Step } from '../../model/trace.js';
import type { IPFamily } from '../../model/types.js';
import { iptablesChains, iptablesEndpointChain, nftablesChains, nftablesEndpointChain } from './chains.js';
import type { ProxyEndpoint } from './endpoints.js';
import {
  type Addr,
  anyContains,
  cidrContains,
  cidrText,
  compareHostPort,
  familyOf,
  isLoopback,
} from './ip.js';
import { nodePortKey, type ProxyIndex, type VipEntry, vipKey } from './lookup.js';
import {
  detectorImplemented,
  isLocalAddress,
  isPodSource,
  type NodeContext,
  nodePortAddresses,
} from './node.js';
import { evalPort, honoursIPModeProxy, type PortEval } from './service.js';
import type { Packet, ProxyResult, ProxyVerdict } from './types.js';

// The iptables proxier (pkg/proxy/iptables/proxier.go, syncProxyRules) and the nftables proxier
// (pkg/proxy/nftables/proxier.go) program the same decisions with different objects; this walks
// those decisions for one packet, naming the chain each step stands for. Conntrack state is not
// modelled: every packet is the first of its connection (ctstate NEW), as in upstream's tracer.

type Flavour = 'iptables' | 'nftables';

interface Walk {
  snapshot: Snapshot;
  index: ProxyIndex;
  ctx: NodeContext;
  flavour: Flavour;
  pkt: Packet;
  src: Addr;
  dst: Addr;
  family: IPFamily;
  steps: Step[];
  notes: string[];
  masq: boolean;
  service?: PortEval;
}

interface Names {
  svc: string;
  svl: string;
  ext: string;
  fw: string;
  sep: (e: ProxyEndpoint) => string;
}

function names(w: Walk, ev: PortEval): Names {
  if (w.flavour === 'iptables') {
    const c = iptablesChains(ev.spn, ev.port.protocol);
    return {
      svc: c.svc,
      svl: c.svl,
      ext: c.ext,
      fw: c.fw,
      sep: (e) => iptablesEndpointChain(ev.spn, ev.port.protocol, e.addr),
    };
  }
  const { namespace, name } = ev.svc.meta;
  const c = nftablesChains(namespace, name, ev.port.name, ev.port.protocol);
  return {
    svc: c.service,
    svl: c.local,
    ext: c.external,
    fw: c.firewall,
    sep: (e) => nftablesEndpointChain(namespace, name, ev.port.name, ev.port.protocol, e.ip, e.port),
  };
}

function evalOf(w: Walk, e: { svc: VipEntry['svc']; port: VipEntry['port'] }): PortEval {
  return evalPort(w.snapshot, w.ctx, e.svc, e.port, w.family);
}

function step(w: Walk, rule: string, detail: string): void {
  w.steps.push({ rule, detail });
}

function markMasq(w: Walk, rule: string, why: string): void {
  w.masq = true;
  step(w, rule, `${why} -> ${w.flavour === 'iptables' ? 'KUBE-MARK-MASQ' : 'mark-for-masquerade'}`);
}

/** A KUBE-SVC / KUBE-SVL chain: the ClusterIP masquerade rule, then one jump per endpoint. */
function runPolicyChain(w: Walk, ev: PortEval, which: 'cluster' | 'local', viaClusterIP: boolean): string[] {
  const n = names(w, ev);
  const chain = which === 'cluster' ? n.svc : n.svl;
  const eps = which === 'cluster' ? ev.cat.cluster : ev.cat.local;
  const internalChainIsThis = (ev.policy.internalPolicyLocal ? 'local' : 'cluster') === which;
  if (internalChainIsThis && ev.hasInternalEndpoints && viaClusterIP) {
    if (w.ctx.masqueradeAll) markMasq(w, chain, `${ev.spn} cluster IP, masqueradeAll`);
    else if (detectorImplemented(w.ctx) && !isPodSource(w.ctx, w.src))
      markMasq(w, chain, `${ev.spn} cluster IP from outside the pod network`);
  }
  if (ev.svc.sessionAffinity === 'ClientIP') {
    const t = ev.svc.sessionAffinityTimeoutSeconds ?? 10800;
    w.notes.push(
      `sessionAffinity ClientIP: a client that connected recently (within ${t}s) sticks to the endpoint it used`,
    );
  }
  step(
    w,
    chain,
    `${ev.spn} ${which === 'cluster' ? 'all' : 'node-local'} endpoints: ${eps.map((e) => e.addr).join(', ') || '(none)'}`,
  );
  const out: string[] = [];
  for (const e of eps) {
    const sep = n.sep(e);
    if (e.ip === w.src.toString()) {
      markMasq(w, sep, `${ev.spn} hairpin: the source is the endpoint ${e.ip} itself`);
    }
    out.push(e.addr);
    step(
      w,
      sep,
      `DNAT to ${e.addr}${e.ready ? '' : ' (serving, terminating: used because no endpoint is ready)'}`,
    );
  }
  if (ev.cat.usedTopology)
    w.notes.push(`${ev.spn}: topology-aware routing limits endpoints to this node's zone`);
  return out;
}

/** KUBE-EXT-*: masquerade (eTP Cluster), or the eTP Local short-circuits and the local chain. */
function runExt(w: Walk, ev: PortEval): string[] | undefined {
  const n = names(w, ev);
  step(w, n.ext, `${ev.spn} external destination (externalTrafficPolicy ${ev.svc.externalTrafficPolicy})`);
  if (!ev.policy.externalPolicyLocal) {
    markMasq(w, n.ext, `masquerade traffic for ${ev.spn} external destinations`);
    return runPolicyChain(w, ev, 'cluster', false);
  }
  if (detectorImplemented(w.ctx) && isPodSource(w.ctx, w.src)) {
    step(
      w,
      n.ext,
      `pod traffic for ${ev.spn} external destinations -> ${n.svc} (short-circuit: all endpoints)`,
    );
    return runPolicyChain(w, ev, 'cluster', false);
  }
  if (isLocalAddress(w.ctx, w.src)) {
    markMasq(w, n.ext, `masquerade LOCAL traffic for ${ev.spn} external destinations`);
    step(w, n.ext, `route LOCAL traffic for ${ev.spn} external destinations -> ${n.svc}`);
    return runPolicyChain(w, ev, 'cluster', false);
  }
  if (ev.hasExternalEndpoints) {
    step(w, n.ext, `-> ${n.svl} (only this node's endpoints, source IP kept)`);
    return runPolicyChain(w, ev, 'local', false);
  }
  step(w, n.ext, `${ev.spn} has no endpoint on node ${w.ctx.nodeName}: no rule matches`);
  return undefined;
}

/** KUBE-FW-*: loadBalancerSourceRanges. */
function runFW(w: Walk, ev: PortEval): string[] | undefined {
  const n = names(w, ev);
  for (const c of ev.sourceRanges) {
    if (cidrContains(c, w.src)) {
      step(
        w,
        n.fw,
        `${ev.spn} loadbalancer IP: source ${w.src} allowed by loadBalancerSourceRanges ${cidrText(c)}`,
      );
      return runExt(w, ev);
    }
  }
  const primary = w.ctx.primary[w.family];
  const allowFromNode = primary !== undefined && anyContains(ev.sourceRanges, primary);
  if (allowFromNode && ev.lbVIPs.some((v) => v.toString() === w.src.toString())) {
    step(
      w,
      n.fw,
      `${ev.spn} loadbalancer IP: source is the LB IP itself (node-originated traffic SNATed to the VIP; allowed because the ranges include the node IP)`,
    );
    return runExt(w, ev);
  }
  step(
    w,
    n.fw,
    `source ${w.src} is outside loadBalancerSourceRanges (${ev.sourceRanges.map(cidrText).join(', ')}): other traffic will be dropped by ${w.flavour === 'iptables' ? 'KUBE-PROXY-FIREWALL' : 'firewall-check'}`,
  );
  return undefined;
}

/** The last rule of KUBE-SERVICES: which destinations are NodePort addresses on this node. */
function nodePortDestination(w: Walk, quiet = false): boolean {
  if (!isLocalAddress(w.ctx, w.dst)) return false;
  const notes = w.notes;
  if (quiet) w.notes = [];
  try {
    return nodePortDestinationInner(w);
  } finally {
    w.notes = notes;
  }
}

function nodePortDestinationInner(w: Walk): boolean {
  const nftables = w.flavour === 'nftables';
  const npa = nodePortAddresses(w.ctx, w.family, nftables);
  const localhostOK =
    !nftables && w.family === 'IPv4' && w.ctx.localhostNodePorts && npa.containsIPv4Loopback;
  if (isLoopback(w.dst)) {
    if (!localhostOK) {
      w.notes.push(
        w.family === 'IPv6'
          ? 'NodePorts are never served on ::1'
          : nftables
            ? 'nftables mode does not serve NodePorts on 127.0.0.1'
            : 'localhost NodePorts are disabled (iptables.localhostNodePorts=false or nodePortAddresses excludes 127.0.0.1)',
      );
      return false;
    }
    return npa.matchAll || anyContains(npa.cidrs, w.dst);
  }
  if (npa.matchAll) return true;
  if (anyContains(npa.cidrs, w.dst)) return true;
  w.notes.push(
    `${w.dst} is not a NodePort address on this node (nodePortAddresses: ${
      w.ctx.nodePortAddresses.length > 0
        ? w.ctx.nodePortAddresses.join(', ')
        : nftables
          ? 'primary (default)'
          : 'all'
    })`,
  );
  return false;
}

export function sortEndpoints(eps: string[]): string[] {
  return [...new Set(eps)].sort(compareHostPort);
}

function result(w: Walk, verdict: ProxyVerdict, endpoints: string[]): ProxyResult {
  const svc = w.service;
  return {
    verdict,
    endpoints: sortEndpoints(endpoints),
    masquerade: w.masq,
    steps: w.steps,
    mode: w.flavour,
    ...(svc
      ? {
          service: {
            namespace: svc.svc.meta.namespace,
            name: svc.svc.meta.name,
            port: svc.port.name || String(svc.port.port),
          },
        }
      : {}),
    notes: [...new Set([...w.ctx.notes, ...w.notes])],
  };
}

export function traceNetfilter(
  snapshot: Snapshot,
  index: ProxyIndex,
  ctx: NodeContext,
  pkt: Packet,
  src: Addr,
  dst: Addr,
  flavour: Flavour,
): ProxyResult {
  const w: Walk = {
    snapshot,
    index,
    ctx,
    flavour,
    pkt,
    src,
    dst,
    family: familyOf(dst),
    steps: [],
    notes: [],
    masq: false,
  };
  const ipt = flavour === 'iptables';
  const natEntry = ipt
    ? `nat/${pkt.hook === 'output' ? 'OUTPUT' : 'PREROUTING'}`
    : `nat-${pkt.hook === 'output' ? 'output' : 'prerouting'}`;
  const servicesChain = ipt ? 'KUBE-SERVICES' : 'services';
  step(w, natEntry, `jump ${servicesChain}`);

  // nftables checks loadBalancerSourceRanges before DNAT (filter-prerouting-pre-dnat / firewall-check).
  const entries = (index.byVip.get(vipKey(dst.toString(), pkt.dport, pkt.protocol)) ?? []).filter((e) => {
    if (e.kind === 'loadBalancer' && e.ipModeProxy && honoursIPModeProxy(ctx)) {
      w.notes.push(
        `${e.svc.meta.namespace}/${e.svc.meta.name}: LoadBalancer ingress ${e.ip} has ipMode Proxy, so kube-proxy does not capture it; the packet goes to the load balancer`,
      );
      return false;
    }
    return true;
  });
  if (entries.length > 1) {
    const distinct = new Set(entries.map((e) => `${e.svc.meta.namespace}/${e.svc.meta.name}`));
    if (distinct.size > 1)
      w.notes.push(
        `several Services claim ${dst}:${pkt.dport}/${pkt.protocol}: ${[...distinct].join(', ')}; the first wins`,
      );
  }

  let dnat: string[] | undefined;
  for (const e of entries) {
    const ev = evalOf(w, e);
    if (e.kind === 'clusterIP') {
      if (!ev.hasInternalEndpoints) continue;
      w.service ??= ev;
      const n = names(w, ev);
      const target = ev.policy.internalPolicyLocal ? n.svl : n.svc;
      step(w, servicesChain, `${ev.spn} cluster IP ${e.ip}:${e.port.port}/${e.port.protocol} -> ${target}`);
      dnat = runPolicyChain(w, ev, ev.policy.internalPolicyLocal ? 'local' : 'cluster', true);
    } else {
      if (!ev.hasEndpoints) continue;
      w.service ??= ev;
      const n = names(w, ev);
      if (e.kind === 'externalIP') {
        step(w, servicesChain, `${ev.spn} external IP ${e.ip}:${e.port.port} -> ${n.ext}`);
        dnat = runExt(w, ev);
      } else {
        const target = ev.usesFWChain ? n.fw : n.ext;
        step(w, servicesChain, `${ev.spn} loadbalancer IP ${e.ip}:${e.port.port} -> ${target}`);
        dnat = ev.usesFWChain ? runFW(w, ev) : runExt(w, ev);
      }
    }
    if (dnat) break;
  }

  if (!dnat && nodePortDestination(w)) {
    const np = ipt ? 'KUBE-NODEPORTS' : 'nodeports';
    const npEntries = index.byNodePort.get(nodePortKey(pkt.dport, pkt.protocol)) ?? [];
    let said = false;
    for (const e of npEntries) {
      const ev = evalOf(w, e);
      if (!ev.clusterIP || !ev.hasEndpoints) continue;
      if (!said) {
        step(w, servicesChain, `kubernetes service nodeports: ${dst} is a NodePort address -> ${np}`);
        said = true;
      }
      w.service ??= ev;
      step(w, np, `${ev.spn} nodePort ${pkt.dport}/${pkt.protocol} -> ${names(w, ev).ext}`);
      dnat = runExt(w, ev);
      if (dnat) break;
    }
  }

  if (dnat) return result(w, 'delivered', dnat);
  return filterPhase(w);
}

/** The filter-table (or nftables filter-*) chains a packet that was not DNATed goes through. */
function filterPhase(w: Walk): ProxyResult {
  const { pkt, dst, index, ctx } = w;
  const ipt = w.flavour === 'iptables';
  const dstLocal = isLocalAddress(ctx, dst);
  const entries = index.byVip.get(vipKey(dst.toString(), pkt.dport, pkt.protocol)) ?? [];
  const hook = pkt.hook === 'output' ? 'OUTPUT' : dstLocal ? 'INPUT' : 'FORWARD';
  const filt = (c: string) => (ipt ? `filter/${hook}/${c}` : `filter-${hook.toLowerCase()}/${c}`);

  // KUBE-PROXY-FIREWALL: LB traffic that fell off the end of a KUBE-FW chain.
  for (const e of entries) {
    if (e.kind !== 'loadBalancer') continue;
    const ev = evalOf(w, e);
    if (!ev.usesFWChain) continue;
    w.service ??= ev;
    step(
      w,
      filt(ipt ? 'KUBE-PROXY-FIREWALL' : 'firewall-check'),
      `${ev.spn} traffic not accepted by ${names(w, ev).fw} -> DROP`,
    );
    return result(w, 'dropped', []);
  }

  const servicesChecks = pkt.hook === 'output' || !dstLocal;
  // KUBE-SERVICES (filter): ClusterIPs without (usable, local) endpoints.
  if (servicesChecks || !ipt) {
    for (const e of entries) {
      if (e.kind !== 'clusterIP') continue;
      const ev = evalOf(w, e);
      if (ev.hasInternalEndpoints) continue;
      w.service ??= ev;
      if (!ev.hasEndpoints) {
        step(
          w,
          filt(ipt ? 'KUBE-SERVICES' : 'service-endpoints-check'),
          `${ev.spn} has no endpoints -> REJECT${noEndpointsWhy(ev)}`,
        );
        return result(w, 'rejected', []);
      }
      step(
        w,
        filt(ipt ? 'KUBE-SERVICES' : 'service-endpoints-check'),
        `${ev.spn} has no local endpoints (internalTrafficPolicy Local, node ${ctx.nodeName}) -> DROP`,
      );
      return result(w, 'dropped', []);
    }
  }

  // KUBE-NODEPORTS (filter, INPUT): health check node ports are accepted for kube-proxy's server.
  if (dstLocal && pkt.protocol === 'TCP') {
    for (const svc of index.byHealthCheckPort.get(pkt.dport) ?? []) {
      const port = svc.ports[0];
      if (!port) continue;
      const ev = evalOf(w, { svc, port });
      if (!ev.clusterIP || ev.healthCheckNodePort !== pkt.dport) continue;
      w.service ??= ev;
      const localReady = ev.cat.all.filter((x) => x.local && x.ready).length;
      step(
        w,
        filt(ipt ? 'KUBE-NODEPORTS' : 'nodeport-health-check'),
        `${svc.meta.namespace}/${svc.meta.name} health check node port ${pkt.dport} -> ACCEPT`,
      );
      w.notes.push(
        localReady > 0
          ? `kube-proxy's health check server answers 200 (${localReady} local ready endpoint${localReady > 1 ? 's' : ''})`
          : "kube-proxy's health check server answers 503: no local ready endpoint, so a load balancer should mark this node unhealthy",
      );
      return result(w, 'local', []);
    }
  }

  // KUBE-EXTERNAL-SERVICES: external IPs, LB IPs and NodePorts without (local) endpoints. In
  // iptables mode it hangs off INPUT and FORWARD only, so a host process's packet to a remote
  // address never meets it.
  const externalChecks = !ipt || pkt.hook === 'prerouting' || dstLocal;
  for (const e of externalChecks ? entries : []) {
    if (e.kind === 'clusterIP') continue;
    const ev = evalOf(w, e);
    if (ev.hasExternalEndpoints) continue;
    if (e.kind === 'loadBalancer' && e.ipModeProxy && honoursIPModeProxy(ctx)) continue;
    w.service ??= ev;
    return externalReject(
      w,
      ev,
      filt(ipt ? 'KUBE-EXTERNAL-SERVICES' : 'service-endpoints-check'),
      `${e.kind} ${e.ip}`,
    );
  }
  // iptables matches any local destination (addrtype LOCAL); nftables only its nodeport-ips,
  // and only on the input hook.
  const nodePortRejects = ipt ? dstLocal && externalChecks : dstLocal && nodePortDestination(w, true);
  if (nodePortRejects) {
    for (const e of index.byNodePort.get(nodePortKey(pkt.dport, pkt.protocol)) ?? []) {
      const ev = evalOf(w, e);
      if (!ev.clusterIP || ev.hasExternalEndpoints) continue;
      w.service ??= ev;
      return externalReject(
        w,
        ev,
        filt(ipt ? 'KUBE-EXTERNAL-SERVICES' : 'nodeport-endpoints-check'),
        `nodePort ${pkt.dport}`,
      );
    }
  }

  // nftables only: cluster-ips-check (forward/output) for ClusterIPs on ports no Service defines
  // and for unallocated addresses inside the service CIDRs.
  if (!ipt && servicesChecks) {
    const onIp = index.byIp.get(dst.toString()) ?? [];
    if (onIp.some((e) => e.kind === 'clusterIP')) {
      step(
        w,
        filt('cluster-ips-check'),
        `${dst} is a ClusterIP but no Service port ${pkt.dport}/${pkt.protocol} -> reject`,
      );
      return result(w, 'rejected', []);
    }
    const sc = index.serviceCIDRs.find((c) => cidrContains(c, dst));
    if (sc) {
      step(
        w,
        filt('cluster-ips-check'),
        `${dst} is inside service CIDR ${cidrText(sc)} but not allocated -> drop`,
      );
      return result(w, 'dropped', []);
    }
    if (index.serviceCIDRs.length === 0 && w.snapshot.has('ServiceCIDR') === false)
      w.notes.push('service CIDRs unknown (no ServiceCIDR objects): unallocated ClusterIPs not checked');
  }

  if ((index.byIp.get(dst.toString()) ?? []).some((e) => e.kind === 'clusterIP')) {
    w.notes.push(
      `${dst} is a ClusterIP but no Service exposes port ${pkt.dport}/${pkt.protocol}: iptables mode leaves the packet alone (it is routed off-node and usually times out)`,
    );
  }
  step(
    w,
    ipt ? 'KUBE-SERVICES' : 'services',
    `no kube-proxy rule matches ${dst}:${pkt.dport}/${pkt.protocol}${dstLocal ? ' (delivered to the node itself)' : ' (routed on unchanged)'}`,
  );
  return result(w, 'unhandled', []);
}

function noEndpointsWhy(ev: PortEval): string {
  const n = ev.cat.all.length;
  if (n === 0) return '';
  return ` (${n} endpoint${n > 1 ? 's' : ''} exist but none is ready or serving+terminating)`;
}

function externalReject(w: Walk, ev: PortEval, rule: string, what: string): ProxyResult {
  if (!ev.hasEndpoints) {
    step(w, rule, `${ev.spn} ${what} has no endpoints -> REJECT${noEndpointsWhy(ev)}`);
    return result(w, 'rejected', []);
  }
  step(
    w,
    rule,
    `${ev.spn} ${what}: externalTrafficPolicy Local and no local endpoint on node ${w.ctx.nodeName} -> DROP`,
  );
  return result(w, 'dropped', []);
}
