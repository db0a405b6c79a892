import { describe, expect, it } from 'vitest';
import { node, pod, snapshotOf } from '../../../test/support/builders.js';
import { healthyInventory, lbService } from '../../../test/support/cloud-fixtures.js';
import type { CloudInventory, LbListener, Service } from '../../model/types.js';
import {
  certificateState,
  compareBackends,
  expectedBackends,
  listenerForServicePort,
  loadBalancersForService,
} from './loadBalancers.js';
import { dnatFor, dnatRulesForService } from './nat.js';
import { lbBehaviour } from './providers/index.js';
import { isBlackhole, longestPrefixMatch } from './routes.js';

const now = new Date('2026-11-22T10:00:00Z');

describe('certificateState', () => {
  const table: [string, LbListener['certificate'], string][] = [
    [
      'valid inside its window',
      { notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' },
      'valid',
    ],
    ['expired a second before', { notAfter: '2026-11-22T09:59:59Z' }, 'expired'],
    ['expiring exactly now counts as expired', { notAfter: '2026-11-22T10:00:00Z' }, 'expired'],
    ['not valid until tomorrow', { notBefore: '2026-11-23T00:00:00Z' }, 'not-yet-valid'],
    ['no dates: unknown', { id: 'cert-1' }, 'unknown'],
    ['no certificate: unknown', undefined, 'unknown'],
  ];
  for (const [name, cert, want] of table)
    it(name, () => expect(certificateState(cert, now).state).toBe(want));
});

describe('loadBalancersForService', () => {
  const inv: CloudInventory = {
    provider: 'cce',
    cluster: {},
    loadBalancers: [
      { id: 'elb-owner', addresses: ['203.0.113.1'], owner: 'service/default/web', listeners: [] },
      { id: 'elb-annotated', addresses: ['203.0.113.2'], listeners: [] },
      { id: 'elb-by-ip', addresses: ['203.0.113.3'], listeners: [] },
      { id: 'elb-other', addresses: ['203.0.113.4'], owner: 'service/default/other', listeners: [] },
    ],
  };
  it('finds LBs by owner, by the CCE elb.id annotation and by status address, once each', () => {
    const svc = lbService('web', (s) => {
      s.meta.annotations = { 'kubernetes.io/elb.id': 'elb-annotated' };
      s.loadBalancerIngress = [{ ip: '203.0.113.3' }, { ip: '203.0.113.1' }];
    });
    expect(loadBalancersForService(inv, svc).map((l) => l.id)).toEqual([
      'elb-owner',
      'elb-annotated',
      'elb-by-ip',
    ]);
  });
  it('finds nothing without an inventory', () => {
    expect(loadBalancersForService(undefined, lbService())).toEqual([]);
  });
});

describe('listenerForServicePort', () => {
  const lb = {
    id: 'lb',
    addresses: [],
    listeners: [
      { protocol: 'UDP' as const, port: 53 },
      { protocol: 'HTTPS' as const, port: 443 },
    ],
  };
  it('matches TCP Service ports to TCP/HTTP/HTTPS listeners and UDP to UDP only', () => {
    expect(
      listenerForServicePort(lb, { name: '', protocol: 'TCP', port: 443, targetPort: 8443 })?.protocol,
    ).toBe('HTTPS');
    expect(
      listenerForServicePort(lb, { name: '', protocol: 'UDP', port: 53, targetPort: 53 })?.protocol,
    ).toBe('UDP');
    expect(
      listenerForServicePort(lb, { name: '', protocol: 'TCP', port: 53, targetPort: 53 }),
    ).toBeUndefined();
  });
});

describe('expectedBackends', () => {
  const web = (mutate?: (s: Service) => void) => lbService('web', mutate);
  const snap = (svc: Service) =>
    snapshotOf({
      services: [svc],
      pods: [
        pod('web-1', (p) => {
          p.meta.labels = { app: 'web' };
          p.nodeName = 'node-2';
        }),
      ],
      nodes: [
        node('node-1'),
        node('node-2'),
        node(
          'node-3',
          (n) => (n.meta.labels['node.kubernetes.io/exclude-from-external-load-balancers'] = ''),
        ),
      ],
    });

  it('nodes at the nodePort, without nodes excluded from external LBs', () => {
    const svc = web();
    const exp = expectedBackends(snap(svc), svc, svc.ports[0]!, lbBehaviour(healthyInventory('cce'), svc));
    expect(exp.targets).toBe('nodes');
    expect(exp.port).toBe(30637);
    expect(exp.members.map((m) => m.target)).toEqual(['node/node-1', 'node/node-2']);
  });

  it('eTP Local marks which nodes run a ready pod', () => {
    const svc = web((s) => (s.externalTrafficPolicy = 'Local'));
    const exp = expectedBackends(snap(svc), svc, svc.ports[0]!, lbBehaviour(healthyInventory('cce'), svc));
    expect(exp.members.map((m) => [m.target, m.hasLocalEndpoint])).toEqual([
      ['node/node-1', false],
      ['node/node-2', true],
    ]);
  });

  it('pods at their resolved targetPort when the LB targets pods', () => {
    const svc = web((s) => (s.meta.annotations = { 'kubernetes.io/elb.class': 'performance' }));
    const inv = { ...healthyInventory('cce'), cluster: { networkModel: 'eni' as const } };
    const exp = expectedBackends(snap(svc), svc, svc.ports[0]!, lbBehaviour(inv, svc));
    expect(exp).toMatchObject({ targets: 'pods', port: 8080, members: [{ target: 'pod/default/web-1' }] });
  });

  it('compareBackends accepts the right group and names each wrong member', () => {
    const svc = web();
    const s = snap(svc);
    const exp = expectedBackends(s, svc, svc.ports[0]!, lbBehaviour(healthyInventory('cce'), svc));
    const good: LbListener = {
      protocol: 'TCP',
      port: 80,
      backends: [
        { target: 'node/node-1', port: 30637 },
        { target: 'node/node-2', port: 30637 },
      ],
    };
    expect(compareBackends(s, exp, good)).toEqual([]);
    const bad: LbListener = {
      protocol: 'TCP',
      port: 80,
      backends: [
        { target: 'node/node-1', port: 30000 },
        { target: 'pod/default/web-1', address: '10.244.1.1', port: 8080 },
        { target: 'node/gone', port: 30637 },
      ],
    };
    expect(compareBackends(s, exp, bad).map((p) => p.kind)).toEqual([
      'wrong-port',
      'wrong-target-kind',
      'unknown-node',
    ]);
  });
});

describe('NAT and routes', () => {
  const inv: CloudInventory = {
    provider: 'generic',
    cluster: {},
    natGateways: [
      {
        id: 'nat-1',
        dnatRules: [
          {
            eip: '198.51.100.7',
            protocol: 'tcp',
            externalPort: 80,
            internalAddress: '192.168.0.11',
            internalPort: 30637,
          },
          {
            eip: '198.51.100.7',
            protocol: 'any',
            externalPort: 53,
            internalAddress: '192.168.0.12',
            internalPort: 31053,
          },
        ],
      },
    ],
    routes: [
      { table: 'rtb', destination: '10.0.0.0/8', nextHop: 'vpn-1' },
      { table: 'rtb', destination: '10.244.1.0/24', nextHop: 'node/node-1' },
      { table: 'rtb', destination: '10.244.1.128/25', nextHop: 'blackhole' },
    ],
  };
  it('finds the DNAT rule for EIP:port and protocol (any matches udp)', () => {
    expect(dnatFor(inv, '198.51.100.7', 80)?.index).toBe(0);
    expect(dnatFor(inv, '198.51.100.7', 80, 'udp')).toBeUndefined();
    expect(dnatFor(inv, '198.51.100.7', 53, 'udp')?.index).toBe(1);
  });
  it('finds the DNAT rules exposing a Service by node IP and nodePort', () => {
    const svc = lbService('web', (s) => (s.type = 'NodePort'));
    const s = snapshotOf({ services: [svc], nodes: [node('node-1'), node('node-2')] });
    expect(dnatRulesForService(s, inv, svc).map((r) => r.index)).toEqual([0]);
  });
  it('longest prefix wins', () => {
    expect(longestPrefixMatch(inv, '10.244.1.5')?.route.nextHop).toBe('node/node-1');
    const m = longestPrefixMatch(inv, '10.244.1.200');
    expect(m?.prefixLength).toBe(25);
    expect(m && isBlackhole(m.route)).toBe(true);
    expect(longestPrefixMatch(inv, '10.9.9.9')?.route.nextHop).toBe('vpn-1');
    expect(longestPrefixMatch(inv, '192.168.1.1')).toBeUndefined();
  });
});
