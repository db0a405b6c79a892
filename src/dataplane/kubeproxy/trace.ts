import type { Snapshot } from '../../model/snapshot.js';
import type { NodeDumpFiles } from '../../model/types.js';
import { proxyPacket } from './index.js';
import type { Packet, ProxyOptions, ProxyResult } from './types.js';

/**
 * Evaluates a node's real rule dump (src/nodedump). Its owner exports `traceOnNodeDump` from
 * src/nodedump/index.ts; until that module exists the simulator answers alone.
 */
export type NodeDumpTracer = (
  snapshot: Snapshot,
  nodeName: string,
  packet: Packet,
) => ProxyResult | undefined;

export interface TraceAnswer {
  /** 'node-dump' when the node's own iptables/IPVS/nft dump was evaluated. */
  source: 'simulated' | 'node-dump';
  result: ProxyResult;
}

export function nodeDumpOf(snapshot: Snapshot, nodeName: string): NodeDumpFiles | undefined {
  return snapshot.data.nodeDumps.find((d) => d.node === nodeName && (d.iptables || d.ipvs || d.nft));
}

let cachedTracer: Promise<NodeDumpTracer | undefined> | undefined;

/** Loads the node-dump evaluator if this build has one (a missing module is not an error). */
export function loadNodeDumpTracer(): Promise<NodeDumpTracer | undefined> {
  cachedTracer ??= (async () => {
    const modulePath = '../../nodedump/index.js';
    try {
      const mod = (await import(modulePath)) as { traceOnNodeDump?: NodeDumpTracer };
      return typeof mod.traceOnNodeDump === 'function' ? mod.traceOnNodeDump : undefined;
    } catch {
      return undefined;
    }
  })();
  return cachedTracer;
}

/**
 * One packet through kube-proxy on one node: the node's real rules when a dump was collected
 * and an evaluator is available, otherwise the simulator over the API objects.
 */
export async function tracePacket(
  snapshot: Snapshot,
  nodeName: string,
  packet: Packet,
  opts: ProxyOptions & { dumpTracer?: NodeDumpTracer | null } = {},
): Promise<TraceAnswer> {
  const { dumpTracer, ...proxyOpts } = opts;
  if (nodeDumpOf(snapshot, nodeName)) {
    const tracer = dumpTracer === null ? undefined : (dumpTracer ?? (await loadNodeDumpTracer()));
    const fromDump = tracer?.(snapshot, nodeName, packet);
    if (fromDump) return { source: 'node-dump', result: fromDump };
    const sim = proxyPacket(snapshot, nodeName, packet, proxyOpts);
    sim.notes = [
      ...sim.notes,
      `a rule dump of ${nodeName} was collected but could not be evaluated: simulated instead`,
    ];
    return { source: 'simulated', result: sim };
  }
  return { source: 'simulated', result: proxyPacket(snapshot, nodeName, packet, proxyOpts) };
}
