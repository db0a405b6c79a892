import { describe, expect, it } from 'vitest';
import { node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { diagnose, inferVia } from './diagnose.js';

describe('inferVia: the access path from the address the client used', () => {
  const svc = service('web', (s) => {
    s.type = 'LoadBalancer';
    s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
    s.loadBalancerIngress = [{ ip: '203.0.113.10' }];
    s.externalIPs = ['198.51.100.9'];
  });
  const snap = snapshotOf({ services: [svc], pods: [pod('web-1')], nodes: [node('node-1')] });
  const cases: [string, string, string][] = [
    ['the ClusterIP is clusterip', `${svc.clusterIP}:80`, 'clusterip'],
    ['an external IP is externalip', '198.51.100.9:80', 'externalip'],
    ['the LB ingress IP is loadbalancer', '203.0.113.10:80', 'loadbalancer'],
    ['a node address is nodeport even on a port that is no nodePort', '192.168.0.11:31999', 'nodeport'],
    ['a pod address is pod', `${snap.pod('default', 'web-1')?.podIP}:8080`, 'pod'],
    ['an unknown address on a nodePort is nodeport', '10.9.9.9:30080', 'nodeport'],
  ];
  for (const [name, addr, via] of cases) {
    it(name, () => {
      const [ip, port] = addr.split(':') as [string, string];
      const q = inferVia(
        svc,
        question(svc, { client: 'internet', address: { ip, port: Number(port) } }),
        snap,
      );
      expect(q.via).toBe(via);
      expect(q.inferred.length).toBe(1);
    });
  }
  it('keeps a via the user gave', () => {
    expect(inferVia(svc, question(svc, { via: 'dns' }), snap).via).toBe('dns');
  });
  it('infers loadbalancer for an internet client of a LoadBalancer Service and clusterip for a pod', () => {
    expect(inferVia(svc, question(svc, { client: 'internet' }), snap).via).toBe('loadbalancer');
    expect(inferVia(svc, question(svc, { client: 'pod/default/web-1' }), snap).via).toBe('clusterip');
  });
});

describe('verdict: what the client saw counts', () => {
  const svc = service('web', (s) => {
    s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }];
  });
  const base = { services: [svc], pods: [pod('web-1'), pod('client')], nodes: [node('node-1')] };
  const q = question(svc, { client: 'pod/default/client', via: 'clusterip' });
  const seen = (result: 'timeout' | 'ok', from = 'pod/default/client') => [
    { from, to: `${svc.clusterIP}:80/tcp`, result },
  ];
  it('a delivering path with no error is reachable', () => {
    expect(diagnose(snapshotOf(base), q).verdict).toBe('reachable');
  });
  it('the client observed a timeout on this Service: not reachable, whatever the simulation says', () => {
    expect(diagnose(snapshotOf({ ...base, observations: seen('timeout') }), q).verdict).toBe('unreachable');
  });
  it("another client's failure or the client's own success leaves it reachable", () => {
    expect(diagnose(snapshotOf({ ...base, observations: seen('ok') }), q).verdict).toBe('reachable');
    expect(
      diagnose(snapshotOf({ ...base, observations: seen('timeout', 'pod/default/web-1') }), q).verdict,
    ).toBe('reachable');
  });
});
