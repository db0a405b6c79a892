import { traceEvidence, tracesNaming } from '../dataplane/network/attribution.js';
import { behaviourFor, networkFacts } from '../dataplane/network/model.js';
import { computePaths } from '../dataplane/paths.js';
import type { ClientSpec } from '../model/question.js';
import { refOf } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import { defineCheck } from './define.js';

const IN_CLUSTER_ROWS: ClientSpec['kind'][] = [
  'same-node-as-backend',
  'pod-on-backend-node',
  'other-node',
  'pod-on-other-node',
];

export default defineCheck<{
  service: string;
  via: string;
  provider: string;
  networkModel: string;
  proxyMode: string;
  failingClients: string[];
  /** Whether LB pass-through is offered as a fix (CCE, and only where the cluster honours it). */
  passThroughOffered: boolean;
}>({
  id: 'etp-local-in-cluster-lb-access',
  severity: 'error',
  layer: 'kube-proxy',
  confidence: 0.9,
  title: (d) =>
    `externalTrafficPolicy Local breaks in-cluster access to ${d.service} via its ${d.via === 'nodeport' ? 'node ports' : 'load balancer address'}`,
  docs: {
    what: 'A client inside the cluster (a node or a pod) reaches a LoadBalancer or NodePort Service through its external address (LB address, Ingress, node IP + NodePort) while the Service has externalTrafficPolicy: Local, and the packet is dropped or never answered.',
    why: "kube-proxy programs the LB address on every node, so in-cluster traffic to it is handled locally instead of going through the load balancer, and with Local it only goes to endpoints on the node it enters. Clouds change this further: CCE sets pass-through (onlyLocal) for Local Services so in-cluster traffic really goes to the ELB, which keeps the client address and sends it to a backend node — if that node is the client's own, Linux drops the packet (loopback) or the reply bypasses the LB. Which cells of the client × access-path table fail depends on the network model (tunnel, VPC, ENI) and the proxy mode (seeds 001/004).",
    confirm:
      'Run `svcdoctor matrix SERVICE` to see which client locations fail; from the failing client, curl the LB address (typically "Connection refused" or a timeout) and then the ClusterIP, which works.',
    fix: 'Inside the cluster use the ClusterIP or the Service DNS name (recommended). Or set externalTrafficPolicy: Cluster (loses the client source IP). Or, on CCE, use the ELB pass-through annotation kubernetes.io/elb.pass-through: "true" (not on v1.15 or earlier; in IPVS mode all Services on one LB must agree; a CCE standard cluster with a dedicated LB still cannot reach the LB private IP from the backend\'s node and its pods).',
  },
  source: [
    'seed 001 "Why a Service Fails to Be Accessed from Within the Cluster" (table and fixes)',
    'seed 004 (older version of the same table)',
    'kubernetes pkg/proxy/iptables/proxier.go (KUBE-EXT short-circuit), pkg/proxy/ipvs/proxier.go (kube-ipvs0, #97081 fallback)',
  ],
  run({ snapshot, service, question, paths, mode }) {
    if (service?.externalTrafficPolicy !== 'Local') return [];
    if (service.type !== 'LoadBalancer' && service.type !== 'NodePort') return [];
    const named = tracesNaming(paths, 'etp-local-in-cluster-lb-access');
    let failing: Trace[] = named.map((a) => a.trace);
    let via = question.via ?? 'loadbalancer';
    const failingClients: string[] = [];
    let evidence: string[] = [];
    const first = named[0];
    if (first) {
      failingClients.push(first.trace.hops[0]?.steps?.[0]?.detail ?? question.client.kind);
      evidence = traceEvidence(first);
    } else if (mode === 'audit' && service.type === 'LoadBalancer') {
      // Audit asks no single question: try every in-cluster client location via the LB address.
      via = 'loadbalancer';
      for (const kind of IN_CLUSTER_ROWS) {
        const t = computePaths(snapshot, service, {
          target: question.target,
          client: { kind } as ClientSpec,
          via: 'loadbalancer',
          inferred: [],
        });
        const bad = t.filter((x) => x.findingIds?.includes('etp-local-in-cluster-lb-access'));
        if (bad.length > 0) {
          failing = [...failing, ...bad];
          failingClients.push(kind);
        }
      }
      evidence = failing.slice(0, 3).map((t) => `${t.label ? `${t.label}: ` : ''}${t.reason}`);
    }
    if (failing.length === 0) return [];
    const facts = networkFacts(snapshot);
    const behaviour = behaviourFor(snapshot, service);
    const v = facts.clusterVersion;
    const ignored = v !== undefined && v.major === 1 && v.minor <= 15;
    const passThroughText = behaviour.passThrough
      ? `, pass-through ${behaviour.passThrough}${ignored ? ` (ignored: cluster v${v?.major}.${v?.minor})` : ''}`
      : '';
    const name = service.meta.name;
    const ns = service.meta.namespace;
    const caveats = [
      'externalTrafficPolicy Cluster: the backend no longer sees the client source IP (SNAT to a node)',
    ];
    const commands = [
      `# recommended: inside the cluster use http://${name}.${ns}.svc:${service.ports[0]?.port ?? 80} (or the ClusterIP ${service.clusterIP})`,
      `kubectl patch service ${name} -n ${ns} --type='merge' -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`,
    ];
    if (facts.provider === 'cce' && service.type === 'LoadBalancer') {
      // CCE ignores the annotation on v1.15 and earlier: offering it there would fix nothing.
      if (!ignored)
        commands.push(
          `kubectl annotate service ${name} -n ${ns} kubernetes.io/elb.pass-through="true" --overwrite`,
        );
      caveats.push(
        ignored
          ? `pass-through is not supported on clusters of v1.15 or earlier, and this one is v${v?.major}.${v?.minor}: upgrade the cluster before relying on it`
          : 'pass-through is not supported on clusters of v1.15 or earlier',
        'in IPVS mode every Service on the same load balancer must use the same pass-through setting',
        "CCE standard cluster + dedicated LB with pass-through: the LB private IP stays unreachable from the backend pod's node and the pods on it",
        'with externalTrafficPolicy Local, CCE sets kubernetes.io/elb.pass-through to onlyLocal automatically',
      );
      if (facts.model === 'eni')
        caveats.push(
          'CCE Turbo (Cloud Native 2.0): node-level affinity (Local) is supported only when the backend pods use hostNetwork',
        );
    }
    return [
      {
        subject: refOf(service),
        data: {
          service: `${ns}/${name}`,
          via,
          provider: facts.provider,
          networkModel: facts.model ?? 'unknown',
          proxyMode: facts.proxyMode ?? 'unknown',
          failingClients,
          passThroughOffered: commands.some((c) => c.includes('elb.pass-through')),
        },
        evidence: [
          `spec.externalTrafficPolicy: Local on ${service.type} Service ${ns}/${name}`,
          `network model ${facts.model ?? 'unknown'}, kube-proxy ${facts.proxyMode ?? 'unknown'}${passThroughText}`,
          ...evidence,
        ],
        fix: {
          summary: `Inside the cluster, use the ClusterIP or the Service DNS name; or switch to externalTrafficPolicy Cluster${facts.provider === 'cce' && service.type === 'LoadBalancer' && !ignored ? '; or use LB pass-through' : ''}`,
          commands,
          caveats,
        },
        ...(mode === 'audit' ? { severity: 'warning' as const } : {}),
        seeAlso: ['etp-local-no-local-endpoint', 'lb-loopback'],
      },
    ];
  },
});
