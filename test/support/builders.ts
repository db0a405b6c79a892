// Small fixture builders, in the manner of kube-proxy's tests: a sensible healthy default
// that each test bends with a mutator, e.g. service('web', s => { s.type = 'NodePort' }).
import { findPort } from '../../src/model/ports.js';
import type { ClientSpec, Question, Via } from '../../src/model/question.js';
import { emptySnapshotData, Snapshot } from '../../src/model/snapshot.js';
import type {
  Container,
  EndpointSlice,
  Endpoints,
  Meta,
  NetworkPolicy,
  Node,
  Pod,
  Service,
  SliceEndpoint,
  SnapshotData,
} from '../../src/model/types.js';

type Mutator<T> = (o: T) => void;

let counter = 0;
/** Deterministic addresses per builder call order within a test file. */
function nextOctet(): number {
  counter = (counter % 250) + 1;
  return counter;
}
export function resetBuilderCounters(): void {
  counter = 0;
}

export function meta(name: string, namespace = 'default', labels: Record<string, string> = {}): Meta {
  return { name, namespace, labels, annotations: {}, ownerReferences: [], managedFields: [] };
}

export function service(name: string, mutate?: Mutator<Service>, namespace = 'default'): Service {
  const ip = `10.96.0.${nextOctet()}`;
  const s: Service = {
    kind: 'Service',
    meta: meta(name, namespace),
    type: 'ClusterIP',
    selector: { app: name },
    clusterIP: ip,
    clusterIPs: [ip],
    headless: false,
    ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }],
    externalIPs: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    loadBalancerSourceRanges: [],
    ipFamilies: ['IPv4'],
    sessionAffinity: 'None',
    publishNotReadyAddresses: false,
    loadBalancerIngress: [],
  };
  mutate?.(s);
  return s;
}

export function container(name = 'app', mutate?: Mutator<Container>): Container {
  const c: Container = {
    name,
    image: 'nginx:1.27',
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    command: [],
    args: [],
  };
  mutate?.(c);
  return c;
}

export function pod(name: string, mutate?: Mutator<Pod>, namespace = 'default'): Pod {
  const ip = `10.244.1.${nextOctet()}`;
  const app = name.replace(/-[a-z0-9]{5}$/, '').replace(/-\d+$/, '');
  const p: Pod = {
    kind: 'Pod',
    meta: meta(name, namespace, { app }),
    nodeName: 'node-1',
    hostNetwork: false,
    phase: 'Running',
    podIP: ip,
    podIPs: [ip],
    hostIP: '192.168.0.11',
    containers: [container()],
    initContainers: [],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} }, lastState: {} }],
    initContainerStatuses: [],
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
    ],
    readinessGates: [],
    ready: true,
  };
  mutate?.(p);
  return p;
}

/** Make a pod not ready the way the kubelet reports it. */
export function notReady(p: Pod, reason = 'ContainersNotReady'): void {
  p.ready = false;
  p.conditions = p.conditions.map((c) =>
    c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason } : c,
  );
  p.containerStatuses = p.containerStatuses.map((s) => ({ ...s, ready: false }));
}

export function node(name: string, mutate?: Mutator<Node>): Node {
  const n = Number(/(\d+)$/.exec(name)?.[1] ?? nextOctet());
  const ip = `192.168.0.${10 + n}`;
  const nd: Node = {
    kind: 'Node',
    meta: meta(name, ''),
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
    internalIPs: [ip],
    externalIPs: [],
    conditions: [{ type: 'Ready', status: 'True' }],
    ready: true,
    unschedulable: false,
    taints: [],
    podCIDRs: [`10.244.${n}.0/24`],
    kubeletVersion: 'v1.30.4',
  };
  mutate?.(nd);
  return nd;
}

/**
 * The EndpointSlice the endpointslice controller would write for a Service and its pods
 * (one slice, targetPort resolved per pod; not-ready pods listed with ready=false).
 */
export function sliceFor(svc: Service, pods: Pod[], mutate?: Mutator<EndpointSlice>): EndpointSlice {
  const selected = pods.filter((p) => p.podIP && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const endpoints: SliceEndpoint[] = selected.map((p) => {
    const terminating = !!p.meta.deletionTimestamp;
    const ready = p.ready && !terminating;
    return {
      addresses: [p.podIP as string],
      conditions: {
        ready: ready || (svc.publishNotReadyAddresses && !terminating),
        serving: p.ready,
        terminating,
      },
      nodeName: p.nodeName,
      targetRef: { kind: 'Pod', namespace: p.meta.namespace, name: p.meta.name },
      hintsForZones: [],
      hintsForNodes: [],
    };
  });
  const first = selected[0];
  const s: EndpointSlice = {
    kind: 'EndpointSlice',
    meta: meta(`${svc.meta.name}-abcde`, svc.meta.namespace, {
      'kubernetes.io/service-name': svc.meta.name,
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    }),
    serviceName: svc.meta.name,
    addressType: 'IPv4',
    endpoints,
    ports: svc.ports.map((sp) => ({
      name: sp.name,
      protocol: sp.protocol,
      ...(first ? { port: findPort(first, sp) } : {}),
    })),
    managedBy: 'endpointslice-controller.k8s.io',
  };
  mutate?.(s);
  return s;
}

export function endpointsFor(svc: Service, pods: Pod[], mutate?: Mutator<Endpoints>): Endpoints {
  const first = pods[0];
  const e: Endpoints = {
    kind: 'Endpoints',
    meta: meta(svc.meta.name, svc.meta.namespace),
    subsets: pods.length
      ? [
          {
            addresses: pods
              .filter((p) => p.ready)
              .map((p) => ({ ip: p.podIP as string, nodeName: p.nodeName })),
            notReadyAddresses: pods
              .filter((p) => !p.ready)
              .map((p) => ({ ip: p.podIP as string, nodeName: p.nodeName })),
            ports: svc.ports.map((sp) => ({
              name: sp.name,
              protocol: sp.protocol,
              ...(first ? { port: findPort(first, sp) } : {}),
            })),
          },
        ]
      : [],
    truncated: false,
  };
  mutate?.(e);
  return e;
}

export function networkPolicy(
  name: string,
  mutate?: Mutator<NetworkPolicy>,
  namespace = 'default',
): NetworkPolicy {
  const np: NetworkPolicy = {
    kind: 'NetworkPolicy',
    meta: meta(name, namespace),
    podSelector: { matchLabels: {}, matchExpressions: [] },
    policyTypes: ['Ingress'],
    ingress: [],
    egress: [],
  };
  mutate?.(np);
  return np;
}

export interface SnapshotInput extends Partial<Omit<SnapshotData, 'collected'>> {
  collected?: SnapshotData['collected'];
  /**
   * Derive EndpointSlices for every selector Service from the pods it matches, as the
   * endpointslice controller would (default true; set false to test missing slices).
   */
  autoSlices?: boolean;
}

/** A Snapshot from model objects; kinds given are marked collected (so absence is known). */
export function snapshotOf(input: SnapshotInput): Snapshot {
  const { autoSlices = true, collected, ...rest } = input;
  const data: SnapshotData = { ...emptySnapshotData(), ...rest };
  data.collected = {
    Service: true,
    Pod: true,
    Node: data.nodes.length > 0,
    EndpointSlice: true,
    Namespace: data.namespaces.length > 0,
    Event: true,
    NetworkPolicy: true,
    Ingress: true,
    IngressClass: true,
    ...collected,
  };
  if (autoSlices) {
    const have = new Set(data.endpointSlices.map((s) => `${s.meta.namespace}/${s.serviceName}`));
    const base = new Snapshot(data);
    for (const svc of data.services) {
      if (!svc.selector || have.has(`${svc.meta.namespace}/${svc.meta.name}`)) continue;
      data.endpointSlices = [...data.endpointSlices, sliceFor(svc, base.podsForService(svc))];
    }
  }
  return new Snapshot(data);
}

export function question(
  target: string | Service,
  opts: Partial<Omit<Question, 'target' | 'client'>> & { client?: ClientSpec | string; via?: Via } = {},
): Question {
  const [ns, name] =
    typeof target === 'string'
      ? target.includes('/')
        ? (target.split('/') as [string, string])
        : ['default', target]
      : [target.meta.namespace, target.meta.name];
  const client: ClientSpec =
    typeof opts.client === 'string'
      ? (() => {
          const [k, a, b] = opts.client.split('/');
          if (k === 'pod') return { kind: 'pod', namespace: a as string, name: b as string };
          if (k === 'node') return { kind: 'node', node: a as string };
          return { kind: k } as ClientSpec;
        })()
      : (opts.client ?? { kind: 'pod-on-other-node' });
  const { client: _c, ...rest } = opts;
  return { inferred: [], ...rest, target: { kind: 'Service', namespace: ns, name }, client };
}
