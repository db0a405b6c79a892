import { didYouMean } from '../model/didyoumean.js';
import { formatSelector, matchesServiceSelector } from '../model/labels.js';
import { refOf } from '../model/snapshot.js';
import type { Pod } from '../model/types.js';
import { defineCheck } from './define.js';

interface NearMiss {
  pod: string;
  /** selector keys whose value differs on this pod: key → [wanted, found] */
  differs: Record<string, [string, string]>;
  /** selector keys the pod lacks, with a similarly named key it has, if any */
  missing: Record<string, string | null>;
}

/** How far a pod's labels are from a selector: what differs and what is missing. */
function nearMiss(selector: Record<string, string>, pod: Pod): NearMiss & { distance: number } {
  const differs: Record<string, [string, string]> = {};
  const missing: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(selector)) {
    const have = pod.meta.labels[k];
    if (have === undefined) missing[k] = didYouMean(k, Object.keys(pod.meta.labels)) ?? null;
    else if (have !== v) differs[k] = [v, have];
  }
  return {
    pod: pod.meta.name,
    differs,
    missing,
    distance: Object.keys(differs).length + Object.keys(missing).length,
  };
}

export default defineCheck<{ selector: string; nearMisses: NearMiss[]; podsInNamespace: number }>({
  id: 'selector-matches-no-pods',
  severity: 'error',
  layer: 'endpoints',
  confidence: 0.9,
  title: (d) => `Service selector ${d.selector} matches no Pod`,
  docs: {
    what: 'The Service has a selector, but no Pod in its namespace carries all of its labels, so it gets no endpoints.',
    why: 'Every Service path (ClusterIP, NodePort, load balancer, Ingress) ends at the endpoints the selector produces. With none, kube-proxy rejects connections to the ClusterIP and the node port, and load balancer health checks fail.',
    confirm:
      'kubectl get pods -n NS -l KEY=VALUE,... returns nothing; kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME shows no endpoints. Compare with kubectl get pods -n NS --show-labels.',
    fix: 'Make the selector and the Pod template labels agree: edit the Service selector (kubectl edit svc NAME) or the workload template labels. Mind that a Deployment selector is immutable; changing template labels rolls the Pods.',
  },
  source: [
    'seed 000 check item 2 and 3 (label of the pod does not match that of the Service)',
    'kubernetes.io Debug Services: "Does the Service have any Endpoints?"',
  ],
  run({ snapshot, service }) {
    if (!service?.selector || service.type === 'ExternalName') return [];
    if (!snapshot.has('Pod')) return [];
    const selector = service.selector;
    if (Object.keys(selector).length === 0) return [];
    const ns = service.meta.namespace;
    if (snapshot.podsForSelector(ns, selector).length > 0) return [];
    const pods = snapshot.podsIn(ns);
    const misses = pods
      .filter((p) => !matchesServiceSelector(selector, p.meta.labels))
      .map((p) => nearMiss(selector, p))
      .filter((m) => m.distance < Object.keys(selector).length || Object.keys(selector).length === 1)
      .sort((a, b) => a.distance - b.distance || a.pod.localeCompare(b.pod))
      .slice(0, 3);
    const sel = formatSelector(selector);
    const evidence = [`selector ${sel}: 0 of ${pods.length} Pods in namespace ${ns} match`];
    for (const m of misses) {
      const parts = [
        ...Object.entries(m.differs).map(([k, [want, got]]) => `${k}=${got} (selector wants ${want})`),
        ...Object.entries(m.missing).map(([k, alt]) =>
          alt ? `no label ${k} (has ${alt}=${snapshot.pod(ns, m.pod)?.meta.labels[alt]})` : `no label ${k}`,
        ),
      ];
      evidence.push(`near miss: pod ${m.pod}: ${parts.join(', ')}`);
    }
    const best = misses[0];
    const commands = [`kubectl get pods -n ${ns} --show-labels`];
    if (best && Object.keys(best.missing).length === 0) {
      const patch = Object.fromEntries(Object.entries(best.differs).map(([k, [, got]]) => [k, got]));
      commands.unshift(
        `kubectl patch service ${service.meta.name} -n ${ns} -p '${JSON.stringify({ spec: { selector: { ...selector, ...patch } } })}'`,
      );
    }
    return [
      {
        subject: refOf(service),
        data: {
          selector: sel,
          nearMisses: misses.map(({ distance: _d, ...m }) => m),
          podsInNamespace: pods.length,
        },
        evidence,
        fix: {
          summary: best
            ? `Align the selector with the labels of the intended Pods (closest: ${best.pod}).`
            : 'No Pod in the namespace is close; check that the workload exists and runs in this namespace.',
          commands,
        },
      },
    ];
  },
});
