import type { Snapshot } from '../../model/snapshot.js';
import type { NodeDumpFiles } from '../../model/types.js';
import { traceOnNodeDump } from '../../nodedump/index.js';
import { proxyPacket } from './index.js';
import type { Packet, ProxyOptions, ProxyResult } from './types.js';

/** Evaluates a node's real rule dump; src/nodedump's traceOnNodeDump by default. */
export type NodeDumpTracer = (
  snapshot: Snapshot,
  nodeName: string,
  packet: Packet,
) => ProxyResult | undefined;

export interface TraceAnswer {
  /** 'node-dump' when the node's own iptables/IPVS dump was evaluated. */
  source: 'simulated' | 'node-dump';
  result: ProxyResult;
}

export function nodeDumpOf(snapshot: Snapshot, nodeName: string): NodeDumpFiles | undefined {
  return snapshot.data.nodeDumps.find((d) => d.node === nodeName && (d.iptables || d.ipvs || d.nft));
}

const fromNodeDump: NodeDumpTracer = (snapshot, nodeName, packet) => {
  const t = traceOnNodeDump(snapshot, nodeName, packet);
  if (!t) return undefined;
  return {
    verdict: t.verdict,
    endpoints: t.endpoints,
    masquerade: t.masquerade,
    steps: t.steps,
    mode: t.mode,
    ...(t.service ? { service: t.service } : {}),
    notes: [...t.notes, ...t.unknowns, `rules read from ${t.file}`],
  };
};

/**
 * One packet through kube-proxy on one node: the node's real rules when a dump was collected
 * and an evaluator is available, otherwise the simulator over the API objects.
 */
export function tracePacket(
  snapshot: Snapshot,
  nodeName: string,
  packet: Packet,
  opts: ProxyOptions & { dumpTracer?: NodeDumpTracer | null } = {},
): TraceAnswer {
  const { dumpTracer, ...proxyOpts } = opts;
  if (nodeDumpOf(snapshot, nodeName)) {
    const tracer = dumpTracer === null ? undefined : (dumpTracer ?? fromNodeDump);
    let fromDump: ProxyResult | undefined;
    let why = 'no evaluator for it';
    try {
      fromDump = tracer?.(snapshot, nodeName, packet);
    } catch (e) {
      // A dump that cannot be parsed must not stop the trace: the simulator still answers.
      why = e instanceof Error ? e.message : String(e);
    }
    if (fromDump) return { source: 'node-dump', result: fromDump };
    const sim = proxyPacket(snapshot, nodeName, packet, proxyOpts);
    sim.notes = [
      ...sim.notes,
      `a rule dump of ${nodeName} was collected but could not be evaluated (${why}): simulated instead`,
    ];
    return { source: 'simulated', result: sim };
  }
  return { source: 'simulated', result: proxyPacket(snapshot, nodeName, packet, proxyOpts) };
}
