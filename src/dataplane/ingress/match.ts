// Ingress host and path matching, per the networking.k8s.io/v1 Ingress spec
// (HTTPIngressPath.pathType and IngressRule.host documentation).
import type { Ingress, IngressBackend, IngressPath, PathType } from '../../model/types.js';

/**
 * Host matching: an exact host must equal the Host header (case-insensitive, as DNS names are);
 * `*.foo.com` matches exactly one extra leading label (bar.foo.com, not baz.bar.foo.com nor
 * foo.com); a rule without host matches every request. Any `:port` in the header is ignored.
 */
export function hostMatches(ruleHost: string | undefined, requestHost: string | undefined): boolean {
  if (!ruleHost) return true;
  if (requestHost === undefined) return false;
  const host = stripPort(requestHost).toLowerCase().replace(/\.$/, '');
  const rule = ruleHost.toLowerCase();
  if (rule.startsWith('*.')) {
    const suffix = rule.slice(1); // ".foo.com"
    if (!host.endsWith(suffix)) return false;
    const label = host.slice(0, host.length - suffix.length);
    return label.length > 0 && !label.includes('.');
  }
  return host === rule;
}

function stripPort(h: string): string {
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i >= 0 && h.indexOf(':') === i ? h.slice(0, i) : h;
}

/** Path elements: split on '/', empty elements dropped (so a trailing slash does not count). */
function elements(p: string): string[] {
  return p.split('/').filter((e) => e !== '');
}

/**
 * Whether a request path matches one Ingress path.
 * - Exact: the strings are equal (case-sensitive; "/foo" ≠ "/foo/").
 * - Prefix: element-wise prefix on '/'-separated elements; a trailing slash on either side is
 *   ignored; "/aaa/bbb" does not match "/aaa/bbbxyz" (elements, not characters); "/" matches all.
 * - ImplementationSpecific: treated as Prefix (what most controllers do); callers add a note.
 */
export function pathMatches(pathType: PathType, rulePath: string | undefined, requestPath: string): boolean {
  const path = rulePath ?? '/';
  const req = stripQuery(requestPath);
  if (pathType === 'Exact') return req === path;
  const want = elements(path);
  const got = elements(req);
  if (want.length > got.length) return false;
  return want.every((e, i) => got[i] === e);
}

function stripQuery(p: string): string {
  const q = p.search(/[?#]/);
  const out = q >= 0 ? p.slice(0, q) : p;
  return out === '' ? '/' : out;
}

export interface PathMatch {
  ingress: Ingress;
  ruleIndex: number;
  pathIndex: number;
  host?: string;
  path: IngressPath;
  backend: IngressBackend;
  /** Host matched exactly, by wildcard, or by a rule without host. */
  hostMatch: 'exact' | 'wildcard' | 'any';
}

export interface RouteResult {
  /** The winning path, if a rule matched. */
  match?: PathMatch;
  /** The default backend used because no rule matched (spec.defaultBackend of the Ingress). */
  defaultBackend?: { ingress: Ingress; backend: IngressBackend };
  /** Every path that matched, best first (for evidence). */
  candidates: PathMatch[];
  notes: string[];
}

function hostKind(ruleHost: string | undefined): PathMatch['hostMatch'] {
  if (!ruleHost) return 'any';
  return ruleHost.startsWith('*.') ? 'wildcard' : 'exact';
}

const HOST_RANK: Record<PathMatch['hostMatch'], number> = { exact: 0, wildcard: 1, any: 2 };

/** Normalised length used for "longest match wins" (trailing slash ignored for Prefix). */
function matchLength(p: IngressPath): number {
  const path = p.path ?? '/';
  return p.pathType === 'Exact' ? path.length : `/${elements(path).join('/')}`.length;
}

/**
 * Route one request (host + path) through a set of Ingresses (those one controller serves).
 * Within the matching host, the longest matching path wins and Exact beats Prefix at equal
 * length (spec). Across hosts, an exact host beats a wildcard, which beats a rule without host
 * (the spec leaves this to controllers; this is what ingress-nginx and most others do).
 * With no match, the first Ingress's spec.defaultBackend answers; without one, the controller
 * answers 404.
 */
export function routeRequest(
  ingresses: readonly Ingress[],
  host: string | undefined,
  path: string,
): RouteResult {
  const candidates: PathMatch[] = [];
  const notes: string[] = [];
  for (const ingress of ingresses) {
    ingress.rules.forEach((rule, ruleIndex) => {
      if (!hostMatches(rule.host, host)) return;
      rule.paths.forEach((p, pathIndex) => {
        if (!pathMatches(p.pathType, p.path, path)) return;
        candidates.push({
          ingress,
          ruleIndex,
          pathIndex,
          ...(rule.host ? { host: rule.host } : {}),
          path: p,
          backend: p.backend,
          hostMatch: hostKind(rule.host),
        });
      });
    });
  }
  candidates.sort((a, b) => {
    const h = HOST_RANK[a.hostMatch] - HOST_RANK[b.hostMatch];
    if (h !== 0) return h;
    const l = matchLength(b.path) - matchLength(a.path);
    if (l !== 0) return l;
    return (a.path.pathType === 'Exact' ? 0 : 1) - (b.path.pathType === 'Exact' ? 0 : 1);
  });
  const match = candidates[0];
  if (match?.path.pathType === 'ImplementationSpecific')
    notes.push('pathType ImplementationSpecific was matched as Prefix; the controller may differ');
  if (match) return { match, candidates, notes };
  const withDefault = ingresses.find((i) => i.defaultBackend);
  if (withDefault?.defaultBackend)
    return {
      defaultBackend: { ingress: withDefault, backend: withDefault.defaultBackend },
      candidates,
      notes,
    };
  return { candidates, notes };
}

/** Every backend an Ingress can send to: rule paths and the default backend. */
export function ingressBackends(ing: Ingress): { backend: IngressBackend; where: string }[] {
  const out: { backend: IngressBackend; where: string }[] = [];
  if (ing.defaultBackend) out.push({ backend: ing.defaultBackend, where: 'spec.defaultBackend' });
  ing.rules.forEach((r, i) => {
    r.paths.forEach((p, j) => {
      out.push({ backend: p.backend, where: `spec.rules[${i}].http.paths[${j}].backend` });
    });
  });
  return out;
}
