import {
  evaluateAnyPeer,
  healthCheckPeer,
  lbBehaviour,
  listenerBackends,
  listenerForServicePort,
  loadBalancersForService,
  nodesWithReadyEndpoints,
  type SgDecision,
  type SgPeer,
  TKE,
  tkeKubeProxyHasLoopbackFix,
  tkeKubeProxyUpgradeCommand,
} from '../dataplane/cloud/index.js';
import {
  asksAboutLoadBalancer,
  clusterVersion,
  portsInQuestion,
  proxyMode,
} from '../dataplane/cloud/question.js';
import { backendsOf } from '../model/endpoints.js';
import { refOf } from '../model/snapshot.js';
import type { LbBackend } from '../model/types.js';
import { defineCheck } from './define.js';

type Cause =
  | 'no-ready-endpoints'
  | 'etp-local-no-endpoints'
  | 'security-group'
  | 'wrong-port'
  | 'clb-loopback'
  | 'unknown';

interface Data extends Record<string, unknown> {
  lb: string;
  listener: string;
  unhealthy: string[];
  healthy: number;
  cause: Cause;
  healthCheckPort?: number;
  group?: string;
}

function nodeName(b: LbBackend): string | undefined {
  return b.target.startsWith('node/') ? b.target.slice(5) : undefined;
}

export default defineCheck<Data>({
  id: 'lb-health-check-failing',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.8,
  title: (d) =>
    `${d.unhealthy.length} backend(s) of ${d.lb} ${d.listener} fail the health check${d.cause === 'unknown' ? '' : ` (${d.cause})`}`,
  docs: {
    what: "The load balancer marks backends of the Service's listener unhealthy, so it sends them no traffic (or, with every member down, the LB answers nothing).",
    why: "Health checks fail for a reason the rest of the path explains: the Service has no ready endpoint; with externalTrafficPolicy Local a node without a local ready pod fails on purpose (only a problem when no node has one); the node security group does not admit the health checker on the probed port; the probe goes to the wrong port; or, on TKE in IPVS mode, a private CLB's health check loops back (seed 003). data.cause names which.",
    confirm:
      "Cloud console: the listener's backend server group lists members as abnormal/unhealthy. Compare with kubectl get endpointslices -l kubernetes.io/service-name=NAME -o wide (which nodes run ready pods) and the node security group rules for the health-check port.",
    fix: "Fix the cause in data.cause: make pods ready, run a pod on the nodes the LB uses (or use externalTrafficPolicy Cluster), allow the health checker's source on the health-check port in the node security group, point the health check at the nodePort / healthCheckNodePort, or on TKE follow the prevent-loopback steps.",
  },
  source: [
    'seed 000 check item 3',
    'seed 003 (CLB health check loopback in IPVS mode; node security group 30000-32768)',
    'upstream: healthCheckNodePort for externalTrafficPolicy Local',
  ],
  run({ snapshot, service, question, mode }) {
    if (service?.type !== 'LoadBalancer') return [];
    if (!asksAboutLoadBalancer(question, mode)) return [];
    const inv = snapshot.data.cloud;
    const behaviour = lbBehaviour(inv, service, clusterVersion(snapshot, inv));
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const local = service.externalTrafficPolicy === 'Local';
    const withPods = nodesWithReadyEndpoints(snapshot, service);
    const readyEndpoints = backendsOf(snapshot, service).backends.filter((b) => b.ready).length;
    const hits = [];
    for (const lb of loadBalancersForService(inv, service)) {
      for (const sp of portsInQuestion(service, question)) {
        const l = listenerForServicePort(lb, sp);
        if (!l) continue;
        const all = listenerBackends(l);
        const unhealthy = all.filter((b) => b.health === 'unhealthy');
        if (unhealthy.length === 0) continue;
        const healthy = all.filter((b) => b.health === 'healthy').length;
        const unhealthyNodes = unhealthy.map(nodeName);
        // eTP Local: nodes without a ready local pod fail the check by design.
        const byDesign = local && unhealthyNodes.every((n) => n !== undefined && !withPods.has(n));
        if (byDesign && healthy > 0) continue;
        const hcPort =
          l.healthCheck?.port ??
          (local && service.healthCheckNodePort && behaviour.targets === 'nodes'
            ? service.healthCheckNodePort
            : sp.nodePort);
        let cause: Cause = 'unknown';
        let decision: SgDecision | undefined;
        if (readyEndpoints === 0 && (snapshot.has('EndpointSlice') || snapshot.has('Endpoints')))
          cause = 'no-ready-endpoints';
        else if (byDesign) cause = 'etp-local-no-endpoints';
        else {
          const peers: SgPeer[] = [healthCheckPeer(lb, l.healthCheck?.sourceIP)];
          for (const r of behaviour.requiredSources)
            peers.push({ address: r.cidr.split('/')[0] as string, label: `${r.why} (${r.cidr})` });
          for (const b of unhealthy) {
            const n = nodeName(b);
            if (!n || hcPort === undefined) continue;
            const d = evaluateAnyPeer(
              inv,
              {
                target: `node/${n}`,
                direction: 'inbound',
                protocol: (l.healthCheck?.protocol ?? 'TCP').toUpperCase() === 'UDP' ? 'udp' : 'tcp',
                port: hcPort,
              },
              peers,
            );
            if (d.verdict === 'deny') {
              decision = d;
              cause = 'security-group';
              break;
            }
          }
          const expectedPorts = new Set(
            [sp.nodePort, local ? service.healthCheckNodePort : undefined].filter(
              (x): x is number => x !== undefined,
            ),
          );
          if (
            cause === 'unknown' &&
            l.healthCheck?.port !== undefined &&
            behaviour.targets !== 'pods' &&
            behaviour.backendPort === 'nodePort' &&
            !expectedPorts.has(l.healthCheck.port)
          )
            cause = 'wrong-port';
          if (
            cause === 'unknown' &&
            inv?.provider === 'tke' &&
            lb.scheme === 'private' &&
            proxyMode(snapshot, inv) === 'ipvs' &&
            healthy === 0 &&
            // Seed 003: with prevent-loopback and a fixed kube-proxy the probes come from 100.64.0.0/10.
            !(
              service.meta.annotations[TKE.preventLoopback] === 'true' &&
              tkeKubeProxyHasLoopbackFix(inv.cluster.kubeProxy?.version ?? inv.cluster.version ?? '') === true
            )
          )
            cause = 'clb-loopback';
        }
        const evidence = [
          `${lb.id} ${l.protocol}/${l.port}: ${unhealthy.length} unhealthy (${unhealthy.map((b) => b.target).join(', ')}), ${healthy} healthy`,
        ];
        const commands = [
          `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o wide`,
        ];
        let summary: string;
        switch (cause) {
          case 'no-ready-endpoints':
            evidence.push(`Service ${ns}/${name} has no ready endpoint, so every probe through it fails`);
            summary =
              "Make the Service's pods ready (see the endpoints findings); the health check recovers by itself.";
            commands.push(`kubectl get pods -n ${ns} -o wide`);
            break;
          case 'etp-local-no-endpoints':
            evidence.push(
              `externalTrafficPolicy Local: no probed node runs a ready pod (pods on: ${[...withPods].join(', ') || 'none'})`,
            );
            summary =
              'With externalTrafficPolicy Local only nodes running a ready pod pass; run the pods on nodes in the LB backend group, or switch to externalTrafficPolicy Cluster (loses the client source IP).';
            commands.push(
              `kubectl patch service ${name} -n ${ns} --type=merge -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`,
            );
            break;
          case 'security-group':
            evidence.push(`health check on port ${hcPort}: ${decision?.reason}`);
            summary = `Allow the health checker's source on port ${hcPort} in ${decision?.groups.join(', ')} (cloud console: security group → inbound rules → add rule for the LB/health-check source range).`;
            break;
          case 'wrong-port':
            evidence.push(
              `health check probes port ${l.healthCheck?.port}; the Service's nodePort is ${sp.nodePort}${local && service.healthCheckNodePort ? ` and healthCheckNodePort ${service.healthCheckNodePort}` : ''}`,
            );
            summary = `Point the health check at port ${local && service.healthCheckNodePort ? service.healthCheckNodePort : sp.nodePort} (resync the Service or edit the listener's health check in the console).`;
            break;
          case 'clb-loopback':
            evidence.push(
              'TKE, IPVS mode, private CLB: the CLB health check arrives from the CLB VIP, which the node treats as local and drops',
            );
            summary =
              'Upgrade kube-proxy to a build with the loopback fix and annotate the Service with service.cloud.tencent.com/prevent-loopback: "true" so health checks come from 100.64.0.0/10 (seed 003).';
            commands.push(
              `kubectl annotate service ${name} -n ${ns} service.cloud.tencent.com/prevent-loopback=true --overwrite`,
              `kubectl -n kube-system get daemonset kube-proxy -o jsonpath='{.spec.template.spec.containers[0].image}'`,
            );
            {
              // Seed 003: move the kube-proxy DaemonSet to the fixed build of its own minor line.
              const upgrade = tkeKubeProxyUpgradeCommand(
                inv?.cluster.kubeProxy?.version ?? inv?.cluster.version,
              );
              if (upgrade) commands.push(upgrade);
            }
            break;
          default:
            summary =
              'Look at why the members fail (health-check protocol/port, the node itself); the inventory does not show a cause.';
        }
        hits.push({
          subject: refOf(service),
          severity: healthy > 0 ? ('warning' as const) : ('error' as const),
          data: {
            lb: lb.id,
            listener: `${l.protocol}/${l.port}`,
            unhealthy: unhealthy.map((b) => b.target),
            healthy,
            cause,
            ...(hcPort !== undefined ? { healthCheckPort: hcPort } : {}),
            ...(decision?.group
              ? { group: decision.group }
              : decision
                ? { group: decision.groups.join(',') }
                : {}),
          },
          evidence,
          fix: { summary, commands },
        });
      }
    }
    return hits;
  },
});
