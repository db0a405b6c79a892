import { describe, expect, it } from 'vitest';
import { node, pod, service, snapshotOf } from '../../../test/support/builders.js';
import type { Observation, Service } from '../../model/types.js';
import { defaultFailureTime, isFailingObservation, observationConcerns } from './failure-time.js';

function web(): Service {
  return service('web', (s) => {
    s.type = 'LoadBalancer';
    s.clusterIP = '10.96.0.10';
    s.clusterIPs = ['10.96.0.10'];
    s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
    s.loadBalancerIngress = [{ ip: '203.0.113.10' }];
  });
}

const obs = (
  to: string,
  at = '2026-11-22T10:00:00Z',
  result: Observation['result'] = 'timeout',
): Observation => ({
  at,
  from: 'internet',
  to,
  result,
});

describe('observationConcerns', () => {
  const snap = snapshotOf({ services: [web()], pods: [pod('web-abcde')], nodes: [node('node-1')] });
  const svc = snap.service('default', 'web') as Service;
  it.each([
    ['svc/default/web', true],
    ['svc/default/web:80', true],
    ['svc/default/webapp', false],
    ['10.96.0.10:80/tcp', true],
    ['203.0.113.10:80/tcp', true],
    ['192.168.0.11:30080/tcp', true],
    ['192.168.0.11:30081/tcp', false],
    ['http://web.default.svc.cluster.local/healthz', true],
    ['https://web.other.svc:443/', false],
    ['10.244.9.9:8080/tcp', false],
  ])('%s → %s', (to, expected) => expect(observationConcerns(snap, svc, obs(to))).toBe(expected));
});

describe('isFailingObservation', () => {
  it.each([
    ['ok', false],
    ['http-200', false],
    ['http-302', false],
    ['http-404', true],
    ['http-503', true],
    ['timeout', true],
    ['refused', true],
  ] as const)('%s → %s', (result, expected) =>
    expect(isFailingObservation(obs('x', undefined, result))).toBe(expected),
  );
});

describe('defaultFailureTime', () => {
  const now = new Date('2026-11-23T00:00:00Z');
  it('prefers the newest failing observation of this Service over a newer one of another target', () => {
    const snap = snapshotOf({
      services: [web()],
      observations: [
        obs('svc/default/web', '2026-11-22T09:00:00Z'),
        obs('svc/default/web', '2026-11-22T10:00:00Z'),
        obs('svc/default/web', '2026-11-22T11:00:00Z', 'ok'),
        obs('svc/default/db', '2026-11-22T12:00:00Z'),
      ],
    });
    const f = defaultFailureTime(snap, snap.service('default', 'web'), now);
    expect([f.source, f.at.iso]).toEqual(['observation', '2026-11-22T10:00:00Z']);
  });

  it('falls back to any failing observation, then the snapshot time, then now', () => {
    const other = snapshotOf({
      services: [web()],
      observations: [obs('svc/default/db', '2026-11-22T12:00:00Z')],
    });
    expect(defaultFailureTime(other, other.service('default', 'web'), now).at.iso).toBe(
      '2026-11-22T12:00:00Z',
    );
    const taken = snapshotOf({ services: [web()], takenAt: '2026-11-22T13:00:00+01:00' });
    const t = defaultFailureTime(taken, taken.service('default', 'web'), now);
    expect([t.source, t.at.iso]).toEqual(['snapshot', '2026-11-22T12:00:00Z']);
    const none = snapshotOf({ services: [web()] });
    const n = defaultFailureTime(none, none.service('default', 'web'), now);
    expect([n.source, n.at.iso]).toEqual(['now', '2026-11-23T00:00:00Z']);
  });
});
