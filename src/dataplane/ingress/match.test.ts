import { describe, expect, it } from 'vitest';
import { meta } from '../../../test/support/builders.js';
import type { Ingress, IngressPath, PathType } from '../../model/types.js';
import { hostMatches, pathMatches, routeRequest } from './match.js';

function ingress(name: string, rules: Ingress['rules'], defaultBackend?: string): Ingress {
  return {
    kind: 'Ingress',
    meta: meta(name),
    rules,
    tls: [],
    loadBalancerIngress: [],
    ...(defaultBackend
      ? { defaultBackend: { service: { name: defaultBackend, port: { number: 80 } } } }
      : {}),
  };
}
const p = (
  path: string,
  pathType: PathType,
  svc = `svc${path.replace(/\//g, '-')}-${pathType}`,
): IngressPath => ({
  path,
  pathType,
  backend: { service: { name: svc, port: { number: 80 } } },
});

// The "Examples" table of https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
// Each row: paths in the Ingress, one request path, and which path (if any) must win.
const specExamples: { kind: string; paths: IngressPath[]; request: string; wins: IngressPath | undefined }[] =
  [];
function row(kind: string, paths: IngressPath[], request: string, winsIndex: number | undefined) {
  specExamples.push({ kind, paths, request, wins: winsIndex === undefined ? undefined : paths[winsIndex] });
}
row('Prefix', [p('/', 'Prefix')], '/anything/at/all', 0);
row('Prefix', [p('/', 'Prefix')], '/', 0);
row('Exact', [p('/foo', 'Exact')], '/foo', 0);
row('Exact', [p('/foo', 'Exact')], '/bar', undefined);
row('Exact', [p('/foo', 'Exact')], '/foo/', undefined);
row('Exact', [p('/foo/', 'Exact')], '/foo', undefined);
row('Prefix', [p('/foo', 'Prefix')], '/foo', 0);
row('Prefix', [p('/foo', 'Prefix')], '/foo/', 0);
row('Prefix', [p('/foo/', 'Prefix')], '/foo', 0);
row('Prefix', [p('/foo/', 'Prefix')], '/foo/', 0);
row('Prefix', [p('/aaa/bb', 'Prefix')], '/aaa/bbb', undefined);
row('Prefix', [p('/aaa/bbb', 'Prefix')], '/aaa/bbb', 0);
row('Prefix', [p('/aaa/bbb/', 'Prefix')], '/aaa/bbb', 0); // ignores trailing slash
row('Prefix', [p('/aaa/bbb', 'Prefix')], '/aaa/bbb/', 0); // matches trailing slash
row('Prefix', [p('/aaa/bbb', 'Prefix')], '/aaa/bbb/ccc', 0); // matches subpath
row('Prefix', [p('/aaa/bbb', 'Prefix')], '/aaa/bbbxyz', undefined); // not a string prefix
row('Prefix', [p('/', 'Prefix'), p('/aaa', 'Prefix')], '/aaa/ccc', 1); // matches /aaa prefix
row('Prefix', [p('/', 'Prefix'), p('/aaa', 'Prefix'), p('/aaa/bbb', 'Prefix')], '/aaa/bbb', 2);
row('Prefix', [p('/', 'Prefix'), p('/aaa', 'Prefix'), p('/aaa/bbb', 'Prefix')], '/ccc', 0); // matches / prefix
row('Prefix', [p('/aaa', 'Prefix')], '/ccc', undefined); // uses default backend
row('Mixed', [p('/foo', 'Prefix', 'prefix-svc'), p('/foo', 'Exact', 'exact-svc')], '/foo', 1); // prefers Exact

describe('Ingress path matching: the spec examples table', () => {
  for (const ex of specExamples) {
    const paths = ex.paths.map((x) => `${x.path} (${x.pathType})`).join(', ');
    it(`${ex.kind}: ${paths} with request ${ex.request} → ${ex.wins ? `${ex.wins.path} (${ex.wins.pathType})` : 'no match'}`, () => {
      const r = routeRequest([ingress('ing', [{ paths: ex.paths }])], 'example.com', ex.request);
      expect(r.match?.path).toBe(ex.wins);
    });
  }

  it('falls back to the default backend when no path matches', () => {
    const r = routeRequest(
      [ingress('ing', [{ paths: [p('/aaa', 'Prefix')] }], 'fallback')],
      undefined,
      '/ccc',
    );
    expect(r.match).toBeUndefined();
    expect(r.defaultBackend?.backend.service?.name).toBe('fallback');
  });

  it('treats ImplementationSpecific as Prefix and says so', () => {
    const r = routeRequest(
      [ingress('ing', [{ paths: [p('/api', 'ImplementationSpecific')] }])],
      undefined,
      '/api/v1',
    );
    expect(r.match?.path.path).toBe('/api');
    expect(r.notes).toHaveLength(1);
  });

  it('ignores the query string', () => {
    expect(pathMatches('Exact', '/search', '/search?q=1')).toBe(true);
  });
});

describe('Ingress host matching', () => {
  const table: [string | undefined, string, boolean, string][] = [
    ['*.foo.com', 'bar.foo.com', true, 'matches based on shared suffix'],
    ['*.foo.com', 'baz.bar.foo.com', false, 'wildcard only covers a single DNS label'],
    ['*.foo.com', 'foo.com', false, 'wildcard only covers a single DNS label'],
    ['foo.bar.com', 'foo.bar.com', true, 'precise match'],
    ['foo.bar.com', 'FOO.bar.com:8443', true, 'case and port do not matter'],
    ['foo.bar.com', 'bar.foo.com', false, 'different host'],
    [undefined, 'anything.example', true, 'a rule without host matches all'],
  ];
  for (const [rule, header, want, why] of table) {
    it(`${rule ?? '(no host)'} vs ${header}: ${why}`, () => expect(hostMatches(rule, header)).toBe(want));
  }

  it('prefers an exact host over a wildcard over a host-less rule', () => {
    const ings = [
      ingress('any', [{ paths: [p('/', 'Prefix', 'any')] }]),
      ingress('wild', [{ host: '*.example.com', paths: [p('/', 'Prefix', 'wild')] }]),
      ingress('exact', [{ host: 'shop.example.com', paths: [p('/', 'Prefix', 'exact')] }]),
    ];
    expect(routeRequest(ings, 'shop.example.com', '/').match?.backend.service?.name).toBe('exact');
    expect(routeRequest(ings, 'blog.example.com', '/').match?.backend.service?.name).toBe('wild');
    expect(routeRequest(ings, 'other.org', '/').match?.backend.service?.name).toBe('any');
  });
});
