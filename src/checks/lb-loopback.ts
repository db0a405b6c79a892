import { lastNode, traceEvidence, tracesNaming } from '../dataplane/network/attribution.js';
import { networkFacts } from '../dataplane/network/model.js';
import { computePaths } from '../dataplane/paths.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

const FIXED = 'v1.20.6-tke.12, v1.18.4-tke.20, v1.16.3-tke.25, v1.14.3-tke.24, v1.12.4-tke.30';

export default defineCheck<{
  service: string;
  lb: string;
  node: string;
  layer: 'L4' | 'L7';
  provider: string;
  proxyMode: string;
  /** Some paths through the LB still work (the LB picked another backend). */
  intermittent: boolean;
}>({
  id: 'lb-loopback',
  severity: 'error',
  layer: 'kube-proxy',
  confidence: 0.8,
  title: (d) =>
    `${d.lb} sends the client's own request back to its node ${d.node} (${d.layer} loopback${d.intermittent ? ', intermittent' : ''})`,
  docs: {
    what: "An in-cluster client reaches a Service through its cloud load balancer, the LB keeps the client address, and one of the backends it may pick is the client's own node (or a pod on it).",
    why: 'Linux drops a packet arriving from the network whose source address is one of its own, and a reply to a pod on the same node never leaves the node to go back through the LB. TKE in IPVS mode does not bind the CLB VIP locally (so CLB health checks from the VIP are not dropped), so pod traffic to a private CLB really goes to the CLB. A layer-4 CLB does not retry: connections fail intermittently, or always with one node. A layer-7 CLB (Ingress) retries another node after about 4 seconds: slow responses, or failure with one node. A public CLB has no loopback (the source is the public egress address). Direct pod access (VPC-CNI) still loops when client and server share a node.',
    confirm:
      'The failures depend on which node the LB picks: with several nodes some requests work. curl the Service DNS name from the same pod: it always works.',
    fix: 'Inside the cluster use the Service DNS name (NAME.NS.svc.cluster.local); if a domain is fixed, point it at the Service with a CoreDNS rewrite; or keep client and server on different nodes (anti-affinity) with externalTrafficPolicy Local; on TKE annotate service.cloud.tencent.com/prevent-loopback: "true" with a fixed kube-proxy; for TKE L7, enable SNAT+keepalive via TkeServiceConfig.',
  },
  source: [
    'seed 003 "Service Inaccessibility or Latency During Access to an Ingress Due to a CLB Loopback"',
    'kubernetes/kubernetes#79783',
  ],
  run({ snapshot, service, paths: asked, mode, question }) {
    if (!service) return [];
    // Audit asks no single question: try an in-cluster pod through the Service's LB address.
    const paths =
      mode === 'audit' && service.type === 'LoadBalancer'
        ? computePaths(snapshot, service, {
            target: question.target,
            client: { kind: 'pod-on-other-node' },
            via: 'loadbalancer',
            inferred: [],
          })
        : asked;
    const named = tracesNaming(paths, 'lb-loopback').filter(
      (a) => !a.trace.findingIds?.includes('etp-local-in-cluster-lb-access'),
    );
    const first = named[0];
    if (!first) return [];
    const lbHop = first.trace.hops.find((h) => h.at.startsWith('lb'));
    const lb = lbHop?.at ?? 'the load balancer';
    const l7 = first.trace.hops.some((h) => h.steps?.some((s) => s.rule?.startsWith('ingress/')));
    const facts = networkFacts(snapshot);
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const intermittent = paths.some((p) => p.outcome === 'delivered');
    const commands = [
      `# use http://${name}.${ns}.svc.cluster.local:${service.ports[0]?.port ?? 80} from inside the cluster`,
      `# CoreDNS (kubectl -n kube-system edit configmap coredns): rewrite name YOUR.DOMAIN ${name}.${ns}.svc.cluster.local`,
    ];
    const caveats: string[] = [];
    if (facts.provider === 'tke' && !l7) {
      commands.push(
        `kubectl annotate service ${name} -n ${ns} service.cloud.tencent.com/prevent-loopback="true" --overwrite`,
      );
      caveats.push(
        `prevent-loopback needs a kube-proxy at or after ${FIXED} (or a later minor version); older ones do not bind the CLB VIP safely`,
        'the CLB must support a non-VIP health check source (100.64.0.0/10); it was a beta feature requested by ticket',
      );
    }
    if (facts.provider === 'tke' && l7) {
      commands.push(
        `kubectl annotate ingress INGRESS -n ${ns} ingress.cloud.tencent.com/tke-service-config-auto="true" --overwrite`,
        `# then set spec.loadBalancer.l7Listeners[].keepaliveEnable: 1 for each port in TkeServiceConfig INGRESS-auto-ingress-config`,
      );
      caveats.push(
        'L7 SNAT + keepalive must be enabled for the CLB (by ticket); the backend then sees the client IP only in X-Forwarded-For',
        'allow 100.127.0.0/16 in the node security group (or "allow by default" in the CLB security group)',
      );
    }
    caveats.push(
      'anti-affinity alone is not enough: without externalTrafficPolicy Local the LB may pick any node',
    );
    return [
      {
        subject: refOf(service),
        data: {
          service: `${ns}/${name}`,
          lb,
          node: lastNode(first.trace) ?? '?',
          layer: l7 ? 'L7' : 'L4',
          provider: facts.provider,
          proxyMode: facts.proxyMode ?? 'unknown',
          intermittent,
        },
        evidence: [
          ...traceEvidence(first),
          intermittent
            ? 'other backends of the LB work: the failure depends on the backend the LB picks'
            : 'no backend of the LB works for this client',
        ],
        fix: {
          summary:
            'Reach the Service by its DNS name inside the cluster instead of through the load balancer',
          commands,
          caveats,
        },
        ...(intermittent ? { severity: 'warning' as const } : {}),
        seeAlso: ['etp-local-in-cluster-lb-access'],
      },
    ];
  },
});
