import { type DnsProblemKind, type DnsSuggestion, resolveName } from '../dataplane/dns/resolve.js';
import { parseObservedTarget } from '../diagnose/observations.js';
import type { Question } from '../model/question.js';
import { refOf, type Snapshot } from '../model/snapshot.js';
import type { Pod, Service } from '../model/types.js';
import { type CheckHit, defineCheck } from './define.js';

type Kind = Exclude<DnsProblemKind, 'headless-no-ready-endpoints' | 'external-name'> | 'resolves-elsewhere';

interface Data extends Record<string, unknown> {
  name: string;
  clientNamespace: string;
  kind: Kind;
  suggestions: DnsSuggestion[];
  /** The name the user should use for the target Service. */
  correctName: string;
  /** The typed name with the best suggestion applied (a whole name, not just the corrected label). */
  didYouMean?: string;
  /** When the name resolves, the Service it leads to. */
  resolvesTo?: string;
  clusterDomain: string;
}

/** The names a client looked up: the question's, or host names from DNS failures it observed. */
function namesAsked(snapshot: Snapshot, question: Question): string[] {
  if (question.dnsName) return [question.dnsName];
  const out: string[] = [];
  for (const o of snapshot.data.observations) {
    if (o.result !== 'dns-nxdomain' && o.result !== 'dns-timeout') continue;
    const host = parseObservedTarget(o.to).host;
    if (host && !out.includes(host)) out.push(host);
  }
  return out;
}

function clientNamespace(question: Question, service: Service | undefined): string {
  if (question.client.kind === 'pod') return question.client.namespace;
  return service?.meta.namespace ?? question.target.namespace ?? 'default';
}

/** Applies one suggestion to the name as typed: the corrected label in place, or the whole name. */
export function applySuggestion(name: string, s: DnsSuggestion, clusterDomain: string): string {
  const trailing = name.endsWith('.') ? '.' : '';
  const labels = name.replace(/\.$/, '').split('.');
  switch (s.field) {
    case 'service':
      labels[0] = s.suggestion;
      return labels.join('.') + trailing;
    case 'namespace':
      if (labels.length === 1) return `${labels[0]}.${s.suggestion}`;
      labels[1] = s.suggestion;
      return labels.join('.') + trailing;
    case 'domain': {
      const svcAt = labels.indexOf('svc');
      return svcAt >= 0
        ? `${labels.slice(0, svcAt + 1).join('.')}.${clusterDomain}${trailing}`
        : s.suggestion;
    }
    default:
      return s.suggestion;
  }
}

/** The workload to patch: a ReplicaSet owner means its Deployment (name minus the template hash). */
function ownerOf(pod: Pod): string {
  const o = pod.meta.ownerReferences.find((r) => r.controller) ?? pod.meta.ownerReferences[0];
  if (!o) return `pod/${pod.meta.name}`;
  if (o.kind === 'ReplicaSet') return `deployment/${o.name.replace(/-[a-z0-9]{6,10}$/, '')}`;
  return `${o.kind.toLowerCase()}/${o.name}`;
}

function describeKind(d: Data): string {
  switch (d.kind) {
    case 'client-dns-policy':
      return `the client resolves names with its node's resolver (dnsPolicy), not cluster DNS`;
    case 'coredns-down':
      return 'cluster DNS (CoreDNS) is not running';
    case 'cluster-domain-wrong':
      return `"${d.name}" uses the wrong cluster domain (the cluster uses ${d.clusterDomain})`;
    case 'namespace-not-found':
      return `"${d.name}" names a namespace that does not exist`;
    case 'svc-label-missing':
      return `"${d.name}" lacks the "svc" label`;
    case 'resolves-elsewhere':
      return `"${d.name}" resolves to ${d.resolvesTo}, not the intended Service`;
    default:
      return `"${d.name}" does not resolve to a Service from namespace ${d.clientNamespace}`;
  }
}

export default defineCheck<Data>({
  id: 'dns-name-wrong',
  severity: 'error',
  layer: 'dns',
  confidence: 0.85,
  title: (d) => {
    const text = describeKind(d);
    return `${text[0]!.toUpperCase()}${text.slice(1)}${d.didYouMean ? ` — did you mean ${d.didYouMean}?` : ''}`;
  },
  docs: {
    what: 'The DNS name the client uses does not lead to the Service: the Service name, namespace or cluster domain is wrong, the short name is used from another namespace, or cluster DNS is down.',
    why: 'A pod resolves names through the search list <ns>.svc.<domain>, svc.<domain>, <domain> with ndots:5, so "web" only finds web in the client\'s own namespace and "web.other" needs the namespace right. A Service name never resolves if CoreDNS has no ready pod.',
    confirm:
      'kubectl exec CLIENT -- nslookup NAME; kubectl exec CLIENT -- cat /etc/resolv.conf; kubectl get pods -n kube-system -l k8s-app=kube-dns; kubectl get svc -A | grep NAME.',
    fix: 'Use <service>.<namespace> (or the full <service>.<namespace>.svc.<cluster-domain>) for cross-namespace access, correct the spelling, and make sure CoreDNS pods are running and ready.',
  },
  source: [
    'kubernetes.io DNS for Services and Pods; kubernetes/dns specification',
    'kubernetes.io Debug Services: "Does the Service work by DNS name?", "Does any Service work by DNS name?"',
    'seed 003 (Service names and CoreDNS rewrite)',
  ],
  run({ snapshot, service, question }) {
    if (!service) return [];
    const cns = clientNamespace(question, service);
    const clientPod =
      question.client.kind === 'pod'
        ? snapshot.pod(question.client.namespace, question.client.name)
        : undefined;
    const correct = (domain: string) =>
      cns === service.meta.namespace
        ? service.meta.name
        : `${service.meta.name}.${service.meta.namespace}.svc.${domain}`;
    let names = namesAsked(snapshot, question);
    // No name given but the path is DNS: only DNS itself (CoreDNS, the client's resolver) can be wrong.
    const onlyDnsItself = names.length === 0;
    if (onlyDnsItself) {
      if (question.via !== 'dns') return [];
      names = [
        cns === service.meta.namespace ? service.meta.name : `${service.meta.name}.${service.meta.namespace}`,
      ];
    }
    const hits: CheckHit<Data>[] = [];
    for (const name of names) {
      const r = resolveName(snapshot, name, cns, clientPod);
      const correctName = correct(r.clusterDomain);
      const base = { name, clientNamespace: cns, clusterDomain: r.clusterDomain, correctName };
      const evidence = r.steps.map(
        (s) =>
          `${s.query}${s.rewrittenTo ? ` (rewritten to ${s.rewrittenTo})` : ''}: ${s.outcome} — ${s.detail}`,
      );
      const dnsItself = r.problem?.kind === 'coredns-down' || r.problem?.kind === 'client-dns-policy';
      if (onlyDnsItself && !dnsItself) continue;
      if (r.service === service && !dnsItself) continue;
      if (r.external && !r.problem) continue;
      if (r.problem?.kind === 'headless-no-ready-endpoints') continue; // an endpoints problem, reported there
      let kind: Kind;
      let suggestions: DnsSuggestion[] = r.problem?.suggestions ?? [];
      if (r.problem && r.problem.kind !== 'external-name') kind = r.problem.kind as Kind;
      else if (r.service) kind = 'resolves-elsewhere';
      else continue;
      if (kind === 'resolves-elsewhere' || (suggestions.length === 0 && !dnsItself)) {
        suggestions = [{ field: 'name', typed: name, suggestion: correctName }];
      }
      const best = suggestions[0];
      const data: Data = {
        ...base,
        kind,
        suggestions,
        ...(best && !dnsItself && kind !== 'resolves-elsewhere'
          ? { didYouMean: applySuggestion(name, best, r.clusterDomain) }
          : {}),
        ...(r.service ? { resolvesTo: `${r.service.meta.namespace}/${r.service.meta.name}` } : {}),
      };
      if (kind === 'coredns-down') {
        hits.push({
          subject: { kind: 'Service', namespace: 'kube-system', name: 'kube-dns' },
          data,
          evidence: [r.coreDNS.detail, ...evidence],
          fix: {
            summary: 'Bring CoreDNS back: its pods in kube-system must be running and ready.',
            commands: [
              'kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide',
              'kubectl describe pods -n kube-system -l k8s-app=kube-dns',
              'kubectl logs -n kube-system -l k8s-app=kube-dns',
            ],
          },
        });
      } else if (kind === 'client-dns-policy' && clientPod) {
        const policy = best?.suggestion ?? 'ClusterFirstWithHostNet';
        hits.push({
          subject: refOf(clientPod),
          data,
          evidence: [r.problem?.detail ?? ''],
          fix: {
            summary: `Set spec.dnsPolicy: ${policy} on the client's pod template so it queries cluster DNS.`,
            commands: [
              `kubectl get pod ${clientPod.meta.name} -n ${clientPod.meta.namespace} -o jsonpath='{.spec.hostNetwork} {.spec.dnsPolicy}'`,
              `kubectl patch ${ownerOf(clientPod)} -n ${clientPod.meta.namespace} --type=merge -p '{"spec":{"template":{"spec":{"dnsPolicy":"${policy}"}}}}'`,
            ],
          },
        });
      } else {
        hits.push({
          subject: refOf(service),
          data,
          evidence,
          fix: {
            summary: `Use "${correctName}" to reach ${service.meta.namespace}/${service.meta.name}.`,
            commands: [
              `kubectl get svc -A --field-selector metadata.name=${service.meta.name}`,
              ...(question.client.kind === 'pod'
                ? [
                    `kubectl exec -n ${question.client.namespace} ${question.client.name} -- nslookup ${correctName}`,
                  ]
                : []),
            ],
          },
        });
      }
    }
    return hits;
  },
});
