import type { Snapshot } from '../../model/snapshot.js';
import type { Meta, Pod } from '../../model/types.js';

/** Which node-level network component a pod or DaemonSet is, if any. */
export type NetworkComponentKind = 'kube-proxy' | 'cni';

export interface NetworkComponent {
  kind: NetworkComponentKind;
  /** The component's usual name (calico-node, cilium, aws-node, ...). */
  name: string;
}

// Namespaces where network components are installed by their upstream manifests or operators.
export const NETWORK_NAMESPACES = [
  'kube-system',
  'kube-flannel',
  'calico-system',
  'cilium',
  'cilium-system',
  'kube-ovn',
  'antrea-system',
  'tigera-operator',
] as const;

// DaemonSet names (= pod name without the generated suffix) of CNI agents that sit on the
// data path. Operators/controllers (cilium-operator, calico-kube-controllers) are left out:
// their restarts do not interrupt forwarding.
const CNI_NAMES = [
  'calico-node',
  'cilium',
  'cilium-agent',
  'kube-flannel-ds',
  'kube-flannel',
  'flannel',
  'aws-node',
  'weave-net',
  'canal',
  'antrea-agent',
  'kube-router',
  'tke-eni-agent',
  'tke-bridge-agent',
  'tke-cni-agent',
  'yangtse-agent',
  'yangtse',
  'cce-eni-agent',
  'kube-ovn-cni',
  'ovs-ovn',
  'azure-cns',
  'anetd',
  'netd',
] as const;

// Label values these agents carry (k8s-app, app, app.kubernetes.io/name, component, name).
const LABEL_KEYS = ['k8s-app', 'app', 'app.kubernetes.io/name', 'component', 'name'] as const;

const cniNameSet = new Set<string>(CNI_NAMES);

/** A pod's workload name: its DaemonSet owner, else its name without the generated suffix. */
function baseName(meta: Meta): string {
  const owner = meta.ownerReferences.find((o) => o.kind === 'DaemonSet');
  if (owner) return owner.name;
  // DaemonSet pods are NAME-xxxxx (5 random characters); static kube-proxy pods are
  // kube-proxy-NODE, which the kube-proxy prefix rule below already covers.
  return meta.name.replace(/-[a-z0-9]{5}$/, '');
}

/** Whether `meta` (a Pod or a DaemonSet) is kube-proxy or a CNI agent. */
export function networkComponentOf(meta: Meta): NetworkComponent | undefined {
  const name = baseName(meta);
  const labels = LABEL_KEYS.map((k) => meta.labels[k]).filter((v): v is string => v !== undefined);
  if (name === 'kube-proxy' || name.startsWith('kube-proxy-') || labels.includes('kube-proxy'))
    return { kind: 'kube-proxy', name: 'kube-proxy' };
  if (cniNameSet.has(name)) return { kind: 'cni', name };
  const byLabel = labels.find((l) => cniNameSet.has(l));
  if (byLabel) return { kind: 'cni', name: byLabel };
  return undefined;
}

/** kube-proxy and CNI agent pods, looked up namespace by namespace (never a scan of all pods). */
export function networkComponentPods(snapshot: Snapshot): { pod: Pod; component: NetworkComponent }[] {
  const out: { pod: Pod; component: NetworkComponent }[] = [];
  for (const ns of NETWORK_NAMESPACES) {
    for (const pod of snapshot.podsIn(ns)) {
      const component = networkComponentOf(pod.meta);
      if (component) out.push({ pod, component });
    }
  }
  return out;
}
