import { backendNodes } from '../dataplane/network/clients.js';
import { kubeProxyOn, type ProxyPresence } from '../dataplane/network/node-facts.js';
import { defineCheck } from './define.js';

export default defineCheck<{ node: string; status: string; pod?: string; reason?: string }>({
  id: 'kube-proxy-not-running',
  severity: 'error',
  layer: 'node',
  confidence: 0.8,
  title: (d) => `kube-proxy is ${d.status === 'absent' ? 'missing' : 'not running'} on node ${d.node}`,
  docs: {
    what: 'The node the request passes through has no running, ready kube-proxy pod, and no kube-proxy replacement (Cilium kube-proxy-replacement, kube-router service proxy, Antrea proxyAll, Calico eBPF) is installed.',
    why: 'kube-proxy writes the iptables/IPVS/nftables rules that turn a ClusterIP, NodePort or LB address into a pod address. A node without it has no rules (or stale ones from before it stopped): new Services and endpoint changes are not applied there, and on a fresh node nothing works.',
    confirm:
      'kubectl get pods -n kube-system -l k8s-app=kube-proxy -o wide (one per node, Running and Ready); kubectl logs -n kube-system KUBE-PROXY-POD; on the node: iptables-save | grep KUBE-SERVICES or ipvsadm -Ln.',
    fix: "Find why the kube-proxy pod is not running (describe the pod, read its logs: config errors, missing kernel modules for IPVS, image pull), fix it, and let the DaemonSet recreate it; if the DaemonSet has no pod on the node, check its nodeSelector/tolerations against the node's labels and taints.",
  },
  source: [
    'kubernetes.io Debug Services: "Is the kube-proxy working?"',
    'seed 003 (check iptables or ipvs forwarding rules of the node)',
  ],
  run({ snapshot, service, paths, mode }) {
    if (!service) return [];
    // The nodes this question's paths pass through; in audit, the nodes that run backends.
    const nodes = new Set<string>();
    for (const t of paths) for (const h of t.hops) if (h.at.startsWith('node/')) nodes.add(h.at.slice(5));
    if (mode === 'audit') for (const n of backendNodes(snapshot, service)) nodes.add(n);
    const out = [];
    for (const node of [...nodes].sort()) {
      const p: ProxyPresence = kubeProxyOn(snapshot, node);
      if (p.status !== 'absent' && p.status !== 'not-running') continue;
      const pod = p.status === 'not-running' ? p.pod : undefined;
      const reason = p.status === 'not-running' ? p.reason : undefined;
      out.push({
        subject: { kind: 'Node', name: node },
        data: { node, status: p.status, ...(pod ? { pod } : {}), ...(reason ? { reason } : {}) },
        evidence: [
          p.status === 'absent'
            ? p.evidence
            : `pod kube-system/${p.pod} is ${p.phase}${p.reason ? ` (${p.reason})` : ''}`,
        ],
        fix: {
          summary:
            p.status === 'absent'
              ? `Get a kube-proxy pod scheduled on ${node}`
              : `Fix and restart kube-proxy on ${node}`,
          commands:
            p.status === 'absent'
              ? ['kubectl get daemonset kube-proxy -n kube-system -o yaml', `kubectl describe node ${node}`]
              : [
                  `kubectl describe pod ${p.pod} -n kube-system`,
                  `kubectl logs ${p.pod} -n kube-system --previous`,
                  `kubectl delete pod ${p.pod} -n kube-system`,
                ],
        },
      });
    }
    return out;
  },
});
