// One ordered answer out of many findings. The contract:
//
//   rankFindings(findings, paths, observations, options?) -> Finding[]
//
// - Consequences are folded under their cause (Finding.consequences) and removed from the top
//   level, using CONSEQUENCES below; a cause inherits the worst severity of what it explains so a
//   folded error never disappears from the verdict.
// - Top-level order: severity; then findings named by a failing trace hop (earliest hop first);
//   then agreement with what the user observed; then layer order (LAYERS, client to container);
//   then confidence; then id and subject, so equal inputs always give the same order.
// - Confidence is nudged by observations: up when the observed symptom is one the finding
//   produces, down when every failure observed is one it cannot produce.
// The input array is not modified.

import { LAYERS, type Layer } from '../checks/define.js';
import { findCheck } from '../checks/registry.js';
import { type Finding, SEVERITY_RANK, type Severity } from '../model/finding.js';
import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { Observation, ObservationResult } from '../model/types.js';
import { classifyObservation, layersForResult, placeObservation } from './observations.js';

/** cause id -> ids of findings it explains. Read as "B happens because A". */
export const CONSEQUENCES: Readonly<Record<string, readonly string[]>> = {
  'service-not-found': ['dns-name-wrong', 'ingress-backend-missing'],
  'selector-matches-no-pods': [
    'endpoints-not-ready',
    'endpoints-on-unready-nodes',
    'etp-local-no-local-endpoint',
    'itp-local-no-local-endpoint',
    'lb-health-check-failing',
    'ingress-backend-missing',
    'kube-proxy-rules-missing',
  ],
  'selector-less-without-endpoints': [
    'etp-local-no-local-endpoint',
    'itp-local-no-local-endpoint',
    'lb-health-check-failing',
    'ingress-backend-missing',
    'kube-proxy-rules-missing',
  ],
  'app-bound-to-localhost': [
    'container-not-listening',
    'endpoints-not-ready',
    'lb-health-check-failing',
    'ingress-backend-missing',
  ],
  'target-port-mismatch': [
    'container-not-listening',
    'endpoints-not-ready',
    'lb-health-check-failing',
    'ingress-backend-missing',
  ],
  'protocol-mismatch': ['container-not-listening'],
  'container-not-listening': ['endpoints-not-ready', 'lb-health-check-failing', 'ingress-backend-missing'],
  'endpoints-not-ready': [
    'etp-local-no-local-endpoint',
    'itp-local-no-local-endpoint',
    'lb-health-check-failing',
    'ingress-backend-missing',
    'kube-proxy-rules-missing',
  ],
  'endpoints-on-unready-nodes': ['etp-local-no-local-endpoint', 'lb-health-check-failing'],
  'etp-local-no-local-endpoint': ['lb-health-check-failing'],
  'node-sg-blocks-nodeport': ['lb-health-check-failing'],
  'lb-sg-blocks-backend': ['lb-health-check-failing'],
  'udp-health-check-needs-icmp': ['lb-health-check-failing'],
  'kube-proxy-not-running': ['kube-proxy-rules-missing', 'lb-health-check-failing'],
  // Seed 000: with the health check off, updating the backend server group fails.
  'lb-health-check-disabled': ['lb-backend-mismatch'],
  'lb-backend-mismatch': ['lb-health-check-failing'],
  'route-blackhole': ['lb-health-check-failing'],
  'lb-loopback': ['lb-health-check-failing'],
  'ingress-class-missing': ['ingress-no-matching-rule'],
};

/**
 * Observed results each check can produce; where absent, the check's layer decides. Through a
 * proxying load balancer a backend failure reaches the client as a reset or an empty reply.
 */
export const PRODUCES: Readonly<Record<string, readonly string[]>> = {
  'service-not-found': ['dns-nxdomain', 'refused', 'http-503'],
  'dns-name-wrong': ['dns-nxdomain', 'dns-timeout'],
  'selector-matches-no-pods': ['refused', 'no-route', 'timeout', 'reset', 'http-502', 'http-503'],
  'selector-less-without-endpoints': ['refused', 'no-route', 'timeout', 'reset', 'http-502', 'http-503'],
  'endpoints-not-ready': ['refused', 'no-route', 'timeout', 'reset', 'http-502', 'http-503'],
  'target-port-mismatch': ['refused', 'http-502', 'http-503', 'reset'],
  'container-not-listening': ['refused', 'http-502', 'http-503', 'reset'],
  'app-bound-to-localhost': ['refused', 'http-502', 'http-503', 'reset'],
  'service-port-mismatch': ['refused', 'timeout'],
  'network-policy-denies': ['timeout', 'dns-timeout', 'http-504', 'http-503', 'refused'],
  'etp-local-no-local-endpoint': ['timeout', 'refused'],
  'etp-local-in-cluster-lb-access': ['timeout', 'refused'],
  'lb-health-check-disabled': ['timeout', 'reset'],
  'lb-health-check-failing': ['timeout', 'http-503', 'http-504'],
  'lb-certificate-expired': ['tls-error'],
  'node-sg-blocks-nodeport': ['timeout', 'http-504'],
  'lb-sg-blocks-backend': ['timeout', 'http-504'],
  'ingress-lb-sg-blocks': ['timeout', 'http-504'],
  'ingress-no-matching-rule': ['http-404'],
  'ingress-backend-missing': ['http-503', 'http-502', 'http-404'],
  'ingress-class-missing': ['http-404', 'timeout'],
  'lb-loopback': ['timeout', 'reset'],
  'hairpin-disabled': ['timeout'],
  'kube-proxy-rules-missing': ['timeout', 'refused', 'no-route'],
  'kube-proxy-not-running': ['timeout', 'refused', 'no-route'],
  'route-blackhole': ['timeout', 'no-route'],
  'nat-rule-missing-eip': ['timeout', 'refused'],
  'eip-no-bandwidth': ['timeout'],
  'node-no-public-bandwidth': ['timeout'],
  'nat-backend-has-eip': ['timeout', 'reset'],
  'lb-backend-mismatch': ['timeout', 'refused', 'http-502', 'http-503'],
  'endpoints-on-unready-nodes': ['timeout', 'no-route'],
  'endpoints-truncated': ['timeout', 'refused'],
  'lb-not-provisioned': ['timeout', 'dns-nxdomain'],
  'protocol-mismatch': ['timeout', 'refused'],
  'udp-health-check-needs-icmp': ['timeout'],
  'headless-service-no-vip': ['timeout', 'refused', 'no-route'],
  'ip-family-mismatch': ['timeout', 'no-route'],
};

/** Below this, a finding is a hint, not a cause other findings can be folded under. */
export const MIN_CAUSE_CONFIDENCE = 0.6;

export interface RankOptions {
  /** Lets observations be placed on hops (pod IP, ClusterIP, node) for sharper agreement. */
  snapshot?: Snapshot;
}

type Agreement = 1 | 0 | -1;

/** Layers of the DESIGN.md catalogue, for ids whose check is not registered (yet) in this build. */
const CATALOGUE_LAYER: Readonly<Record<string, Layer>> = {
  'service-not-found': 'service',
  'service-port-mismatch': 'service',
  'headless-service-no-vip': 'service',
  'ip-family-mismatch': 'service',
  'protocol-mismatch': 'service',
  'dns-name-wrong': 'dns',
  'lb-not-provisioned': 'cloud',
  'lb-backend-mismatch': 'cloud',
  'lb-health-check-disabled': 'cloud',
  'lb-health-check-failing': 'cloud',
  'lb-certificate-expired': 'cloud',
  'lb-pass-through-unsupported': 'cloud',
  'nat-rule-missing-eip': 'cloud',
  'eip-no-bandwidth': 'cloud',
  'ingress-no-matching-rule': 'cloud',
  'ingress-backend-missing': 'cloud',
  'ingress-class-missing': 'cloud',
  'udp-health-check-needs-icmp': 'security-group',
  'node-sg-blocks-nodeport': 'security-group',
  'lb-sg-blocks-backend': 'security-group',
  'ingress-lb-sg-blocks': 'security-group',
  'route-blackhole': 'route',
  'endpoints-on-unready-nodes': 'node',
  'kube-proxy-rules-missing': 'kube-proxy',
  'kube-proxy-not-running': 'kube-proxy',
  'etp-local-no-local-endpoint': 'kube-proxy',
  'etp-local-in-cluster-lb-access': 'kube-proxy',
  'itp-local-no-local-endpoint': 'kube-proxy',
  'lb-loopback': 'kube-proxy',
  'hairpin-disabled': 'kube-proxy',
  'network-policy-denies': 'network-policy',
  'selector-matches-no-pods': 'endpoints',
  'selector-less-without-endpoints': 'endpoints',
  'endpoints-not-ready': 'endpoints',
  'endpoints-truncated': 'endpoints',
  'target-port-mismatch': 'container',
  'container-not-listening': 'container',
  'app-bound-to-localhost': 'container',
  'recent-change-correlated': 'history',
};

export function layerName(id: string): Layer | undefined {
  return findCheck(id)?.layer ?? CATALOGUE_LAYER[id];
}

function layerOf(id: string): number {
  const layer = layerName(id);
  return layer ? LAYERS.indexOf(layer) : LAYERS.length;
}

function subjectKey(f: Finding): string {
  const s = f.subject;
  return s ? `${s.kind}/${s.namespace ?? ''}/${s.name}` : '';
}

/** Index of the earliest hop of a failing trace that names the finding (a trace-level id counts as after the last hop); undefined when none does. */
function hopPosition(id: string, paths: readonly Trace[]): number | undefined {
  let best: number | undefined;
  for (const t of paths) {
    if (t.outcome === 'delivered' || t.outcome === 'local') continue;
    let pos: number | undefined;
    t.hops.forEach((h, i) => {
      if (pos === undefined && h.findingIds?.includes(id)) pos = i;
    });
    if (pos === undefined && t.findingIds?.includes(id)) pos = t.hops.length;
    if (pos !== undefined && (best === undefined || pos < best)) best = pos;
  }
  return best;
}

interface Symptom {
  result: ObservationResult;
  layers: Layer[];
}

function symptoms(observations: readonly Observation[], snapshot: Snapshot | undefined): Symptom[] {
  const out: Symptom[] = [];
  for (const o of observations) {
    if (o.result === 'ok') continue;
    if (snapshot) {
      const placed = placeObservation(snapshot, o);
      out.push({ result: o.result, layers: placed.layers });
    } else {
      const c = o.detail ? classifyObservation(o.detail) : undefined;
      out.push({ result: o.result, layers: c?.result === o.result ? c.layers : layersForResult(o.result) });
    }
  }
  return out;
}

function agreement(f: Finding, found: readonly Symptom[]): Agreement {
  if (found.length === 0) return 0;
  const produces = PRODUCES[f.id];
  const layer = layerName(f.id);
  const matches = (s: Symptom) =>
    produces ? produces.includes(s.result) : layer !== undefined && s.layers.includes(layer);
  if (found.some(matches)) return 1;
  // History findings explain "when", not "what": observations neither confirm nor refute them.
  if (layer === 'history') return 0;
  return -1;
}

function adjust(confidence: number, a: Agreement): number {
  const c = a > 0 ? confidence + (1 - confidence) * 0.3 : a < 0 ? confidence * 0.7 : confidence;
  return Math.round(Math.min(0.99, Math.max(0.01, c)) * 100) / 100;
}

/** Ranks findings into one answer; see the contract at the top of this file. */
export function rankFindings(
  findings: readonly Finding[],
  paths: readonly Trace[],
  observations: readonly Observation[],
  options: RankOptions = {},
): Finding[] {
  const found = symptoms(observations, options.snapshot);
  const scored = findings.map((f, index) => {
    const a = agreement(f, found);
    return {
      f: { ...f, confidence: adjust(f.confidence, a) } as Finding,
      index,
      agreement: a,
      hop: hopPosition(f.id, paths),
      layer: layerOf(f.id),
    };
  });
  type Scored = (typeof scored)[number];
  const order = (x: Scored, y: Scored): number =>
    SEVERITY_RANK[x.f.severity] - SEVERITY_RANK[y.f.severity] ||
    (x.hop === undefined ? 1 : 0) - (y.hop === undefined ? 1 : 0) ||
    (x.hop ?? 0) - (y.hop ?? 0) ||
    y.agreement - x.agreement ||
    x.layer - y.layer ||
    y.f.confidence - x.f.confidence ||
    x.f.id.localeCompare(y.f.id) ||
    subjectKey(x.f).localeCompare(subjectKey(y.f)) ||
    x.index - y.index;

  // Fold: each finding hangs under its best-ranked present cause; causes are resolved to their root.
  const ids = new Set(findings.map((f) => f.id));
  const byPriority = [...scored].sort(order);
  const causeOf = new Map<Scored, Scored>();
  for (const s of scored) {
    // Only a cause we believe can absorb another finding: a weak hint (an info, or a guess below
    // MIN_CAUSE_CONFIDENCE) stays a rival instead of hiding a better-evidenced finding.
    const causes = byPriority.filter(
      (c) =>
        c !== s &&
        c.f.id !== s.f.id &&
        c.f.severity !== 'info' &&
        c.f.confidence >= MIN_CAUSE_CONFIDENCE &&
        CONSEQUENCES[c.f.id]?.includes(s.f.id),
    );
    // Never fold two findings into each other: skip a cause that is itself explained by s.
    const cause = causes.find((c) => !CONSEQUENCES[s.f.id]?.includes(c.f.id));
    if (cause && ids.has(cause.f.id)) causeOf.set(s, cause);
  }
  const rootOf = (s: Scored): Scored => {
    const seen = new Set<Scored>();
    let cur = s;
    while (causeOf.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      cur = causeOf.get(cur)!;
    }
    return cur;
  };
  const folded = new Map<Scored, Scored[]>();
  const tops: Scored[] = [];
  for (const s of byPriority) {
    const root = rootOf(s);
    if (root === s) tops.push(s);
    else folded.set(root, [...(folded.get(root) ?? []), s]);
  }
  for (const top of tops) {
    const under = folded.get(top);
    if (!under) continue;
    const worst = under.reduce<Severity>(
      (acc, u) => (SEVERITY_RANK[u.f.severity] < SEVERITY_RANK[acc] ? u.f.severity : acc),
      top.f.severity,
    );
    top.f = {
      ...top.f,
      severity: worst,
      // A cause that explains observed consequences is at least as likely as they are.
      confidence: Math.max(
        top.f.confidence,
        ...under.map((u) => Math.min(u.f.confidence, top.f.confidence + 0.1)),
      ),
      consequences: [...(top.f.consequences ?? []), ...under.map((u) => u.f)],
    };
  }
  // A correlated change (data.relatedChecks names what it tends to break) supports the finding
  // that shows that breakage: say so on that finding and trust it a little more.
  for (const change of tops) {
    const related = change.f.data.relatedChecks;
    if (!Array.isArray(related)) continue;
    for (const t of tops) {
      if (t === change || !related.includes(t.f.id)) continue;
      t.f = {
        ...t.f,
        confidence: Math.round(Math.min(0.99, t.f.confidence + (1 - t.f.confidence) * 0.2) * 100) / 100,
        evidence: [
          ...t.f.evidence,
          `a change correlates with the failure time (${change.f.id}): ${change.f.title}`,
        ],
        seeAlso: [...new Set([...t.f.seeAlso, change.f.id])],
      };
    }
  }
  // Severity may have been raised by folding: order again.
  return tops.sort(order).map((s) => s.f);
}

/**
 * The observations that concern the question's Service: aimed at it (ClusterIP, LB, node port,
 * svc/ reference) or at one of its pods. Observations that clearly name another Service or a pod
 * that does not back this one are left out; ones that cannot be placed are kept.
 */
export function observationsFor(snapshot: Snapshot, question: Question): Observation[] {
  const ns = question.target.namespace ?? 'default';
  const name = question.target.name;
  const service = snapshot.service(ns, name);
  const backing = new Set(
    service ? snapshot.podsForService(service).map((p) => `${p.meta.namespace}/${p.meta.name}`) : [],
  );
  return snapshot.data.observations.filter((o) => {
    const hop = placeObservation(snapshot, o).hop;
    switch (hop.kind) {
      case 'pod':
        return !service || backing.has(`${hop.pod.meta.namespace}/${hop.pod.meta.name}`);
      case 'cluster-ip':
      case 'external-ip':
        return hop.service === service;
      case 'lb':
      case 'node-port':
        return !hop.service || hop.service === service;
      case 'service-ref':
        return hop.namespace === ns && hop.name === name;
      default:
        return true;
    }
  });
}

/** Adapter for DiagnoseOptions.rank: the observations about the question's Service. */
export function rankForDiagnose(
  findings: Finding[],
  paths: Trace[],
  snapshot: Snapshot,
  question: Question,
): Finding[] {
  return rankFindings(findings, paths, observationsFor(snapshot, question), { snapshot });
}
