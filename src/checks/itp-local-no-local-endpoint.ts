import { proxyNode, traceEvidence, tracesNaming } from '../dataplane/network/attribution.js';
import { backendNodes } from '../dataplane/network/clients.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

export default defineCheck<{ service: string; node: string; nodesWithEndpoints: string[] }>({
  id: 'itp-local-no-local-endpoint',
  severity: 'error',
  layer: 'kube-proxy',
  confidence: 0.85,
  title: (d) => `internalTrafficPolicy Local: the client's node ${d.node} has no endpoint of ${d.service}`,
  docs: {
    what: 'The Service has internalTrafficPolicy: Local and the client runs on a node without a ready endpoint of it.',
    why: "With internalTrafficPolicy Local, kube-proxy sends ClusterIP traffic only to endpoints on the client's own node; on a node without one the connection is dropped (iptables/nftables) — there is no fallback to other nodes.",
    confirm:
      "kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME -o wide lists the endpoint nodes; the client's node (kubectl get pod CLIENT -o wide) is not among them.",
    fix: 'Run a backend on every node that has clients (a DaemonSet is the usual pairing with internalTrafficPolicy Local), or remove internalTrafficPolicy: Local.',
  },
  source: [
    'kubernetes.io Service Internal Traffic Policy',
    'kubernetes pkg/proxy/iptables/proxier.go ("has no local endpoints" for internal traffic)',
  ],
  run({ snapshot, service, paths }) {
    if (service?.internalTrafficPolicy !== 'Local') return [];
    const named = tracesNaming(paths, 'itp-local-no-local-endpoint');
    const first = named[0];
    if (!first) return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const local = backendNodes(snapshot, service);
    return [
      {
        subject: refOf(service),
        data: { service: `${ns}/${name}`, node: proxyNode(first.trace) ?? '?', nodesWithEndpoints: local },
        evidence: [`nodes with a ready endpoint: ${local.join(', ') || 'none'}`, ...traceEvidence(first)],
        fix: {
          summary:
            "Run a backend on the client's node (e.g. as a DaemonSet), or drop internalTrafficPolicy: Local",
          commands: [
            `kubectl patch service ${name} -n ${ns} --type='merge' -p '{"spec":{"internalTrafficPolicy":"Cluster"}}'`,
          ],
          caveats: [
            'Cluster policy sends node-local traffic to other nodes too (the latency/locality the Local policy was for is lost)',
          ],
        },
      },
    ];
  },
});
