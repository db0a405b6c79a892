import { proxyNode, traceEvidence, tracesNaming } from '../dataplane/network/attribution.js';
import { backendNodes } from '../dataplane/network/clients.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

export default defineCheck<{ service: string; node: string; nodesWithEndpoints: string[]; via: string }>({
  id: 'etp-local-no-local-endpoint',
  severity: 'error',
  layer: 'kube-proxy',
  confidence: 0.85,
  title: (d) => `externalTrafficPolicy Local: node ${d.node} has no local endpoint of ${d.service}`,
  docs: {
    what: 'The Service has externalTrafficPolicy: Local and the request enters a node that runs none of its ready endpoints.',
    why: 'With Local, kube-proxy sends external traffic (node ports, LB and external IPs) only to endpoints on the node it arrives at, to keep the client source IP. A node without one drops it (iptables/nftables) or refuses it (IPVS before v1.21); newer IPVS forwards it to another node without SNAT, so the reply leaves from the wrong node and is dropped. A load balancer avoids such nodes only if its health check probes healthCheckNodePort.',
    confirm:
      'kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME -o wide shows the nodes with endpoints; curl NODE_IP:NODEPORT on a node outside that list fails while a listed node answers.',
    fix: 'Send traffic only to nodes that run a backend (an LB health check on healthCheckNodePort does it), run a backend on every node that receives traffic (DaemonSet, topology spread), or set externalTrafficPolicy: Cluster (loses the client source IP).',
  },
  source: [
    'seed 001/004 Service affinity table ("If the node does not have a pod, the requests are suspended")',
    'kubernetes pkg/proxy/iptables/proxier.go (KUBE-EXT, "has no local endpoints" DROP)',
  ],
  run({ snapshot, service, paths, question }) {
    if (service?.externalTrafficPolicy !== 'Local') return [];
    const named = tracesNaming(paths, 'etp-local-no-local-endpoint');
    const first = named[0];
    if (!first) return [];
    const node = proxyNode(first.trace) ?? '?';
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const local = backendNodes(snapshot, service);
    return [
      {
        subject: refOf(service),
        data: { service: `${ns}/${name}`, node, nodesWithEndpoints: local, via: question.via ?? 'nodeport' },
        evidence: [
          `nodes with a ready endpoint: ${local.join(', ') || 'none'}`,
          ...named.slice(0, 2).flatMap(traceEvidence),
        ],
        fix: {
          summary: `Use a node that runs a backend (${local.join(', ') || 'none yet'}), or switch to externalTrafficPolicy Cluster`,
          commands: [
            `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o wide`,
            `kubectl patch service ${name} -n ${ns} --type='merge' -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`,
          ],
          caveats: [
            'externalTrafficPolicy Cluster: the backend no longer sees the client source IP (SNAT to a node)',
          ],
        },
        seeAlso: ['etp-local-in-cluster-lb-access', 'lb-health-check-failing'],
      },
    ];
  },
});
