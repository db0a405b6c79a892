import { beforeEach, describe, expect, it } from 'vitest';
import {
  meta,
  notReady,
  pod,
  resetBuilderCounters,
  service,
  sliceFor,
  snapshotOf,
} from '../../../test/support/builders.js';
import type { ConfigMap, Namespace, Pod, Service } from '../../model/types.js';
import { applyRewrite, parseRewriteRules } from './corefile.js';
import { clusterDomainOf, queryOrder, resolveName, resolverOf } from './resolve.js';

const ns = (name: string): Namespace => ({ kind: 'Namespace', meta: meta(name, '') });
const corednsPod = (ready = true): Pod =>
  pod(
    'coredns-5d78c9869d-abcde',
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-dns' };
      if (!ready) notReady(p);
    },
    'kube-system',
  );
const corefile = (body: string): ConfigMap => ({
  kind: 'ConfigMap',
  meta: meta('coredns', 'kube-system'),
  data: { Corefile: body },
});

function world(
  opts: { corednsReady?: boolean; configMaps?: ConfigMap[]; extra?: Service[]; pods?: Pod[] } = {},
) {
  const web = service(
    'web',
    (s) => {
      s.clusterIP = '10.96.0.50';
      s.clusterIPs = ['10.96.0.50'];
    },
    'shop',
  );
  const api = service(
    'api',
    (s) => {
      s.clusterIP = '10.96.0.51';
      s.clusterIPs = ['10.96.0.51'];
    },
    'backend',
  );
  const ext = service(
    'payments',
    (s) => {
      s.type = 'ExternalName';
      s.externalName = 'pay.example.com';
      s.selector = undefined;
      s.clusterIP = '';
      s.clusterIPs = [];
    },
    'shop',
  );
  const db = service(
    'db',
    (s) => {
      s.headless = true;
      s.clusterIP = 'None';
      s.clusterIPs = ['None'];
      s.selector = { app: 'db' };
    },
    'shop',
  );
  const dbPods = [
    pod(
      'db-0',
      (p) => {
        p.meta.labels = { app: 'db' };
        p.podIP = '10.244.1.1';
        p.podIPs = ['10.244.1.1'];
      },
      'shop',
    ),
    pod(
      'db-1',
      (p) => {
        p.meta.labels = { app: 'db' };
        notReady(p);
      },
      'shop',
    ),
  ];
  const dbSlice = sliceFor(db, dbPods, (s) => {
    s.endpoints[0]!.hostname = 'db-0';
    s.endpoints[1]!.hostname = 'db-1';
  });
  return snapshotOf({
    services: [web, api, ext, db, ...(opts.extra ?? [])],
    pods: [...dbPods, corednsPod(opts.corednsReady ?? true), ...(opts.pods ?? [])],
    endpointSlices: [dbSlice],
    namespaces: [ns('shop'), ns('backend'), ns('kube-system')],
    configMaps: opts.configMaps ?? [],
  });
}

describe('queryOrder (resolv.conf search list and ndots:5)', () => {
  it.each([
    [
      'a short name walks the search list first',
      'web',
      ['web.shop.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web'],
    ],
    [
      'a name with fewer than 5 dots still walks the search list first',
      'web.shop.svc.cluster.local',
      [
        'web.shop.svc.cluster.local.shop.svc.cluster.local',
        'web.shop.svc.cluster.local.svc.cluster.local',
        'web.shop.svc.cluster.local.cluster.local',
        'web.shop.svc.cluster.local',
      ],
    ],
    [
      'a trailing dot disables the search list',
      'web.shop.svc.cluster.local.',
      ['web.shop.svc.cluster.local'],
    ],
    [
      'a name with 5 dots is tried as is first',
      'a.b.c.d.e.f',
      [
        'a.b.c.d.e.f',
        'a.b.c.d.e.f.shop.svc.cluster.local',
        'a.b.c.d.e.f.svc.cluster.local',
        'a.b.c.d.e.f.cluster.local',
      ],
    ],
  ])('%s', (_n, name, want) => {
    expect(queryOrder(name, 'shop', 'cluster.local')).toEqual(want);
  });
});

describe('resolveName', () => {
  beforeEach(() => resetBuilderCounters());

  it.each([
    {
      name: 'the short name from the same namespace',
      q: 'web',
      client: 'shop',
      service: 'shop/web',
      records: ['A 10.96.0.50'],
    },
    {
      name: 'svc.ns from another namespace',
      q: 'web.shop',
      client: 'backend',
      service: 'shop/web',
      records: ['A 10.96.0.50'],
    },
    {
      name: 'svc.ns.svc',
      q: 'web.shop.svc',
      client: 'backend',
      service: 'shop/web',
      records: ['A 10.96.0.50'],
    },
    {
      name: 'the fully qualified name',
      q: 'web.shop.svc.cluster.local',
      client: 'backend',
      service: 'shop/web',
      records: ['A 10.96.0.50'],
    },
    {
      name: 'the fully qualified name with a trailing dot',
      q: 'web.shop.svc.cluster.local.',
      client: 'backend',
      service: 'shop/web',
      records: ['A 10.96.0.50'],
    },
    {
      name: 'names are case-insensitive',
      q: 'Web.Shop',
      client: 'backend',
      service: 'shop/web',
      records: ['A 10.96.0.50'],
    },
    {
      name: 'an ExternalName Service answers with a CNAME',
      q: 'payments',
      client: 'shop',
      service: 'shop/payments',
      records: ['CNAME pay.example.com'],
    },
    {
      name: 'a headless Service answers one A record per ready endpoint',
      q: 'db.shop',
      client: 'backend',
      service: 'shop/db',
      records: ['A 10.244.1.1'],
    },
    {
      name: 'a headless endpoint hostname resolves to that pod',
      q: 'db-0.db.shop.svc.cluster.local',
      client: 'backend',
      service: 'shop/db',
      records: ['A 10.244.1.1'],
    },
  ])('resolves $name', ({ q, client, service: svc, records }) => {
    const r = resolveName(world(), q, client);
    expect(r.problem).toBeUndefined();
    expect(r.service && `${r.service.meta.namespace}/${r.service.meta.name}`).toBe(svc);
    expect(r.records.map((x) => `${x.type} ${x.value}`)).toEqual(records);
  });

  it.each([
    {
      name: 'a short name from another namespace only searches the client namespace',
      q: 'web',
      client: 'backend',
      kind: 'service-not-found',
      suggestions: ['namespace:shop'],
    },
    {
      name: 'a misspelled Service',
      q: 'wbe.shop',
      client: 'backend',
      kind: 'service-not-found',
      suggestions: ['service:web'],
    },
    {
      name: 'a misspelled namespace',
      q: 'web.shpo',
      client: 'backend',
      kind: 'namespace-not-found',
      suggestions: ['namespace:shop'],
    },
    {
      name: 'a misspelled cluster domain',
      q: 'web.shop.svc.cluster.lcoal',
      client: 'backend',
      kind: 'cluster-domain-wrong',
      suggestions: ['domain:cluster.local'],
    },
    {
      name: 'a name without the svc label',
      q: 'web.shop.cluster.local',
      client: 'backend',
      kind: 'svc-label-missing',
      suggestions: ['name:web.shop.svc.cluster.local'],
    },
  ])('explains $name', ({ q, client, kind, suggestions }) => {
    const r = resolveName(world(), q, client);
    expect(r.records).toEqual([]);
    expect(r.problem?.kind).toBe(kind);
    expect(r.problem?.suggestions.map((s) => `${s.field}:${s.suggestion}`)).toEqual(suggestions);
  });

  it('reports a headless Service with no ready endpoints', () => {
    const lonely = service(
      'cache',
      (s) => {
        s.headless = true;
        s.clusterIP = 'None';
        s.clusterIPs = ['None'];
        s.selector = { app: 'nothing-matches' };
      },
      'shop',
    );
    const r = resolveName(world({ extra: [lonely] }), 'cache', 'shop');
    expect(r.problem?.kind).toBe('headless-no-ready-endpoints');
  });

  it('publishNotReadyAddresses publishes not-ready endpoints of a headless Service', () => {
    const db = service(
      'peers',
      (s) => {
        s.headless = true;
        s.clusterIP = 'None';
        s.clusterIPs = ['None'];
        s.selector = { app: 'peer' };
        s.publishNotReadyAddresses = true;
      },
      'shop',
    );
    const peers = [
      pod(
        'peer-0',
        (p) => {
          p.meta.labels = { app: 'peer' };
          notReady(p);
        },
        'shop',
      ),
    ];
    const r = resolveName(world({ extra: [db], pods: peers }), 'peers', 'shop');
    expect(r.records.map((x) => x.value)).toEqual([peers[0]!.podIP]);
  });

  it('reports CoreDNS down even when the name exists', () => {
    const r = resolveName(world({ corednsReady: false }), 'web', 'shop');
    expect(r.problem?.kind).toBe('coredns-down');
    expect(r.coreDNS.status).toBe('down');
  });

  it('treats an outside name whose labels happen to match a Service and namespace as external', () => {
    const r = resolveName(world(), 'web.shop.example.com', 'backend');
    expect(r.problem).toBeUndefined();
    expect(r.external).toBe(true);
  });

  it('treats an unknown external name as external, not wrong', () => {
    const r = resolveName(world(), 'example.com', 'shop');
    expect(r.problem).toBeUndefined();
    expect(r.external).toBe(true);
  });

  it('follows a Corefile rewrite to a Service (seed 003)', () => {
    const cf = corefile(
      '.:53 {\n    errors\n    rewrite name roc.example.com web.shop.svc.cluster.local\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n    }\n    forward . /etc/resolv.conf\n}\n',
    );
    const r = resolveName(world({ configMaps: [cf] }), 'roc.example.com', 'backend');
    expect(r.service?.meta.name).toBe('web');
    expect(r.steps.find((s) => s.rewrittenTo)?.rewrittenTo).toBe('web.shop.svc.cluster.local');
  });

  it('uses the cluster domain from the Corefile', () => {
    const cf = corefile('.:53 {\n    kubernetes corp.internal in-addr.arpa ip6.arpa\n}\n');
    const snap = world({ configMaps: [cf] });
    expect(clusterDomainOf(snap)).toBe('corp.internal');
    expect(resolveName(snap, 'web.shop.svc.corp.internal', 'backend').service?.meta.name).toBe('web');
    expect(resolveName(snap, 'web.shop.svc.cluster.local', 'backend').problem?.kind).toBe(
      'cluster-domain-wrong',
    );
  });
});

describe('Corefile rewrite rules', () => {
  it.each([
    ['rewrite name a.example.com b.ns.svc.cluster.local', 'a.example.com', 'b.ns.svc.cluster.local'],
    ['rewrite name exact a.example.com b.ns.svc.cluster.local', 'a.example.com', 'b.ns.svc.cluster.local'],
    [
      'rewrite stop name suffix .corp.example .svc.cluster.local',
      'web.shop.corp.example',
      'web.shop.svc.cluster.local',
    ],
    ['rewrite name prefix old- new-', 'old-web.shop.svc.cluster.local', 'new-web.shop.svc.cluster.local'],
    ['rewrite name substring legacy shop', 'web.legacy.svc.cluster.local', 'web.shop.svc.cluster.local'],
    [
      'rewrite name regex (.*)\\.apps\\.example\\.com {1}.shop.svc.cluster.local',
      'web.apps.example.com',
      'web.shop.svc.cluster.local',
    ],
    ['rewrite name a.example.com b.example.com', 'c.example.com', 'c.example.com'],
  ])('%s: %s -> %s', (line, q, want) => {
    expect(applyRewrite(parseRewriteRules(line), q).name).toBe(want);
  });
});

describe('resolverOf (kubelet dnsPolicy)', () => {
  it.each([
    [undefined, false, 'cluster'],
    ['ClusterFirst', false, 'cluster'],
    ['ClusterFirst', true, 'node'],
    [undefined, true, 'node'],
    ['ClusterFirstWithHostNet', true, 'cluster'],
    ['ClusterFirstWithHostNet', false, 'cluster'],
    ['Default', false, 'node'],
    ['None', false, 'custom'],
  ] as const)('dnsPolicy %s, hostNetwork %s: %s', (policy, host, want) => {
    const p = pod('c', (x) => {
      x.hostNetwork = host;
      if (policy) x.dnsPolicy = policy;
    });
    expect(resolverOf(p)).toBe(want);
  });
});
