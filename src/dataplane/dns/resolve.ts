// What a pod's resolver and CoreDNS's kubernetes plugin would answer for a name, following the
// Kubernetes DNS specification (kubernetes/dns docs/specification.md) and the kubelet's
// resolv.conf for ClusterFirst pods: `search <ns>.svc.<zone> svc.<zone> <zone>`, `options ndots:5`.
// Names outside the cluster zone are forwarded upstream, which a snapshot cannot answer.

import { suggest } from '../../model/didyoumean.js';
import { backendsOf } from '../../model/endpoints.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Pod, Service } from '../../model/types.js';
import { applyRewrite, kubernetesZones, parseRewriteRules, type RewriteRule } from './corefile.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** The kubelet writes ndots:5 for ClusterFirst pods. */
export const DEFAULT_NDOTS = 5;

export interface DnsRecord {
  type: 'A' | 'AAAA' | 'CNAME';
  name: string;
  value: string;
}

export interface DnsStep {
  /** The fully qualified name queried. */
  query: string;
  outcome: 'answer' | 'nxdomain' | 'nodata' | 'forwarded';
  detail: string;
  /** A Corefile rewrite that changed the query first. */
  rewrittenTo?: string;
}

export type DnsProblemKind =
  | 'client-dns-policy'
  | 'service-not-found'
  | 'namespace-not-found'
  | 'cluster-domain-wrong'
  | 'svc-label-missing'
  | 'headless-no-ready-endpoints'
  | 'coredns-down'
  | 'external-name';

export interface DnsSuggestion {
  field: 'service' | 'namespace' | 'domain' | 'name';
  typed: string;
  suggestion: string;
}

export interface DnsProblem {
  kind: DnsProblemKind;
  detail: string;
  suggestions: DnsSuggestion[];
}

export interface ResolveResult {
  /** Records of the first query that answered (empty when none did or the name left the cluster). */
  records: DnsRecord[];
  /** The Service the answer came from. */
  service?: Service;
  /** The query that answered. */
  answeredName?: string;
  steps: DnsStep[];
  /** Why the name does not lead to a Service, or why DNS itself would fail. */
  problem?: DnsProblem;
  /** The name left the cluster zone on every query: upstream decides and we cannot. */
  external: boolean;
  clusterDomain: string;
  coreDNS: CoreDnsHealth;
}

export interface CoreDnsHealth {
  status: 'ok' | 'down' | 'unknown';
  pods: string[];
  readyPods: string[];
  detail: string;
}

function corefileOf(snapshot: Snapshot): string | undefined {
  if (snapshot.data.dns?.corefile) return snapshot.data.dns.corefile;
  const cm = snapshot.data.configMaps.find(
    (c) => c.meta.namespace === 'kube-system' && c.meta.name === 'coredns',
  );
  return cm?.data.Corefile;
}

/** The cluster domain: the source's ClusterDNS, else the Corefile's kubernetes zone, else cluster.local. */
export function clusterDomainOf(snapshot: Snapshot): string {
  const fromData = snapshot.data.dns?.clusterDomain;
  if (fromData) return fromData.replace(/\.$/, '').toLowerCase();
  const corefile = corefileOf(snapshot);
  const zone = corefile ? kubernetesZones(corefile)[0] : undefined;
  return zone ?? DEFAULT_CLUSTER_DOMAIN;
}

export function rewriteRulesOf(snapshot: Snapshot): RewriteRule[] {
  const corefile = corefileOf(snapshot);
  return corefile ? parseRewriteRules(corefile) : [];
}

/** The resolv.conf search list the kubelet writes for a ClusterFirst pod in `namespace`. */
export function searchList(namespace: string, domain: string): string[] {
  return [`${namespace}.svc.${domain}`, `svc.${domain}`, domain];
}

/**
 * The queries a stub resolver sends, in order: names with at least `ndots` dots are tried as is
 * first; shorter names walk the search list first; a trailing dot disables the search list.
 */
export function queryOrder(name: string, namespace: string, domain: string, ndots = DEFAULT_NDOTS): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1).toLowerCase()];
  const n = name.toLowerCase();
  const dots = (n.match(/\./g) ?? []).length;
  const expanded = searchList(namespace, domain).map((s) => `${n}.${s}`);
  return dots >= ndots ? [n, ...expanded] : [...expanded, n];
}

/**
 * Which resolver a pod uses, as the kubelet sets it up: ClusterFirst (the default) sends names to
 * cluster DNS, except on hostNetwork pods, where it silently falls back to the node's resolv.conf
 * unless the policy is ClusterFirstWithHostNet. Default always uses the node's resolver; None
 * uses spec.dnsConfig, which the model does not carry.
 */
export function resolverOf(pod: Pod | undefined): 'cluster' | 'node' | 'custom' {
  if (!pod) return 'cluster';
  const policy = pod.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'Default') return 'node';
  if (policy === 'None') return 'custom';
  if (policy === 'ClusterFirst' && pod.hostNetwork) return 'node';
  return 'cluster';
}

/** CoreDNS health: kube-system pods labelled k8s-app=kube-dns (CoreDNS keeps the kube-dns label). */
export function coreDnsHealth(snapshot: Snapshot): CoreDnsHealth {
  const pods = snapshot.podsForSelector('kube-system', { 'k8s-app': 'kube-dns' });
  const names = pods.map((p) => p.meta.name).sort();
  const ready = pods
    .filter((p) => p.ready && p.phase === 'Running')
    .map((p) => p.meta.name)
    .sort();
  if (pods.length === 0) {
    const svc = snapshot.service('kube-system', 'kube-dns');
    if (svc) {
      const set = backendsOf(snapshot, svc);
      if (set.source && set.backends.some((b) => b.ready))
        return { status: 'ok', pods: [], readyPods: [], detail: 'kube-system/kube-dns has ready endpoints' };
      if (set.source)
        return {
          status: 'down',
          pods: [],
          readyPods: [],
          detail: 'kube-system/kube-dns has no ready endpoints',
        };
    }
    const sawKubeSystem = snapshot.podsIn('kube-system').length > 0;
    return sawKubeSystem && snapshot.has('Pod')
      ? {
          status: 'down',
          pods: [],
          readyPods: [],
          detail: 'no pod labelled k8s-app=kube-dns runs in kube-system',
        }
      : { status: 'unknown', pods: [], readyPods: [], detail: 'kube-system pods were not collected' };
  }
  if (ready.length === 0)
    return {
      status: 'down',
      pods: names,
      readyPods: [],
      detail: `none of the DNS pods is ready (${names.join(', ')})`,
    };
  return {
    status: 'ok',
    pods: names,
    readyPods: ready,
    detail: `${ready.length}/${names.length} DNS pods ready`,
  };
}

interface Lookup {
  outcome: DnsStep['outcome'];
  records: DnsRecord[];
  service?: Service;
  detail: string;
  headlessEmpty?: boolean;
}

function serviceRecords(snapshot: Snapshot, svc: Service, qname: string): Lookup {
  if (svc.type === 'ExternalName') {
    return {
      outcome: 'answer',
      records: svc.externalName ? [{ type: 'CNAME', name: qname, value: svc.externalName }] : [],
      service: svc,
      detail: `ExternalName: CNAME to ${svc.externalName ?? '(empty)'}`,
    };
  }
  if (svc.headless) {
    const set = backendsOf(snapshot, svc);
    // The endpointslice controller already marks not-ready endpoints ready when
    // publishNotReadyAddresses is set; legacy Endpoints keep them apart, so honour the flag here too.
    const ips = [
      ...new Set(set.backends.filter((b) => b.ready || svc.publishNotReadyAddresses).map((b) => b.ip)),
    ];
    if (ips.length === 0) {
      return {
        outcome: 'nxdomain',
        records: [],
        service: svc,
        detail: 'headless Service without ready endpoints: no A records',
        headlessEmpty: true,
      };
    }
    return {
      outcome: 'answer',
      records: ips.map((ip) => ({ type: ip.includes(':') ? 'AAAA' : 'A', name: qname, value: ip })),
      service: svc,
      detail: `headless: one record per ready endpoint (${ips.length})`,
    };
  }
  const ips = svc.clusterIPs.length > 0 ? svc.clusterIPs : svc.clusterIP ? [svc.clusterIP] : [];
  return {
    outcome: ips.length > 0 ? 'answer' : 'nodata',
    records: ips.map((ip) => ({ type: ip.includes(':') ? 'AAAA' : 'A', name: qname, value: ip })),
    service: svc,
    detail: ips.length > 0 ? `ClusterIP ${ips.join(', ')}` : 'Service has no ClusterIP allocated',
  };
}

function ipFromDashedLabel(label: string): string | undefined {
  const ip = label.includes('-') && /^[0-9-]+$/.test(label) ? label.replace(/-/g, '.') : undefined;
  return ip && /^(\d{1,3}\.){3}\d{1,3}$/.test(ip) ? ip : undefined;
}

function lookupInZone(snapshot: Snapshot, qname: string, domain: string): Lookup | undefined {
  if (qname !== domain && !qname.endsWith(`.${domain}`)) return undefined;
  const rest = qname === domain ? [] : qname.slice(0, qname.length - domain.length - 1).split('.');
  // <svc>.<ns>.svc
  if (rest.length === 3 && rest[2] === 'svc') {
    const svc = snapshot.service(rest[1]!, rest[0]!);
    if (svc) return serviceRecords(snapshot, svc, qname);
    return { outcome: 'nxdomain', records: [], detail: `no Service ${rest[1]}/${rest[0]}` };
  }
  // <hostname>.<svc>.<ns>.svc: a headless Service's named endpoint (StatefulSet pods).
  if (rest.length === 4 && rest[3] === 'svc') {
    const svc = snapshot.service(rest[2]!, rest[1]!);
    if (svc?.headless) {
      const slices = snapshot.endpointSlicesFor(svc.meta.namespace, svc.meta.name);
      for (const s of slices) {
        for (const ep of s.endpoints) {
          if (
            ep.hostname === rest[0] &&
            (ep.conditions.ready || svc.publishNotReadyAddresses) &&
            ep.addresses[0]
          ) {
            return {
              outcome: 'answer',
              records: [
                { type: ep.addresses[0].includes(':') ? 'AAAA' : 'A', name: qname, value: ep.addresses[0] },
              ],
              service: svc,
              detail: `endpoint hostname ${rest[0]} of headless ${svc.meta.namespace}/${svc.meta.name}`,
            };
          }
        }
      }
      const eps = snapshot.endpointsFor(svc.meta.namespace, svc.meta.name);
      for (const sub of eps?.subsets ?? []) {
        for (const a of sub.addresses) {
          if (a.hostname === rest[0])
            return {
              outcome: 'answer',
              records: [{ type: 'A', name: qname, value: a.ip }],
              service: svc,
              detail: `endpoint hostname ${rest[0]} of headless ${svc.meta.namespace}/${svc.meta.name}`,
            };
        }
      }
    }
    return {
      outcome: 'nxdomain',
      records: [],
      detail: `no endpoint named ${rest[0]} behind ${rest[2]}/${rest[1]}`,
    };
  }
  // <a-b-c-d>.<ns>.pod: answered from the name itself (the legacy "pods insecure" mode).
  if (rest.length === 3 && rest[2] === 'pod') {
    const ip = ipFromDashedLabel(rest[0]!);
    if (ip)
      return { outcome: 'answer', records: [{ type: 'A', name: qname, value: ip }], detail: 'pod A record' };
  }
  return { outcome: 'nxdomain', records: [], detail: 'no such name in the cluster zone' };
}

/** What the user most likely meant by a name: the Service, namespace and domain parts. */
export interface NameIntent {
  service: string;
  namespace: string;
  /** The domain part typed, when the name was qualified. */
  domain?: string;
  /** The name had a domain but no `svc` label (svc.ns.cluster.local). */
  missingSvcLabel: boolean;
}

export function nameIntent(name: string, clientNamespace: string, clusterDomain: string): NameIntent {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  const [svc = '', second] = labels;
  if (labels.length === 1) return { service: svc, namespace: clientNamespace, missingSvcLabel: false };
  if (labels.length === 2) return { service: svc, namespace: second!, missingSvcLabel: false };
  if (labels[2] === 'svc') {
    const domain = labels.slice(3).join('.');
    return { service: svc, namespace: second!, ...(domain ? { domain } : {}), missingSvcLabel: false };
  }
  // "web.prod.cluster.local": the svc label was left out.
  const tail = labels.slice(2).join('.');
  const domainParts = clusterDomain.split('.').length;
  // Only a tail that is (nearly) the cluster domain: api.shop.example.com is an outside name.
  const looksLikeClusterDomain = tail === clusterDomain || suggest(tail, [clusterDomain], 1).length > 0;
  if (labels.length === 2 + domainParts && looksLikeClusterDomain)
    return { service: svc, namespace: second!, domain: tail, missingSvcLabel: true };
  return { service: svc, namespace: second!, domain: tail, missingSvcLabel: false };
}

function servicesNamed(snapshot: Snapshot, name: string): Service[] {
  return snapshot.namespaces
    .map((ns) => snapshot.service(ns, name))
    .filter((s): s is Service => s !== undefined);
}

function diagnoseMiss(
  snapshot: Snapshot,
  name: string,
  clientNamespace: string,
  domain: string,
  headlessEmpty: Service | undefined,
): DnsProblem {
  if (headlessEmpty) {
    return {
      kind: 'headless-no-ready-endpoints',
      detail: `${headlessEmpty.meta.namespace}/${headlessEmpty.meta.name} is headless and has no ready endpoints, so its name has no records`,
      suggestions: [],
    };
  }
  const intent = nameIntent(name, clientNamespace, domain);
  const suggestions: DnsSuggestion[] = [];
  if (intent.domain !== undefined && intent.domain !== domain && !intent.missingSvcLabel) {
    const close = suggest(intent.domain, [domain], 1)[0];
    if (close || intent.domain.endsWith('local') || intent.domain.startsWith('cluster')) {
      suggestions.push({ field: 'domain', typed: intent.domain, suggestion: domain });
      return {
        kind: 'cluster-domain-wrong',
        detail: `the cluster domain is ${domain}, the name uses ${intent.domain}`,
        suggestions,
      };
    }
  }
  if (intent.missingSvcLabel) {
    const fixed = `${intent.service}.${intent.namespace}.svc.${domain}`;
    return {
      kind: 'svc-label-missing',
      detail: `Service names live under <service>.<namespace>.svc.${domain}; the name lacks the "svc" label`,
      suggestions: [{ field: 'name', typed: name, suggestion: fixed }],
    };
  }
  if (!snapshot.namespaceExists(intent.namespace)) {
    // A two-label name whose second label is not a namespace may simply be an external host.
    for (const s of suggest(intent.namespace, snapshot.namespaces))
      suggestions.push({ field: 'namespace', typed: intent.namespace, suggestion: s.name });
    for (const s of servicesNamed(snapshot, intent.service))
      if (!suggestions.some((x) => x.suggestion === s.meta.namespace))
        suggestions.push({ field: 'namespace', typed: intent.namespace, suggestion: s.meta.namespace });
    return {
      kind: 'namespace-not-found',
      detail: `namespace ${intent.namespace} does not exist`,
      suggestions,
    };
  }
  const inNs = snapshot.servicesIn(intent.namespace).map((s) => s.meta.name);
  for (const s of suggest(intent.service, inNs))
    suggestions.push({ field: 'service', typed: intent.service, suggestion: s.name });
  // Right name, wrong namespace: the short name only searches the client's own namespace.
  for (const s of servicesNamed(snapshot, intent.service)) {
    if (s.meta.namespace !== intent.namespace)
      suggestions.push({ field: 'namespace', typed: intent.namespace, suggestion: s.meta.namespace });
  }
  return {
    kind: 'service-not-found',
    detail: `no Service ${intent.service} in namespace ${intent.namespace}`,
    suggestions,
  };
}

/**
 * Resolves `name` as a ClusterFirst pod in `clientNamespace` would. Never throws.
 * `problem` is set when no query yields a Service record, or when CoreDNS is down (even if
 * the records exist, nobody would serve them).
 */
export function resolveName(
  snapshot: Snapshot,
  name: string,
  clientNamespace: string,
  clientPod?: Pod,
): ResolveResult {
  const domain = clusterDomainOf(snapshot);
  const resolver = resolverOf(clientPod);
  if (resolver === 'node' && clientPod) {
    // The node's resolver does not know cluster names (unless it forwards to CoreDNS, which is rare).
    const policy = clientPod.dnsPolicy ?? 'ClusterFirst';
    return {
      records: [],
      steps: [],
      external: false,
      clusterDomain: domain,
      coreDNS: coreDnsHealth(snapshot),
      problem: {
        kind: 'client-dns-policy',
        detail:
          policy === 'Default'
            ? `pod ${clientPod.meta.namespace}/${clientPod.meta.name} has dnsPolicy Default: it uses the node's resolver, which does not know cluster names`
            : `pod ${clientPod.meta.namespace}/${clientPod.meta.name} uses hostNetwork with dnsPolicy ClusterFirst, which falls back to the node's resolver`,
        suggestions: [
          {
            field: 'name',
            typed: policy,
            suggestion: clientPod.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
          },
        ],
      },
    };
  }
  const rules = rewriteRulesOf(snapshot);
  const coreDNS = coreDnsHealth(snapshot);
  const steps: DnsStep[] = [];
  let headlessEmpty: Service | undefined;
  let answered: { records: DnsRecord[]; service?: Service; name: string } | undefined;
  let forwardedAbsolute = false;
  for (const q of queryOrder(name, clientNamespace, domain)) {
    const rw = applyRewrite(rules, q);
    const rewritten = rw.rule ? { rewrittenTo: rw.name } : {};
    const hit = lookupInZone(snapshot, rw.name, domain);
    if (!hit) {
      steps.push({
        query: q,
        outcome: 'forwarded',
        detail: 'outside the cluster zone: forwarded upstream',
        ...rewritten,
      });
      // Only the name as typed (or a rewrite of it) can leave the cluster zone; upstream decides it.
      forwardedAbsolute = true;
      continue;
    }
    steps.push({ query: q, outcome: hit.outcome, detail: hit.detail, ...rewritten });
    if (hit.headlessEmpty && hit.service) headlessEmpty = hit.service;
    if (hit.outcome === 'answer') {
      answered = { records: hit.records, ...(hit.service ? { service: hit.service } : {}), name: rw.name };
      break;
    }
  }
  const base = { steps, clusterDomain: domain, coreDNS };
  if (answered) {
    const problem: DnsProblem | undefined =
      coreDNS.status === 'down'
        ? { kind: 'coredns-down', detail: coreDNS.detail, suggestions: [] }
        : undefined;
    return {
      ...base,
      records: answered.records,
      ...(answered.service ? { service: answered.service } : {}),
      answeredName: answered.name,
      external: !answered.service && forwardedAbsolute,
      ...(problem ? { problem } : {}),
    };
  }
  if (coreDNS.status === 'down') {
    return {
      ...base,
      records: [],
      external: forwardedAbsolute,
      problem: { kind: 'coredns-down', detail: coreDNS.detail, suggestions: [] },
    };
  }
  const problem = diagnoseMiss(snapshot, name, clientNamespace, domain, headlessEmpty);
  // "example.com" misses every search domain and goes upstream: without a near miss in the
  // cluster it is an external name, not a wrong one.
  if (forwardedAbsolute && problem.kind === 'namespace-not-found' && problem.suggestions.length === 0) {
    return { ...base, records: [], external: true };
  }
  // Three or more labels without "svc" and without a tail like the cluster domain (web.shop.example.com)
  // is an outside name, whatever its first labels look like.
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  const intent = nameIntent(name, clientNamespace, domain);
  const clusterish =
    labels.length < 3 ||
    labels[2] === 'svc' ||
    intent.missingSvcLabel ||
    problem.kind === 'cluster-domain-wrong';
  if (forwardedAbsolute && !clusterish) return { ...base, records: [], external: true };
  return { ...base, records: [], external: forwardedAbsolute, problem };
}

/** The namespace a client's DNS search list uses: a pod's own, otherwise the fallback. */
export function clientNamespaceOf(pod: Pod | undefined, fallback: string): string {
  return pod?.meta.namespace ?? fallback;
}
