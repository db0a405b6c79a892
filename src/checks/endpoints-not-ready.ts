import { probeFailures } from '../diagnose/observations.js';
import { backendsOf, endpointPortFor } from '../model/endpoints.js';
import { findPort } from '../model/ports.js';
import { refOf, type Snapshot } from '../model/snapshot.js';
import type { Pod } from '../model/types.js';
import { defineCheck } from './define.js';
import { portsAsked } from './target-port-mismatch.js';

/** One reason a Pod is not ready, as the kubelet, scheduler or a controller reported it. */
export interface NotReadyReason {
  /** CrashLoopBackOff, ImagePullBackOff, Unschedulable, ReadinessProbeFailed, ReadinessGate, NodeNotReady, ... */
  reason: string;
  container?: string;
  detail?: string;
}

export interface PodWhy {
  pod: string;
  node?: string;
  phase: Pod['phase'];
  reasons: NotReadyReason[];
}

/** Waiting reasons that mean "this will not get better by itself". */
const FAILING_WAITING = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Reasons that are a fault rather than a Pod still starting up. */
const FAULTS = new Set([
  ...FAILING_WAITING,
  'Unschedulable',
  'ReadinessProbeFailed',
  'ReadinessGate',
  'NodeNotReady',
  'OOMKilled',
  'Error',
  'Evicted',
]);

const oneLine = (s: string | undefined, max = 160): string | undefined => {
  if (!s) return undefined;
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** Why a Pod is not ready, from its conditions, container statuses, readiness gates and Events. */
export function whyNotReady(snapshot: Snapshot, pod: Pod): NotReadyReason[] {
  const out: NotReadyReason[] = [];
  const scheduled = pod.conditions.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    out.push({
      reason: scheduled.reason ?? 'Unschedulable',
      ...(oneLine(scheduled.message) ? { detail: oneLine(scheduled.message) } : {}),
    });
  if (pod.reason === 'Evicted') out.push({ reason: 'Evicted', detail: oneLine(pod.message) ?? '' });
  for (const [statuses, prefix] of [
    [pod.initContainerStatuses, 'Init:'],
    [pod.containerStatuses, ''],
  ] as const) {
    for (const s of statuses) {
      if (s.ready) continue;
      const waiting = s.state.waiting?.reason;
      const terminated = s.state.terminated?.reason;
      if (waiting && waiting !== 'PodInitializing') {
        // A crash loop is explained by how the last run ended.
        const last = s.lastState.terminated;
        const detail =
          waiting === 'CrashLoopBackOff' && last
            ? `last exit ${last.reason ?? 'terminated'} (code ${last.exitCode ?? '?'}), ${s.restartCount} restarts`
            : oneLine(s.state.waiting?.message);
        out.push({ reason: `${prefix}${waiting}`, container: s.name, ...(detail ? { detail } : {}) });
      } else if (terminated && !(prefix && terminated === 'Completed')) {
        out.push({
          reason: `${prefix}${terminated}`,
          container: s.name,
          detail: `exit code ${s.state.terminated?.exitCode ?? '?'}`,
        });
      }
    }
  }
  const probes = probeFailures(snapshot, pod).filter((f) => f.probe === 'readiness');
  if (probes.length) {
    const latest = probes[probes.length - 1];
    out.push({
      reason: 'ReadinessProbeFailed',
      detail: `${oneLine(latest?.message.replace(/^Readiness probe failed:\s*/i, ''))} (×${probes.reduce((n, p) => n + p.count, 0)})`,
    });
  }
  for (const gate of pod.readinessGates) {
    const cond = pod.conditions.find((c) => c.type === gate);
    if (cond?.status !== 'True')
      out.push({ reason: 'ReadinessGate', detail: `${gate} is ${cond?.status ?? 'not set'}` });
  }
  const node = pod.nodeName ? snapshot.node(pod.nodeName) : undefined;
  if (node && node.ready !== true && node.conditions.some((c) => c.type === 'Ready'))
    out.push({
      reason: 'NodeNotReady',
      detail: `node ${node.meta.name} Ready=${node.ready === false ? 'False' : 'Unknown'}`,
    });
  if (out.length === 0) {
    if (pod.phase === 'Pending') out.push({ reason: 'Pending' });
    else {
      const cond = pod.conditions.find((c) => c.type === 'Ready');
      out.push({
        reason: cond?.reason ?? 'NotReady',
        ...(oneLine(cond?.message) ? { detail: oneLine(cond?.message) } : {}),
      });
    }
  }
  return out;
}

const isTerminating = (p: Pod) => p.meta.deletionTimestamp !== undefined;

export default defineCheck<{
  service: string;
  /** Matched, non-terminated Pods that are ready (terminating Pods excluded). */
  ready: number;
  /** Matched Pods not ready and not terminating, with the reasons found. */
  notReady: number;
  /** Pods on their way out (deletionTimestamp set); expected during a rollout. */
  terminating: number;
  /** Ready endpoints kube-proxy sees, when EndpointSlices/Endpoints were collected. */
  readyEndpoints?: number;
  /** Endpoints terminating but still serving, which kube-proxy falls back to when none is ready. */
  servingTerminating: number;
  pods: PodWhy[];
  /** Ready Pods that no EndpointSlice/Endpoints lists for the Service port asked about. */
  unpublished?: string[];
}>({
  id: 'endpoints-not-ready',
  severity: 'error',
  layer: 'endpoints',
  confidence: 0.85,
  title: (d) =>
    d.unpublished
      ? `${d.unpublished.length} ready Pod(s) behind ${d.service} are not published as endpoints`
      : d.ready === 0
        ? `None of the ${d.notReady + d.terminating} Pods behind ${d.service} is ready${d.pods[0]?.reasons[0] ? ` (${d.pods[0].reasons[0].reason})` : ''}`
        : `${d.notReady} of ${d.ready + d.notReady} Pods behind ${d.service} are not ready${d.pods[0]?.reasons[0] ? ` (${d.pods[0].reasons[0].reason})` : ''}`,
  docs: {
    what: 'The selector matches Pods, but none of them (or only some) is Ready, so the Service has no (or fewer) ready endpoints.',
    why: 'The endpoint controllers publish a Pod as a ready endpoint only when its Ready condition is True; kube-proxy forwards only to ready endpoints (falling back to terminating-but-serving ones). With none, connections to the ClusterIP or node port are rejected. Readiness fails when a container crashes (CrashLoopBackOff), its image cannot be pulled, the Pod cannot be scheduled, the readiness probe fails, or a readiness gate is not satisfied. Pods that are terminating during a rollout are expected to be not ready and are not counted while other endpoints are ready. With publishNotReadyAddresses: true the Service deliberately sends traffic to unready Pods, so this check stays silent.',
    confirm:
      'kubectl get pods -n NS -l SELECTOR shows READY 0/N; kubectl describe pod POD -n NS shows the waiting reason, probe failures ("Readiness probe failed: ...") and conditions; kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME shows ready: false.',
    fix: 'Fix what the reason names: read the logs of a crashing container (kubectl logs POD -c C --previous), fix the image name or pull secret, free resources or fix node selectors for Unschedulable Pods, or make the readiness probe match the application (path, port, timing).',
  },
  source: [
    'seed 000 check item 1 (container and container port: the application must answer)',
    'upstream pkg/controller/endpointslice: ready = publishNotReadyAddresses || podutil.IsPodReady(pod); terminating Pods keep serving',
    'upstream pkg/proxy/topology.go CategorizeEndpoints: with no ready endpoint, fall back to serving-terminating ones',
    'kubernetes.io Debug Services: "Are the Pods working?"',
  ],
  run({ snapshot, service, question, unknown }) {
    if (!service || service.type === 'ExternalName') return [];
    if (!service.selector || Object.keys(service.selector).length === 0) return [];
    const svc = service;
    const ns = service.meta.namespace;
    const name = service.meta.name;
    if (!snapshot.has('Pod')) {
      unknown(
        'Pods not collected: selector, readiness and container ports not checked',
        `kubectl get pods -n ${ns} -o yaml`,
      );
      return [];
    }
    // The Service asks for unready Pods on purpose (StatefulSet peer discovery and the like).
    if (service.publishNotReadyAddresses) return [];
    const pods = snapshot
      .podsForService(service)
      .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed');
    // Succeeded/Failed Pods (Evicted, completed) are never endpoints (ShouldPodBeInEndpoints);
    // when they are all the selector matches, they are why the Service has none.
    const terminal =
      pods.length === 0
        ? snapshot.podsForService(service).filter((p) => p.phase === 'Succeeded' || p.phase === 'Failed')
        : [];
    if (pods.length === 0 && terminal.length === 0) return []; // selector-matches-no-pods explains that
    const terminating = pods.filter(isTerminating);
    const live = pods.filter((p) => !isTerminating(p));
    const ready = live.filter((p) => p.ready);
    const unready = live
      .filter((p) => !p.ready)
      .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
      .map(
        (p): PodWhy => ({
          pod: p.meta.name,
          ...(p.nodeName ? { node: p.nodeName } : {}),
          phase: p.phase,
          reasons: whyNotReady(snapshot, p),
        }),
      );
    const set =
      snapshot.has('EndpointSlice') || snapshot.has('Endpoints') ? backendsOf(snapshot, svc) : undefined;
    const readyEndpoints = set?.source ? set.backends.filter((b) => b.ready).length : undefined;
    const servingTerminating = set?.backends.filter((b) => b.terminating && b.serving).length ?? 0;
    // Ready Pods that should be endpoints of the asked port, yet nothing lists one: the
    // endpointslice controller has not published them (down, failing, or stale slices).
    if (ready.length > 0 && set) {
      const asked = portsAsked(svc, question);
      const served = set.backends.some(
        (b) =>
          (b.ready || b.serving) && (asked.length === 0 || asked.some((sp) => endpointPortFor(b, sp.name))),
      );
      const publishable = ready.filter(
        (p) => asked.length === 0 || asked.some((sp) => findPort(p, sp) !== undefined),
      );
      if (!served && publishable.length > 0) {
        const ports = asked.map((sp) => sp.name || String(sp.port)).join(', ');
        const failed = snapshot
          .eventsFor({ kind: 'Service', namespace: ns, name })
          .filter((e) => e.type === 'Warning' && /^FailedToUpdateEndpoint/.test(e.reason));
        const whys = publishable
          .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
          .map(
            (p): PodWhy => ({
              pod: p.meta.name,
              ...(p.nodeName ? { node: p.nodeName } : {}),
              phase: p.phase,
              reasons: [
                {
                  reason: 'NotPublished',
                  detail: `Ready, but no ${set.source ?? 'EndpointSlice'} lists it for port ${ports}${failed[0] ? ` (${failed[0].reason}: ${oneLine(failed[0].message)})` : ''}`,
                },
              ],
            }),
          );
        const h = hit(whys, 'error');
        return [{ ...h, data: { ...h.data, unpublished: whys.map((w) => w.pod) } }];
      }
    }
    if (ready.length > 0) {
      // Partial: only Pods with a fault are worth a warning; a Pod still starting during a
      // rollout while others serve is normal.
      const faulty = unready.filter((w) => w.reasons.some((r) => FAULTS.has(r.reason.replace(/^Init:/, ''))));
      if (faulty.length === 0) return [];
      return [hit(faulty, 'warning')];
    }
    // None ready. Terminating Pods also count when nothing else serves (a rollout gone wrong).
    const whys = [
      ...unready,
      ...terminal.map(
        (p): PodWhy => ({
          pod: p.meta.name,
          ...(p.nodeName ? { node: p.nodeName } : {}),
          phase: p.phase,
          reasons: [{ reason: p.reason ?? p.phase, ...(p.message ? { detail: p.message } : {}) }],
        }),
      ),
      ...terminating.map(
        (p): PodWhy => ({
          pod: p.meta.name,
          ...(p.nodeName ? { node: p.nodeName } : {}),
          phase: p.phase,
          reasons: [{ reason: 'Terminating', detail: `deletionTimestamp ${p.meta.deletionTimestamp}` }],
        }),
      ),
    ];
    // kube-proxy falls back to endpoints that are terminating but still serving when no ready
    // one is left (KEP-1669), so connections still land until those Pods exit: an outage in
    // the making, not yet one.
    return [hit(whys, servingTerminating > 0 ? 'warning' : 'error')];

    function hit(whys: PodWhy[], severity: 'error' | 'warning') {
      const evidence = [
        `${ready.length} of ${live.length} matching Pods ready${terminating.length ? `, ${terminating.length} terminating` : ''}`,
      ];
      if (readyEndpoints !== undefined)
        evidence.push(`${readyEndpoints} ready endpoint(s) in ${set?.source}`);
      if (servingTerminating > 0)
        evidence.push(
          `${servingTerminating} terminating endpoint(s) still serving: kube-proxy sends traffic there until they exit`,
        );
      for (const w of whys.slice(0, 5))
        evidence.push(
          `pod ${w.pod}${w.node ? ` on ${w.node}` : ''} (${w.phase}): ${w.reasons
            .map(
              (r) => `${r.reason}${r.container ? ` [${r.container}]` : ''}${r.detail ? `: ${r.detail}` : ''}`,
            )
            .join('; ')}`,
        );
      const first = whys[0];
      const commands: string[] = [];
      if (first) {
        commands.push(`kubectl describe pod ${first.pod} -n ${ns}`);
        const crash = first.reasons.find((r) => /CrashLoopBackOff|Error|OOMKilled/.test(r.reason));
        if (crash?.container)
          commands.push(`kubectl logs ${first.pod} -n ${ns} -c ${crash.container} --previous`);
        commands.push(`kubectl get events -n ${ns} --field-selector involvedObject.name=${first.pod}`);
      }
      commands.push(`kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o wide`);
      const top = first?.reasons[0]?.reason.replace(/^Init:/, '');
      const summary =
        top === 'ReadinessProbeFailed'
          ? 'The readiness probe fails: make the probe match what the application serves (port, path, timing), or fix the application so it answers.'
          : top === 'CrashLoopBackOff' || top === 'Error' || top === 'OOMKilled'
            ? 'A container keeps crashing: read its previous logs, fix the cause (config, memory limit, command) and let it restart.'
            : top === 'ImagePullBackOff' || top === 'ErrImagePull' || top === 'InvalidImageName'
              ? 'The image cannot be pulled: fix the image name/tag or the imagePullSecrets.'
              : top === 'Unschedulable'
                ? 'The Pods cannot be scheduled: free or add capacity, or relax nodeSelector/affinity/tolerations.'
                : top === 'ReadinessGate'
                  ? 'A readiness gate is not satisfied: check the controller that owns that condition (often a load balancer controller registering targets).'
                  : top === 'NodeNotReady'
                    ? 'The Pods sit on a node that is not ready: fix or drain the node so they are rescheduled.'
                    : top === 'NotPublished'
                      ? "The Pods are ready but the endpointslice controller has not published them: check kube-controller-manager (running, leader election, logs) and the Service's events (FailedToUpdateEndpointSlices); a hand-managed slice must name its ports like the Service."
                      : 'Find out why the Pods are not ready (describe and events) and fix that; the Service follows readiness.';
      return {
        subject: refOf(svc),
        severity,
        data: {
          service: `${ns}/${name}`,
          ready: ready.length,
          notReady: unready.length,
          terminating: terminating.length,
          ...(readyEndpoints !== undefined ? { readyEndpoints } : {}),
          servingTerminating,
          pods: whys,
        },
        evidence,
        fix: { summary, commands },
      };
    }
  },
});
