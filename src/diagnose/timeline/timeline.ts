import { isSvcdoctorError } from '../../errors.js';
import { matchesLabelSelector } from '../../model/labels.js';
import { formatRef, type Snapshot } from '../../model/snapshot.js';
import {
  formatDuration,
  formatNanos,
  type Instant,
  instantOfDate,
  type Nanos,
  NS_PER_MINUTE,
  parseTimestamp,
} from '../../model/time.js';
import type {
  AuditEntry,
  CloudChange,
  KubeEvent,
  ManagedFieldsEntry,
  Meta,
  ObjectRef,
  Pod,
  Service,
} from '../../model/types.js';
import {
  NETWORK_NAMESPACES,
  type NetworkComponent,
  networkComponentOf,
  networkComponentPods,
} from './components.js';
import {
  CHANGE_CATEGORIES,
  insideWindow,
  MAX_WINDOW_MINUTES,
  TIMELINE_CATEGORIES,
  type TimelineCategory,
  WINDOW_MINUTES,
} from './windows.js';

/** Where a timeline entry's time was read from. */
export type EvidenceSource =
  | 'event'
  | 'pod-status'
  | 'node-condition'
  | 'creation'
  | 'managed-fields'
  | 'audit'
  | 'cloud';

export interface TimelineEntry {
  /** RFC 3339, UTC. */
  time: string;
  category: TimelineCategory;
  /** kind/namespace/name of what changed (pod/kube-system/kube-proxy-x2, sg/sg-nodes, ...). */
  object: string;
  summary: string;
  /** Inside the (possibly widened) window of its category, at or before the failure. */
  suspect: boolean;
  source: EvidenceSource;
}

export interface TimelineWindow {
  category: TimelineCategory;
  /** The runbook's window, in minutes. */
  baseMinutes: number;
  /** The window applied (the base, or the widened one when `widened`). */
  minutes: number;
  from: string;
  to: string;
  suspects: number;
}

export interface Timeline {
  target: ObjectRef;
  /** The failure time, RFC 3339 UTC. */
  at: string;
  /** True when no change was found in the runbook windows and the widened ones were used. */
  widened: boolean;
  windows: TimelineWindow[];
  /** Oldest first. */
  entries: TimelineEntry[];
  /** What could not be read or was left out, for the user to act on. */
  notes: string[];
}

export interface TimelineOptions {
  /** Entries older than this many minutes before the failure are left out (default 240). */
  lookbackMinutes?: number;
  /** Entries later than this many minutes after the failure are left out (default 30). */
  afterMinutes?: number;
  /** Widen the windows when no change is found (default true, as the runbook says). */
  widen?: boolean;
}

interface RawEntry {
  ns: Nanos;
  iso: string;
  category: TimelineCategory;
  object: string;
  summary: string;
  source: EvidenceSource;
}

// Reasons the service controller records on a Service when its load-balancer-relevant spec
// changes (k8s.io/cloud-provider controllers/service needsUpdate).
const SERVICE_CONFIG_EVENT_REASONS = new Set([
  'Type',
  'LoadBalancerSourceRanges',
  'LoadbalancerIP',
  'ExternalIP',
  'UID',
  'ExternalTrafficPolicy',
  'HealthCheckNodePort',
  'Annotations',
  'IPFamilies',
]);

// Node events that mean the node's reachability changed (node lifecycle controller, kubelet).
const NODE_NETWORK_EVENT_REASONS = new Set([
  'NodeNotReady',
  'NodeReady',
  'Rebooted',
  'RegisteredNode',
  'RemovingNode',
  'NodeHasNetworkUnavailable',
  'CIDRNotAvailable',
  'CIDRAssignmentFailed',
]);

// Image pulls and scheduling say nothing about a network component going down.
const COMPONENT_EVENT_NOISE = new Set(['Scheduled', 'Pulling', 'Pulled', 'Created']);

const MUTATING_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

function managedFieldsSummary(m: ManagedFieldsEntry): string {
  const fields = m.fields && m.fields.length > 0 ? m.fields.join(', ') : 'fields';
  return `${m.manager} (${m.operation}) last changed ${fields}`;
}

/** Whether a managedFields entry touched the object's configuration (not its status). */
function touchesConfig(m: ManagedFieldsEntry, prefixes: readonly string[]): boolean {
  if (m.subresource === 'status') return false;
  if (!m.fields || m.fields.length === 0) return true;
  return m.fields.some((f) => prefixes.some((p) => f === p || f.startsWith(`${p}.`)));
}

/** Maps a cloud change to a category: the declared one when it is ours, else from its words. */
export function cloudChangeCategory(c: CloudChange): TimelineCategory {
  const declared = c.category.trim().toLowerCase();
  if ((TIMELINE_CATEGORIES as readonly string[]).includes(declared)) return declared as TimelineCategory;
  const words = `${declared} ${c.resource.toLowerCase()}`;
  if (/firewall|\bfw[/-]/.test(words)) return 'firewall';
  if (/security[- ]?group|\bsg[/-]|\bnsg[/-]|\bacl\b|acl[/-]|network-acl|nacl/.test(words))
    return 'cloud-security';
  if (/route|rtb[/-]|subnet|vpc|\beni[/-]|interface|\bnic\b|node/.test(words)) return 'node-network';
  // Anything else in the cloud (load balancers, listeners, NAT, EIPs) is network configuration
  // there, judged with the security groups' 10 min window (seed 002 Diagnosis 5 speaks of
  // "cloud provider network policy changes").
  return 'cloud-security';
}

const MAX_BAD_TIME_NOTES = 5;

class Collector {
  readonly entries: RawEntry[] = [];
  readonly notes: string[] = [];
  private readonly seen = new Set<string>();
  badTimes = 0;

  constructor(readonly snapshot: Snapshot) {}

  time(text: string | undefined, field: string): Instant | undefined {
    try {
      return parseTimestamp(text, field);
    } catch (e) {
      if (!isSvcdoctorError(e)) throw e;
      // A bundle written by a broken tool may repeat the same bad value thousands of times.
      this.badTimes++;
      if (this.badTimes <= MAX_BAD_TIME_NOTES) this.notes.push(`${e.message}; skipped (${e.hint ?? ''})`);
      return undefined;
    }
  }

  add(
    at: Instant | undefined,
    category: TimelineCategory,
    object: string,
    summary: string,
    source: EvidenceSource,
  ): void {
    if (!at) return;
    const key = `${at.ns}\0${category}\0${object}\0${summary}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.entries.push({ ns: at.ns, iso: at.iso, category, object, summary, source });
  }

  /** creationTimestamp and configuration-touching managedFields of one object. */
  objectChanges(
    meta: Meta,
    object: string,
    category: TimelineCategory,
    what: string,
    configPrefixes: readonly string[],
  ): void {
    const created = this.time(meta.creationTimestamp, `${object} creationTimestamp`);
    this.add(created, category, object, `${what} created`, 'creation');
    for (const m of meta.managedFields) {
      if (!touchesConfig(m, configPrefixes)) continue;
      const t = this.time(m.time, `${object} managedFields[${m.manager}].time`);
      // The creating manager's entry carries the creation time: already listed.
      if (!t || (created && t.ns === created.ns)) continue;
      this.add(t, category, object, managedFieldsSummary(m), 'managed-fields');
    }
  }

  /**
   * One entry per Event. A repeated event (count > 1) is placed at its newest occurrence known
   * not to be after `failure`, so a series that started before the failure and went on after it
   * is still seen before it.
   */
  event(e: KubeEvent, category: TimelineCategory, failure: Nanos): void {
    const object = formatRef(e.involvedObject);
    const label = `event ${e.meta.namespace}/${e.meta.name}`;
    // core/v1 Events date a series by first/lastTimestamp; events.k8s.io ones by eventTime (the
    // first occurrence, microseconds) and series.lastObservedTime (read into lastTimestamp).
    const candidates = [
      this.time(e.lastTimestamp, `${label} lastTimestamp`),
      this.time(e.eventTime, `${label} eventTime`),
      this.time(e.firstTimestamp, `${label} firstTimestamp`),
    ].filter((t): t is Instant => t !== undefined);
    if (candidates.length === 0) {
      const created = this.time(e.meta.creationTimestamp, `${label} creationTimestamp`);
      if (created) candidates.push(created);
    }
    candidates.sort((a, b) => (a.ns > b.ns ? -1 : a.ns < b.ns ? 1 : 0));
    const chosen = candidates.find((t) => t.ns <= failure) ?? candidates[candidates.length - 1];
    const times = e.count > 1 ? ` ×${e.count}` : '';
    const message = e.message ? `: ${e.message.replace(/\s+/g, ' ').trim()}` : '';
    this.add(chosen, category, object, `${e.type} ${e.reason}${times}${message}`, 'event');
  }
}

function componentCategory(c: NetworkComponent): TimelineCategory {
  return c.kind === 'kube-proxy' ? 'kube-proxy-restart' : 'cni-restart';
}

function componentPod(col: Collector, pod: Pod, component: NetworkComponent, failure: Nanos): void {
  const category = componentCategory(component);
  const object = formatRef({ kind: 'Pod', namespace: pod.meta.namespace, name: pod.meta.name });
  const created = col.time(pod.meta.creationTimestamp, `${object} creationTimestamp`);
  const started = created ?? col.time(pod.startTime, `${object} status.startTime`);
  col.add(
    started,
    category,
    object,
    `${component.name} pod created${pod.nodeName ? ` on ${pod.nodeName}` : ''}`,
    'creation',
  );
  for (const cs of [...pod.initContainerStatuses, ...pod.containerStatuses]) {
    const term = cs.lastState.terminated;
    if (term) {
      const exit = [term.reason, term.exitCode !== undefined ? `exit code ${term.exitCode}` : undefined]
        .filter(Boolean)
        .join(', ');
      const t = col.time(term.finishedAt, `${object} container ${cs.name} lastState.terminated.finishedAt`);
      col.add(
        t,
        category,
        object,
        `container ${cs.name} stopped and was restarted (restartCount ${cs.restartCount}${exit ? `; ${exit}` : ''})`,
        'pod-status',
      );
    } else if (cs.restartCount > 0) {
      // The last termination was not recorded: the current run's start is the restart time.
      const t = col.time(
        cs.state.running?.startedAt,
        `${object} container ${cs.name} state.running.startedAt`,
      );
      col.add(
        t,
        category,
        object,
        `container ${cs.name} restarted (restartCount ${cs.restartCount})`,
        'pod-status',
      );
    }
    const now = cs.state.terminated;
    if (now) {
      const t = col.time(now.finishedAt, `${object} container ${cs.name} state.terminated.finishedAt`);
      col.add(
        t,
        category,
        object,
        `container ${cs.name} terminated${now.reason ? ` (${now.reason})` : ''}`,
        'pod-status',
      );
    }
  }
  const ready = pod.conditions.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') {
    const t = col.time(ready.lastTransitionTime, `${object} condition Ready lastTransitionTime`);
    col.add(
      t,
      category,
      object,
      `${component.name} pod became not ready${ready.reason ? ` (${ready.reason})` : ''}`,
      'pod-status',
    );
  }
  for (const e of col.snapshot.eventsFor({
    kind: 'Pod',
    namespace: pod.meta.namespace,
    name: pod.meta.name,
  })) {
    if (!COMPONENT_EVENT_NOISE.has(e.reason)) col.event(e, category, failure);
  }
}

function auditCategory(
  a: AuditEntry,
  svc: Service,
): { category: TimelineCategory; kind: string; what: string } | undefined {
  const r = a.objectRef;
  const resource = (r.resource ?? `${r.kind.toLowerCase()}s`).toLowerCase();
  const ns = r.namespace ?? '';
  switch (resource) {
    case 'services':
      return ns === svc.meta.namespace && r.name === svc.meta.name
        ? { category: 'service-config', kind: 'Service', what: 'Service' }
        : undefined;
    case 'endpoints':
      // Controllers rewrite Endpoints of selector Services all the time; only hand-managed
      // Endpoints (a Service without selector) are configuration a person changed.
      return !svc.selector && ns === svc.meta.namespace && r.name === svc.meta.name
        ? { category: 'service-config', kind: 'Endpoints', what: 'Endpoints' }
        : undefined;
    case 'networkpolicies':
      return ns === svc.meta.namespace
        ? { category: 'firewall', kind: 'NetworkPolicy', what: 'NetworkPolicy' }
        : undefined;
    case 'nodes':
      // Node objects are patched by their kubelet all the time; only their coming and going counts.
      return a.verb === 'create' || a.verb === 'delete'
        ? { category: 'node-network', kind: 'Node', what: 'Node' }
        : undefined;
    case 'pods':
    case 'daemonsets': {
      if (!(NETWORK_NAMESPACES as readonly string[]).includes(ns)) return undefined;
      const c = networkComponentOf({
        name: r.name,
        namespace: ns,
        labels: {},
        annotations: {},
        ownerReferences: resource === 'daemonsets' ? [{ kind: 'DaemonSet', name: r.name }] : [],
        managedFields: [],
      });
      if (!c) return undefined;
      // A pod create is the DaemonSet controller replacing one; updates are status churn.
      if (resource === 'pods' && a.verb !== 'delete' && a.verb !== 'create') return undefined;
      const kind = resource === 'pods' ? 'Pod' : 'DaemonSet';
      return { category: componentCategory(c), kind, what: kind };
    }
    case 'configmaps':
      return ns === 'kube-system' && r.name === 'kube-proxy'
        ? { category: 'kube-proxy-restart', kind: 'ConfigMap', what: 'kube-proxy ConfigMap' }
        : undefined;
    default:
      return undefined;
  }
}

/** Whether a cloud change touches something on this Service's path (unknown resources count). */
function cloudChangeConcerns(snapshot: Snapshot, svc: Service, c: CloudChange): boolean {
  const cloud = snapshot.data.cloud;
  const slash = c.resource.indexOf('/');
  const kind = slash > 0 ? c.resource.slice(0, slash).toLowerCase() : '';
  const id = slash > 0 ? c.resource.slice(slash + 1) : c.resource;
  const owner = `service/${svc.meta.namespace}/${svc.meta.name}`;
  const lbs = cloud?.loadBalancers ?? [];
  if (kind === 'sg' || kind === 'securitygroup' || kind === 'security-group') {
    const sg = cloud?.securityGroups?.find((g) => g.id === id);
    if (!sg || sg.attachedTo.length === 0) return true;
    return sg.attachedTo.some((a) => {
      if (!a.startsWith('lb/')) return true; // nodes and ENIs carry every NodePort / pod
      const lb = lbs.find((l) => l.id === a.slice(3));
      return !lb?.owner || lb.owner === owner;
    });
  }
  if (kind === 'lb' || kind === 'elb' || kind === 'clb') {
    const lb = lbs.find((l) => l.id === id);
    return !lb?.owner || lb.owner === owner || lb.owner.startsWith('ingress/');
  }
  return true;
}

/**
 * The seed 002 diagnosis as data: every dated change around a Service's failure, with the ones
 * inside the runbook's per-category window before the failure marked suspect. When no change
 * falls inside any window, every window is widened once (windows.ts) and `widened` says so.
 * Timestamps in the snapshot that cannot be read are skipped and named in `notes`.
 */
export function buildTimeline(
  snapshot: Snapshot,
  service: Service,
  at: Date | Instant,
  opts: TimelineOptions = {},
): Timeline {
  const failure: Instant = at instanceof Date ? instantOfDate(at) : at;
  const col = new Collector(snapshot);
  const ns = service.meta.namespace;
  const svcRef = formatRef({ kind: 'Service', namespace: ns, name: service.meta.name });

  // The Service's own configuration.
  col.objectChanges(service.meta, svcRef, 'service-config', 'Service', ['spec', 'metadata.annotations']);
  for (const e of snapshot.eventsFor({ kind: 'Service', namespace: ns, name: service.meta.name }))
    col.event(e, SERVICE_CONFIG_EVENT_REASONS.has(e.reason) ? 'service-config' : 'event', failure.ns);
  for (const e of snapshot.eventsFor({ kind: 'Endpoints', namespace: ns, name: service.meta.name }))
    col.event(e, 'event', failure.ns);
  for (const e of snapshot.eventsIn(ns))
    if (
      e.involvedObject.kind === 'EndpointSlice' &&
      e.involvedObject.name.startsWith(`${service.meta.name}-`)
    )
      col.event(e, 'event', failure.ns);

  // Backends: their warnings (readiness failures, kills) are symptoms worth seeing in line.
  const backends = snapshot.podsForService(service);
  for (const pod of backends) {
    const ref = { kind: 'Pod', namespace: ns, name: pod.meta.name };
    for (const e of snapshot.eventsFor(ref)) if (e.type === 'Warning') col.event(e, 'event', failure.ns);
    const ready = pod.conditions.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True') {
      const t = col.time(ready.lastTransitionTime, `${formatRef(ref)} condition Ready lastTransitionTime`);
      col.add(
        t,
        'event',
        formatRef(ref),
        `backend pod became not ready${ready.reason ? ` (${ready.reason})` : ''}`,
        'pod-status',
      );
    }
  }

  if (!service.selector) {
    const ep = snapshot.endpointsFor(ns, service.meta.name);
    if (ep) {
      const ref = formatRef({ kind: 'Endpoints', namespace: ns, name: ep.meta.name });
      col.objectChanges(ep.meta, ref, 'service-config', 'Endpoints', ['subsets']);
    }
    for (const sl of snapshot.endpointSlicesFor(ns, service.meta.name)) {
      const ref = formatRef({ kind: 'EndpointSlice', namespace: ns, name: sl.meta.name });
      col.objectChanges(sl.meta, ref, 'service-config', 'EndpointSlice', ['endpoints', 'ports']);
    }
  }

  // NetworkPolicies in the Service's namespace that select a backend (all of them when the
  // backends are unknown): a policy is the in-cluster firewall.
  for (const np of snapshot.networkPoliciesIn(ns)) {
    if (backends.length > 0 && !backends.some((p) => matchesLabelSelector(np.podSelector, p.meta.labels)))
      continue;
    const ref = formatRef({ kind: 'NetworkPolicy', namespace: ns, name: np.meta.name });
    col.objectChanges(np.meta, ref, 'firewall', 'NetworkPolicy', ['spec']);
  }

  // Nodes: readiness and network condition transitions, joins, node events.
  const dumpsByNode = new Map(snapshot.data.nodeDumps.map((d) => [d.node, d]));
  for (const node of snapshot.nodes) {
    const ref = formatRef({ kind: 'Node', name: node.meta.name });
    col.add(
      col.time(node.meta.creationTimestamp, `${ref} creationTimestamp`),
      'node-network',
      ref,
      'node registered',
      'creation',
    );
    for (const c of node.conditions) {
      if (c.type !== 'Ready' && c.type !== 'NetworkUnavailable') continue;
      const t = col.time(c.lastTransitionTime, `${ref} condition ${c.type} lastTransitionTime`);
      col.add(
        t,
        'node-network',
        ref,
        `${c.type} became ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
        'node-condition',
      );
    }
    // A node address change leaves no dated trace in the API; pods started before it keep the
    // old address as hostIP, so a mismatch says the address moved after they started.
    const addresses = new Set(node.addresses.map((a) => a.address));
    const stale = snapshot.podsOnNode(node.meta.name).filter((p) => p.hostIP && !addresses.has(p.hostIP));
    const first = stale[0];
    if (first?.hostIP)
      col.notes.push(
        `${ref}: ${stale.length} pod(s) (e.g. ${first.meta.namespace}/${first.meta.name}) report hostIP ${first.hostIP}, which the node no longer has (now ${[...addresses].join(', ')}): its address changed after they started${first.startTime ? ` (${first.startTime})` : ''} — a node network change the timeline cannot date`,
      );
    const dump = dumpsByNode.get(node.meta.name)?.addr;
    if (dump) {
      const onInterfaces = new Set(
        [...dump.text.matchAll(/\binet6?\s+([0-9a-fA-F:.]+)\//g)].map((m) => m[1]),
      );
      const missing = node.internalIPs.filter((ip) => !onInterfaces.has(ip));
      if (onInterfaces.size > 0 && missing.length > 0)
        col.notes.push(
          `${ref}: InternalIP ${missing.join(', ')} is on no interface in ${dump.file}: the node's address changed (or the dump is from another node) — a node network change the timeline cannot date`,
        );
    }
    for (const e of snapshot.eventsFor({ kind: 'Node', name: node.meta.name })) {
      if (NODE_NETWORK_EVENT_REASONS.has(e.reason)) col.event(e, 'node-network', failure.ns);
      else if (e.type === 'Warning') col.event(e, 'event', failure.ns);
    }
  }

  // kube-proxy and CNI agents: restarts, recreations, readiness, their DaemonSets and config.
  const components = networkComponentPods(snapshot);
  for (const { pod, component } of components) componentPod(col, pod, component, failure.ns);
  if (snapshot.has('Pod') && !components.some((c) => c.component.kind === 'kube-proxy'))
    col.notes.push(
      'no kube-proxy pod found in kube-system: kube-proxy restarts not checked (replaced by the CNI, or not collected)',
    );
  for (const wns of NETWORK_NAMESPACES) {
    for (const w of snapshot.workloadsIn(wns)) {
      if (w.kind !== 'DaemonSet') continue;
      const c = networkComponentOf({
        ...w.meta,
        ownerReferences: [{ kind: 'DaemonSet', name: w.meta.name }],
      });
      if (!c) continue;
      const ref = formatRef({ kind: 'DaemonSet', namespace: wns, name: w.meta.name });
      col.objectChanges(w.meta, ref, componentCategory(c), 'DaemonSet', ['spec']);
      for (const e of snapshot.eventsFor({ kind: 'DaemonSet', namespace: wns, name: w.meta.name }))
        col.event(e, componentCategory(c), failure.ns);
    }
  }
  const proxyConfig = snapshot.data.configMaps.find(
    (c) => c.meta.namespace === 'kube-system' && c.meta.name === 'kube-proxy',
  );
  if (proxyConfig) {
    const ref = formatRef({ kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' });
    col.objectChanges(proxyConfig.meta, ref, 'kube-proxy-restart', 'kube-proxy ConfigMap', ['data']);
  }

  // Audit log: who changed what, with sub-second times.
  for (const a of snapshot.data.audit) {
    if (!MUTATING_VERBS.has(a.verb)) continue;
    const c = auditCategory(a, service);
    if (!c) continue;
    const r = a.objectRef;
    const ref = formatRef({ kind: c.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name });
    const where = a.origin
      ? `${a.origin.file}${a.origin.line !== undefined ? `:${a.origin.line}` : ''}`
      : 'audit log';
    const t = col.time(a.time, `audit entry ${where} stageTimestamp`);
    col.add(t, c.category, ref, `${c.what} ${a.verb}${a.user ? ` by ${a.user}` : ''} (audit)`, 'audit');
  }

  // Cloud: what the user's provider says changed.
  const cloud = snapshot.data.cloud;
  for (const [i, c] of (cloud?.changes ?? []).entries()) {
    if (!cloudChangeConcerns(snapshot, service, c)) continue;
    const t = col.time(c.time, `CloudInventory changes[${i}].time`);
    col.add(t, cloudChangeCategory(c), c.resource, c.summary, 'cloud');
  }
  if (!cloud) col.notes.push('no CloudInventory: cloud firewall and security group changes not checked');
  else if (!cloud.changes)
    col.notes.push('CloudInventory has no changes list: cloud rule changes not checked');
  if (!snapshot.has('Event'))
    col.notes.push(
      'no Events collected: controller events (FailedToUpdateEndpoint, NodeNotReady...) not checked',
    );
  if (snapshot.data.audit.length === 0)
    col.notes.push(
      'no audit log: Service edits are dated only by managedFields (the last change per manager)',
    );

  return assemble(service, failure, col, opts);
}

function assemble(service: Service, failure: Instant, col: Collector, opts: TimelineOptions): Timeline {
  if (col.badTimes > MAX_BAD_TIME_NOTES)
    col.notes.push(`${col.badTimes - MAX_BAD_TIME_NOTES} more unreadable timestamps skipped`);
  const lookback = BigInt(opts.lookbackMinutes ?? 2 * MAX_WINDOW_MINUTES) * NS_PER_MINUTE;
  const after = BigInt(opts.afterMinutes ?? 30) * NS_PER_MINUTE;
  const all = col.entries;
  const shown = all.filter((e) => e.ns >= failure.ns - lookback && e.ns <= failure.ns + after);
  const older = all.filter((e) => e.ns < failure.ns - lookback).length;
  if (older > 0)
    col.notes.push(
      `${older} older entr${older === 1 ? 'y' : 'ies'} (more than ${formatDuration(lookback)} before the failure) not shown; --lookback MINUTES shows more`,
    );

  const suspectsWith = (pick: 'base' | 'widened') => (e: RawEntry) =>
    insideWindow(e.ns, failure.ns, WINDOW_MINUTES[e.category][pick]);
  const baseHit = suspectsWith('base');
  // Widening is decided on changes only: controller events are symptoms, not causes.
  const widened =
    opts.widen !== false && !all.some((e) => CHANGE_CATEGORIES.includes(e.category) && baseHit(e));
  const isSuspect = suspectsWith(widened ? 'widened' : 'base');

  const order = new Map(TIMELINE_CATEGORIES.map((c, i) => [c, i]));
  shown.sort(
    (a, b) =>
      (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0) ||
      (order.get(a.category) ?? 0) - (order.get(b.category) ?? 0) ||
      a.object.localeCompare(b.object) ||
      a.summary.localeCompare(b.summary),
  );
  const entries: TimelineEntry[] = shown.map((e) => ({
    time: e.iso,
    category: e.category,
    object: e.object,
    summary: e.summary,
    suspect: isSuspect(e),
    source: e.source,
  }));
  const windows: TimelineWindow[] = TIMELINE_CATEGORIES.map((category) => {
    const w = WINDOW_MINUTES[category];
    const minutes = widened ? w.widened : w.base;
    return {
      category,
      baseMinutes: w.base,
      minutes,
      from: formatNanos(failure.ns - BigInt(minutes) * NS_PER_MINUTE),
      to: failure.iso,
      suspects: entries.filter((e) => e.suspect && e.category === category).length,
    };
  });
  return {
    target: { kind: 'Service', namespace: service.meta.namespace, name: service.meta.name },
    at: failure.iso,
    widened,
    windows,
    entries,
    notes: col.notes,
  };
}
