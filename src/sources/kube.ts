// Conversion of raw Kubernetes objects into the strict model. Defaults the API server fills
// in (protocol TCP, targetPort = port, traffic policies Cluster, ...) are filled in here.
import type {
  Condition,
  ConfigMap,
  Container,
  ContainerStateInfo,
  ContainerStatus,
  EndpointConditions,
  EndpointPort,
  EndpointSlice,
  Endpoints,
  Ingress,
  IngressBackend,
  IngressClass,
  IPFamily,
  KubeEvent,
  LabelSelector,
  Lease,
  LoadBalancerIngress,
  ManagedFieldsEntry,
  Meta,
  Namespace,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyRule,
  Node,
  ObjectRef,
  Origin,
  Pod,
  Probe,
  Protocol,
  Service,
  ServiceCIDR,
  ServicePort,
  Workload,
} from '../model/types.js';
import { At, type Path, type Raw, Reader } from './reader.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export type KubeObject =
  | Service
  | Pod
  | Node
  | EndpointSlice
  | Endpoints
  | Namespace
  | KubeEvent
  | NetworkPolicy
  | Ingress
  | IngressClass
  | Workload
  | ConfigMap
  | Lease
  | ServiceCIDR;

export const KUBE_KINDS = new Set([
  'Service',
  'Pod',
  'Node',
  'EndpointSlice',
  'Endpoints',
  'Namespace',
  'Event',
  'NetworkPolicy',
  'Ingress',
  'IngressClass',
  'Deployment',
  'DaemonSet',
  'StatefulSet',
  'ReplicaSet',
  'ConfigMap',
  'Lease',
  'ServiceCIDR',
]);

const CLUSTER_SCOPED = new Set(['Node', 'Namespace', 'IngressClass', 'ServiceCIDR']);

// Locations used by every object; reading a field under them allocates nothing.
const METADATA = new At(undefined, 'metadata');
const MANAGED_FIELDS = new At(METADATA, 'managedFields');
const OWNER_REFERENCES = new At(METADATA, 'ownerReferences');
const SPEC = new At(undefined, 'spec');
const STATUS = new At(undefined, 'status');
const SPEC_PORTS = new At(SPEC, 'ports');
const SPEC_CONTAINERS = new At(SPEC, 'containers');
const SPEC_INIT_CONTAINERS = new At(SPEC, 'initContainers');
const SPEC_TAINTS = new At(SPEC, 'taints');
const SPEC_READINESS_GATES = new At(SPEC, 'readinessGates');
const SPEC_RULES = new At(SPEC, 'rules');
const SPEC_TLS = new At(SPEC, 'tls');
const SESSION_AFFINITY_CLIENT_IP = new At(new At(SPEC, 'sessionAffinityConfig'), 'clientIP');
const TEMPLATE = new At(SPEC, 'template');
const TEMPLATE_METADATA = new At(TEMPLATE, 'metadata');
const TEMPLATE_SPEC = new At(TEMPLATE, 'spec');
const STATUS_CONDITIONS = new At(STATUS, 'conditions');
const STATUS_PODIPS = new At(STATUS, 'podIPs');
const STATUS_ADDRESSES = new At(STATUS, 'addresses');
const STATUS_NODE_INFO = new At(STATUS, 'nodeInfo');
const STATUS_CONTAINER_STATUSES = new At(STATUS, 'containerStatuses');
const STATUS_INIT_CONTAINER_STATUSES = new At(STATUS, 'initContainerStatuses');
const ENDPOINTS = new At(undefined, 'endpoints');
const PORTS = new At(undefined, 'ports');
const SUBSETS = new At(undefined, 'subsets');
const SOURCE = new At(undefined, 'source');
const SERIES = new At(undefined, 'series');

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
const IP_MODES = ['VIP', 'Proxy'] as const;
const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'] as const;
const SESSION_AFFINITIES = ['None', 'ClientIP'] as const;
const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;
const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'] as const;
const PROBE_HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

/**
 * The mappings of `items` (the list at `list`), each read by `read` at its own location; an item
 * that is no mapping is reported and skipped, as is one `read` returns undefined for. `read` gets
 * the reader as an argument so module-level readers need no closure per call.
 */
function eachObject<T>(
  r: Reader,
  items: readonly unknown[],
  list: At,
  read: (r: Reader, o: Raw, p: At) => T | undefined,
): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length; i++) {
    const o = r.obj(items[i], list, i);
    if (!o) continue;
    const v = read(r, o, new At(list, i));
    if (v !== undefined) out.push(v);
  }
  return out;
}

function meta(r: Reader, raw: Raw, kind: string, origin: Origin | undefined): Meta {
  const m = r.obj(raw.metadata, undefined, 'metadata') ?? {};
  const name = r.str(m.name, METADATA, 'name') ?? r.str(m.generateName, METADATA, 'generateName');
  if (!name) r.problem(METADATA, 'name', 'missing: every object needs a name');
  const managedFields: ManagedFieldsEntry[] = [];
  const mfs = r.list(m.managedFields, METADATA, 'managedFields');
  for (let i = 0; i < mfs.length; i++) {
    const o = r.obj(mfs[i], MANAGED_FIELDS, i);
    if (!o) continue;
    const p = new At(MANAGED_FIELDS, i);
    const fieldsV1 = r.obj(o.fieldsV1, p, 'fieldsV1');
    const fields: string[] = [];
    // fieldsV1 is a set trie: {"f:spec": {"f:ports": {...}}}; keep the first two levels.
    if (fieldsV1) {
      for (const [k1, v1] of Object.entries(fieldsV1)) {
        if (!k1.startsWith('f:')) continue;
        const top = k1.slice(2);
        const subs = typeof v1 === 'object' && v1 ? Object.keys(v1).filter((k) => k.startsWith('f:')) : [];
        if (subs.length === 0) fields.push(top);
        for (const k2 of subs) fields.push(`${top}.${k2.slice(2)}`);
      }
    }
    const fieldList = fields.length ? fields : r.strList(o.fields, p, 'fields');
    managedFields.push({
      manager: r.str(o.manager, p, 'manager') ?? '',
      operation: r.str(o.operation, p, 'operation') ?? '',
      time: r.str(o.time, p, 'time'),
      subresource: r.str(o.subresource, p, 'subresource'),
      ...(fieldList.length ? { fields: fieldList } : {}),
    });
  }
  const namespace = CLUSTER_SCOPED.has(kind) ? '' : (r.str(m.namespace, METADATA, 'namespace') ?? 'default');
  const uid = r.str(m.uid, METADATA, 'uid');
  const resourceVersion = r.str(m.resourceVersion, METADATA, 'resourceVersion');
  const labels = r.strMap(m.labels, METADATA, 'labels');
  const annotations = r.strMap(m.annotations, METADATA, 'annotations');
  const creationTimestamp = r.str(m.creationTimestamp, METADATA, 'creationTimestamp');
  const deletionTimestamp = r.str(m.deletionTimestamp, METADATA, 'deletionTimestamp');
  const ownerReferences = eachObject(
    r,
    r.list(m.ownerReferences, METADATA, 'ownerReferences'),
    OWNER_REFERENCES,
    ownerReference,
  );
  const out: Meta = {
    name: name ?? '',
    namespace,
    uid,
    resourceVersion,
    labels,
    annotations,
    creationTimestamp,
    deletionTimestamp,
    ownerReferences,
    managedFields,
  };
  // Assigned rather than spread from a temporary object: this runs once per object read.
  if (origin) out.origin = origin;
  return out;
}

function ownerReference(r: Reader, ob: Raw, p: At): Meta['ownerReferences'][number] {
  return {
    kind: r.str(ob.kind, p, 'kind') ?? '',
    name: r.str(ob.name, p, 'name') ?? '',
    uid: r.str(ob.uid, p, 'uid'),
    controller: r.bool(ob.controller, p, 'controller'),
  };
}

function protocol(r: Reader, v: unknown, where: At | undefined, key: string | number): Protocol {
  return r.oneOf(v, where, key, PROTOCOLS, 'TCP');
}

/** The selector at `key` under `where` (an empty one when absent). */
function labelSelector(r: Reader, v: unknown, where: At | undefined, key: string | number): LabelSelector {
  const o = r.obj(v, where, key) ?? {};
  const at = new At(where, key);
  const matchLabels = r.strMap(o.matchLabels, at, 'matchLabels');
  const matchExpressions: LabelSelector['matchExpressions'] = [];
  const exprs = r.list(o.matchExpressions, at, 'matchExpressions');
  if (exprs.length) {
    const list = new At(at, 'matchExpressions');
    for (let i = 0; i < exprs.length; i++) {
      const eo = r.obj(exprs[i], list, i);
      if (!eo) continue;
      const p = new At(list, i);
      matchExpressions.push({
        key: r.str(eo.key, p, 'key') ?? '',
        operator: r.oneOf(eo.operator, p, 'operator', SELECTOR_OPERATORS, 'In'),
        values: r.strList(eo.values, p, 'values'),
      });
    }
  }
  return { matchLabels, matchExpressions };
}

/** Conditions of the list at `list`. */
function conditions(r: Reader, v: unknown, list: At): Condition[] {
  return eachObject(r, r.list(v, list), list, condition);
}

function condition(r: Reader, o: Raw, p: At): Condition {
  return {
    type: r.str(o.type, p, 'type') ?? '',
    status: r.oneOf(o.status, p, 'status', CONDITION_STATUSES, 'Unknown'),
    reason: r.str(o.reason, p, 'reason'),
    message: r.str(o.message, p, 'message'),
    lastTransitionTime: r.str(o.lastTransitionTime, p, 'lastTransitionTime'),
    lastHeartbeatTime: r.str(o.lastHeartbeatTime, p, 'lastHeartbeatTime'),
  };
}

/** status.loadBalancer.ingress of the status at `statusAt`. */
function loadBalancerIngress(r: Reader, status: unknown, statusAt: At): LoadBalancerIngress[] {
  const lb = r.obj(r.get(status, 'loadBalancer'), statusAt, 'loadBalancer');
  const out: LoadBalancerIngress[] = [];
  const lbAt = new At(statusAt, 'loadBalancer');
  const items = r.list(lb?.ingress, lbAt, 'ingress');
  if (items.length === 0) return out;
  const list = new At(lbAt, 'ingress');
  for (let i = 0; i < items.length; i++) {
    const o = r.obj(items[i], list, i);
    if (!o) continue;
    const p = new At(list, i);
    const ipMode = r.oneOf(o.ipMode, p, 'ipMode', IP_MODES);
    out.push({
      ip: r.str(o.ip, p, 'ip'),
      hostname: r.str(o.hostname, p, 'hostname'),
      ...(ipMode ? { ipMode } : {}),
    });
  }
  return out;
}

function service(r: Reader, raw: Raw, m: Meta): Service {
  const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
  const type = r.oneOf(spec.type, SPEC, 'type', SERVICE_TYPES, 'ClusterIP');
  const ports: ServicePort[] = [];
  const rawPorts = r.list(spec.ports, SPEC, 'ports');
  for (let i = 0; i < rawPorts.length; i++) {
    const o = r.obj(rawPorts[i], SPEC_PORTS, i);
    if (!o) continue;
    const at = new At(SPEC_PORTS, i);
    const port = r.port(o.port, at, 'port');
    if (port === undefined) {
      if (o.port === undefined) r.problem(at, 'port', 'missing: a Service port needs `port`');
      continue;
    }
    const nodePort = r.port(o.nodePort, at, 'nodePort');
    const targetPort = r.intOrString(o.targetPort, at, 'targetPort');
    ports.push({
      name: r.str(o.name, at, 'name') ?? '',
      protocol: protocol(r, o.protocol, at, 'protocol'),
      port,
      // The API server defaults targetPort to port; 0 also means "unset".
      targetPort: targetPort === undefined || targetPort === 0 ? port : targetPort,
      ...(nodePort ? { nodePort } : {}),
      appProtocol: r.str(o.appProtocol, at, 'appProtocol'),
    });
  }
  const selectorRaw = spec.selector;
  const selector =
    selectorRaw === undefined || selectorRaw === null ? undefined : r.strMap(selectorRaw, SPEC, 'selector');
  const clusterIP = r.str(spec.clusterIP, SPEC, 'clusterIP') ?? '';
  const clusterIPs = r.strList(spec.clusterIPs, SPEC, 'clusterIPs');
  const ipFamilies = r
    .strList(spec.ipFamilies, SPEC, 'ipFamilies')
    .filter((f): f is IPFamily => f === 'IPv4' || f === 'IPv6');
  const ips = clusterIPs.length ? clusterIPs : clusterIP && clusterIP !== 'None' ? [clusterIP] : [];
  const families: IPFamily[] = ipFamilies.length
    ? ipFamilies
    : ips.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  const status = r.obj(raw.status, undefined, 'status');
  const timeout = r.int(
    r.get(r.get(spec.sessionAffinityConfig, 'clientIP'), 'timeoutSeconds'),
    SESSION_AFFINITY_CLIENT_IP,
    'timeoutSeconds',
  );
  const external = type === 'NodePort' || type === 'LoadBalancer';
  return {
    kind: 'Service',
    meta: m,
    type,
    ...(selector !== undefined ? { selector } : {}),
    clusterIP: type === 'ExternalName' ? '' : clusterIP,
    clusterIPs: type === 'ExternalName' ? [] : ips,
    headless: clusterIP === 'None',
    ports,
    externalIPs: r.strList(spec.externalIPs, SPEC, 'externalIPs'),
    externalName: r.str(spec.externalName, SPEC, 'externalName'),
    // The API server only sets externalTrafficPolicy on NodePort/LoadBalancer Services.
    externalTrafficPolicy: r.oneOf(
      spec.externalTrafficPolicy,
      SPEC,
      'externalTrafficPolicy',
      TRAFFIC_POLICIES,
      'Cluster',
    ),
    internalTrafficPolicy: r.oneOf(
      spec.internalTrafficPolicy,
      SPEC,
      'internalTrafficPolicy',
      TRAFFIC_POLICIES,
      'Cluster',
    ),
    healthCheckNodePort: external ? r.port(spec.healthCheckNodePort, SPEC, 'healthCheckNodePort') : undefined,
    loadBalancerIP: r.str(spec.loadBalancerIP, SPEC, 'loadBalancerIP'),
    loadBalancerSourceRanges: r.strList(spec.loadBalancerSourceRanges, SPEC, 'loadBalancerSourceRanges'),
    loadBalancerClass: r.str(spec.loadBalancerClass, SPEC, 'loadBalancerClass'),
    allocateLoadBalancerNodePorts: r.bool(
      spec.allocateLoadBalancerNodePorts,
      SPEC,
      'allocateLoadBalancerNodePorts',
    ),
    ipFamilies: families.length ? families : ['IPv4'],
    ipFamilyPolicy: r.oneOf(spec.ipFamilyPolicy, SPEC, 'ipFamilyPolicy', IP_FAMILY_POLICIES),
    sessionAffinity: r.oneOf(spec.sessionAffinity, SPEC, 'sessionAffinity', SESSION_AFFINITIES, 'None'),
    ...(timeout !== undefined ? { sessionAffinityTimeoutSeconds: timeout } : {}),
    publishNotReadyAddresses:
      r.bool(spec.publishNotReadyAddresses, SPEC, 'publishNotReadyAddresses') ?? false,
    trafficDistribution: r.str(spec.trafficDistribution, SPEC, 'trafficDistribution'),
    loadBalancerIngress: status ? loadBalancerIngress(r, status, STATUS) : [],
  };
}

/** The probe at `key` under `where`, if any. */
function probe(r: Reader, v: unknown, where: At, key: string): Probe | undefined {
  const o = r.obj(v, where, key);
  if (!o) return undefined;
  const at = new At(where, key);
  const common = {
    initialDelaySeconds: r.int(o.initialDelaySeconds, at, 'initialDelaySeconds'),
    periodSeconds: r.int(o.periodSeconds, at, 'periodSeconds'),
    failureThreshold: r.int(o.failureThreshold, at, 'failureThreshold'),
  };
  for (const handler of PROBE_HANDLERS) {
    const h = r.obj(o[handler], at, handler);
    if (h) {
      const hp = new At(at, handler);
      return {
        handler,
        port: r.intOrString(h.port, hp, 'port'),
        path: r.str(h.path, hp, 'path'),
        host: r.str(h.host, hp, 'host'),
        scheme: r.str(h.scheme, hp, 'scheme'),
        ...common,
      };
    }
  }
  if (o.exec) return { handler: 'exec', ...common };
  return { handler: 'unknown', ...common };
}

/** Containers of the list at `list`. */
function containers(r: Reader, v: unknown, list: At): Container[] {
  const out: Container[] = [];
  const items = r.list(v, list);
  for (let i = 0; i < items.length; i++) {
    const o = r.obj(items[i], list, i);
    if (!o) continue;
    const p = new At(list, i);
    const name = r.str(o.name, p, 'name') ?? '';
    const image = r.str(o.image, p, 'image');
    const ports: Container['ports'] = [];
    const rawPorts = r.list(o.ports, p, 'ports');
    if (rawPorts.length) {
      const portsAt = new At(p, 'ports');
      for (let j = 0; j < rawPorts.length; j++) {
        const po = r.obj(rawPorts[j], portsAt, j);
        if (!po) continue;
        const pp = new At(portsAt, j);
        const containerPort = r.port(po.containerPort, pp, 'containerPort');
        if (containerPort === undefined) continue;
        ports.push({
          name: r.str(po.name, pp, 'name'),
          containerPort,
          protocol: protocol(r, po.protocol, pp, 'protocol'),
          hostPort: r.port(po.hostPort, pp, 'hostPort'),
          hostIP: r.str(po.hostIP, pp, 'hostIP'),
        });
      }
    }
    out.push({
      name,
      image,
      ports,
      readinessProbe: probe(r, o.readinessProbe, p, 'readinessProbe'),
      livenessProbe: probe(r, o.livenessProbe, p, 'livenessProbe'),
      startupProbe: probe(r, o.startupProbe, p, 'startupProbe'),
      restartPolicy: r.str(o.restartPolicy, p, 'restartPolicy'),
      command: r.strList(o.command, p, 'command'),
      args: r.strList(o.args, p, 'args'),
    });
  }
  return out;
}

/** The container state at `key` under `where`. */
function containerState(r: Reader, v: unknown, where: At, key: string): ContainerStateInfo {
  const o = r.obj(v, where, key) ?? {};
  const out: ContainerStateInfo = {};
  const at = new At(where, key);
  const w = r.obj(o.waiting, at, 'waiting');
  if (w) {
    const wa = new At(at, 'waiting');
    out.waiting = { reason: r.str(w.reason, wa, 'reason'), message: r.str(w.message, wa, 'message') };
  }
  const run = r.obj(o.running, at, 'running');
  if (run) out.running = { startedAt: r.str(run.startedAt, new At(at, 'running'), 'startedAt') };
  const t = r.obj(o.terminated, at, 'terminated');
  if (t) {
    const ta = new At(at, 'terminated');
    out.terminated = {
      reason: r.str(t.reason, ta, 'reason'),
      message: r.str(t.message, ta, 'message'),
      exitCode: r.int(t.exitCode, ta, 'exitCode'),
      startedAt: r.str(t.startedAt, ta, 'startedAt'),
      finishedAt: r.str(t.finishedAt, ta, 'finishedAt'),
    };
  }
  return out;
}

/** Container statuses of the list at `list`. */
function containerStatuses(r: Reader, v: unknown, list: At): ContainerStatus[] {
  return eachObject(r, r.list(v, list), list, containerStatus);
}

function containerStatus(r: Reader, o: Raw, p: At): ContainerStatus {
  return {
    name: r.str(o.name, p, 'name') ?? '',
    ready: r.bool(o.ready, p, 'ready') ?? false,
    started: r.bool(o.started, p, 'started'),
    restartCount: r.int(o.restartCount, p, 'restartCount') ?? 0,
    state: containerState(r, o.state, p, 'state'),
    lastState: containerState(r, o.lastState, p, 'lastState'),
    image: r.str(o.image, p, 'image'),
  };
}

function pod(r: Reader, raw: Raw, m: Meta): Pod {
  const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
  const status = r.obj(raw.status, undefined, 'status') ?? {};
  const podIP = r.str(status.podIP, STATUS, 'podIP');
  const podIPs: string[] = [];
  const rawIPs = r.list(status.podIPs, STATUS, 'podIPs');
  for (let i = 0; i < rawIPs.length; i++) {
    const ip = r.str(r.get(rawIPs[i], 'ip'), new At(STATUS_PODIPS, i), 'ip');
    if (ip) podIPs.push(ip);
  }
  const conds = conditions(r, status.conditions, STATUS_CONDITIONS);
  const nodeName = r.str(spec.nodeName, SPEC, 'nodeName');
  const hostNetwork = r.bool(spec.hostNetwork, SPEC, 'hostNetwork') ?? false;
  const dnsPolicy = r.str(spec.dnsPolicy, SPEC, 'dnsPolicy');
  const phase = r.oneOf(status.phase, STATUS, 'phase', POD_PHASES, 'Unknown');
  const hostIP = r.str(status.hostIP, STATUS, 'hostIP');
  const podContainers = containers(r, spec.containers, SPEC_CONTAINERS);
  const initContainers = containers(r, spec.initContainers, SPEC_INIT_CONTAINERS);
  const statuses = containerStatuses(r, status.containerStatuses, STATUS_CONTAINER_STATUSES);
  const initStatuses = containerStatuses(r, status.initContainerStatuses, STATUS_INIT_CONTAINER_STATUSES);
  const readinessGates: string[] = [];
  const gates = r.list(spec.readinessGates, SPEC, 'readinessGates');
  for (let i = 0; i < gates.length; i++)
    readinessGates.push(
      r.str(r.get(gates[i], 'conditionType'), new At(SPEC_READINESS_GATES, i), 'conditionType') ?? '',
    );
  let ready = false;
  for (const c of conds)
    if (c.type === 'Ready' && c.status === 'True') {
      ready = true;
      break;
    }
  return {
    kind: 'Pod',
    meta: m,
    nodeName,
    hostNetwork,
    dnsPolicy,
    phase,
    podIP,
    podIPs: podIPs.length ? podIPs : podIP ? [podIP] : [],
    hostIP,
    containers: podContainers,
    initContainers,
    containerStatuses: statuses,
    initContainerStatuses: initStatuses,
    conditions: conds,
    readinessGates,
    ready,
    startTime: r.str(status.startTime, STATUS, 'startTime'),
    reason: r.str(status.reason, STATUS, 'reason'),
    message: r.str(status.message, STATUS, 'message'),
  };
}

function nodeAddress(r: Reader, o: Raw, p: At): Node['addresses'][number] {
  return { type: r.str(o.type, p, 'type') ?? '', address: r.str(o.address, p, 'address') ?? '' };
}

function taint(r: Reader, o: Raw, p: At): Node['taints'][number] {
  return {
    key: r.str(o.key, p, 'key') ?? '',
    value: r.str(o.value, p, 'value'),
    effect: r.str(o.effect, p, 'effect') ?? '',
  };
}

function node(r: Reader, raw: Raw, m: Meta): Node {
  const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
  const status = r.obj(raw.status, undefined, 'status') ?? {};
  const addresses = eachObject(
    r,
    r.list(status.addresses, STATUS, 'addresses'),
    STATUS_ADDRESSES,
    nodeAddress,
  );
  const conds = conditions(r, status.conditions, STATUS_CONDITIONS);
  const readyCond = conds.find((c) => c.type === 'Ready');
  const info = r.obj(status.nodeInfo, STATUS, 'nodeInfo') ?? {};
  const podCIDR = r.str(spec.podCIDR, SPEC, 'podCIDR');
  const podCIDRs = r.strList(spec.podCIDRs, SPEC, 'podCIDRs');
  const unschedulable = r.bool(spec.unschedulable, SPEC, 'unschedulable') ?? false;
  const taints = eachObject(r, r.list(spec.taints, SPEC, 'taints'), SPEC_TAINTS, taint);
  return {
    kind: 'Node',
    meta: m,
    addresses,
    internalIPs: addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address),
    externalIPs: addresses.filter((a) => a.type === 'ExternalIP').map((a) => a.address),
    conditions: conds,
    ready: readyCond?.status === 'True' ? true : readyCond?.status === 'False' ? false : undefined,
    unschedulable,
    taints,
    podCIDRs: podCIDRs.length ? podCIDRs : podCIDR ? [podCIDR] : [],
    kubeletVersion: r.str(info.kubeletVersion, STATUS_NODE_INFO, 'kubeletVersion'),
    kubeProxyVersion: r.str(info.kubeProxyVersion, STATUS_NODE_INFO, 'kubeProxyVersion'),
    providerID: r.str(spec.providerID, SPEC, 'providerID'),
    osImage: r.str(info.osImage, STATUS_NODE_INFO, 'osImage'),
  };
}

/** The object reference at `key` under `where`, if any. */
function objectRef(r: Reader, v: unknown, where: At | undefined, key: string): ObjectRef | undefined {
  const o = r.obj(v, where, key);
  if (!o) return undefined;
  const at = new At(where, key);
  return {
    kind: r.str(o.kind, at, 'kind') ?? '',
    namespace: r.str(o.namespace, at, 'namespace'),
    name: r.str(o.name, at, 'name') ?? '',
  };
}

/** Ports of the list at `list`. */
function endpointPorts(r: Reader, v: unknown, list: At): EndpointPort[] {
  return eachObject(r, r.list(v, list), list, endpointPort);
}

function endpointPort(r: Reader, o: Raw, p: At): EndpointPort {
  return {
    name: r.str(o.name, p, 'name') ?? '',
    port: r.port(o.port, p, 'port'),
    protocol: protocol(r, o.protocol, p, 'protocol'),
    appProtocol: r.str(o.appProtocol, p, 'appProtocol'),
  };
}

/** hints.forZones / hints.forNodes names. */
function hintNames(r: Reader, v: unknown, where: At | undefined, key: string): string[] {
  const items = r.list(v, where, key);
  const out: string[] = [];
  for (const z of items) out.push(String(r.get(z, 'name') ?? ''));
  return out;
}

function endpointSlice(r: Reader, raw: Raw, m: Meta): EndpointSlice {
  const endpoints: EndpointSlice['endpoints'] = [];
  const items = r.list(raw.endpoints, undefined, 'endpoints');
  for (let i = 0; i < items.length; i++) {
    const o = r.obj(items[i], ENDPOINTS, i);
    if (!o) continue;
    const p = new At(ENDPOINTS, i);
    const c = r.obj(o.conditions, p, 'conditions') ?? {};
    const ca = new At(p, 'conditions');
    const ready = r.bool(c.ready, ca, 'ready');
    const serving = r.bool(c.serving, ca, 'serving');
    const terminating = r.bool(c.terminating, ca, 'terminating');
    // API semantics: nil ready => ready; nil serving => ready's value; nil terminating => false.
    const conds: EndpointConditions = {
      ready: ready ?? true,
      serving: serving ?? ready ?? true,
      terminating: terminating ?? false,
    };
    const hints = r.obj(o.hints, p, 'hints');
    const addresses = r.strList(o.addresses, p, 'addresses');
    const hostname = r.str(o.hostname, p, 'hostname');
    const nodeName = r.str(o.nodeName, p, 'nodeName');
    const zone = r.str(o.zone, p, 'zone');
    const targetRef = objectRef(r, o.targetRef, p, 'targetRef');
    const hintsAt = hints ? new At(p, 'hints') : undefined;
    endpoints.push({
      addresses,
      conditions: conds,
      hostname,
      nodeName,
      zone,
      targetRef,
      hintsForZones: hints ? hintNames(r, hints.forZones, hintsAt, 'forZones') : [],
      hintsForNodes: hints ? hintNames(r, hints.forNodes, hintsAt, 'forNodes') : [],
    });
  }
  return {
    kind: 'EndpointSlice',
    meta: m,
    serviceName: m.labels['kubernetes.io/service-name'],
    addressType: r.oneOf(raw.addressType, undefined, 'addressType', ADDRESS_TYPES, 'IPv4'),
    endpoints,
    ports: endpointPorts(r, raw.ports, PORTS),
    managedBy: m.labels['endpointslice.kubernetes.io/managed-by'],
  };
}

/** Endpoints addresses of the list at `list`. */
function endpointAddresses(r: Reader, v: unknown, list: At): EndpointAddress[] {
  return eachObject(r, r.list(v, list), list, endpointAddress);
}

type EndpointAddress = Endpoints['subsets'][number]['addresses'][number];

/** An address without an ip is skipped. */
function endpointAddress(r: Reader, o: Raw, p: At): EndpointAddress | undefined {
  const ip = r.str(o.ip, p, 'ip');
  if (!ip) return undefined;
  return {
    ip,
    hostname: r.str(o.hostname, p, 'hostname'),
    nodeName: r.str(o.nodeName, p, 'nodeName'),
    targetRef: objectRef(r, o.targetRef, p, 'targetRef'),
  };
}

function endpoints(r: Reader, raw: Raw, m: Meta): Endpoints {
  const subsets: Endpoints['subsets'] = [];
  const items = r.list(raw.subsets, undefined, 'subsets');
  for (let i = 0; i < items.length; i++) {
    const o = r.obj(items[i], SUBSETS, i);
    if (!o) continue;
    const p = new At(SUBSETS, i);
    subsets.push({
      addresses: endpointAddresses(r, o.addresses, new At(p, 'addresses')),
      notReadyAddresses: endpointAddresses(r, o.notReadyAddresses, new At(p, 'notReadyAddresses')),
      ports: endpointPorts(r, o.ports, new At(p, 'ports')),
    });
  }
  return {
    kind: 'Endpoints',
    meta: m,
    subsets,
    truncated: m.annotations['endpoints.kubernetes.io/over-capacity'] === 'truncated',
  };
}

function event(r: Reader, raw: Raw, m: Meta): KubeEvent {
  // core/v1 Event and events.k8s.io/v1 Event name the same facts differently.
  const involved = objectRef(
    r,
    raw.involvedObject ?? raw.regarding,
    undefined,
    raw.involvedObject ? 'involvedObject' : 'regarding',
  );
  const src = r.obj(raw.source, undefined, 'source');
  const series = r.obj(raw.series, undefined, 'series');
  return {
    kind: 'Event',
    meta: m,
    involvedObject: involved ?? { kind: '', name: '' },
    reason: r.str(raw.reason, undefined, 'reason') ?? '',
    message: r.str(raw.message ?? raw.note, undefined, raw.message !== undefined ? 'message' : 'note') ?? '',
    type: r.str(raw.type, undefined, 'type') ?? 'Normal',
    count: r.int(raw.count, undefined, 'count') ?? r.int(series?.count, SERIES, 'count') ?? 1,
    firstTimestamp: r.str(raw.firstTimestamp ?? raw.deprecatedFirstTimestamp, undefined, 'firstTimestamp'),
    lastTimestamp: r.str(
      raw.lastTimestamp ?? raw.deprecatedLastTimestamp ?? series?.lastObservedTime,
      undefined,
      'lastTimestamp',
    ),
    eventTime: r.str(raw.eventTime, undefined, 'eventTime'),
    reporter:
      r.str(src?.component, SOURCE, 'component') ??
      r.str(raw.reportingController ?? raw.reportingComponent, undefined, 'reportingController'),
  };
}

/** NetworkPolicy peers of the list at `list`. */
function policyPeers(r: Reader, v: unknown, list: At): NetworkPolicyPeer[] {
  return eachObject(r, r.list(v, list), list, policyPeer);
}

function policyPeer(r: Reader, o: Raw, pp: At): NetworkPolicyPeer {
  const peer: NetworkPolicyPeer = {};
  if (o.podSelector !== undefined && o.podSelector !== null)
    peer.podSelector = labelSelector(r, o.podSelector, pp, 'podSelector');
  if (o.namespaceSelector !== undefined && o.namespaceSelector !== null)
    peer.namespaceSelector = labelSelector(r, o.namespaceSelector, pp, 'namespaceSelector');
  const ib = r.obj(o.ipBlock, pp, 'ipBlock');
  if (ib) {
    const ia = new At(pp, 'ipBlock');
    peer.ipBlock = { cidr: r.str(ib.cidr, ia, 'cidr') ?? '', except: r.strList(ib.except, ia, 'except') };
  }
  return peer;
}

/** NetworkPolicy ingress or egress rules of the list at `list`. */
function policyRules(r: Reader, v: unknown, key: 'from' | 'to', list: At): NetworkPolicyRule[] {
  const out: NetworkPolicyRule[] = [];
  const items = r.list(v, list);
  for (let i = 0; i < items.length; i++) {
    const o = r.obj(items[i], list, i);
    if (!o) {
      out.push({ peers: [], ports: [] }); // `- {}` allows everything
      continue;
    }
    const rp = new At(list, i);
    const peers = policyPeers(r, o[key], new At(rp, key));
    const ports: NetworkPolicyRule['ports'] = [];
    const rawPorts = r.list(o.ports, rp, 'ports');
    if (rawPorts.length) {
      const portsAt = new At(rp, 'ports');
      for (let j = 0; j < rawPorts.length; j++) {
        const po = r.obj(rawPorts[j], portsAt, j);
        if (!po) continue;
        const pp = new At(portsAt, j);
        ports.push({
          protocol: protocol(r, po.protocol, pp, 'protocol'),
          port: r.intOrString(po.port, pp, 'port'),
          endPort: r.port(po.endPort, pp, 'endPort'),
        });
      }
    }
    out.push({ peers, ports });
  }
  return out;
}

function networkPolicy(r: Reader, raw: Raw, m: Meta): NetworkPolicy {
  const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
  const ingress = policyRules(r, spec.ingress, 'from', new At(SPEC, 'ingress'));
  const egress = policyRules(r, spec.egress, 'to', new At(SPEC, 'egress'));
  let policyTypes = r
    .strList(spec.policyTypes, SPEC, 'policyTypes')
    .filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  // API defaulting: Ingress always, Egress only when egress rules are present.
  if (policyTypes.length === 0)
    policyTypes = spec.egress !== undefined && spec.egress !== null ? ['Ingress', 'Egress'] : ['Ingress'];
  return {
    kind: 'NetworkPolicy',
    meta: m,
    podSelector: labelSelector(r, spec.podSelector, SPEC, 'podSelector'),
    policyTypes,
    ingress,
    egress,
  };
}

/** The Ingress backend at `key` under `where`, if any. */
function ingressBackend(r: Reader, v: unknown, where: At, key: string): IngressBackend | undefined {
  const o = r.obj(v, where, key);
  if (!o) return undefined;
  const at = new At(where, key);
  const svc = r.obj(o.service, at, 'service');
  if (svc) {
    const sa = new At(at, 'service');
    const port = r.obj(svc.port, sa, 'port') ?? {};
    const pa = new At(sa, 'port');
    return {
      service: {
        name: r.str(svc.name, sa, 'name') ?? '',
        port: { number: r.port(port.number, pa, 'number'), name: r.str(port.name, pa, 'name') },
      },
    };
  }
  // extensions/v1beta1 and networking.k8s.io/v1beta1: serviceName + servicePort (int or string).
  if (o.serviceName !== undefined) {
    const sp = r.intOrString(o.servicePort, at, 'servicePort');
    return {
      service: {
        name: r.str(o.serviceName, at, 'serviceName') ?? '',
        port: typeof sp === 'number' ? { number: sp } : { name: sp },
      },
    };
  }
  const res = r.obj(o.resource, at, 'resource');
  if (res) {
    const ra = new At(at, 'resource');
    return {
      resource: {
        apiGroup: r.str(res.apiGroup, ra, 'apiGroup'),
        kind: r.str(res.kind, ra, 'kind') ?? '',
        name: r.str(res.name, ra, 'name') ?? '',
      },
    };
  }
  return {};
}

function ingressTls(r: Reader, o: Raw, p: At): Ingress['tls'][number] {
  return { hosts: r.strList(o.hosts, p, 'hosts'), secretName: r.str(o.secretName, p, 'secretName') };
}

function ingress(r: Reader, raw: Raw, m: Meta): Ingress {
  const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
  const defaultBackend = ingressBackend(
    r,
    spec.defaultBackend ?? spec.backend,
    SPEC,
    spec.defaultBackend ? 'defaultBackend' : 'backend',
  );
  const ingressClassName =
    r.str(spec.ingressClassName, SPEC, 'ingressClassName') ?? m.annotations['kubernetes.io/ingress.class'];
  const rules: Ingress['rules'] = [];
  const rawRules = r.list(spec.rules, SPEC, 'rules');
  for (let i = 0; i < rawRules.length; i++) {
    const o = r.obj(rawRules[i], SPEC_RULES, i);
    if (!o) continue;
    const rp = new At(SPEC_RULES, i);
    const http = r.obj(o.http, rp, 'http');
    const host = r.str(o.host, rp, 'host');
    const paths: Ingress['rules'][number]['paths'] = [];
    const httpAt = new At(rp, 'http');
    const rawPaths = r.list(http?.paths, httpAt, 'paths');
    if (rawPaths.length) {
      const pathsAt = new At(httpAt, 'paths');
      for (let j = 0; j < rawPaths.length; j++) {
        const po = r.obj(rawPaths[j], pathsAt, j);
        if (!po) continue;
        const pp = new At(pathsAt, j);
        paths.push({
          path: r.str(po.path, pp, 'path'),
          pathType: r.oneOf(po.pathType, pp, 'pathType', PATH_TYPES, 'ImplementationSpecific'),
          backend: ingressBackend(r, po.backend, pp, 'backend') ?? {},
        });
      }
    }
    rules.push({ host, paths });
  }
  const tls = eachObject(r, r.list(spec.tls, SPEC, 'tls'), SPEC_TLS, ingressTls);
  return {
    kind: 'Ingress',
    meta: m,
    ingressClassName,
    ...(defaultBackend ? { defaultBackend } : {}),
    rules,
    tls,
    loadBalancerIngress: loadBalancerIngress(r, raw.status, STATUS),
  };
}

function workload(r: Reader, raw: Raw, m: Meta, kind: Workload['kind']): Workload {
  const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
  const status = r.obj(raw.status, undefined, 'status') ?? {};
  const template = r.obj(spec.template, SPEC, 'template') ?? {};
  const tmeta = r.obj(template.metadata, TEMPLATE, 'metadata') ?? {};
  const tspec = r.obj(template.spec, TEMPLATE, 'spec') ?? {};
  return {
    kind,
    meta: m,
    selector: spec.selector ? labelSelector(r, spec.selector, SPEC, 'selector') : undefined,
    replicas: r.int(spec.replicas, SPEC, 'replicas'),
    readyReplicas: r.int(status.readyReplicas ?? status.numberReady, STATUS, 'readyReplicas'),
    templateLabels: r.strMap(tmeta.labels, TEMPLATE_METADATA, 'labels'),
    containers: containers(r, tspec.containers, new At(TEMPLATE_SPEC, 'containers')),
    hostNetwork: r.bool(tspec.hostNetwork, TEMPLATE_SPEC, 'hostNetwork') ?? false,
  };
}

export interface Converted {
  object?: KubeObject;
  problems: { path: Path; message: string }[];
}

/** Convert one raw Kubernetes object of a known kind. Problems carry field paths for line lookup. */
export function convertKube(raw: Raw, kind: string, origin?: Origin): Converted {
  const r = new Reader();
  const m = meta(r, raw, kind, origin);
  let object: KubeObject | undefined;
  switch (kind) {
    case 'Service':
      object = service(r, raw, m);
      break;
    case 'Pod':
      object = pod(r, raw, m);
      break;
    case 'Node':
      object = node(r, raw, m);
      break;
    case 'EndpointSlice':
      object = endpointSlice(r, raw, m);
      break;
    case 'Endpoints':
      object = endpoints(r, raw, m);
      break;
    case 'Namespace':
      object = { kind: 'Namespace', meta: m, phase: r.str(r.get(raw.status, 'phase'), STATUS, 'phase') };
      break;
    case 'Event':
      object = event(r, raw, m);
      break;
    case 'NetworkPolicy':
      object = networkPolicy(r, raw, m);
      break;
    case 'Ingress':
      object = ingress(r, raw, m);
      break;
    case 'IngressClass': {
      const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
      object = {
        kind: 'IngressClass',
        meta: m,
        controller: r.str(spec.controller, SPEC, 'controller') ?? '',
        isDefault: m.annotations['ingressclass.kubernetes.io/is-default-class'] === 'true',
      };
      break;
    }
    case 'Deployment':
    case 'DaemonSet':
    case 'StatefulSet':
    case 'ReplicaSet':
      object = workload(r, raw, m, kind);
      break;
    case 'ConfigMap':
      object = { kind: 'ConfigMap', meta: m, data: r.strMap(raw.data, undefined, 'data') };
      break;
    case 'Lease': {
      const spec = r.obj(raw.spec, undefined, 'spec') ?? {};
      object = {
        kind: 'Lease',
        meta: m,
        holderIdentity: r.str(spec.holderIdentity, SPEC, 'holderIdentity'),
        renewTime: r.str(spec.renewTime, SPEC, 'renewTime'),
      };
      break;
    }
    case 'ServiceCIDR':
      object = {
        kind: 'ServiceCIDR',
        meta: m,
        cidrs: r.strList(r.get(raw.spec, 'cidrs'), SPEC, 'cidrs'),
      };
      break;
  }
  return { object, problems: r.problems };
}
