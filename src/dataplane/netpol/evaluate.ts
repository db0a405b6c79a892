// NetworkPolicy semantics, following the networking.k8s.io/v1 API documentation
// (pkg/apis/networking/types.go) and the upstream conformance suites (netpol e2e, cyclonus /
// policy-assistant truth tables):
//  - A pod is isolated in a direction only if some policy in its namespace selects it and lists
//    that direction in policyTypes; otherwise all traffic in that direction is allowed.
//  - Policies are additive: traffic is allowed if ANY rule of ANY selecting policy allows it.
//  - A rule with no peers matches every peer; a rule with no ports matches every port.
//  - A peer with podSelector only selects pods in the policy's namespace; namespaceSelector only
//    selects every pod of matching namespaces; both in one peer are ANDed; ipBlock selects by IP.
//  - Named ports are resolved against the destination pod's container ports.
//  - Both the source's egress and the destination's ingress must allow a connection.

import { formatLabelSelector, matchesLabelSelector } from '../../model/labels.js';
import type { Snapshot } from '../../model/snapshot.js';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyRule,
  Pod,
  Protocol,
} from '../../model/types.js';
import { ipInCidr } from './cidr.js';

export interface NetpolSource {
  pod?: Pod;
  ip: string;
  /** The node the traffic originates on (for host traffic to a local pod). */
  node?: string;
}

export interface NetpolDestination {
  pod?: Pod;
  ip: string;
}

export interface Connection {
  src: NetpolSource;
  dst: NetpolDestination;
  /** Destination port after any Service DNAT (the backend's targetPort). */
  port: number;
  protocol: Protocol;
}

export type Direction = 'ingress' | 'egress';

export interface RuleRef {
  /** ns/name of the policy */
  policy: string;
  /** 0-based index into spec.ingress / spec.egress */
  rule: number;
}

export type Decision =
  /** No policy selects the pod for this direction: everything is allowed. */
  | 'not-isolated'
  /** At least one rule of a selecting policy allows it. */
  | 'allowed'
  /** Policies select the pod and none of their rules allows it. */
  | 'denied'
  /** This side is not a pod NetworkPolicy can govern (external address, node, host-network pod). */
  | 'not-applicable'
  /** Traffic from the pod's own node, which NetworkPolicy cannot block. */
  | 'node-local';

export interface Verdict {
  direction: Direction;
  allowed: boolean;
  decision: Decision;
  /** Policies (ns/name) that select the pod for this direction, in name order. */
  policies: string[];
  /** Every rule that allows the connection (the union); the first one is reported as the decider. */
  allowedBy: RuleRef[];
  /** One sentence naming the policy and rule that decided, or "no policy selects the pod". */
  reason: string;
  /** Where the outcome depends on the network plugin rather than on the API. */
  implementationDefined: string[];
  /** Facts that were missing (namespace labels not collected...); the verdict assumed the worst-known case. */
  unknowns: string[];
  /** For a denial: why each rule of the selecting policies did not match (the first failing element). */
  misses: RuleMiss[];
}

export interface RuleMiss extends RuleRef {
  /** Which part of the rule failed: its peers (from/to) or its ports. */
  element: 'peer' | 'port';
  reason: string;
}

export interface NetpolResult {
  allowed: boolean;
  egress: Verdict;
  ingress: Verdict;
}

const namespaceLabelCache = new WeakMap<Snapshot, Map<string, Record<string, string>>>();

/** Namespace labels, with the immutable kubernetes.io/metadata.name label the API server adds (since v1.21). */
function namespaceLabels(snapshot: Snapshot, ns: string): { labels: Record<string, string>; known: boolean } {
  let map = namespaceLabelCache.get(snapshot);
  if (!map) {
    map = new Map();
    for (const n of snapshot.data.namespaces) {
      map.set(n.meta.name, { 'kubernetes.io/metadata.name': n.meta.name, ...n.meta.labels });
    }
    namespaceLabelCache.set(snapshot, map);
  }
  const found = map.get(ns);
  if (found) return { labels: found, known: true };
  return { labels: { 'kubernetes.io/metadata.name': ns }, known: false };
}

function selectorOnlyUsesName(sel: LabelSelector): boolean {
  const keys = [...Object.keys(sel.matchLabels), ...sel.matchExpressions.map((e) => e.key)];
  return keys.every((k) => k === 'kubernetes.io/metadata.name');
}

export const policyKey = (p: NetworkPolicy): string => `${p.meta.namespace}/${p.meta.name}`;

/** Policies in the pod's namespace whose podSelector selects it and whose policyTypes include `direction`. */
export function policiesSelecting(snapshot: Snapshot, pod: Pod, direction: Direction): NetworkPolicy[] {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  return snapshot
    .networkPoliciesIn(pod.meta.namespace)
    .filter((p) => p.policyTypes.includes(type) && matchesLabelSelector(p.podSelector, pod.meta.labels))
    .sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
}

interface PeerContext {
  snapshot: Snapshot;
  policy: NetworkPolicy;
  /** The other side of the connection as seen by this policy's pod. */
  peer: { pod?: Pod; ip: string };
  notes: Set<string>;
  unknowns: Set<string>;
}

function peerMatches(ctx: PeerContext, peer: NetworkPolicyPeer): boolean {
  if (peer.ipBlock) {
    const { cidr, except } = peer.ipBlock;
    if (!ipInCidr(ctx.peer.ip, cidr)) return false;
    if (except.some((e) => ipInCidr(ctx.peer.ip, e))) return false;
    if (ctx.peer.pod && !ctx.peer.pod.hostNetwork) {
      ctx.notes.add(
        `ipBlock ${cidr} matched pod IP ${ctx.peer.ip}; the API leaves ipBlock for pod IPs to the network plugin (some ignore it)`,
      );
    }
    return true;
  }
  // podSelector / namespaceSelector only ever select pods. A host-network pod has the node's IP,
  // and whether plugins treat it as a pod is implementation-defined; we follow the common
  // behaviour of treating it as node traffic that only ipBlock can match.
  const pod = ctx.peer.pod;
  if (!pod) return false;
  if (pod.hostNetwork) {
    ctx.notes.add(
      `source ${pod.meta.namespace}/${pod.meta.name} uses hostNetwork: pod/namespace selectors may not match it (plugin-specific)`,
    );
    return false;
  }
  if (peer.namespaceSelector) {
    const ns = namespaceLabels(ctx.snapshot, pod.meta.namespace);
    if (!ns.known && !selectorOnlyUsesName(peer.namespaceSelector)) {
      ctx.unknowns.add(`labels of namespace ${pod.meta.namespace} (Namespace object not collected)`);
    }
    if (!matchesLabelSelector(peer.namespaceSelector, ns.labels)) return false;
  } else if (pod.meta.namespace !== ctx.policy.meta.namespace) {
    // podSelector alone: only pods in the policy's own namespace.
    return false;
  }
  if (peer.podSelector && !matchesLabelSelector(peer.podSelector, pod.meta.labels)) return false;
  return true;
}

/** Resolves a NetworkPolicyPort against the destination; a named port needs the destination pod. */
function portMatches(
  p: NetworkPolicyPort,
  conn: Connection,
  dstPod: Pod | undefined,
  notes: Set<string>,
): boolean {
  if (p.protocol !== conn.protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') {
    if (p.endPort !== undefined) return conn.port >= p.port && conn.port <= p.endPort;
    return conn.port === p.port;
  }
  if (!dstPod) {
    notes.add(`named port "${p.port}" cannot match a destination that is not a pod`);
    return false;
  }
  // As the upstream netpol e2e model does: regular containers only (sidecars are not consulted).
  for (const c of dstPod.containers) {
    for (const cp of c.ports) {
      if (cp.name === p.port && cp.protocol === conn.protocol && cp.containerPort === conn.port) return true;
    }
  }
  return false;
}

function describeSelector(sel: LabelSelector): string {
  const text = formatLabelSelector(sel);
  return text ? `{${text}}` : '{} (everything)';
}

function describeLabels(labels: Record<string, string>): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return text ? `{${text}}` : '{}';
}

/** Why one peer does not select the other side, in one clause. */
function peerMiss(ctx: PeerContext, peer: NetworkPolicyPeer): string {
  const other = ctx.peer;
  if (peer.ipBlock) {
    const { cidr, except } = peer.ipBlock;
    if (!ipInCidr(other.ip, cidr)) return `ipBlock ${cidr} does not contain ${other.ip}`;
    const ex = except.find((e) => ipInCidr(other.ip, e));
    return ex ? `${other.ip} is in the except range ${ex} of ipBlock ${cidr}` : 'ipBlock matches';
  }
  const pod = other.pod;
  if (!pod) return `${other.ip} is not a pod, so pod/namespace selectors cannot select it`;
  if (pod.hostNetwork) return `${pod.meta.namespace}/${pod.meta.name} uses hostNetwork (seen as its node)`;
  if (peer.namespaceSelector) {
    const ns = namespaceLabels(ctx.snapshot, pod.meta.namespace);
    if (!matchesLabelSelector(peer.namespaceSelector, ns.labels))
      return `namespaceSelector ${describeSelector(peer.namespaceSelector)} does not match namespace ${pod.meta.namespace} ${describeLabels(ns.labels)}`;
  } else if (pod.meta.namespace !== ctx.policy.meta.namespace) {
    return `podSelector without namespaceSelector only selects pods in ${ctx.policy.meta.namespace}; ${pod.meta.name} runs in ${pod.meta.namespace}`;
  }
  if (peer.podSelector && !matchesLabelSelector(peer.podSelector, pod.meta.labels))
    return `podSelector ${describeSelector(peer.podSelector)} does not match pod ${pod.meta.name} ${describeLabels(pod.meta.labels)}`;
  return 'peer matches';
}

function describePort(p: NetworkPolicyPort): string {
  if (p.port === undefined) return `${p.protocol}/any`;
  return `${p.protocol}/${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ''}`;
}

/** The first element of a rule that fails the connection. */
function ruleMiss(
  ctx: PeerContext,
  rule: NetworkPolicyRule,
  conn: Connection,
): Pick<RuleMiss, 'element' | 'reason'> {
  const quiet = { ...ctx, notes: new Set<string>(), unknowns: new Set<string>() };
  if (rule.peers.length > 0 && !rule.peers.some((p) => peerMatches(quiet, p))) {
    const reasons = rule.peers.map((p) => peerMiss(ctx, p));
    return {
      element: 'peer',
      reason: reasons.length === 1 ? reasons[0]! : reasons.map((r, i) => `peer ${i + 1}: ${r}`).join('; '),
    };
  }
  const dstPod = conn.dst.pod;
  const declared = dstPod ? dstPod.containers.flatMap((c) => c.ports) : [];
  const undeclared = rule.ports
    .map((p) => p.port)
    .filter((n): n is string => typeof n === 'string' && !declared.some((d) => d.name === n));
  if (dstPod && undeclared.length > 0 && rule.ports.every((p) => typeof p.port === 'string')) {
    const names = declared.filter((d) => d.name).map((d) => `${d.name}=${d.containerPort}/${d.protocol}`);
    return {
      element: 'port',
      reason: `named port${undeclared.length > 1 ? 's' : ''} ${undeclared.map((n) => `"${n}"`).join(', ')} not declared by ${dstPod.meta.name} (it declares ${names.join(', ') || 'no named ports'})`,
    };
  }
  const named = rule.ports.some((p) => typeof p.port === 'string') && dstPod;
  return {
    element: 'port',
    reason: `ports [${rule.ports.map(describePort).join(', ')}] do not include ${conn.protocol}/${conn.port}${
      named ? ` (named ports are resolved on ${conn.dst.pod!.meta.name})` : ''
    }`,
  };
}

function rulesAllowing(
  snapshot: Snapshot,
  policies: NetworkPolicy[],
  direction: Direction,
  conn: Connection,
  notes: Set<string>,
  unknowns: Set<string>,
): RuleRef[] {
  const out: RuleRef[] = [];
  const peer = direction === 'ingress' ? conn.src : conn.dst;
  for (const policy of policies) {
    const rules = direction === 'ingress' ? policy.ingress : policy.egress;
    rules.forEach((rule, index) => {
      const ctx: PeerContext = { snapshot, policy, peer, notes, unknowns };
      const peerOk = rule.peers.length === 0 || rule.peers.some((p) => peerMatches(ctx, p));
      if (!peerOk) return;
      const portOk =
        rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, conn, conn.dst.pod, notes));
      if (portOk) out.push({ policy: policyKey(policy), rule: index });
    });
  }
  return out;
}

function describePod(p: Pod): string {
  return `${p.meta.namespace}/${p.meta.name}`;
}

function sideVerdict(snapshot: Snapshot, direction: Direction, conn: Connection): Verdict {
  const pod = direction === 'ingress' ? conn.dst.pod : conn.src.pod;
  const base = {
    direction,
    policies: [] as string[],
    allowedBy: [] as RuleRef[],
    implementationDefined: [] as string[],
    unknowns: [] as string[],
    misses: [] as RuleMiss[],
  };
  if (!pod) {
    return {
      ...base,
      allowed: true,
      decision: 'not-applicable',
      reason:
        direction === 'ingress'
          ? 'the destination is not a pod: no NetworkPolicy applies'
          : 'the source is not a pod: no NetworkPolicy applies',
    };
  }
  if (pod.hostNetwork) {
    return {
      ...base,
      allowed: true,
      decision: 'not-applicable',
      reason: `pod ${describePod(pod)} uses hostNetwork: NetworkPolicy is not enforced on it by common plugins`,
      implementationDefined: ['NetworkPolicy behaviour for hostNetwork pods is undefined by the API'],
    };
  }
  if (
    direction === 'ingress' &&
    pod.nodeName !== undefined &&
    conn.src.node === pod.nodeName &&
    (!conn.src.pod || conn.src.pod.hostNetwork)
  ) {
    // Documented limitation: pods cannot block access from their resident node (kubelet probes rely on it).
    return {
      ...base,
      allowed: true,
      decision: 'node-local',
      reason: `traffic from the pod's own node ${pod.nodeName} is always allowed`,
    };
  }
  const policies = policiesSelecting(snapshot, pod, direction);
  if (policies.length === 0) {
    return {
      ...base,
      allowed: true,
      decision: 'not-isolated',
      reason: `no policy selects the pod for ${direction}`,
    };
  }
  const notes = new Set<string>();
  const unknowns = new Set<string>();
  const allowedBy = rulesAllowing(snapshot, policies, direction, conn, notes, unknowns);
  const names = policies.map(policyKey);
  const first = allowedBy[0];
  if (first) {
    return {
      direction,
      allowed: true,
      decision: 'allowed',
      policies: names,
      allowedBy,
      reason: `allowed by ${first.policy} ${direction} rule #${first.rule + 1}`,
      implementationDefined: [...notes],
      unknowns: [...unknowns],
      misses: [],
    };
  }
  const emptyRules = policies
    .filter((p) => (direction === 'ingress' ? p.ingress : p.egress).length === 0)
    .map(policyKey);
  const misses: RuleMiss[] = [];
  const other = direction === 'ingress' ? conn.src : conn.dst;
  for (const policy of policies) {
    (direction === 'ingress' ? policy.ingress : policy.egress).forEach((rule, index) => {
      const ctx: PeerContext = { snapshot, policy, peer: other, notes: new Set(), unknowns: new Set() };
      misses.push({ policy: policyKey(policy), rule: index, ...ruleMiss(ctx, rule, conn) });
    });
  }
  return {
    direction,
    allowed: false,
    decision: 'denied',
    policies: names,
    allowedBy: [],
    reason:
      emptyRules.length === policies.length
        ? `denied: ${names.join(', ')} select${names.length === 1 ? 's' : ''} the pod for ${direction} with no ${direction} rules (default deny)`
        : `denied: no ${direction} rule of ${names.join(', ')} matches`,
    implementationDefined: [...notes],
    unknowns: [...unknowns],
    misses,
  };
}

/**
 * Whether a connection is allowed by NetworkPolicy: the source pod's egress AND the destination
 * pod's ingress. Pass the connection as it looks after Service DNAT (backend pod IP and targetPort):
 * plugins enforce policy on the translated packet. Use `evaluateServiceBackends` for a Service.
 */
export function evaluateNetworkPolicies(snapshot: Snapshot, conn: Connection): NetpolResult {
  const egress = sideVerdict(snapshot, 'egress', conn);
  const ingress = sideVerdict(snapshot, 'ingress', conn);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}
