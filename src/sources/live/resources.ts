// What the live source reads, and where. This table is the single list of API reads: the
// reader walks it, deploy/rbac.yaml grants exactly it (a test checks), and nothing here is a
// Secret.

import type { CollectableKind } from '../../model/types.js';

export interface LiveResource {
  /** Plural resource name, as in RBAC rules and URLs. */
  resource: string;
  group: string;
  version: string;
  /** The object kind inside the list (list items arrive without it). */
  kind: string;
  /** The model kind this feeds, for `collected` and unknowns. */
  model: CollectableKind;
  namespaced: boolean;
  /**
   * Namespaced resources: `scope` reads the namespaces the command asked for; `fixed` reads
   * only the listed namespaces whatever the command; `alsoIn` adds system namespaces to the
   * requested ones (kube-proxy, CoreDNS and CNI live in kube-system).
   */
  fixed?: string[];
  alsoIn?: string[];
  /** Read only these objects by name (GET) instead of listing: keeps RBAC to resourceNames. */
  names?: string[];
}

const core = (
  resource: string,
  kind: string,
  model: CollectableKind,
  extra: Partial<LiveResource> = {},
): LiveResource => ({
  resource,
  group: '',
  version: 'v1',
  kind,
  model,
  namespaced: true,
  ...extra,
});

const SYSTEM = ['kube-system'];

export const LIVE_RESOURCES: readonly LiveResource[] = [
  core('services', 'Service', 'Service', { alsoIn: SYSTEM }),
  core('endpoints', 'Endpoints', 'Endpoints', { alsoIn: SYSTEM }),
  {
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    model: 'EndpointSlice',
    namespaced: true,
    alsoIn: SYSTEM,
  },
  core('pods', 'Pod', 'Pod', { alsoIn: SYSTEM }),
  core('nodes', 'Node', 'Node', { namespaced: false }),
  core('namespaces', 'Namespace', 'Namespace', { namespaced: false }),
  // Node events (NodeNotReady, kube-proxy restarts) are recorded in "default".
  core('events', 'Event', 'Event', { alsoIn: ['kube-system', 'default'] }),
  // Only the proxy, DNS and kubelet configuration (kubeadm's kubelet-config: hairpinMode), by
  // name: other ConfigMaps may hold credentials. Pre-1.24 versioned kubelet-config-1.NN names
  // are not read.
  core('configmaps', 'ConfigMap', 'ConfigMap', {
    fixed: SYSTEM,
    names: ['kube-proxy', 'kube-proxy-config', 'coredns', 'kubelet-config'],
  }),
  {
    resource: 'networkpolicies',
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    model: 'NetworkPolicy',
    namespaced: true,
  },
  {
    resource: 'ingresses',
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    model: 'Ingress',
    namespaced: true,
  },
  {
    resource: 'ingressclasses',
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'IngressClass',
    model: 'IngressClass',
    namespaced: false,
  },
  {
    resource: 'servicecidrs',
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'ServiceCIDR',
    model: 'ServiceCIDR',
    namespaced: false,
  },
  {
    resource: 'deployments',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    model: 'Workload',
    namespaced: true,
    alsoIn: SYSTEM,
  },
  {
    resource: 'daemonsets',
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    model: 'Workload',
    namespaced: true,
    alsoIn: SYSTEM,
  },
  {
    resource: 'statefulsets',
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    model: 'Workload',
    namespaced: true,
  },
  {
    resource: 'replicasets',
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    model: 'Workload',
    namespaced: true,
  },
  // Node heartbeats (timeline: when a node stopped renewing).
  {
    resource: 'leases',
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    model: 'Lease',
    namespaced: true,
    fixed: ['kube-node-lease'],
  },
];

export function apiVersionOf(r: LiveResource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** URL path of a list (namespace undefined: all namespaces or cluster-scoped) or of one object. */
export function resourcePath(r: LiveResource, namespace?: string, name?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The RBAC rule that allows reading this resource, as one line for a SourceProblem hint. */
export function rbacRuleFor(r: LiveResource, verb: 'list' | 'get', namespace?: string): string {
  const names = r.names ? `, resourceNames: [${r.names.map((n) => `"${n}"`).join(', ')}]` : '';
  const where = r.namespaced && namespace !== undefined ? `Role in namespace ${namespace}` : 'ClusterRole';
  return `${where} rule {apiGroups: ["${r.group}"], resources: ["${r.resource}"], verbs: ["${verb}"]${names}} (see deploy/rbac.yaml)`;
}
