import { matchesServiceSelector } from './labels.js';
import type {
  CollectableKind,
  EndpointSlice,
  Endpoints,
  Ingress,
  KubeEvent,
  NetworkPolicy,
  Node,
  ObjectRef,
  Pod,
  Service,
  ServicePort,
  SnapshotData,
  Workload,
} from './types.js';

export function emptySnapshotData(): SnapshotData {
  return {
    services: [],
    pods: [],
    nodes: [],
    endpointSlices: [],
    endpoints: [],
    namespaces: [],
    events: [],
    networkPolicies: [],
    ingresses: [],
    ingressClasses: [],
    workloads: [],
    configMaps: [],
    leases: [],
    serviceCIDRs: [],
    observations: [],
    nodeDumps: [],
    audit: [],
    collected: {},
    warnings: [],
    ignoredKinds: {},
  };
}

export const nsName = (namespace: string, name: string): string => `${namespace}/${name}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * An indexed, read-only view of SnapshotData. Every lookup a check or the data plane makes
 * is answered from an index built once here, so a query never scans the whole cluster.
 * `whatif` never mutates a Snapshot: it patches a copy of the data and builds a new one.
 */
export class Snapshot {
  readonly data: SnapshotData;
  private readonly servicesByKey = new Map<string, Service>();
  private readonly servicesByNs = new Map<string, Service[]>();
  private readonly podsByKey = new Map<string, Pod>();
  private readonly podsByNs = new Map<string, Pod[]>();
  private readonly podsByNode = new Map<string, Pod[]>();
  private readonly podsByIP = new Map<string, Pod[]>();
  /** "ns\0key=value" -> pods in ns carrying that label */
  private readonly podsByLabel = new Map<string, Pod[]>();
  private readonly nodesByName = new Map<string, Node>();
  private readonly nodesByIP = new Map<string, Node>();
  private readonly slicesByService = new Map<string, EndpointSlice[]>();
  private readonly endpointsByKey = new Map<string, Endpoints>();
  private readonly eventsByObject = new Map<string, KubeEvent[]>();
  private readonly eventsByNs = new Map<string, KubeEvent[]>();
  private readonly policiesByNs = new Map<string, NetworkPolicy[]>();
  private readonly ingressesByNs = new Map<string, Ingress[]>();
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly namespaceNames = new Set<string>();

  constructor(data: SnapshotData) {
    this.data = data;
    for (const s of data.services) {
      this.servicesByKey.set(nsName(s.meta.namespace, s.meta.name), s);
      push(this.servicesByNs, s.meta.namespace, s);
      this.namespaceNames.add(s.meta.namespace);
    }
    for (const p of data.pods) {
      this.podsByKey.set(nsName(p.meta.namespace, p.meta.name), p);
      push(this.podsByNs, p.meta.namespace, p);
      if (p.nodeName) push(this.podsByNode, p.nodeName, p);
      for (const ip of p.podIPs) push(this.podsByIP, ip, p);
      for (const [k, v] of Object.entries(p.meta.labels))
        push(this.podsByLabel, `${p.meta.namespace}\0${k}=${v}`, p);
      this.namespaceNames.add(p.meta.namespace);
    }
    for (const n of data.nodes) {
      this.nodesByName.set(n.meta.name, n);
      for (const a of n.addresses)
        if (a.type === 'InternalIP' || a.type === 'ExternalIP') this.nodesByIP.set(a.address, n);
    }
    for (const s of data.endpointSlices) {
      if (s.serviceName) push(this.slicesByService, nsName(s.meta.namespace, s.serviceName), s);
    }
    for (const e of data.endpoints) this.endpointsByKey.set(nsName(e.meta.namespace, e.meta.name), e);
    for (const e of data.events) {
      const o = e.involvedObject;
      push(this.eventsByObject, `${o.kind}/${o.namespace ?? ''}/${o.name}`, e);
      push(this.eventsByNs, e.meta.namespace, e);
    }
    for (const np of data.networkPolicies) push(this.policiesByNs, np.meta.namespace, np);
    for (const i of data.ingresses) push(this.ingressesByNs, i.meta.namespace, i);
    for (const w of data.workloads) push(this.workloadsByNs, w.meta.namespace, w);
    for (const n of data.namespaces) this.namespaceNames.add(n.meta.name);
  }

  /** Whether the source could read this kind at all (false/undefined means: unknown, not empty). */
  has(kind: CollectableKind): boolean {
    return this.data.collected[kind] === true;
  }

  service(namespace: string, name: string): Service | undefined {
    return this.servicesByKey.get(nsName(namespace, name));
  }
  servicesIn(namespace: string): readonly Service[] {
    return this.servicesByNs.get(namespace) ?? [];
  }
  get services(): readonly Service[] {
    return this.data.services;
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.podsByKey.get(nsName(namespace, name));
  }
  podsIn(namespace: string): readonly Pod[] {
    return this.podsByNs.get(namespace) ?? [];
  }
  podsOnNode(node: string): readonly Pod[] {
    return this.podsByNode.get(node) ?? [];
  }
  podsByAddress(ip: string): readonly Pod[] {
    return this.podsByIP.get(ip) ?? [];
  }

  /** Pods in `namespace` matched by a Service selector, using the smallest label posting list. */
  podsForSelector(namespace: string, selector: Record<string, string>): Pod[] {
    const entries = Object.entries(selector);
    if (entries.length === 0) return [];
    let smallest: Pod[] | undefined;
    for (const [k, v] of entries) {
      const list = this.podsByLabel.get(`${namespace}\0${k}=${v}`);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    return (smallest ?? []).filter((p) => matchesServiceSelector(selector, p.meta.labels));
  }

  /** Pods selected by a Service (none for selector-less Services). */
  podsForService(svc: Service): Pod[] {
    return svc.selector ? this.podsForSelector(svc.meta.namespace, svc.selector) : [];
  }

  node(name: string): Node | undefined {
    return this.nodesByName.get(name);
  }
  nodeByAddress(ip: string): Node | undefined {
    return this.nodesByIP.get(ip);
  }
  get nodes(): readonly Node[] {
    return this.data.nodes;
  }

  endpointSlicesFor(namespace: string, serviceName: string): readonly EndpointSlice[] {
    return this.slicesByService.get(nsName(namespace, serviceName)) ?? [];
  }
  endpointsFor(namespace: string, serviceName: string): Endpoints | undefined {
    return this.endpointsByKey.get(nsName(namespace, serviceName));
  }

  eventsFor(ref: ObjectRef): readonly KubeEvent[] {
    return this.eventsByObject.get(`${ref.kind}/${ref.namespace ?? ''}/${ref.name}`) ?? [];
  }
  eventsIn(namespace: string): readonly KubeEvent[] {
    return this.eventsByNs.get(namespace) ?? [];
  }

  networkPoliciesIn(namespace: string): readonly NetworkPolicy[] {
    return this.policiesByNs.get(namespace) ?? [];
  }
  ingressesIn(namespace: string): readonly Ingress[] {
    return this.ingressesByNs.get(namespace) ?? [];
  }
  workloadsIn(namespace: string): readonly Workload[] {
    return this.workloadsByNs.get(namespace) ?? [];
  }

  /** Every namespace known from Namespace objects or from the namespaced objects seen. */
  get namespaces(): readonly string[] {
    return [...this.namespaceNames].sort();
  }
  namespaceExists(name: string): boolean {
    return this.namespaceNames.has(name);
  }
}

export function servicePortLabel(p: ServicePort): string {
  return `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`;
}

export function refOf(obj: { kind: string; meta: { namespace: string; name: string } }): ObjectRef {
  return obj.meta.namespace
    ? { kind: obj.kind, namespace: obj.meta.namespace, name: obj.meta.name }
    : { kind: obj.kind, name: obj.meta.name };
}

export function formatRef(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
