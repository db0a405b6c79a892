import { describe, expect, it } from 'vitest';
import { question, service } from '../../test/support/builders.js';
import { seedCluster } from '../../test/support/seed-cluster.js';
import { SvcdoctorError } from '../errors.js';
import { applyPatch, parseAnnotate, parseSetExpression, patchedData, whatif } from './whatif.js';

describe('whatif field paths', () => {
  const cases: {
    name: string;
    set: string;
    check: (s: ReturnType<typeof service>) => unknown;
    want: unknown;
  }[] = [
    {
      name: 'a spec field as kubectl shows it',
      set: 'spec.externalTrafficPolicy=Cluster',
      check: (s) => s.externalTrafficPolicy,
      want: 'Cluster',
    },
    {
      name: 'an annotation key with dots and slashes, bracketed',
      set: 'metadata.annotations["kubernetes.io/elb.pass-through"]=true',
      check: (s) => s.meta.annotations['kubernetes.io/elb.pass-through'],
      want: 'true',
    },
    {
      name: 'a list item field keeps numbers numeric',
      set: 'spec.ports[0].targetPort=9090',
      check: (s) => s.ports[0]?.targetPort,
      want: 9090,
    },
    {
      name: 'a named targetPort stays a string',
      set: 'spec.ports[0].targetPort=http',
      check: (s) => s.ports[0]?.targetPort,
      want: 'http',
    },
    {
      name: 'a selector value is always a string',
      set: 'spec.selector.version=2',
      check: (s) => s.selector?.version,
      want: '2',
    },
    { name: 'null removes a field', set: 'spec.selector=null', check: (s) => s.selector, want: undefined },
    {
      name: 'status.loadBalancer.ingress maps to the LB addresses',
      set: 'status.loadBalancer.ingress[0].ip=203.0.113.10',
      check: (s) => s.loadBalancerIngress[0]?.ip,
      want: '203.0.113.10',
    },
  ];
  it.each(cases)('$name', ({ set, check, want }) => {
    const s = service('web');
    applyPatch(s, parseSetExpression(set));
    expect(check(s)).toEqual(want);
  });

  it('--annotate KEY=VALUE and KEY- set and remove an annotation', () => {
    const s = service('web');
    applyPatch(s, parseAnnotate('service.cloud.tencent.com/prevent-loopback=true'));
    expect(s.meta.annotations['service.cloud.tencent.com/prevent-loopback']).toBe('true');
    applyPatch(s, parseAnnotate('service.cloud.tencent.com/prevent-loopback-'));
    expect(s.meta.annotations).not.toHaveProperty('service.cloud.tencent.com/prevent-loopback');
  });

  it('switching to Local on a LoadBalancer allocates a health check node port, back to Cluster drops it', () => {
    const s = service('web', (x) => (x.type = 'LoadBalancer'));
    applyPatch(s, parseSetExpression('spec.externalTrafficPolicy=Local'));
    expect(s.healthCheckNodePort).toBeTypeOf('number');
    applyPatch(s, parseSetExpression('spec.externalTrafficPolicy=Cluster'));
    expect(s.healthCheckNodePort).toBeUndefined();
  });

  it('spec.type=NodePort allocates node ports, back to ClusterIP removes them', () => {
    const s = service('web');
    applyPatch(s, parseSetExpression('spec.type=NodePort'));
    expect(s.ports[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    applyPatch(s, parseSetExpression('spec.type=ClusterIP'));
    expect(s.ports[0]?.nodePort).toBeUndefined();
  });

  it.each(['spec', 'noSuchField=1', 'spec.ports[x]=1', '=3'])(
    'rejects the malformed expression %s',
    (text) => {
      expect(() => applyPatch(service('web'), parseSetExpression(text))).toThrow(SvcdoctorError);
    },
  );
});

describe('whatif on the seed 001/004 cluster', () => {
  const snap = () => seedCluster({ network: 'vpc', mode: 'ipvs', version: 'v1.25.5', kind: 'dedicated-lb' });
  const q = question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' });

  it('patches a copy: the original data keeps its Service as it was', () => {
    const data = snap().data;
    patchedData(data, { namespace: 'default', name: 'nginx' }, [
      parseSetExpression('spec.externalTrafficPolicy=Cluster'),
    ]);
    expect(data.services[0]?.externalTrafficPolicy).toBe('Local');
  });

  it('externalTrafficPolicy Cluster fixes in-cluster access to the ELB and changes the failing cells', () => {
    const r = whatif(snap().data, q, [parseSetExpression('spec.externalTrafficPolicy=Cluster')]);
    expect(r.changes.verdict).toEqual({ before: 'unreachable', after: 'reachable' });
    expect(r.changes.disappeared).toContain('etp-local-in-cluster-lb-access');
    expect(r.changes.appeared).toEqual([]);
    const lbCells = r.changes.cells
      .filter((c) => c.column === 'lb-private')
      .map((c) => [c.clientLocation, c.before, c.after]);
    expect(lbCells).toEqual([
      ['same-node-as-backend', 'unreachable', 'reachable'],
      ['pod-on-backend-node', 'unreachable', 'reachable'],
    ]);
  });

  it('a patch that changes nothing reports no change', () => {
    const r = whatif(snap().data, q, [parseAnnotate('example.com/owner=team-a')]);
    expect(r.changes.disappeared).toEqual([]);
    expect(r.changes.appeared).toEqual([]);
    expect(r.changes.cells).toEqual([]);
  });
});
