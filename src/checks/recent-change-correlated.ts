import {
  defaultFailureTime,
  type FailureTimeSource,
  newestFailingObservation,
} from '../diagnose/timeline/failure-time.js';
import { buildTimeline, type TimelineEntry } from '../diagnose/timeline/timeline.js';
import { WINDOW_MINUTES } from '../diagnose/timeline/windows.js';
import { isSvcdoctorError } from '../errors.js';
import { refOf } from '../model/snapshot.js';
import { type Instant, parseAt } from '../model/time.js';
import type { Service } from '../model/types.js';
import { defineCheck } from './define.js';

interface Change {
  time: string;
  category: TimelineEntry['category'];
  object: string;
  summary: string;
  /** The window it fell in, in minutes. */
  windowMinutes: number;
}

interface Data extends Record<string, unknown> {
  at: string;
  atSource: FailureTimeSource;
  widened: boolean;
  changes: Change[];
  /** Checks that would show the breakage each kind of change causes: ranking can pair them. */
  relatedChecks: string[];
}

// What each kind of change tends to break, as the checks that detect that breakage.
const RELATED_CHECKS: Record<Change['category'], string[]> = {
  'service-config': [
    'service-port-mismatch',
    'target-port-mismatch',
    'selector-matches-no-pods',
    'etp-local-no-local-endpoint',
  ],
  'kube-proxy-restart': ['kube-proxy-not-running', 'kube-proxy-rules-missing'],
  'cni-restart': ['route-blackhole', 'endpoints-not-ready'],
  'node-network': ['endpoints-on-unready-nodes', 'etp-local-no-local-endpoint'],
  firewall: ['network-policy-denies', 'node-sg-blocks-nodeport'],
  'cloud-security': ['node-sg-blocks-nodeport', 'lb-sg-blocks-backend'],
  event: [],
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** kind/ns/name → the parts, when the object is a Kubernetes object. */
function splitObject(object: string): { kind: string; ns?: string; name: string } | undefined {
  const parts = object.split('/');
  if (parts.length === 3) return { kind: parts[0] ?? '', ns: parts[1], name: parts[2] ?? '' };
  if (parts.length === 2 && parts[0] === 'node') return { kind: 'node', name: parts[1] ?? '' };
  return undefined;
}

function inspectCommands(c: Change, svc: Service): string[] {
  const o = splitObject(c.object);
  switch (c.category) {
    case 'service-config':
      return [
        `kubectl get service ${svc.meta.name} -n ${svc.meta.namespace} -o yaml --show-managed-fields`,
        `kubectl get events -n ${svc.meta.namespace} --field-selector involvedObject.name=${svc.meta.name}`,
      ];
    case 'kube-proxy-restart':
    case 'cni-restart':
      if (o?.kind === 'pod' && o.ns)
        return [
          `kubectl logs -n ${o.ns} ${o.name} --all-containers --previous`,
          `kubectl get pod -n ${o.ns} ${o.name} -o wide`,
        ];
      if (o?.kind === 'daemonset' && o.ns) return [`kubectl rollout history daemonset/${o.name} -n ${o.ns}`];
      if (o?.kind === 'configmap' && o.ns)
        return [`kubectl get configmap ${o.name} -n ${o.ns} -o yaml --show-managed-fields`];
      return [];
    case 'node-network':
      return o?.kind === 'node'
        ? [`kubectl describe node ${o.name}`, `kubectl get node ${o.name} -o wide`]
        : [];
    case 'firewall':
      return o?.kind === 'networkpolicy' && o.ns
        ? [`kubectl get networkpolicy ${o.name} -n ${o.ns} -o yaml --show-managed-fields`]
        : [];
    default:
      return [];
  }
}

const FIX_BY_CATEGORY: Record<Change['category'], string> = {
  'service-config':
    'compare the Service with its last working manifest (ports, nodePort, targetPort, selector, traffic policy) and revert the edit',
  'kube-proxy-restart':
    'read the previous kube-proxy log for why it stopped, and confirm it resynced the Service rules on every node after restarting',
  'cni-restart':
    'read the previous CNI agent log for why it restarted, and confirm pod routes and interfaces came back',
  'node-network':
    'check the node’s conditions and addresses: a changed node IP or NetworkUnavailable breaks NodePort access',
  firewall: 'review the firewall rule / NetworkPolicy edit and restore the rule that admitted this traffic',
  'cloud-security':
    'review the security group / ACL edit in the cloud console or CLI and restore the inbound rule for the port the client uses',
  event: 'read the event',
};

export default defineCheck<Data>({
  id: 'recent-change-correlated',
  severity: 'warning',
  layer: 'history',
  confidence: 0.5,
  title: (d) => {
    const first = d.changes[0];
    const more = d.changes.length > 1 ? ` (+${plural(d.changes.length - 1, 'more change')})` : '';
    return first
      ? `${first.category} change shortly before the failure at ${d.at}: ${first.object}${more}`
      : `change shortly before the failure at ${d.at}`;
  },
  docs: {
    what: 'A change (Service edit, kube-proxy or CNI restart, node network change, firewall / NetworkPolicy, cloud security group or ACL) happened inside the runbook window before the failure.',
    why: 'Connectivity that worked and then stopped usually stopped because something changed. The runbook (seed 002) compares the failure time with each kind of change inside a fixed window — firewall rules 10 min, kube-proxy restarts 5 min, node network 10 min, Service ports 30 min, cloud security groups/ACLs 10 min, CNI restarts 1 h — and widens the windows (5→10 min, 10→30 min, 30 min→1 h, 1 h→2 h) when nothing is found.',
    confirm:
      'Run `svcdoctor timeline SERVICE --at TIME` and read the suspect entries; for each, compare the object now with its state before the change (managedFields, audit log, cloud change history).',
    fix: 'Inspect the change named in the evidence and revert it (or complete it: e.g. update the client to a new nodePort, restore a removed security group rule).',
  },
  source: ['seed 002 Diagnosis 1-6 and "If no correlation is found" (window widening)'],
  run(ctx) {
    const svc = ctx.service;
    if (!svc) return [];
    let at: Instant;
    let atSource: FailureTimeSource;
    if (ctx.question.at) {
      try {
        at = parseAt(ctx.question.at, ctx.now, 'failure time (--at)');
      } catch (e) {
        if (!isSvcdoctorError(e)) throw e;
        ctx.unknown(`recent changes not correlated: ${e.message}`);
        return [];
      }
      atSource = 'at';
    } else if (ctx.mode === 'audit') {
      // An audit has no failure to explain unless an observation shows one for this Service.
      const obs = newestFailingObservation(ctx.snapshot, svc);
      if (!obs) return [];
      at = obs.at;
      atSource = 'observation';
    } else {
      const f = defaultFailureTime(ctx.snapshot, svc, ctx.now);
      at = f.at;
      atSource = f.source;
    }
    const timeline = buildTimeline(ctx.snapshot, svc, at);
    const changes: Change[] = timeline.entries
      .filter((e) => e.suspect && e.category !== 'event')
      .reverse() // nearest to the failure first
      .map((e) => ({
        time: e.time,
        category: e.category,
        object: e.object,
        summary: e.summary,
        windowMinutes: timeline.widened
          ? WINDOW_MINUTES[e.category].widened
          : WINDOW_MINUTES[e.category].base,
      }));
    if (changes.length === 0) return [];
    const nearest = changes[0] as Change;
    const commands = [
      `svcdoctor timeline ${svc.meta.name} -n ${svc.meta.namespace} --at ${timeline.at}`,
      ...new Set(changes.flatMap((c) => inspectCommands(c, svc))),
    ];
    const categories = [...new Set(changes.map((c) => c.category))];
    const relatedChecks = [...new Set(categories.flatMap((c) => RELATED_CHECKS[c]))];
    return [
      {
        subject: refOf(svc),
        data: { at: timeline.at, atSource, widened: timeline.widened, changes, relatedChecks },
        evidence: [
          `failure time ${timeline.at} (from ${atSource === 'at' ? '--at' : atSource})${timeline.widened ? '; nothing in the runbook windows, so they were widened' : ''}`,
          ...changes.map(
            (c) =>
              `${c.time} ${c.category} ${c.object}: ${c.summary} (inside the ${c.windowMinutes} min window)`,
          ),
        ],
        fix: {
          summary: `Inspect ${nearest.object} first (${nearest.time}): ${categories.map((c) => FIX_BY_CATEGORY[c]).join('; ')}.`,
          commands,
        },
        // Widened windows reach further back: the link to the failure is weaker.
        confidence: timeline.widened ? 0.3 : 0.5,
        seeAlso: ['nodeport-not-accessible', ...relatedChecks],
      },
    ];
  },
});
