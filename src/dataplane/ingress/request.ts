// The HTTP request a question is about: --host/--path, else the newest observed URL; and what the
// user saw for it (404 → no rule, 502/503 → backend, 504 → LB or security group, TLS errors).
import type { Question } from '../../model/question.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Observation } from '../../model/types.js';

export interface IngressRequest {
  host?: string;
  path?: string;
  /** Where host/path came from. */
  source: 'question' | 'observation' | 'none';
  /** The newest observed result for this host (e.g. http-404), when the user recorded one. */
  observed?: Observation['result'];
  observedDetail?: string;
}

function urlOf(o: Observation): URL | undefined {
  if (!/^https?:\/\//i.test(o.to)) return undefined;
  try {
    return new URL(o.to);
  } catch {
    return undefined;
  }
}

/** Host and path from the question, or from an observation whose target is a URL. */
export function ingressRequest(snapshot: Snapshot, question: Question): IngressRequest {
  const urls = snapshot.data.observations
    .map((o) => ({ o, u: urlOf(o) }))
    .filter((x): x is { o: Observation; u: URL } => x.u !== undefined)
    .sort((a, b) => (Date.parse(b.o.at ?? '') || 0) - (Date.parse(a.o.at ?? '') || 0));
  if (question.host !== undefined || question.path !== undefined) {
    const seen = question.host ? urls.find((x) => x.u.hostname === question.host?.toLowerCase()) : undefined;
    return {
      ...(question.host !== undefined ? { host: question.host } : {}),
      ...(question.path !== undefined ? { path: question.path } : {}),
      source: 'question',
      ...(seen
        ? { observed: seen.o.result, ...(seen.o.detail ? { observedDetail: seen.o.detail } : {}) }
        : {}),
    };
  }
  const first = urls[0];
  if (!first) return { source: 'none' };
  return {
    host: first.u.hostname,
    path: first.u.pathname || '/',
    source: 'observation',
    observed: first.o.result,
    ...(first.o.detail ? { observedDetail: first.o.detail } : {}),
  };
}

/** Whether an observed result is the symptom a cause produces (raises confidence when it is). */
export function observedSymptom(req: IngressRequest, results: readonly string[]): boolean {
  return req.observed !== undefined && results.includes(req.observed);
}
