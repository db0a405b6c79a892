import { describe, expect, it } from 'vitest';
import { meta, notReady, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { Namespace, Pod } from '../model/types.js';
import check, { applySuggestion } from './dns-name-wrong.js';

const ns = (name: string): Namespace => ({ kind: 'Namespace', meta: meta(name, '') });
const namespaces = [ns('shop'), ns('front'), ns('kube-system')];
const api = () => service('api', undefined, 'shop');
const coredns = (ready = true): Pod =>
  pod(
    'coredns-1',
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-dns' };
      if (!ready) notReady(p);
    },
    'kube-system',
  );
const client = (namespace = 'front') => pod('client', (p) => (p.meta.labels = { app: 'client' }), namespace);
const hostClient = (dnsPolicy?: string) =>
  pod(
    'agent',
    (p) => {
      p.meta.labels = { app: 'agent' };
      p.hostNetwork = true;
      if (dnsPolicy) p.dnsPolicy = dnsPolicy;
    },
    'front',
  );
const world = (opts: { dnsReady?: boolean; clientNs?: string } = {}) =>
  snapshotOf({
    services: [api(), service('apx', undefined, 'shop')],
    pods: [coredns(opts.dnsReady ?? true), client(opts.clientNs)],
    namespaces,
  });

checkTable(check, {
  valid: [
    {
      name: 'svc.ns from another namespace resolves',
      snapshot: world(),
      question: question('shop/api', { client: 'pod/front/client', dnsName: 'api.shop' }),
    },
    {
      name: 'the fully qualified name resolves',
      snapshot: world(),
      question: question('shop/api', { client: 'pod/front/client', dnsName: 'api.shop.svc.cluster.local' }),
    },
    {
      name: 'the short name from the same namespace resolves',
      snapshot: world({ clientNs: 'shop' }),
      question: question('shop/api', { client: 'pod/shop/client', dnsName: 'api' }),
    },
    {
      name: 'a hostNetwork client with ClusterFirstWithHostNet uses cluster DNS',
      snapshot: snapshotOf({
        services: [api()],
        pods: [coredns(), hostClient('ClusterFirstWithHostNet')],
        namespaces,
      }),
      question: question('shop/api', { client: 'pod/front/agent', dnsName: 'api.shop' }),
    },
    {
      name: 'no DNS in the question',
      snapshot: world({ dnsReady: false }),
      question: question('shop/api', { client: 'pod/front/client', via: 'clusterip' }),
    },
  ],
  invalid: [
    {
      name: 'the short name used from another namespace',
      snapshot: world(),
      question: question('shop/api', { client: 'pod/front/client', dnsName: 'api' }),
      hits: [
        {
          data: {
            kind: 'service-not-found',
            suggestions: [{ field: 'namespace', suggestion: 'shop' }],
            correctName: 'api.shop.svc.cluster.local',
            didYouMean: 'api.shop',
          },
        },
      ],
    },
    {
      name: 'a typo in the namespace',
      snapshot: world(),
      question: question('shop/api', { client: 'pod/front/client', dnsName: 'api.shpo.svc.cluster.local' }),
      hits: [
        { data: { kind: 'namespace-not-found', suggestions: [{ field: 'namespace', suggestion: 'shop' }] } },
      ],
    },
    {
      name: 'a typo in the cluster domain',
      snapshot: world(),
      question: question('shop/api', { client: 'pod/front/client', dnsName: 'api.shop.svc.cluster.locl' }),
      hits: [
        {
          data: {
            kind: 'cluster-domain-wrong',
            suggestions: [{ field: 'domain', suggestion: 'cluster.local' }],
          },
        },
      ],
    },
    {
      name: 'the name resolves, but to a neighbouring Service',
      snapshot: world(),
      question: question('shop/api', { client: 'pod/front/client', dnsName: 'apx.shop' }),
      hits: [{ data: { kind: 'resolves-elsewhere', resolvesTo: 'shop/apx' } }],
    },
    {
      name: 'a hostNetwork client with the default ClusterFirst falls back to the node resolver',
      snapshot: snapshotOf({ services: [api()], pods: [coredns(), hostClient()], namespaces }),
      question: question('shop/api', { client: 'pod/front/agent', dnsName: 'api.shop' }),
      hits: [
        {
          data: { kind: 'client-dns-policy', suggestions: [{ suggestion: 'ClusterFirstWithHostNet' }] },
          subject: { kind: 'Pod', namespace: 'front', name: 'agent' },
        },
      ],
    },
    {
      name: 'dnsPolicy Default never asks cluster DNS, even without a name in the question',
      snapshot: snapshotOf({
        services: [api()],
        pods: [coredns(), pod('client', (p) => (p.dnsPolicy = 'Default'), 'front')],
        namespaces,
      }),
      question: question('shop/api', { client: 'pod/front/client', via: 'dns' }),
      hits: [{ data: { kind: 'client-dns-policy', suggestions: [{ suggestion: 'ClusterFirst' }] } }],
    },
    {
      name: 'CoreDNS is not ready',
      snapshot: world({ dnsReady: false }),
      question: question('shop/api', { client: 'pod/front/client', via: 'dns' }),
      hits: [
        {
          data: { kind: 'coredns-down' },
          subject: { kind: 'Service', namespace: 'kube-system', name: 'kube-dns' },
        },
      ],
    },
    {
      name: 'an observed NXDOMAIN names the host that was looked up',
      snapshot: snapshotOf({
        services: [api()],
        pods: [coredns(), client()],
        namespaces,
        observations: [{ from: 'pod/front/client', to: 'http://ap1.shop:8080/', result: 'dns-nxdomain' }],
      }),
      question: question('shop/api', { client: 'pod/front/client' }),
      hits: [
        {
          data: {
            name: 'ap1.shop',
            kind: 'service-not-found',
            suggestions: [{ field: 'service', suggestion: 'api' }],
          },
        },
      ],
    },
  ],
});

describe('applySuggestion', () => {
  it.each([
    ['api', { field: 'namespace', typed: 'front', suggestion: 'shop' }, 'api.shop'],
    [
      'api.shpo.svc.cluster.local',
      { field: 'namespace', typed: 'shpo', suggestion: 'shop' },
      'api.shop.svc.cluster.local',
    ],
    ['ap1.shop', { field: 'service', typed: 'ap1', suggestion: 'api' }, 'api.shop'],
    [
      'api.shop.svc.cluster.locl',
      { field: 'domain', typed: 'cluster.locl', suggestion: 'cluster.local' },
      'api.shop.svc.cluster.local',
    ],
    [
      'api.shop.cluster.local',
      { field: 'name', typed: 'api.shop.cluster.local', suggestion: 'api.shop.svc.cluster.local' },
      'api.shop.svc.cluster.local',
    ],
  ] as const)('%s + %j = %s', (name, s, want) => {
    expect(applySuggestion(name, s, 'cluster.local')).toBe(want);
  });
});
