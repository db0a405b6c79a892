// Per-node facts the data path depends on beyond kube-proxy's rules: whether kube-proxy (or a
// replacement) runs there, and the kubelet's hairpin mode.

import type { Snapshot } from '../../model/snapshot.js';
import type { Pod, Provider } from '../../model/types.js';

export type ProxyPresence =
  | { status: 'running'; pod?: string }
  | { status: 'not-running'; pod: string; phase: string; reason?: string }
  | { status: 'absent'; evidence: string }
  | { status: 'replaced'; by: string }
  | { status: 'unknown'; why: string };

const isKubeProxyPod = (p: Pod) =>
  p.meta.namespace === 'kube-system' &&
  (p.meta.labels['k8s-app'] === 'kube-proxy' ||
    p.meta.labels.component === 'kube-proxy' ||
    /^kube-proxy-[a-z0-9]+$/.test(p.meta.name));

/**
 * A data plane that replaces kube-proxy: Cilium with kube-proxy-replacement, kube-router's
 * service proxy, Antrea proxyAll, Calico eBPF. Read from their ConfigMaps in kube-system.
 */
export function kubeProxyReplacement(snapshot: Snapshot): string | undefined {
  for (const cm of snapshot.data.configMaps) {
    if (cm.meta.namespace !== 'kube-system') continue;
    const d = cm.data;
    if (cm.meta.name === 'cilium-config') {
      const v = (d['kube-proxy-replacement'] ?? '').toLowerCase();
      if (v === 'true' || v === 'strict') return 'Cilium (kube-proxy-replacement)';
    }
    if (cm.meta.name === 'antrea-config' && /proxyAll:\s*true/.test(d['antrea-agent.conf'] ?? ''))
      return 'Antrea (proxyAll)';
    if (cm.meta.name === 'kubernetes-services-endpoint' || cm.meta.name === 'calico-config') {
      if (/bpf/i.test(d.calico_backend ?? '') || d.BPF_ENABLED === 'true') return 'Calico eBPF';
    }
  }
  for (const p of snapshot.podsIn('kube-system')) {
    if (
      p.meta.labels['k8s-app'] === 'kube-router' &&
      p.containers.some((c) => c.args.some((a) => a.startsWith('--run-service-proxy=true')))
    )
      return 'kube-router (service proxy)';
  }
  return undefined;
}

/**
 * Whether kube-proxy serves `node`. Managed clouds often run kube-proxy as a node service, not
 * a pod: without a kube-proxy DaemonSet or kube-proxy pods anywhere, absence is unknown.
 */
export function kubeProxyOn(snapshot: Snapshot, node: string): ProxyPresence {
  if (!snapshot.has('Pod')) return { status: 'unknown', why: 'pods were not collected' };
  const replacement = kubeProxyReplacement(snapshot);
  const all = snapshot.podsIn('kube-system').filter(isKubeProxyPod);
  const daemonSet = snapshot
    .workloadsIn('kube-system')
    .find((w) => w.kind === 'DaemonSet' && w.meta.name === 'kube-proxy');
  const here = all.filter((p) => p.nodeName === node);
  const running = here.find((p) => p.phase === 'Running' && p.ready);
  if (running) return { status: 'running', pod: running.meta.name };
  if (replacement) return { status: 'replaced', by: replacement };
  const broken = here[0];
  if (broken) {
    const waiting = broken.containerStatuses.find((s) => s.state.waiting)?.state.waiting?.reason;
    return {
      status: 'not-running',
      pod: broken.meta.name,
      phase: broken.ready ? broken.phase : `${broken.phase}, not ready`,
      ...(waiting ? { reason: waiting } : broken.reason ? { reason: broken.reason } : {}),
    };
  }
  if (daemonSet || all.length > 0) {
    return {
      status: 'absent',
      evidence: daemonSet
        ? `DaemonSet kube-system/kube-proxy exists but has no pod on node ${node}`
        : `kube-proxy pods run on other nodes (${all
            .map((p) => p.nodeName)
            .filter(Boolean)
            .slice(0, 3)
            .join(', ')}) but not on ${node}`,
    };
  }
  return {
    status: 'unknown',
    why: 'no kube-proxy DaemonSet or pods in kube-system (it may run as a node service) and no replacement seen',
  };
}

export type HairpinMode = 'hairpin-veth' | 'promiscuous-bridge' | 'none';

/** The kubelet's hairpinMode from a kubelet-config ConfigMap (kubeadm writes one), if any. */
export function kubeletHairpinMode(snapshot: Snapshot): { mode: HairpinMode; source: string } | undefined {
  for (const cm of snapshot.data.configMaps) {
    if (cm.meta.namespace !== 'kube-system' || !cm.meta.name.startsWith('kubelet-config')) continue;
    for (const [key, text] of Object.entries(cm.data)) {
      const m = /^\s*hairpinMode:\s*"?([a-z-]+)"?\s*$/m.exec(text);
      if (m && (m[1] === 'hairpin-veth' || m[1] === 'promiscuous-bridge' || m[1] === 'none'))
        return { mode: m[1], source: `configmap/kube-system/${cm.meta.name} ${key}` };
    }
  }
  return undefined;
}

/**
 * The cloud provider: the inventory's when there is one, else what the nodes' spec.providerID
 * scheme says (the cloud-controller-manager sets it: aws://, gce://, azure://, ...).
 */
export function clusterProvider(snapshot: Snapshot): Provider {
  if (snapshot.data.cloud?.provider) return snapshot.data.cloud.provider;
  const id = snapshot.nodes.find((n) => n.providerID)?.providerID ?? '';
  if (id.startsWith('aws://')) return 'eks';
  if (id.startsWith('gce://')) return 'gke';
  if (id.startsWith('azure://')) return 'aks';
  if (id.startsWith('qcloud://') || id.startsWith('tencentcloud://')) return 'tke';
  if (id.startsWith('huaweicloud://') || id.startsWith('cce://')) return 'cce';
  return 'generic';
}
