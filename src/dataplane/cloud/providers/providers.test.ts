import { describe, expect, it } from 'vitest';
import { service } from '../../../../test/support/builders.js';
import type { CloudInventory, Provider, Service } from '../../../model/types.js';
import { lbBehaviour, parseMinorVersion, tkeKubeProxyHasLoopbackFix } from './index.js';

function lb(annotations: Record<string, string>, mutate?: (s: Service) => void): Service {
  return service('web', (s) => {
    s.type = 'LoadBalancer';
    s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30637 }];
    s.meta.annotations = annotations;
    mutate?.(s);
  });
}
const inv = (provider: Provider, cluster: CloudInventory['cluster'] = {}): CloudInventory => ({
  provider,
  cluster,
});
const local = (s: Service) => {
  s.externalTrafficPolicy = 'Local';
  s.healthCheckNodePort = 32001;
};

describe('provider profiles map annotations to what the LB does', () => {
  const cases: {
    name: string;
    inv: CloudInventory;
    svc: Service;
    want: Partial<{
      targets: string;
      backendPort: string;
      scheme: string;
      lbKind: string;
      lbId: string;
      hcEnabled: boolean;
      hcPort: unknown;
      passThrough: string;
    }>;
  }[] = [
    {
      name: 'CCE shared ELB targets node ports with the health check on by default',
      inv: inv('cce', { networkModel: 'vpc' }),
      svc: lb({ 'kubernetes.io/elb.class': 'union', 'kubernetes.io/elb.id': 'elb-1' }),
      want: { targets: 'nodes', backendPort: 'nodePort', lbKind: 'shared', lbId: 'elb-1', hcEnabled: true },
    },
    {
      name: 'CCE health-check-flag off disables the health check',
      inv: inv('cce'),
      svc: lb({ 'kubernetes.io/elb.class': 'union', 'kubernetes.io/elb.health-check-flag': 'off' }),
      want: { hcEnabled: false },
    },
    {
      name: 'CCE Turbo with a dedicated ELB targets pod ENIs directly',
      inv: inv('cce', { networkModel: 'eni' }),
      svc: lb({ 'kubernetes.io/elb.class': 'performance' }),
      want: { targets: 'pods', backendPort: 'targetPort', lbKind: 'dedicated' },
    },
    {
      name: 'CCE eTP Local turns pass-through into onlyLocal',
      inv: inv('cce'),
      svc: lb({ 'kubernetes.io/elb.class': 'performance' }, local),
      want: { passThrough: 'onlyLocal' },
    },
    {
      name: 'TKE private CLB from the internal subnet annotation',
      inv: inv('tke', { networkModel: 'vpc' }),
      svc: lb({ 'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid': 'subnet-1' }),
      want: { scheme: 'private', lbKind: 'clb', targets: 'nodes' },
    },
    {
      name: 'TKE direct access with VPC-CNI binds pods',
      inv: inv('tke', { networkModel: 'eni' }),
      svc: lb({ 'service.cloud.tencent.com/direct-access': 'true' }),
      want: { targets: 'pods', scheme: 'public' },
    },
    {
      name: 'TKE direct access without VPC-CNI still binds node ports',
      inv: inv('tke', { networkModel: 'vpc' }),
      svc: lb({ 'service.cloud.tencent.com/direct-access': 'true' }),
      want: { targets: 'nodes' },
    },
    {
      name: 'EKS in-tree default is a public classic ELB on node ports',
      inv: inv('eks'),
      svc: lb({}),
      want: { targets: 'nodes', lbKind: 'classic', scheme: 'public' },
    },
    {
      name: 'EKS controller NLB with ip targets goes to pods and is internal by default',
      inv: inv('eks'),
      svc: lb({
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      }),
      want: { targets: 'pods', lbKind: 'nlb', scheme: 'private' },
    },
    {
      name: 'EKS internet-facing scheme is public',
      inv: inv('eks'),
      svc: lb({
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      }),
      want: { scheme: 'public', targets: 'nodes' },
    },
    {
      name: 'EKS eTP Local probes healthCheckNodePort',
      inv: inv('eks'),
      svc: lb({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }, local),
      want: { hcPort: 32001 },
    },
    {
      name: 'GKE internal LB keeps the Service port on the node',
      inv: inv('gke'),
      svc: lb({ 'networking.gke.io/load-balancer-type': 'Internal' }),
      want: { scheme: 'private', backendPort: 'servicePort', hcPort: 10256 },
    },
    {
      name: 'AKS internal annotation makes a private LB',
      inv: inv('aks'),
      svc: lb({ 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' }),
      want: { scheme: 'private', targets: 'nodes' },
    },
    {
      name: 'generic knows only Kubernetes: targets unknown',
      inv: inv('generic'),
      svc: lb({}),
      want: { targets: 'unknown' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = lbBehaviour(c.inv, c.svc);
      const got = {
        targets: b.targets,
        backendPort: b.backendPort,
        scheme: b.scheme,
        lbKind: b.lbKind,
        lbId: b.lbId,
        hcEnabled: b.healthCheck.enabled,
        hcPort: b.healthCheck.port,
        passThrough: b.passThrough,
      };
      for (const [k, v] of Object.entries(c.want)) expect(got[k as keyof typeof got], k).toEqual(v);
    });
  }

  it('GKE requires the health-checker ranges', () => {
    const b = lbBehaviour(inv('gke'), lb({}));
    expect(b.requiredSources.map((r) => r.cidr)).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
  });
});

describe('TKE kube-proxy loopback fix versions', () => {
  const table: [string, boolean | undefined][] = [
    ['v1.20.6-tke.12', true],
    ['v1.20.6-tke.11', false],
    ['v1.20.6-tke.30', true],
    ['v1.18.4-tke.20', true],
    ['v1.18.4-tke.19', false],
    ['v1.16.3-tke.25', true],
    ['v1.14.3-tke.23', false],
    ['v1.12.4-tke.30', true],
    ['v1.22.5-tke.1', true],
    ['v1.19.3-tke.5', undefined],
    ['v1.20.6', false],
    ['garbage', undefined],
  ];
  for (const [v, want] of table) it(`${v} → ${want}`, () => expect(tkeKubeProxyHasLoopbackFix(v)).toBe(want));
});

describe('parseMinorVersion', () => {
  it('reads major and minor from kubelet-style versions', () => {
    expect(parseMinorVersion('v1.15.11-r0-CCE2.0')).toEqual({ major: 1, minor: 15 });
    expect(parseMinorVersion('1.28')).toEqual({ major: 1, minor: 28 });
    expect(parseMinorVersion(undefined)).toBeUndefined();
  });
});
