// The HTTP request a question is about: --host/--path, else the newest observed URL.
import type { Question } from '../../model/question.js';
import type { Snapshot } from '../../model/snapshot.js';

export interface IngressRequest {
  host?: string;
  path?: string;
  /** Where host/path came from. */
  source: 'question' | 'observation' | 'none';
  /** The observed result (e.g. http-404), when from an observation. */
  observed?: string;
}

/** Host and path from the question, or from an observation whose target is a URL. */
export function ingressRequest(snapshot: Snapshot, question: Question): IngressRequest {
  if (question.host !== undefined || question.path !== undefined) {
    return {
      ...(question.host !== undefined ? { host: question.host } : {}),
      ...(question.path !== undefined ? { path: question.path } : {}),
      source: 'question',
    };
  }
  const urls = snapshot.data.observations
    .filter((o) => /^https?:\/\//i.test(o.to))
    .sort((a, b) => Date.parse(b.at ?? '') - Date.parse(a.at ?? '') || 0);
  for (const o of urls) {
    try {
      const u = new URL(o.to);
      return { host: u.hostname, path: u.pathname || '/', source: 'observation', observed: o.result };
    } catch {
      // not a URL after all
    }
  }
  return { source: 'none' };
}
