import { describe, expect, it } from 'vitest';
import { seedCluster } from '../../../test/support/seed-cluster.js';
import type { Service } from '../../model/types.js';
import { isPublicIP, lbCapture, networkFacts, podEgressSource } from './model.js';

type Opts = Parameters<typeof seedCluster>[0];
const lb = (o: Partial<Opts> = {}) =>
  seedCluster({ network: 'vpc', mode: 'ipvs', version: 'v1.25.5', kind: 'dedicated-lb', ...o });
const annotate = (k: string, v: string) => (s: Service) => {
  s.meta.annotations[k] = v;
};

describe('whether kube-proxy answers for the LB address itself (lbCapture)', () => {
  const cases: { name: string; opts: Partial<Opts>; captured: boolean }[] = [
    {
      name: 'CCE, externalTrafficPolicy Local: pass-through onlyLocal sends in-cluster traffic to the ELB',
      opts: {},
      captured: false,
    },
    {
      name: 'CCE v1.15: pass-through is not supported, kube-proxy captures the address',
      opts: { version: 'v1.15.11' },
      captured: true,
    },
    {
      name: 'CCE, eTP Local with pass-through explicitly false: captured',
      opts: { mutateService: annotate('kubernetes.io/elb.pass-through', 'false') },
      captured: true,
    },
    {
      name: 'CCE, eTP Cluster with pass-through true: the ELB is used',
      opts: {
        mutateService: (s) => {
          s.externalTrafficPolicy = 'Cluster';
          s.meta.annotations['kubernetes.io/elb.pass-through'] = 'true';
        },
      },
      captured: false,
    },
    {
      name: 'CCE, eTP Cluster without pass-through: captured',
      opts: { mutateService: (s) => (s.externalTrafficPolicy = 'Cluster') },
      captured: true,
    },
    {
      name: 'TKE IPVS: the CLB VIP is not bound to kube-ipvs0',
      opts: { provider: 'tke', version: 'v1.20.6-tke.5' },
      captured: false,
    },
    {
      name: 'TKE IPVS with prevent-loopback and a fixed kube-proxy: bound locally',
      opts: {
        provider: 'tke',
        version: 'v1.20.6-tke.12',
        mutateService: annotate('service.cloud.tencent.com/prevent-loopback', 'true'),
      },
      captured: true,
    },
    {
      name: 'TKE IPVS with prevent-loopback but an old kube-proxy: still goes to the CLB',
      opts: {
        provider: 'tke',
        version: 'v1.18.4-tke.8',
        mutateService: annotate('service.cloud.tencent.com/prevent-loopback', 'true'),
      },
      captured: false,
    },
    {
      name: 'TKE iptables: upstream short-circuit',
      opts: { provider: 'tke', mode: 'iptables', version: 'v1.20.6-tke.5' },
      captured: true,
    },
    {
      name: 'generic provider: upstream kube-proxy captures LB addresses',
      opts: { provider: 'generic' },
      captured: true,
    },
    {
      name: 'ipMode Proxy (KEP-1860): never captured',
      opts: {
        provider: 'generic',
        mutateService: (s) => (s.loadBalancerIngress = [{ ip: '192.168.0.133', ipMode: 'Proxy' }]),
      },
      captured: false,
    },
  ];
  it.each(cases)('$name', ({ opts, captured }) => {
    const snap = lb(opts);
    const svc = snap.service('default', 'nginx') as Service;
    expect(lbCapture(snap, networkFacts(snap), svc, '192.168.0.133').captured).toBe(captured);
  });
});

describe('the source a pod packet carries when it leaves its node (podEgressSource)', () => {
  const cases = [
    {
      name: 'tunnel: SNATed to the node',
      network: 'tunnel' as const,
      pub: false,
      want: { kind: 'snat', address: '192.168.0.11' },
    },
    {
      name: 'VPC: the pod address is routable and kept',
      network: 'vpc' as const,
      pub: false,
      want: { kind: 'kept', address: '10.244.1.30' },
    },
    {
      name: 'ENI: the pod address is a VPC address',
      network: 'eni' as const,
      pub: false,
      want: { kind: 'kept', address: '10.244.1.30' },
    },
    {
      name: "to the internet: the node's EIP",
      network: 'vpc' as const,
      pub: true,
      want: { kind: 'snat', address: '121.36.10.11' },
    },
  ];
  it.each(cases)('$name', ({ network, pub, want }) => {
    const snap = seedCluster({ network, mode: 'iptables', version: 'v1.25.5', kind: 'nodeport' });
    const n = snap.node('node-1');
    expect(n).toBeDefined();
    if (!n) return;
    expect(podEgressSource(snap, networkFacts(snap), '10.244.1.30', n, pub)).toMatchObject(want);
  });

  it('network model unknown: says so', () => {
    const snap = seedCluster({
      network: 'vpc',
      mode: 'iptables',
      version: 'v1.25.5',
      kind: 'nodeport',
      mutateData: (d) => delete d.cloud,
    });
    const n = snap.node('node-1');
    if (!n) throw new Error('fixture');
    expect(podEgressSource(snap, networkFacts(snap), '10.244.1.30', n, false).kind).toBe('unknown');
  });
});

describe('public addresses', () => {
  it.each([
    ['203.0.113.10', true],
    ['121.36.10.11', true],
    ['192.168.0.133', false],
    ['100.64.1.1', false],
    ['10.0.0.1', false],
  ] as const)('%s public: %s', (ip, want) => expect(isPublicIP(ip)).toBe(want));
});
