import {
  TKE_LOOPBACK_FIXED,
  tkeKubeProxyFixedBuild,
  tkeKubeProxyUpgradeCommand,
} from '../dataplane/cloud/index.js';
import { ingressesRoutingTo } from '../dataplane/ingress/index.js';
import { lastNode, traceEvidence, tracesNaming } from '../dataplane/network/attribution.js';
import { networkFacts } from '../dataplane/network/model.js';
import { computePaths } from '../dataplane/paths.js';
import { refOf, type Snapshot } from '../model/snapshot.js';
import type { Service } from '../model/types.js';
import { defineCheck } from './define.js';

const FIXED = TKE_LOOPBACK_FIXED.join(', ');

/**
 * A domain the Service is served under that also routes to other Services (Ingress rules of the
 * namespace with the same host): one CoreDNS rewrite cannot point it at a single Service.
 */
function sharedDomain(
  snapshot: Snapshot,
  service: Service,
  asked: string | undefined,
): { host: string; services: string[] } | undefined {
  const hosts = new Set<string>();
  for (const ing of ingressesRoutingTo(snapshot, service))
    for (const r of ing.rules)
      if (r.host && r.paths.some((p) => p.backend.service?.name === service.meta.name)) hosts.add(r.host);
  const ordered = asked && hosts.has(asked) ? [asked, ...[...hosts].filter((h) => h !== asked)] : [...hosts];
  for (const host of ordered) {
    const names = new Set<string>();
    for (const ing of snapshot.ingressesIn(service.meta.namespace))
      for (const r of ing.rules)
        if (r.host === host)
          for (const p of r.paths) if (p.backend.service?.name) names.add(p.backend.service.name);
    if (names.size > 1) return { host, services: [...names].sort() };
  }
  return undefined;
}

export default defineCheck<{
  service: string;
  lb: string;
  node: string;
  layer: 'L4' | 'L7';
  provider: string;
  proxyMode: string;
  /** Some paths through the LB still work (the LB picked another backend). */
  intermittent: boolean;
  /** The fixed kube-proxy build the DaemonSet should move to (TKE, when it lacks the fix). */
  kubeProxyUpgrade: string | null;
  /** A domain several Services share (Ingress host): rewrite it to an in-cluster controller. */
  sharedDomain: { host: string; services: string[] } | null;
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
    const shared = sharedDomain(snapshot, service, question.host);
    const commands = [
      `# use http://${name}.${ns}.svc.cluster.local:${service.ports[0]?.port ?? 80} from inside the cluster`,
    ];
    if (shared)
      // Seed 003: one domain for several Services needs a router inside the cluster; the
      // rewrite then points the domain at that controller, and the CLB is never on the path.
      commands.push(
        `# ${shared.host} serves ${shared.services.join(', ')}: run an Ingress controller in the cluster (e.g. ingress-nginx) with Ingress rules for ${shared.host} by path`,
        `# CoreDNS (kubectl -n kube-system edit configmap coredns): rewrite name ${shared.host} CONTROLLER.CONTROLLER_NS.svc.cluster.local  # the in-cluster controller's Service`,
      );
    else
      commands.push(
        `# CoreDNS (kubectl -n kube-system edit configmap coredns): rewrite name ${question.host ?? 'YOUR.DOMAIN'} ${name}.${ns}.svc.cluster.local`,
      );
    const caveats: string[] = [];
    let upgrade: string | undefined;
    if (facts.provider === 'tke' && !l7) {
      commands.push(
        `kubectl annotate service ${name} -n ${ns} service.cloud.tencent.com/prevent-loopback="true" --overwrite`,
      );
      // prevent-loopback is safe only with a kube-proxy that has the fix (seed 003 step 1).
      const running = facts.kubeProxyVersion ?? facts.inventory?.cluster.version;
      const cmd = tkeKubeProxyUpgradeCommand(running);
      upgrade = tkeKubeProxyFixedBuild(running);
      if (cmd)
        commands.push(
          `kubectl -n kube-system get daemonset kube-proxy -o jsonpath='{.spec.template.spec.containers[0].image}'`,
          cmd,
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
          kubeProxyUpgrade: upgrade ?? null,
          sharedDomain: shared ?? null,
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
