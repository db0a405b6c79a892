import { traceEvidence, tracesNaming } from '../dataplane/network/attribution.js';
import { kubeletHairpinMode } from '../dataplane/network/node-facts.js';
import { backendsOf } from '../model/endpoints.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

export default defineCheck<{ pod: string; hairpinMode: string; source: string }>({
  id: 'hairpin-disabled',
  severity: 'error',
  layer: 'kube-proxy',
  confidence: 0.75,
  title: (d) => `${d.pod} cannot reach itself through its own Service: hairpin mode is ${d.hairpinMode}`,
  docs: {
    what: "A pod connects to a Service it backs, kube-proxy picks the pod itself as the endpoint, and the node's bridge does not send the packet back out of the port it came in on.",
    why: "After DNAT the packet must leave the bridge port it arrived on (a hairpin turn). The kubelet enables that per veth with hairpinMode hairpin-veth; with none (or promiscuous-bridge on a CNI bridge that does not honour it) the bridge drops it, so roughly 1/N of the pod's own requests to its Service time out.",
    confirm:
      'From the backend pod, repeat curl SERVICE:PORT: some requests time out while other pods succeed. On the node: cat /sys/class/net/VETH/brport/hairpin_mode (0 = off); kubelet config hairpinMode.',
    fix: 'Set the kubelet hairpinMode to hairpin-veth (KubeletConfiguration) and restart the kubelet, or enable hairpin in the CNI bridge plugin ("hairpinMode": true), or have the pod call itself on localhost.',
  },
  source: [
    'kubernetes.io Debug Services: "A Pod fails to reach itself via the Service IP"',
    'kubelet --hairpin-mode',
  ],
  run({ snapshot, service, paths, question }) {
    if (!service) return [];
    const named = tracesNaming(paths, 'hairpin-disabled');
    const hp = kubeletHairpinMode(snapshot);
    const first = named[0];
    if (first && hp) {
      const pod = first.hop?.at ?? 'the pod';
      return [
        {
          subject: refOf(service),
          data: { pod, hairpinMode: hp.mode, source: hp.source },
          evidence: [`hairpinMode: ${hp.mode} (${hp.source})`, ...traceEvidence(first)],
          fix: {
            summary:
              'Turn hairpin mode on (kubelet hairpinMode: hairpin-veth, or the CNI bridge hairpinMode), or call localhost from inside the pod',
            commands: [
              '# KubeletConfiguration: hairpinMode: hairpin-veth  (then: systemctl restart kubelet)',
              '# CNI bridge config: "hairpinMode": true',
            ],
          },
        },
      ];
    }
    // Evidence from what the user saw: a backend pod timing out on its own Service.
    if (question.client.kind !== 'pod') return [];
    const c = question.client;
    const self = snapshot.pod(c.namespace, c.name);
    if (!self?.podIP || !backendsOf(snapshot, service).backends.some((b) => b.ip === self.podIP)) return [];
    const svcKey = `svc/${service.meta.namespace}/${service.meta.name}`;
    const seen = snapshot.data.observations.filter(
      (o) =>
        o.from === `pod/${c.namespace}/${c.name}` &&
        (o.to.startsWith(svcKey) || o.to.startsWith(`${service.clusterIP}:`)) &&
        (o.result === 'timeout' || o.result === 'reset'),
    );
    if (seen.length === 0 || hp?.mode === 'hairpin-veth') return [];
    return [
      {
        subject: refOf(service),
        data: {
          pod: `pod/${c.namespace}/${c.name}`,
          hairpinMode: hp?.mode ?? 'unknown',
          source: hp?.source ?? 'observations',
        },
        evidence: [
          `pod/${c.namespace}/${c.name} is itself an endpoint of ${service.meta.namespace}/${service.meta.name}`,
          ...seen
            .slice(0, 2)
            .map((o) => `observed: ${o.from} -> ${o.to}: ${o.result}${o.detail ? ` (${o.detail})` : ''}`),
        ],
        fix: {
          summary: "Check and enable hairpin mode on the pod's node (kubelet hairpinMode: hairpin-veth)",
          commands: [
            '# on the node: for f in /sys/class/net/*/brport/hairpin_mode; do echo $f $(cat $f); done',
          ],
        },
        confidence: 0.5,
        severity: 'warning',
      },
    ];
  },
});
