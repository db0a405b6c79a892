import { networkComponentPods } from '../../diagnose/timeline/components.js';
import type { Snapshot } from '../../model/snapshot.js';
import { type Connection, evaluateNetworkPolicies, type NetpolResult } from './evaluate.js';

export interface Enforcement {
  /** 'no': the only network plugin seen does not implement NetworkPolicy, so policies are inert. */
  enforced: 'yes' | 'no' | 'unknown';
  /** CNI agents seen (calico-node, kube-flannel-ds, ...). */
  plugins: string[];
}

// NetworkPolicy is enforced by the network plugin, not by Kubernetes: the API server accepts
// policies that nothing implements. Classification of the agents svcdoctor recognises:
const ENFORCING = new Set([
  'calico-node',
  'canal',
  'cilium',
  'cilium-agent',
  'weave-net',
  'antrea-agent',
  'kube-router',
  'kube-ovn-cni',
  'anetd',
]);
// Plain flannel only moves packets.
const NOT_ENFORCING = new Set(['kube-flannel-ds', 'kube-flannel', 'flannel']);
// aws-node, azure-cns, netd, tke-*, cce-*, yangtse: enforcement depends on an add-on we cannot see here.

/** Whether NetworkPolicies in the snapshot are likely enforced, from the CNI agent pods present. */
export function policyEnforcement(snapshot: Snapshot): Enforcement {
  const plugins = [
    ...new Set(
      networkComponentPods(snapshot)
        .filter((c) => c.component.kind === 'cni')
        .map((c) => c.component.name),
    ),
  ].sort();
  if (plugins.some((p) => ENFORCING.has(p))) return { enforced: 'yes', plugins };
  if (plugins.length > 0 && plugins.every((p) => NOT_ENFORCING.has(p))) return { enforced: 'no', plugins };
  return { enforced: 'unknown', plugins };
}

const cache = new WeakMap<Snapshot, Enforcement>();

function cachedEnforcement(snapshot: Snapshot): Enforcement {
  let e = cache.get(snapshot);
  if (!e) {
    e = policyEnforcement(snapshot);
    cache.set(snapshot, e);
  }
  return e;
}

/**
 * evaluateNetworkPolicies as the cluster would actually apply it: when the only network plugin
 * present does not implement NetworkPolicy, every connection passes and the would-be verdict is
 * kept as a note. For simulators (the data path); checks report the inert policy themselves.
 */
export function evaluateAsEnforced(snapshot: Snapshot, conn: Connection): NetpolResult {
  const r = evaluateNetworkPolicies(snapshot, conn);
  const e = cachedEnforcement(snapshot);
  if (e.enforced !== 'no' || r.allowed) return r;
  const note = `${e.plugins.join(', ')} does not enforce NetworkPolicy; by the API this would be denied`;
  const pass = (v: NetpolResult['ingress']) =>
    v.allowed ? v : { ...v, allowed: true, implementationDefined: [...v.implementationDefined, note] };
  return { allowed: true, egress: pass(r.egress), ingress: pass(r.ingress) };
}
