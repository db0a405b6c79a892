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
import { type Path, type Raw, Reader } from './reader.js';

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

function meta(r: Reader, raw: Raw, kind: string, origin: Origin | undefined): Meta {
  const m = r.obj(raw.metadata, ['metadata']) ?? {};
  const name = r.str(m.name, ['metadata', 'name']) ?? r.str(m.generateName, ['metadata', 'generateName']);
  if (!name) r.problems.push({ path: ['metadata', 'name'], message: 'missing: every object needs a name' });
  const managedFields: ManagedFieldsEntry[] = [];
  r.list(m.managedFields, ['metadata', 'managedFields']).forEach((e, i) => {
    const p: Path = ['metadata', 'managedFields', i];
    const o = r.obj(e, p);
    if (!o) return;
    const fieldsV1 = r.obj(o.fieldsV1, [...p, 'fieldsV1']);
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
    const fieldList = fields.length ? fields : r.strList(o.fields, [...p, 'fields']);
    managedFields.push({
      manager: r.str(o.manager, [...p, 'manager']) ?? '',
      operation: r.str(o.operation, [...p, 'operation']) ?? '',
      time: r.str(o.time, [...p, 'time']),
      subresource: r.str(o.subresource, [...p, 'subresource']),
      ...(fieldList.length ? { fields: fieldList } : {}),
    });
  });
  return {
    name: name ?? '',
    namespace: CLUSTER_SCOPED.has(kind) ? '' : (r.str(m.namespace, ['metadata', 'namespace']) ?? 'default'),
    uid: r.str(m.uid, ['metadata', 'uid']),
    resourceVersion: r.str(m.resourceVersion, ['metadata', 'resourceVersion']),
    labels: r.strMap(m.labels, ['metadata', 'labels']),
    annotations: r.strMap(m.annotations, ['metadata', 'annotations']),
    creationTimestamp: r.str(m.creationTimestamp, ['metadata', 'creationTimestamp']),
    deletionTimestamp: r.str(m.deletionTimestamp, ['metadata', 'deletionTimestamp']),
    ownerReferences: r.list(m.ownerReferences, ['metadata', 'ownerReferences']).flatMap((o, i) => {
      const p: Path = ['metadata', 'ownerReferences', i];
      const ob = r.obj(o, p);
      if (!ob) return [];
      return [
        {
          kind: r.str(ob.kind, [...p, 'kind']) ?? '',
          name: r.str(ob.name, [...p, 'name']) ?? '',
          uid: r.str(ob.uid, [...p, 'uid']),
          controller: r.bool(ob.controller, [...p, 'controller']),
        },
      ];
    }),
    managedFields,
    ...(origin ? { origin } : {}),
  };
}

function protocol(r: Reader, v: unknown, path: Path): Protocol {
  return r.oneOf(v, path, PROTOCOLS, 'TCP');
}

function labelSelector(r: Reader, v: unknown, path: Path): LabelSelector {
  const o = r.obj(v, path) ?? {};
  return {
    matchLabels: r.strMap(o.matchLabels, [...path, 'matchLabels']),
    matchExpressions: r.list(o.matchExpressions, [...path, 'matchExpressions']).flatMap((e, i) => {
      const p = [...path, 'matchExpressions', i];
      const eo = r.obj(e, p);
      if (!eo) return [];
      return [
        {
          key: r.str(eo.key, [...p, 'key']) ?? '',
          operator: r.oneOf(
            eo.operator,
            [...p, 'operator'],
            ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const,
            'In',
          ),
          values: r.strList(eo.values, [...p, 'values']),
        },
      ];
    }),
  };
}

function conditions(r: Reader, v: unknown, path: Path): Condition[] {
  return r.list(v, path).flatMap((c, i) => {
    const p = [...path, i];
    const o = r.obj(c, p);
    if (!o) return [];
    return [
      {
        type: r.str(o.type, [...p, 'type']) ?? '',
        status: r.oneOf(o.status, [...p, 'status'], ['True', 'False', 'Unknown'] as const, 'Unknown'),
        reason: r.str(o.reason, [...p, 'reason']),
        message: r.str(o.message, [...p, 'message']),
        lastTransitionTime: r.str(o.lastTransitionTime, [...p, 'lastTransitionTime']),
        lastHeartbeatTime: r.str(o.lastHeartbeatTime, [...p, 'lastHeartbeatTime']),
      },
    ];
  });
}

function loadBalancerIngress(r: Reader, status: unknown, path: Path): LoadBalancerIngress[] {
  const lb = r.obj(r.get(status, 'loadBalancer'), [...path, 'loadBalancer']);
  return r.list(lb?.ingress, [...path, 'loadBalancer', 'ingress']).flatMap((e, i) => {
    const p = [...path, 'loadBalancer', 'ingress', i];
    const o = r.obj(e, p);
    if (!o) return [];
    const ipMode = r.oneOf(o.ipMode, [...p, 'ipMode'], ['VIP', 'Proxy'] as const);
    return [
      {
        ip: r.str(o.ip, [...p, 'ip']),
        hostname: r.str(o.hostname, [...p, 'hostname']),
        ...(ipMode ? { ipMode } : {}),
      },
    ];
  });
}

function service(r: Reader, raw: Raw, m: Meta): Service {
  const spec = r.obj(raw.spec, ['spec']) ?? {};
  const type = r.oneOf(
    spec.type,
    ['spec', 'type'],
    ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const,
    'ClusterIP',
  );
  const ports: ServicePort[] = r.list(spec.ports, ['spec', 'ports']).flatMap((p, i) => {
    const path: Path = ['spec', 'ports', i];
    const o = r.obj(p, path);
    if (!o) return [];
    const port = r.port(o.port, [...path, 'port']);
    if (port === undefined) {
      if (o.port === undefined)
        r.problems.push({ path: [...path, 'port'], message: 'missing: a Service port needs `port`' });
      return [];
    }
    const nodePort = r.port(o.nodePort, [...path, 'nodePort']);
    const targetPort = r.intOrString(o.targetPort, [...path, 'targetPort']);
    return [
      {
        name: r.str(o.name, [...path, 'name']) ?? '',
        protocol: protocol(r, o.protocol, [...path, 'protocol']),
        port,
        // The API server defaults targetPort to port; 0 also means "unset".
        targetPort: targetPort === undefined || targetPort === 0 ? port : targetPort,
        ...(nodePort ? { nodePort } : {}),
        appProtocol: r.str(o.appProtocol, [...path, 'appProtocol']),
      },
    ];
  });
  const selectorRaw = spec.selector;
  const selector =
    selectorRaw === undefined || selectorRaw === null
      ? undefined
      : r.strMap(selectorRaw, ['spec', 'selector']);
  const clusterIP = r.str(spec.clusterIP, ['spec', 'clusterIP']) ?? '';
  const clusterIPs = r.strList(spec.clusterIPs, ['spec', 'clusterIPs']);
  const ipFamilies = r
    .strList(spec.ipFamilies, ['spec', 'ipFamilies'])
    .filter((f): f is IPFamily => f === 'IPv4' || f === 'IPv6');
  const ips = clusterIPs.length ? clusterIPs : clusterIP && clusterIP !== 'None' ? [clusterIP] : [];
  const families: IPFamily[] = ipFamilies.length
    ? ipFamilies
    : ips.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  const status = r.obj(raw.status, ['status']);
  const timeout = r.int(r.get(r.get(spec.sessionAffinityConfig, 'clientIP'), 'timeoutSeconds'), [
    'spec',
    'sessionAffinityConfig',
    'clientIP',
    'timeoutSeconds',
  ]);
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
    externalIPs: r.strList(spec.externalIPs, ['spec', 'externalIPs']),
    externalName: r.str(spec.externalName, ['spec', 'externalName']),
    // The API server only sets externalTrafficPolicy on NodePort/LoadBalancer Services.
    externalTrafficPolicy: r.oneOf(
      spec.externalTrafficPolicy,
      ['spec', 'externalTrafficPolicy'],
      ['Cluster', 'Local'] as const,
      'Cluster',
    ),
    internalTrafficPolicy: r.oneOf(
      spec.internalTrafficPolicy,
      ['spec', 'internalTrafficPolicy'],
      ['Cluster', 'Local'] as const,
      'Cluster',
    ),
    healthCheckNodePort: external
      ? r.port(spec.healthCheckNodePort, ['spec', 'healthCheckNodePort'])
      : undefined,
    loadBalancerIP: r.str(spec.loadBalancerIP, ['spec', 'loadBalancerIP']),
    loadBalancerSourceRanges: r.strList(spec.loadBalancerSourceRanges, ['spec', 'loadBalancerSourceRanges']),
    loadBalancerClass: r.str(spec.loadBalancerClass, ['spec', 'loadBalancerClass']),
    allocateLoadBalancerNodePorts: r.bool(spec.allocateLoadBalancerNodePorts, [
      'spec',
      'allocateLoadBalancerNodePorts',
    ]),
    ipFamilies: families.length ? families : ['IPv4'],
    ipFamilyPolicy: r.oneOf(spec.ipFamilyPolicy, ['spec', 'ipFamilyPolicy'], [
      'SingleStack',
      'PreferDualStack',
      'RequireDualStack',
    ] as const),
    sessionAffinity: r.oneOf(
      spec.sessionAffinity,
      ['spec', 'sessionAffinity'],
      ['None', 'ClientIP'] as const,
      'None',
    ),
    ...(timeout !== undefined ? { sessionAffinityTimeoutSeconds: timeout } : {}),
    publishNotReadyAddresses:
      r.bool(spec.publishNotReadyAddresses, ['spec', 'publishNotReadyAddresses']) ?? false,
    trafficDistribution: r.str(spec.trafficDistribution, ['spec', 'trafficDistribution']),
    loadBalancerIngress: status ? loadBalancerIngress(r, status, ['status']) : [],
  };
}

function probe(r: Reader, v: unknown, path: Path): Probe | undefined {
  const o = r.obj(v, path);
  if (!o) return undefined;
  const common = {
    initialDelaySeconds: r.int(o.initialDelaySeconds, [...path, 'initialDelaySeconds']),
    periodSeconds: r.int(o.periodSeconds, [...path, 'periodSeconds']),
    failureThreshold: r.int(o.failureThreshold, [...path, 'failureThreshold']),
  };
  for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    const h = r.obj(o[handler], [...path, handler]);
    if (h)
      return {
        handler,
        port: r.intOrString(h.port, [...path, handler, 'port']),
        path: r.str(h.path, [...path, handler, 'path']),
        host: r.str(h.host, [...path, handler, 'host']),
        scheme: r.str(h.scheme, [...path, handler, 'scheme']),
        ...common,
      };
  }
  if (o.exec) return { handler: 'exec', ...common };
  return { handler: 'unknown', ...common };
}

function containers(r: Reader, v: unknown, path: Path): Container[] {
  return r.list(v, path).flatMap((c, i) => {
    const p = [...path, i];
    const o = r.obj(c, p);
    if (!o) return [];
    return [
      {
        name: r.str(o.name, [...p, 'name']) ?? '',
        image: r.str(o.image, [...p, 'image']),
        ports: r.list(o.ports, [...p, 'ports']).flatMap((cp, j) => {
          const pp = [...p, 'ports', j];
          const po = r.obj(cp, pp);
          if (!po) return [];
          const containerPort = r.port(po.containerPort, [...pp, 'containerPort']);
          if (containerPort === undefined) return [];
          return [
            {
              name: r.str(po.name, [...pp, 'name']),
              containerPort,
              protocol: protocol(r, po.protocol, [...pp, 'protocol']),
              hostPort: r.port(po.hostPort, [...pp, 'hostPort']),
              hostIP: r.str(po.hostIP, [...pp, 'hostIP']),
            },
          ];
        }),
        readinessProbe: probe(r, o.readinessProbe, [...p, 'readinessProbe']),
        livenessProbe: probe(r, o.livenessProbe, [...p, 'livenessProbe']),
        startupProbe: probe(r, o.startupProbe, [...p, 'startupProbe']),
        restartPolicy: r.str(o.restartPolicy, [...p, 'restartPolicy']),
        command: r.strList(o.command, [...p, 'command']),
        args: r.strList(o.args, [...p, 'args']),
      },
    ];
  });
}

function containerState(r: Reader, v: unknown, path: Path): ContainerStateInfo {
  const o = r.obj(v, path) ?? {};
  const out: ContainerStateInfo = {};
  const w = r.obj(o.waiting, [...path, 'waiting']);
  if (w)
    out.waiting = {
      reason: r.str(w.reason, [...path, 'waiting', 'reason']),
      message: r.str(w.message, [...path, 'waiting', 'message']),
    };
  const run = r.obj(o.running, [...path, 'running']);
  if (run) out.running = { startedAt: r.str(run.startedAt, [...path, 'running', 'startedAt']) };
  const t = r.obj(o.terminated, [...path, 'terminated']);
  if (t)
    out.terminated = {
      reason: r.str(t.reason, [...path, 'terminated', 'reason']),
      message: r.str(t.message, [...path, 'terminated', 'message']),
      exitCode: r.int(t.exitCode, [...path, 'terminated', 'exitCode']),
      startedAt: r.str(t.startedAt, [...path, 'terminated', 'startedAt']),
      finishedAt: r.str(t.finishedAt, [...path, 'terminated', 'finishedAt']),
    };
  return out;
}

function containerStatuses(r: Reader, v: unknown, path: Path): ContainerStatus[] {
  return r.list(v, path).flatMap((c, i) => {
    const p = [...path, i];
    const o = r.obj(c, p);
    if (!o) return [];
    return [
      {
        name: r.str(o.name, [...p, 'name']) ?? '',
        ready: r.bool(o.ready, [...p, 'ready']) ?? false,
        started: r.bool(o.started, [...p, 'started']),
        restartCount: r.int(o.restartCount, [...p, 'restartCount']) ?? 0,
        state: containerState(r, o.state, [...p, 'state']),
        lastState: containerState(r, o.lastState, [...p, 'lastState']),
        image: r.str(o.image, [...p, 'image']),
      },
    ];
  });
}

function pod(r: Reader, raw: Raw, m: Meta): Pod {
  const spec = r.obj(raw.spec, ['spec']) ?? {};
  const status = r.obj(raw.status, ['status']) ?? {};
  const podIP = r.str(status.podIP, ['status', 'podIP']);
  const podIPs = r
    .list(status.podIPs, ['status', 'podIPs'])
    .map((e, i) => r.str(r.get(e, 'ip'), ['status', 'podIPs', i, 'ip']))
    .filter((s): s is string => !!s);
  const conds = conditions(r, status.conditions, ['status', 'conditions']);
  return {
    kind: 'Pod',
    meta: m,
    nodeName: r.str(spec.nodeName, ['spec', 'nodeName']),
    hostNetwork: r.bool(spec.hostNetwork, ['spec', 'hostNetwork']) ?? false,
    dnsPolicy: r.str(spec.dnsPolicy, ['spec', 'dnsPolicy']),
    phase: r.oneOf(
      status.phase,
      ['status', 'phase'],
      ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const,
      'Unknown',
    ),
    podIP,
    podIPs: podIPs.length ? podIPs : podIP ? [podIP] : [],
    hostIP: r.str(status.hostIP, ['status', 'hostIP']),
    containers: containers(r, spec.containers, ['spec', 'containers']),
    initContainers: containers(r, spec.initContainers, ['spec', 'initContainers']),
    containerStatuses: containerStatuses(r, status.containerStatuses, ['status', 'containerStatuses']),
    initContainerStatuses: containerStatuses(r, status.initContainerStatuses, [
      'status',
      'initContainerStatuses',
    ]),
    conditions: conds,
    readinessGates: r
      .list(spec.readinessGates, ['spec', 'readinessGates'])
      .map((g, i) => r.str(r.get(g, 'conditionType'), ['spec', 'readinessGates', i, 'conditionType']) ?? ''),
    ready: conds.some((c) => c.type === 'Ready' && c.status === 'True'),
    startTime: r.str(status.startTime, ['status', 'startTime']),
    reason: r.str(status.reason, ['status', 'reason']),
    message: r.str(status.message, ['status', 'message']),
  };
}

function node(r: Reader, raw: Raw, m: Meta): Node {
  const spec = r.obj(raw.spec, ['spec']) ?? {};
  const status = r.obj(raw.status, ['status']) ?? {};
  const addresses = r.list(status.addresses, ['status', 'addresses']).flatMap((a, i) => {
    const o = r.obj(a, ['status', 'addresses', i]);
    if (!o) return [];
    return [
      {
        type: r.str(o.type, ['status', 'addresses', i, 'type']) ?? '',
        address: r.str(o.address, ['status', 'addresses', i, 'address']) ?? '',
      },
    ];
  });
  const conds = conditions(r, status.conditions, ['status', 'conditions']);
  const readyCond = conds.find((c) => c.type === 'Ready');
  const info = r.obj(status.nodeInfo, ['status', 'nodeInfo']) ?? {};
  const podCIDR = r.str(spec.podCIDR, ['spec', 'podCIDR']);
  const podCIDRs = r.strList(spec.podCIDRs, ['spec', 'podCIDRs']);
  return {
    kind: 'Node',
    meta: m,
    addresses,
    internalIPs: addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address),
    externalIPs: addresses.filter((a) => a.type === 'ExternalIP').map((a) => a.address),
    conditions: conds,
    ready: readyCond?.status === 'True' ? true : readyCond?.status === 'False' ? false : undefined,
    unschedulable: r.bool(spec.unschedulable, ['spec', 'unschedulable']) ?? false,
    taints: r.list(spec.taints, ['spec', 'taints']).flatMap((t, i) => {
      const o = r.obj(t, ['spec', 'taints', i]);
      if (!o) return [];
      return [
        {
          key: r.str(o.key, ['spec', 'taints', i, 'key']) ?? '',
          value: r.str(o.value, ['spec', 'taints', i, 'value']),
          effect: r.str(o.effect, ['spec', 'taints', i, 'effect']) ?? '',
        },
      ];
    }),
    podCIDRs: podCIDRs.length ? podCIDRs : podCIDR ? [podCIDR] : [],
    kubeletVersion: r.str(info.kubeletVersion, ['status', 'nodeInfo', 'kubeletVersion']),
    kubeProxyVersion: r.str(info.kubeProxyVersion, ['status', 'nodeInfo', 'kubeProxyVersion']),
    providerID: r.str(spec.providerID, ['spec', 'providerID']),
    osImage: r.str(info.osImage, ['status', 'nodeInfo', 'osImage']),
  };
}

function objectRef(r: Reader, v: unknown, path: Path): ObjectRef | undefined {
  const o = r.obj(v, path);
  if (!o) return undefined;
  return {
    kind: r.str(o.kind, [...path, 'kind']) ?? '',
    namespace: r.str(o.namespace, [...path, 'namespace']),
    name: r.str(o.name, [...path, 'name']) ?? '',
  };
}

function endpointPorts(r: Reader, v: unknown, path: Path): EndpointPort[] {
  return r.list(v, path).flatMap((p, i) => {
    const o = r.obj(p, [...path, i]);
    if (!o) return [];
    return [
      {
        name: r.str(o.name, [...path, i, 'name']) ?? '',
        port: r.port(o.port, [...path, i, 'port']),
        protocol: protocol(r, o.protocol, [...path, i, 'protocol']),
        appProtocol: r.str(o.appProtocol, [...path, i, 'appProtocol']),
      },
    ];
  });
}

function endpointSlice(r: Reader, raw: Raw, m: Meta): EndpointSlice {
  const endpoints = r.list(raw.endpoints, ['endpoints']).flatMap((e, i) => {
    const p: Path = ['endpoints', i];
    const o = r.obj(e, p);
    if (!o) return [];
    const c = r.obj(o.conditions, [...p, 'conditions']) ?? {};
    const ready = r.bool(c.ready, [...p, 'conditions', 'ready']);
    const serving = r.bool(c.serving, [...p, 'conditions', 'serving']);
    const terminating = r.bool(c.terminating, [...p, 'conditions', 'terminating']);
    // API semantics: nil ready => ready; nil serving => ready's value; nil terminating => false.
    const conds: EndpointConditions = {
      ready: ready ?? true,
      serving: serving ?? ready ?? true,
      terminating: terminating ?? false,
    };
    const hints = r.obj(o.hints, [...p, 'hints']) ?? {};
    return [
      {
        addresses: r.strList(o.addresses, [...p, 'addresses']),
        conditions: conds,
        hostname: r.str(o.hostname, [...p, 'hostname']),
        nodeName: r.str(o.nodeName, [...p, 'nodeName']),
        zone: r.str(o.zone, [...p, 'zone']),
        targetRef: objectRef(r, o.targetRef, [...p, 'targetRef']),
        hintsForZones: r
          .list(hints.forZones, [...p, 'hints', 'forZones'])
          .map((z) => String(r.get(z, 'name') ?? '')),
        hintsForNodes: r
          .list(hints.forNodes, [...p, 'hints', 'forNodes'])
          .map((z) => String(r.get(z, 'name') ?? '')),
      },
    ];
  });
  return {
    kind: 'EndpointSlice',
    meta: m,
    serviceName: m.labels['kubernetes.io/service-name'],
    addressType: r.oneOf(raw.addressType, ['addressType'], ['IPv4', 'IPv6', 'FQDN'] as const, 'IPv4'),
    endpoints,
    ports: endpointPorts(r, raw.ports, ['ports']),
    managedBy: m.labels['endpointslice.kubernetes.io/managed-by'],
  };
}

function endpoints(r: Reader, raw: Raw, m: Meta): Endpoints {
  const addrs = (v: unknown, path: Path) =>
    r.list(v, path).flatMap((a, i) => {
      const o = r.obj(a, [...path, i]);
      const ip = o && r.str(o.ip, [...path, i, 'ip']);
      if (!o || !ip) return [];
      return [
        {
          ip,
          hostname: r.str(o.hostname, [...path, i, 'hostname']),
          nodeName: r.str(o.nodeName, [...path, i, 'nodeName']),
          targetRef: objectRef(r, o.targetRef, [...path, i, 'targetRef']),
        },
      ];
    });
  return {
    kind: 'Endpoints',
    meta: m,
    subsets: r.list(raw.subsets, ['subsets']).flatMap((s, i) => {
      const o = r.obj(s, ['subsets', i]);
      if (!o) return [];
      return [
        {
          addresses: addrs(o.addresses, ['subsets', i, 'addresses']),
          notReadyAddresses: addrs(o.notReadyAddresses, ['subsets', i, 'notReadyAddresses']),
          ports: endpointPorts(r, o.ports, ['subsets', i, 'ports']),
        },
      ];
    }),
    truncated: m.annotations['endpoints.kubernetes.io/over-capacity'] === 'truncated',
  };
}

function event(r: Reader, raw: Raw, m: Meta): KubeEvent {
  // core/v1 Event and events.k8s.io/v1 Event name the same facts differently.
  const involved = objectRef(r, raw.involvedObject ?? raw.regarding, [
    raw.involvedObject ? 'involvedObject' : 'regarding',
  ]);
  const src = r.obj(raw.source, ['source']);
  const series = r.obj(raw.series, ['series']);
  return {
    kind: 'Event',
    meta: m,
    involvedObject: involved ?? { kind: '', name: '' },
    reason: r.str(raw.reason, ['reason']) ?? '',
    message: r.str(raw.message ?? raw.note, [raw.message !== undefined ? 'message' : 'note']) ?? '',
    type: r.str(raw.type, ['type']) ?? 'Normal',
    count: r.int(raw.count, ['count']) ?? r.int(series?.count, ['series', 'count']) ?? 1,
    firstTimestamp: r.str(raw.firstTimestamp ?? raw.deprecatedFirstTimestamp, ['firstTimestamp']),
    lastTimestamp: r.str(raw.lastTimestamp ?? raw.deprecatedLastTimestamp ?? series?.lastObservedTime, [
      'lastTimestamp',
    ]),
    eventTime: r.str(raw.eventTime, ['eventTime']),
    reporter:
      r.str(src?.component, ['source', 'component']) ??
      r.str(raw.reportingController ?? raw.reportingComponent, ['reportingController']),
  };
}

function networkPolicy(r: Reader, raw: Raw, m: Meta): NetworkPolicy {
  const spec = r.obj(raw.spec, ['spec']) ?? {};
  const peers = (v: unknown, path: Path): NetworkPolicyPeer[] =>
    r.list(v, path).flatMap((p, i) => {
      const pp = [...path, i];
      const o = r.obj(p, pp);
      if (!o) return [];
      const peer: NetworkPolicyPeer = {};
      if (o.podSelector !== undefined && o.podSelector !== null)
        peer.podSelector = labelSelector(r, o.podSelector, [...pp, 'podSelector']);
      if (o.namespaceSelector !== undefined && o.namespaceSelector !== null)
        peer.namespaceSelector = labelSelector(r, o.namespaceSelector, [...pp, 'namespaceSelector']);
      const ib = r.obj(o.ipBlock, [...pp, 'ipBlock']);
      if (ib)
        peer.ipBlock = {
          cidr: r.str(ib.cidr, [...pp, 'ipBlock', 'cidr']) ?? '',
          except: r.strList(ib.except, [...pp, 'ipBlock', 'except']),
        };
      return [peer];
    });
  const rules = (v: unknown, key: 'from' | 'to', path: Path): NetworkPolicyRule[] =>
    r.list(v, path).flatMap((rule, i) => {
      const rp = [...path, i];
      const o = r.obj(rule, rp);
      if (!o) return [{ peers: [], ports: [] }]; // `- {}` allows everything
      return [
        {
          peers: peers(o[key], [...rp, key]),
          ports: r.list(o.ports, [...rp, 'ports']).flatMap((p, j) => {
            const pp = [...rp, 'ports', j];
            const po = r.obj(p, pp);
            if (!po) return [];
            return [
              {
                protocol: protocol(r, po.protocol, [...pp, 'protocol']),
                port: r.intOrString(po.port, [...pp, 'port']),
                endPort: r.port(po.endPort, [...pp, 'endPort']),
              },
            ];
          }),
        },
      ];
    });
  const ingress = rules(spec.ingress, 'from', ['spec', 'ingress']);
  const egress = rules(spec.egress, 'to', ['spec', 'egress']);
  let policyTypes = r
    .strList(spec.policyTypes, ['spec', 'policyTypes'])
    .filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  // API defaulting: Ingress always, Egress only when egress rules are present.
  if (policyTypes.length === 0)
    policyTypes = spec.egress !== undefined && spec.egress !== null ? ['Ingress', 'Egress'] : ['Ingress'];
  return {
    kind: 'NetworkPolicy',
    meta: m,
    podSelector: labelSelector(r, spec.podSelector, ['spec', 'podSelector']),
    policyTypes,
    ingress,
    egress,
  };
}

function ingressBackend(r: Reader, v: unknown, path: Path): IngressBackend | undefined {
  const o = r.obj(v, path);
  if (!o) return undefined;
  const svc = r.obj(o.service, [...path, 'service']);
  if (svc) {
    const port = r.obj(svc.port, [...path, 'service', 'port']) ?? {};
    return {
      service: {
        name: r.str(svc.name, [...path, 'service', 'name']) ?? '',
        port: {
          number: r.port(port.number, [...path, 'service', 'port', 'number']),
          name: r.str(port.name, [...path, 'service', 'port', 'name']),
        },
      },
    };
  }
  // extensions/v1beta1 and networking.k8s.io/v1beta1: serviceName + servicePort (int or string).
  if (o.serviceName !== undefined) {
    const sp = r.intOrString(o.servicePort, [...path, 'servicePort']);
    return {
      service: {
        name: r.str(o.serviceName, [...path, 'serviceName']) ?? '',
        port: typeof sp === 'number' ? { number: sp } : { name: sp },
      },
    };
  }
  const res = r.obj(o.resource, [...path, 'resource']);
  if (res)
    return {
      resource: {
        apiGroup: r.str(res.apiGroup, [...path, 'resource', 'apiGroup']),
        kind: r.str(res.kind, [...path, 'resource', 'kind']) ?? '',
        name: r.str(res.name, [...path, 'resource', 'name']) ?? '',
      },
    };
  return {};
}

function ingress(r: Reader, raw: Raw, m: Meta): Ingress {
  const spec = r.obj(raw.spec, ['spec']) ?? {};
  const defaultBackend = ingressBackend(r, spec.defaultBackend ?? spec.backend, [
    'spec',
    spec.defaultBackend ? 'defaultBackend' : 'backend',
  ]);
  return {
    kind: 'Ingress',
    meta: m,
    ingressClassName:
      r.str(spec.ingressClassName, ['spec', 'ingressClassName']) ??
      m.annotations['kubernetes.io/ingress.class'],
    ...(defaultBackend ? { defaultBackend } : {}),
    rules: r.list(spec.rules, ['spec', 'rules']).flatMap((rule, i) => {
      const rp: Path = ['spec', 'rules', i];
      const o = r.obj(rule, rp);
      if (!o) return [];
      const http = r.obj(o.http, [...rp, 'http']);
      return [
        {
          host: r.str(o.host, [...rp, 'host']),
          paths: r.list(http?.paths, [...rp, 'http', 'paths']).flatMap((p, j) => {
            const pp = [...rp, 'http', 'paths', j];
            const po = r.obj(p, pp);
            if (!po) return [];
            return [
              {
                path: r.str(po.path, [...pp, 'path']),
                pathType: r.oneOf(
                  po.pathType,
                  [...pp, 'pathType'],
                  ['Exact', 'Prefix', 'ImplementationSpecific'] as const,
                  'ImplementationSpecific',
                ),
                backend: ingressBackend(r, po.backend, [...pp, 'backend']) ?? {},
              },
            ];
          }),
        },
      ];
    }),
    tls: r.list(spec.tls, ['spec', 'tls']).flatMap((t, i) => {
      const o = r.obj(t, ['spec', 'tls', i]);
      if (!o) return [];
      return [
        {
          hosts: r.strList(o.hosts, ['spec', 'tls', i, 'hosts']),
          secretName: r.str(o.secretName, ['spec', 'tls', i, 'secretName']),
        },
      ];
    }),
    loadBalancerIngress: loadBalancerIngress(r, raw.status, ['status']),
  };
}

function workload(r: Reader, raw: Raw, m: Meta, kind: Workload['kind']): Workload {
  const spec = r.obj(raw.spec, ['spec']) ?? {};
  const status = r.obj(raw.status, ['status']) ?? {};
  const template = r.obj(spec.template, ['spec', 'template']) ?? {};
  const tmeta = r.obj(template.metadata, ['spec', 'template', 'metadata']) ?? {};
  const tspec = r.obj(template.spec, ['spec', 'template', 'spec']) ?? {};
  return {
    kind,
    meta: m,
    selector: spec.selector ? labelSelector(r, spec.selector, ['spec', 'selector']) : undefined,
    replicas: r.int(spec.replicas, ['spec', 'replicas']),
    readyReplicas: r.int(status.readyReplicas ?? status.numberReady, ['status', 'readyReplicas']),
    templateLabels: r.strMap(tmeta.labels, ['spec', 'template', 'metadata', 'labels']),
    containers: containers(r, tspec.containers, ['spec', 'template', 'spec', 'containers']),
    hostNetwork: r.bool(tspec.hostNetwork, ['spec', 'template', 'spec', 'hostNetwork']) ?? false,
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
      object = { kind: 'Namespace', meta: m, phase: r.str(r.get(raw.status, 'phase'), ['status', 'phase']) };
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
      const spec = r.obj(raw.spec, ['spec']) ?? {};
      object = {
        kind: 'IngressClass',
        meta: m,
        controller: r.str(spec.controller, ['spec', 'controller']) ?? '',
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
      object = { kind: 'ConfigMap', meta: m, data: r.strMap(raw.data, ['data']) };
      break;
    case 'Lease': {
      const spec = r.obj(raw.spec, ['spec']) ?? {};
      object = {
        kind: 'Lease',
        meta: m,
        holderIdentity: r.str(spec.holderIdentity, ['spec', 'holderIdentity']),
        renewTime: r.str(spec.renewTime, ['spec', 'renewTime']),
      };
      break;
    }
    case 'ServiceCIDR':
      object = {
        kind: 'ServiceCIDR',
        meta: m,
        cidrs: r.strList(r.get(raw.spec, 'cidrs'), ['spec', 'cidrs']),
      };
      break;
  }
  return { object, problems: r.problems };
}
