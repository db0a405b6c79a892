import type { Snapshot } from '../../model/snapshot.js';
import type { ProxyMode } from '../../model/types.js';
import { familyOf, parseIP } from './ip.js';
import { traceIpvs } from './ipvs.js';
import { proxyIndex } from './lookup.js';
import { traceNetfilter } from './netfilter.js';
import { cachedNodeContext } from './node.js';
import type { Packet, ProxyOptions, ProxyResult } from './types.js';

export { proxyIndex } from './lookup.js';

// A pure simulator of kube-proxy, faithful to pkg/proxy/{iptables,nftables,ipvs}/proxier.go and
// checked against every packet-flow case of their upstream tests. What it assumes:
// - every packet opens a new connection (conntrack state NEW), as upstream's own tracer does;
// - local addresses are the Node object's InternalIP/ExternalIP plus loopback (IPVS adds every
//   Service VIP bound to kube-ipvs0); `ip -o addr` dumps are read by src/nodedump, not here;
// - the local-traffic detector is the configured clusterCIDR (or the node's podCIDRs for the
//   NodeCIDR/interface modes); with no kube-proxy config at all the nodes' podCIDRs stand in;
// - kubelet's KUBE-FIREWALL martian rule, topology node hints and the Windows proxy are not modelled.

export { type NodeDumpTracer, type TraceAnswer, tracePacket } from './trace.js';
export type { Packet, ProxyOptions, ProxyResult, ProxyVerdict } from './types.js';

/**
 * What kube-proxy on `nodeName` does with one packet: the rule chain it walks, the DNAT targets,
 * whether it is masqueraded, and the verdict. Pure: the snapshot is never modified, and the
 * per-snapshot index is built once, so a trace costs a few lookups whatever the cluster size.
 */
export function proxyPacket(
  snapshot: Snapshot,
  nodeName: string,
  packet: Packet,
  opts: ProxyOptions = {},
): ProxyResult {
  const index = proxyIndex(snapshot);
  const ctx = cachedNodeContext(snapshot, index, nodeName, opts);
  const src = parseIP(packet.src);
  const dst = parseIP(packet.dst);
  const bad = (mode: ProxyMode, why: string): ProxyResult => ({
    verdict: 'unhandled',
    endpoints: [],
    masquerade: false,
    steps: [{ detail: why }],
    mode,
    notes: [...ctx.notes],
  });
  if (!src || !dst) return bad(ctx.mode, `not an IP address: ${!src ? packet.src : packet.dst}`);
  if (familyOf(src) !== familyOf(dst))
    return bad(ctx.mode, 'source and destination are of different IP families');
  switch (ctx.mode) {
    case 'iptables':
    case 'nftables':
      return traceNetfilter(snapshot, index, ctx, packet, src, dst, ctx.mode);
    case 'ipvs':
      return traceIpvs(snapshot, index, ctx, packet, src, dst);
    default:
      return bad(ctx.mode, `kube-proxy mode ${ctx.mode} (Windows) is not simulated`);
  }
}
