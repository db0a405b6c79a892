// Reading traces from the check side: which traces and hops a check id explains.
import type { Hop, Trace } from '../../model/trace.js';

export interface Attributed {
  trace: Trace;
  /** The failing hop that names the id (the last one when several do). */
  hop?: Hop;
}

/** Traces whose outcome or one of whose hops names `id`. */
export function tracesNaming(paths: readonly Trace[], id: string): Attributed[] {
  const out: Attributed[] = [];
  for (const t of paths) {
    const hop = [...t.hops].reverse().find((h) => h.findingIds?.includes(id));
    if (hop || t.findingIds?.includes(id)) out.push({ trace: t, ...(hop ? { hop } : {}) });
  }
  return out;
}

/** The node a hop sits on (node/NAME), if any. */
export function nodeOfHop(hop: Hop | undefined): string | undefined {
  return hop?.at.startsWith('node/') ? hop.at.slice(5) : undefined;
}

/** The last node the trace passed through before failing. */
export function lastNode(t: Trace): string | undefined {
  for (const h of [...t.hops].reverse()) if (h.at.startsWith('node/')) return h.at.slice(5);
  return undefined;
}

/** Evidence lines for a trace: its label and reason, then the deciding steps of the failing hop. */
export function traceEvidence(a: Attributed): string[] {
  const lines = [`${a.trace.label ? `${a.trace.label}: ` : ''}${a.trace.reason}`];
  for (const s of a.hop?.steps ?? []) lines.push(`${a.hop?.at}: ${s.rule ? `[${s.rule}] ` : ''}${s.detail}`);
  return lines.slice(0, 6);
}

/** The node whose kube-proxy handled the packet: the DNAT hop's node, else the last node. */
export function proxyNode(t: Trace): string | undefined {
  const dnat = [...t.hops].reverse().find((h) => h.action === 'dnat' && h.at.startsWith('node/'));
  return dnat ? dnat.at.slice(5) : lastNode(t);
}
