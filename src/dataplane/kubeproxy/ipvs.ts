import type { Snapshot } from '../../model/snapshot.js';
import type { Step } from '../../model/trace.js';
import type { IPFamily } from '../../model/types.js';
import type { ProxyEndpoint } from './endpoints.js';
import { type Addr, anyContains, cidrContains, cidrText, familyOf, isLoopback } from './ip.js';
import { nodePortKey, type ProxyIndex, type VipEntry, vipKey } from './lookup.js';
import { sortEndpoints } from './netfilter.js';
import {
  detectorImplemented,
  isLocalAddress,
  isPodSource,
  type NodeContext,
  nodePortAddresses,
  versionAtLeast,
} from './node.js';
import { evalPort, honoursIPModeProxy, type PortEval } from './service.js';
import type { Packet, ProxyResult } from './types.js';

// IPVS mode (pkg/proxy/ipvs/proxier.go). Every ClusterIP, external IP and LoadBalancer IP is
// bound to the kube-ipvs0 dummy interface on every node, so the node itself answers for them:
// a packet to such an address from a pod or the node is load-balanced locally and never leaves
// the node (no trip to the cloud load balancer). A virtual server exists even without endpoints;
// the kernel then refuses the connection (ip_vs_leave sends ICMP port unreachable).

interface IpvsWalk {
  snapshot: Snapshot;
  ctx: NodeContext;
  pkt: Packet;
  src: Addr;
  dst: Addr;
  family: IPFamily;
  steps: Step[];
  notes: string[];
  masq: boolean;
}

function step(w: IpvsWalk, rule: string, detail: string): void {
  w.steps.push({ rule, detail });
}

function done(w: IpvsWalk, verdict: ProxyResult['verdict'], eps: string[], ev?: PortEval): ProxyResult {
  return {
    verdict,
    endpoints: sortEndpoints(eps),
    masquerade: w.masq,
    steps: w.steps,
    mode: 'ipvs',
    ...(ev
      ? {
          service: {
            namespace: ev.svc.meta.namespace,
            name: ev.svc.meta.name,
            port: ev.port.name || String(ev.port.port),
          },
        }
      : {}),
    notes: [...new Set([...w.ctx.notes, ...w.notes])],
  };
}

/** Whether `ip` is bound to kube-ipvs0 (any Service VIP of this family). */
function onDummy(index: ProxyIndex, ctx: NodeContext, ip: string): boolean {
  return (index.byIp.get(ip) ?? []).some(
    (e) => !(e.kind === 'loadBalancer' && e.ipModeProxy && honoursIPModeProxy(ctx)),
  );
}

export function traceIpvs(
  snapshot: Snapshot,
  index: ProxyIndex,
  ctx: NodeContext,
  pkt: Packet,
  src: Addr,
  dst: Addr,
): ProxyResult {
  const w: IpvsWalk = {
    snapshot,
    ctx,
    pkt,
    src,
    dst,
    family: familyOf(dst),
    steps: [],
    notes: [],
    masq: false,
  };
  const dstText = dst.toString();
  const srcText = src.toString();
  const vips = (index.byVip.get(vipKey(dstText, pkt.dport, pkt.protocol)) ?? []).filter(
    (e) => !(e.kind === 'loadBalancer' && e.ipModeProxy && honoursIPModeProxy(ctx)),
  );

  let entry:
    | VipEntry
    | { svc: VipEntry['svc']; port: VipEntry['port']; kind: 'nodePort'; ip: string }
    | undefined = vips[0];
  if (!entry && isLocalAddress(ctx, dst) && !onDummy(index, ctx, dstText)) {
    // NodePort virtual servers exist for each node IP selected by nodePortAddresses; IPVS mode
    // never serves NodePorts on loopback addresses.
    const npa = nodePortAddresses(ctx, w.family, false);
    if (isLoopback(dst)) {
      w.notes.push('IPVS mode does not serve NodePorts on localhost addresses');
    } else if (npa.matchAll || anyContains(npa.cidrs, dst)) {
      const np = (index.byNodePort.get(nodePortKey(pkt.dport, pkt.protocol)) ?? []).find(
        (e) => evalPort(snapshot, ctx, e.svc, e.port, w.family).clusterIP !== undefined,
      );
      if (np) entry = { svc: np.svc, port: np.port, kind: 'nodePort', ip: dstText };
    }
  }

  if (!entry && pkt.protocol === 'TCP' && isLocalAddress(ctx, dst)) {
    for (const svc of index.byHealthCheckPort.get(pkt.dport) ?? []) {
      const port = svc.ports[0];
      if (!port) continue;
      const hc = evalPort(snapshot, ctx, svc, port, w.family);
      if (!hc.clusterIP || hc.healthCheckNodePort !== pkt.dport) continue;
      const localReady = hc.cat.all.filter((x) => x.local && x.ready).length;
      step(
        w,
        'filter/INPUT/KUBE-NODE-PORT',
        `${svc.meta.namespace}/${svc.meta.name} health check node port ${pkt.dport} -> ACCEPT`,
      );
      w.notes.push(
        localReady > 0
          ? `kube-proxy's health check server answers 200 (${localReady} local ready endpoint${localReady > 1 ? 's' : ''})`
          : "kube-proxy's health check server answers 503: no local ready endpoint, so a load balancer should mark this node unhealthy",
      );
      return done(w, 'local', [], hc);
    }
  }

  if (!entry) {
    if (onDummy(index, ctx, dstText)) {
      // KUBE-IPVS-FILTER arrived in 1.25 (kubernetes#108460).
      const rejects = versionAtLeast(ctx, 1, 25) ?? true;
      step(
        w,
        'filter/INPUT/KUBE-IPVS-FILTER',
        `${dst} is bound to kube-ipvs0 but no virtual server listens on ${pkt.dport}/${pkt.protocol}${rejects ? ' -> REJECT' : ''}`,
      );
      if (rejects) return done(w, 'rejected', []);
      w.notes.push("older kube-proxy: the packet reaches the node's own sockets on that port");
      return done(w, 'local', []);
    }
    step(w, 'ipvs', `no IPVS virtual server for ${dst}:${pkt.dport}/${pkt.protocol}`);
    return done(w, 'unhandled', []);
  }

  const ev = evalPort(snapshot, ctx, entry.svc, entry.port, w.family);
  const vs = `${entry.kind === 'nodePort' ? dstText : entry.ip}:${pkt.dport}/${pkt.protocol}`;
  step(
    w,
    'ipvs',
    `virtual server ${vs} (${ev.spn} ${entry.kind}${entry.kind === 'nodePort' ? '' : ', bound to kube-ipvs0'})`,
  );
  if (entry.kind !== 'nodePort' && !isLocalAddress(ctx, dst)) {
    w.notes.push(
      `${dst} is on kube-ipvs0 of every node: traffic to it from pods or nodes is served here and never reaches the load balancer`,
    );
  }

  // LoadBalancer source ranges (KUBE-LOAD-BALANCER-FW / KUBE-SOURCE-RANGES-FIREWALL).
  if (entry.kind === 'loadBalancer' && ev.sourceRanges.length > 0) {
    const primary = ctx.primary[w.family];
    const allowFromNode = primary !== undefined && anyContains(ev.sourceRanges, primary);
    const fromLB = srcText === entry.ip;
    const allowed = ev.sourceRanges.find((c) => cidrContains(c, src));
    if (allowed) step(w, 'nat/KUBE-LOAD-BALANCER-FW', `source allowed by ${cidrText(allowed)}`);
    else if (fromLB && allowFromNode)
      step(w, 'nat/KUBE-LOAD-BALANCER-FW', 'node-originated (source is the LB IP), node IP in ranges');
    else {
      step(
        w,
        fromLB ? 'filter/OUTPUT/KUBE-IPVS-OUT-FILTER' : 'filter/KUBE-SOURCE-RANGES-FIREWALL',
        `source ${src} outside loadBalancerSourceRanges (${ev.sourceRanges.map(cidrText).join(', ')}) -> DROP`,
      );
      return done(w, 'dropped', [], ev);
    }
  }

  // Real servers (syncEndpoint): Local policy uses local endpoints; with none, kube-proxy >= 1.21
  // falls back to all endpoints (kubernetes#97081), older versions leave the server empty.
  const onlyLocal =
    entry.kind === 'clusterIP' ? ev.policy.internalPolicyLocal : ev.policy.externalPolicyLocal;
  let rs: ProxyEndpoint[] = ev.cat.cluster;
  let fellBack = false;
  if (onlyLocal) {
    if (ev.cat.local.length > 0) rs = ev.cat.local;
    else if (versionAtLeast(ctx, 1, 21) ?? true) {
      rs = ev.cat.cluster;
      fellBack = rs.length > 0;
    } else rs = [];
  }
  if (rs.length === 0) {
    step(
      w,
      'ipvs',
      `virtual server ${vs} has no real servers${onlyLocal && ev.hasEndpoints ? ` (traffic policy Local, none on node ${ctx.nodeName})` : ''}: the kernel answers ICMP port unreachable -> REJECT`,
    );
    return done(w, 'rejected', [], ev);
  }
  step(
    w,
    'ipvs',
    `real servers: ${rs.map((e) => e.addr).join(', ')}${fellBack ? ' (no local endpoint: all endpoints used)' : ''}`,
  );

  // Masquerade (nat/KUBE-SERVICES ipset rules, KUBE-POSTROUTING KUBE-LOOP-BACK).
  const fromLoopback = isLoopback(src);
  if (fromLoopback) step(w, 'nat/KUBE-SERVICES', 'source is loopback -> RETURN (no kube-proxy marking)');
  else if (entry.kind === 'clusterIP') {
    if (ctx.masqueradeAll) mark(w, 'nat/KUBE-SERVICES', 'KUBE-CLUSTER-IP, masqueradeAll');
    else if (detectorImplemented(ctx) && !isPodSource(ctx, src))
      mark(w, 'nat/KUBE-SERVICES', 'KUBE-CLUSTER-IP from outside the pod network');
    else if (!detectorImplemented(ctx) && onDummy(index, ctx, srcText))
      mark(w, 'nat/KUBE-SERVICES', 'KUBE-CLUSTER-IP from a VIP source (node-originated)');
  } else if (!ev.policy.externalPolicyLocal) {
    const chain =
      entry.kind === 'loadBalancer'
        ? 'nat/KUBE-LOAD-BALANCER'
        : entry.kind === 'nodePort'
          ? 'nat/KUBE-NODE-PORT'
          : 'nat/KUBE-SERVICES';
    mark(w, chain, `${ev.spn} ${entry.kind} with externalTrafficPolicy Cluster`);
  } else {
    step(w, 'nat', `${ev.spn} externalTrafficPolicy Local: not masqueraded (source IP kept)`);
  }
  for (const e of rs) {
    if (e.local && e.ip === srcText)
      mark(w, 'nat/KUBE-POSTROUTING', `KUBE-LOOP-BACK: ${e.ip} reaches itself (hairpin)`);
  }
  if (ev.svc.sessionAffinity === 'ClientIP')
    w.notes.push(
      `sessionAffinity ClientIP: persistent virtual server (timeout ${ev.svc.sessionAffinityTimeoutSeconds ?? 10800}s)`,
    );

  if (fellBack && entry.kind === 'clusterIP')
    w.notes.push(
      `internalTrafficPolicy Local but no endpoint on node ${ctx.nodeName}: IPVS mode uses every endpoint instead (iptables and nftables drop)`,
    );
  if (fellBack && entry.kind !== 'clusterIP' && !isPodSource(ctx, src)) {
    // kubernetes#97081 only fixed pods: a host-network client picks the VIP (or its node IP) as
    // source and the unmasqueraded reply never finds its way back (kubernetes#93456).
    w.notes.push(
      isLocalAddress(ctx, src) || onDummy(index, ctx, srcText)
        ? "host-network client on a node without a local endpoint: the remote pod's reply does not come back through this node, so the connection times out (kubernetes#93456)"
        : "external client on a node without a local endpoint: the packet is DNATed to a remote pod without SNAT, so the reply leaves from the pod's node and the client drops it",
    );
    return done(
      w,
      'dropped',
      rs.map((e) => e.addr),
      ev,
    );
  }
  return done(
    w,
    'delivered',
    rs.map((e) => e.addr),
    ev,
  );
}

function mark(w: IpvsWalk, rule: string, why: string): void {
  w.masq = true;
  w.steps.push({ rule, detail: `${why} -> KUBE-MARK-MASQ` });
}
