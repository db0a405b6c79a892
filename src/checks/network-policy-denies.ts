import { dnsReach } from '../dataplane/dns/reach.js';
import { ipInCidr } from '../dataplane/netpol/cidr.js';
import { policyEnforcement } from '../dataplane/netpol/enforcement.js';
import { type NetpolSource, policiesSelecting, type Verdict } from '../dataplane/netpol/evaluate.js';
import { type BackendVerdict, evaluateServiceBackends } from '../dataplane/netpol/service.js';
import { didYouMean } from '../model/didyoumean.js';
import { backendsOf } from '../model/endpoints.js';
import { findPort } from '../model/ports.js';
import { formatClient, type Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { NetworkPolicy, Pod, Service, ServicePort } from '../model/types.js';
import { portsInQuestion } from './container-not-listening.js';
import { type CheckContext, type CheckHit, defineCheck } from './define.js';

interface Data extends Record<string, unknown> {
  direction: 'ingress' | 'egress';
  /** ns/name of the policies that isolate the pod(s) and allow nothing matching. */
  policies: string[];
  client: string;
  /** What the policy sees: the backend targetPort (after DNAT) or 53 for DNS. */
  port: number;
  protocol: string;
  denied: string[];
  total: number;
  /** The traffic is DNS to CoreDNS rather than to the Service. */
  dns: boolean;
  /** The client address the backends see was SNATed to a node IP (eTP Cluster). */
  snat: boolean;
  reason: string;
  implementationDefined: string[];
  /**
   * A rule written for the Service rather than for what the plugin sees after DNAT:
   * 'service-port' (a rule names the Service port, not the targetPort) or 'cluster-ip'
   * (an egress ipBlock covers the ClusterIP, not the backend pods).
   */
  dnatPitfall?: 'service-port' | 'cluster-ip';
}

/** Rules that would match the connection as the client addressed it, before Service DNAT. */
function dnatPitfall(
  policies: readonly NetworkPolicy[],
  direction: 'ingress' | 'egress',
  service: Service,
  sp: ServicePort,
  targetPort: number,
): Data['dnatPitfall'] {
  const rules = policies.flatMap((p) => (direction === 'ingress' ? p.ingress : p.egress));
  if (
    sp.port !== targetPort &&
    rules.some((r) => r.ports.some((x) => x.protocol === sp.protocol && x.port === sp.port))
  )
    return 'service-port';
  const vips = service.clusterIPs.filter((ip) => ip && ip !== 'None');
  if (
    direction === 'egress' &&
    rules.some((r) => r.peers.some((x) => x.ipBlock && vips.some((ip) => ipInCidr(ip, x.ipBlock!.cidr))))
  )
    return 'cluster-ip';
  return undefined;
}

interface Source {
  src: NetpolSource;
  label: string;
  snat: boolean;
  /** External client whose real IP we do not know. */
  ipUnknown: boolean;
}

const EXTERNAL_PLACEHOLDER = '198.51.100.1'; // TEST-NET-2: stands for "some internet address"

function nodeIP(snapshot: Snapshot, name: string): string | undefined {
  return snapshot.node(name)?.internalIPs[0];
}

/** The source address NetworkPolicy sees for the question's client, or undefined when it cannot be known. */
function sourceFor(
  snapshot: Snapshot,
  question: Question,
  service: Service,
  backendNodes: Set<string>,
): Source | undefined {
  const c = question.client;
  switch (c.kind) {
    case 'pod': {
      const pod = snapshot.pod(c.namespace, c.name);
      if (!pod?.podIP) return undefined;
      // A pod reaching a node port / LB / external IP of an eTP Cluster Service is masqueraded by
      // kube-proxy (KUBE-MARK-MASQ in the external chain): the backend sees its node's address.
      // Simplification: the node's InternalIP (the bridge address for a same-node backend).
      const viaExternal =
        question.via === 'nodeport' || question.via === 'loadbalancer' || question.via === 'externalip';
      const nodeAddr = pod.nodeName ? nodeIP(snapshot, pod.nodeName) : undefined;
      if (
        viaExternal &&
        service.externalTrafficPolicy === 'Cluster' &&
        !pod.hostNetwork &&
        nodeAddr &&
        pod.nodeName
      )
        return {
          src: { ip: nodeAddr, node: pod.nodeName },
          label: formatClient(c),
          snat: true,
          ipUnknown: false,
        };
      return {
        src: { pod, ip: pod.podIP, ...(pod.nodeName ? { node: pod.nodeName } : {}) },
        label: formatClient(c),
        snat: false,
        ipUnknown: false,
      };
    }
    case 'node': {
      const ip = nodeIP(snapshot, c.node);
      return ip
        ? { src: { ip, node: c.node }, label: formatClient(c), snat: false, ipUnknown: false }
        : undefined;
    }
    case 'internet':
    case 'vpc': {
      const external =
        question.via === 'nodeport' ||
        question.via === 'loadbalancer' ||
        question.via === 'externalip' ||
        question.via === 'ingress';
      if (external && service.externalTrafficPolicy === 'Cluster' && question.via !== 'ingress') {
        // eTP Cluster masquerades external traffic to the receiving node's IP; a node without a
        // backend is the common case, and traffic from the backend's own node is always allowed.
        const other = snapshot.nodes.find((n) => !backendNodes.has(n.meta.name) && n.internalIPs[0]);
        if (other)
          return {
            src: { ip: other.internalIPs[0]!, node: other.meta.name },
            label: formatClient(c),
            snat: true,
            ipUnknown: false,
          };
        return undefined;
      }
      return { src: { ip: EXTERNAL_PLACEHOLDER }, label: formatClient(c), snat: false, ipUnknown: true };
    }
    default:
      return undefined;
  }
}

function hasIpBlock(policies: readonly NetworkPolicy[], direction: 'ingress' | 'egress'): boolean {
  return policies.some((p) =>
    (direction === 'ingress' ? p.ingress : p.egress).some((r) => r.peers.some((x) => x.ipBlock)),
  );
}

/** For abstract pod clients: does every selecting policy refuse all pods on this port (default deny)? */
function deniesEveryPod(pod: Pod, policies: NetworkPolicy[], port: number, protocol: string): boolean {
  for (const p of policies) {
    for (const rule of p.ingress) {
      const portOk =
        rule.ports.length === 0 ||
        rule.ports.some((x) => {
          if (x.protocol !== protocol) return false;
          if (x.port === undefined) return true;
          if (typeof x.port === 'number')
            return x.endPort !== undefined ? port >= x.port && port <= x.endPort : x.port === port;
          return pod.containers.some((c) =>
            c.ports.some((cp) => cp.name === x.port && cp.containerPort === port),
          );
        });
      if (portOk) return false;
    }
  }
  return true;
}

function policyYaml(
  direction: 'ingress' | 'egress',
  ns: string,
  name: string,
  selectLabels: Record<string, string>,
  peerNs: string,
  peerLabels: Record<string, string> | undefined,
  port: number,
  protocol: string,
): string {
  const labels = (l: Record<string, string>, indent: string) =>
    Object.entries(l)
      .map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`)
      .join('\n');
  const peer = [
    `    - namespaceSelector:`,
    `        matchLabels:`,
    `          kubernetes.io/metadata.name: ${peerNs}`,
    ...(peerLabels && Object.keys(peerLabels).length > 0
      ? [`      podSelector:`, `        matchLabels:`, labels(peerLabels, '          ')]
      : []),
  ];
  return [
    `kubectl apply -f - <<'EOF'`,
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${ns}`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    labels(selectLabels, '      '),
    '  policyTypes:',
    `  - ${direction === 'ingress' ? 'Ingress' : 'Egress'}`,
    `  ${direction}:`,
    `  - ${direction === 'ingress' ? 'from' : 'to'}:`,
    ...peer,
    '    ports:',
    `    - protocol: ${protocol}`,
    `      port: ${port}`,
    'EOF',
  ].join('\n');
}

/** Labels that identify a pod's workload, without the per-pod ones. */
function stableLabels(pod: Pod): Record<string, string> {
  const skip = new Set([
    'pod-template-hash',
    'controller-revision-hash',
    'statefulset.kubernetes.io/pod-name',
    'pod-template-generation',
  ]);
  return Object.fromEntries(Object.entries(pod.meta.labels).filter(([k]) => !skip.has(k)));
}

function summarise(verdicts: Verdict[]): {
  policies: string[];
  reason: string;
  notes: string[];
  misses: string[];
} {
  const policies = [...new Set(verdicts.flatMap((v) => v.policies))].sort();
  return {
    policies,
    reason: verdicts[0]?.reason ?? '',
    notes: [...new Set(verdicts.flatMap((v) => v.implementationDefined))],
    // Why each rule failed, for the first denied backend (replicas share labels and ports).
    misses: (verdicts[0]?.misses ?? [])
      .slice(0, 4)
      .map((m) => `${m.policy} rule #${m.rule + 1}: ${m.reason}`),
  };
}

function serviceHit(ctx: CheckContext, service: Service, sp: ServicePort): CheckHit<Data>[] {
  const { snapshot, question } = ctx;
  const backends = backendsOf(snapshot, service).backends;
  const backendNodes = new Set(backends.map((b) => b.nodeName).filter((n): n is string => !!n));
  const source = sourceFor(snapshot, question, service, backendNodes);
  const ns = service.meta.namespace;
  if (!source && question.client.kind === 'pod') {
    const c = question.client;
    const pod = snapshot.pod(c.namespace, c.name);
    if (!pod) {
      const near = didYouMean(
        c.name,
        snapshot.podsIn(c.namespace).map((p) => p.meta.name),
      );
      ctx.unknown(
        `client pod ${c.namespace}/${c.name} is not in the snapshot${near ? ` (did you mean pod/${c.namespace}/${near}?)` : ''}: NetworkPolicy for this client judged as for any pod`,
        `kubectl get pods -n ${c.namespace} --show-labels`,
      );
    }
  }
  if (!source) {
    // Abstract clients (audit, "pod-on-other-node"): only a policy that admits no pod at all is certain.
    if (
      question.client.kind === 'internet' ||
      question.client.kind === 'vpc' ||
      question.client.kind === 'node'
    )
      return [];
    const pods = snapshot.podsForService(service).filter((p) => !p.hostNetwork);
    const denied: { pod: Pod; policies: NetworkPolicy[]; port: number }[] = [];
    for (const pod of pods) {
      const policies = policiesSelecting(snapshot, pod, 'ingress');
      const port = findPort(pod, sp);
      if (policies.length === 0 || port === undefined) continue;
      if (deniesEveryPod(pod, policies, port, sp.protocol)) denied.push({ pod, policies, port });
    }
    const first = denied[0];
    if (!first) return [];
    const names = [
      ...new Set(denied.flatMap((d) => d.policies.map((p) => `${p.meta.namespace}/${p.meta.name}`))),
    ].sort();
    const firstPolicy = first.policies[0]!;
    return [
      {
        subject: {
          kind: 'NetworkPolicy',
          namespace: firstPolicy.meta.namespace,
          name: firstPolicy.meta.name,
        },
        data: {
          direction: 'ingress',
          policies: names,
          client: formatClient(question.client),
          port: first.port,
          protocol: sp.protocol,
          denied: denied.map((d) => d.pod.meta.name),
          total: pods.length,
          dns: false,
          snat: false,
          reason: `no ingress rule of ${names.join(', ')} admits any source on ${sp.protocol}/${first.port}`,
          implementationDefined: [],
        },
        ...(denied.length < pods.length ? { severity: 'warning' as const } : {}),
        evidence: [
          `${names.join(', ')} select${names.length === 1 ? 's' : ''} ${denied.length}/${pods.length} backend pod(s) for ingress`,
          `no ingress rule allows ${sp.protocol}/${first.port} from any pod`,
        ],
        fix: {
          summary: `Add an ingress rule to ${names[0]} (or a new policy) allowing the clients on ${sp.protocol}/${first.port}.`,
          commands: [
            policyYaml(
              'ingress',
              ns,
              `allow-to-${service.meta.name}`,
              service.selector ?? {},
              ns,
              undefined,
              first.port,
              sp.protocol,
            ),
          ],
        },
      },
    ];
  }
  const results: BackendVerdict[] = evaluateServiceBackends(snapshot, source.src, service, sp).filter(
    (b) => b.result,
  );
  if (results.length === 0) return [];
  const hits: CheckHit<Data>[] = [];
  for (const direction of ['egress', 'ingress'] as const) {
    const deniedHere = results.filter((b) => !b.result![direction].allowed);
    if (deniedHere.length === 0) continue;
    const verdicts = deniedHere.map((b) => b.result![direction]);
    // An external client of unknown address: an ipBlock might admit it, so say so instead of guessing.
    if (direction === 'ingress' && source.ipUnknown) {
      const isolating = deniedHere.flatMap((b) =>
        b.pod ? policiesSelecting(snapshot, b.pod, 'ingress') : [],
      );
      if (hasIpBlock(isolating, 'ingress')) {
        ctx.unknown(
          `client address unknown: ipBlock rules of ${[...new Set(isolating.map((p) => `${p.meta.namespace}/${p.meta.name}`))].join(', ')} not evaluated`,
          'add an Observation whose "from" is the client IP, or pass --client pod/NS/NAME',
        );
        continue;
      }
    }
    const { policies, reason, notes, misses } = summarise(verdicts);
    const first = deniedHere[0]!;
    const isolating = policies
      .map((k) => k.split('/') as [string, string])
      .map(([n, name]) => snapshot.networkPoliciesIn(n).find((p) => p.meta.name === name))
      .filter((p): p is NetworkPolicy => !!p);
    const pitfall = dnatPitfall(isolating, direction, service, sp, first.port!);
    const clientPod = source.src.pod;
    const policyNs = direction === 'ingress' ? ns : (clientPod?.meta.namespace ?? ns);
    const firstName = policies[0]!;
    const [pns, pname] = firstName.split('/') as [string, string];
    const fixCmd =
      direction === 'ingress'
        ? policyYaml(
            'ingress',
            ns,
            `allow-${clientPod ? (stableLabels(clientPod).app ?? clientPod.meta.name) : 'client'}-to-${service.meta.name}`,
            service.selector ?? {},
            clientPod?.meta.namespace ?? ns,
            clientPod ? stableLabels(clientPod) : undefined,
            first.port!,
            sp.protocol,
          )
        : policyYaml(
            'egress',
            policyNs,
            `allow-egress-to-${service.meta.name}`,
            clientPod ? stableLabels(clientPod) : {},
            ns,
            service.selector,
            first.port!,
            sp.protocol,
          );
    hits.push({
      subject: { kind: 'NetworkPolicy', namespace: pns, name: pname },
      data: {
        direction,
        policies,
        client: source.label,
        port: first.port!,
        protocol: sp.protocol,
        denied: deniedHere.map((b) => b.pod?.meta.name ?? b.ip),
        total: results.length,
        dns: false,
        snat: source.snat,
        reason,
        implementationDefined: notes,
        ...(pitfall ? { dnatPitfall: pitfall } : {}),
      },
      ...(deniedHere.length < results.length ? { severity: 'warning' as const, confidence: 0.6 } : {}),
      evidence: [
        `${direction} ${reason}`,
        `${deniedHere.length}/${results.length} backend(s) denied for ${source.label} on ${sp.protocol}/${first.port} (the port after Service DNAT)`,
        ...(source.snat
          ? [`externalTrafficPolicy Cluster: the backends see the node IP ${source.src.ip}, not the client's`]
          : []),
        ...misses,
        ...(pitfall === 'service-port'
          ? [
              `a rule names the Service port ${sp.port}; policies see the connection after DNAT, on targetPort ${first.port}`,
            ]
          : pitfall === 'cluster-ip'
            ? [
                `an egress ipBlock covers the ClusterIP; policies see the backend pod IPs after DNAT, which it does not cover`,
              ]
            : []),
        ...notes.map((n) => `implementation-defined: ${n}`),
      ],
      fix: {
        summary:
          direction === 'ingress'
            ? `Allow ${source.label} in ${firstName}, or add a policy admitting it on ${sp.protocol}/${first.port}.`
            : `Allow egress from ${source.label} to the backends on ${sp.protocol}/${first.port} in ${firstName}.`,
        commands: [fixCmd],
        ...(source.snat
          ? {
              caveats: [
                'Client IPs are masqueraded to node IPs with externalTrafficPolicy Cluster: an ipBlock of client addresses will not match.',
              ],
            }
          : {}),
      },
    });
  }
  return hits;
}

/** A pod client resolving names: its egress to CoreDNS on UDP 53 (and CoreDNS's ingress). */
function dnsEgressHit(ctx: CheckContext): CheckHit<Data>[] {
  const { snapshot, question } = ctx;
  if (question.client.kind !== 'pod' || (question.via !== 'dns' && !question.dnsName)) return [];
  const client = snapshot.pod(question.client.namespace, question.client.name);
  if (!client) return [];
  const reach = dnsReach(snapshot, client);
  if (reach.allowed !== false) return [];
  const denied = reach.results.map((r) => r.result);
  const egressDenied = denied.filter((v) => !v.egress.allowed);
  const direction = egressDenied.length > 0 ? 'egress' : 'ingress';
  const { policies, reason, notes, misses } = summarise(denied.map((v) => v[direction]));
  const [pns, pname] = policies[0]!.split('/') as [string, string];
  return [
    {
      subject: { kind: 'NetworkPolicy', namespace: pns, name: pname },
      data: {
        direction,
        policies,
        client: formatClient(question.client),
        port: 53,
        protocol: 'UDP',
        denied: reach.results.map((r) => r.pod.meta.name),
        total: reach.results.length,
        dns: true,
        snat: false,
        reason,
        implementationDefined: notes,
      },
      evidence: [
        `DNS to CoreDNS (UDP 53) is ${direction === 'egress' ? 'not allowed out of the client' : 'not admitted by CoreDNS'}: ${reason}`,
        ...misses,
      ],
      fix: {
        summary: `Allow egress to kube-system/kube-dns on UDP and TCP 53 from ${formatClient(question.client)}.`,
        commands: [
          policyYaml(
            'egress',
            client.meta.namespace,
            'allow-dns',
            stableLabels(client),
            'kube-system',
            { 'k8s-app': 'kube-dns' },
            53,
            'UDP',
          ),
        ],
      },
    },
  ];
}

export default defineCheck<Data>({
  id: 'network-policy-denies',
  severity: 'error',
  layer: 'network-policy',
  confidence: 0.85,
  title: (d) =>
    d.dns
      ? `NetworkPolicy ${d.policies.join(', ')} blocks DNS (UDP 53) for ${d.client}`
      : `NetworkPolicy ${d.policies.join(', ')} denies ${d.direction} ${d.protocol}/${d.port} for ${d.client}`,
  docs: {
    what: 'A NetworkPolicy isolates the backend pods (ingress) or the client pod (egress) and none of its rules admits this connection.',
    why: 'Once any policy selects a pod for a direction, only traffic some rule allows gets through; the rest is dropped silently, which looks like a timeout. Policies see the packet after Service DNAT: the backend pod IP and targetPort, not the ClusterIP and Service port.',
    confirm:
      'kubectl get networkpolicy -n NS -o yaml; kubectl describe networkpolicy NAME -n NS; compare the rule selectors with the client pod labels (kubectl get pod CLIENT --show-labels) and its namespace labels.',
    fix: 'Add a rule (or policy) whose from/to selects the client (podSelector AND namespaceSelector in one peer for a pod in another namespace) and whose ports name the targetPort; remember egress DNS (UDP/TCP 53) when a client has an egress policy.',
  },
  source: [
    'kubernetes pkg/apis/networking/types.go (NetworkPolicySpec, NetworkPolicyPeer, NetworkPolicyPort)',
    'kubernetes.io Network Policies concept page; netpol e2e and cyclonus truth tables',
  ],
  run(ctx) {
    const { snapshot, service, question } = ctx;
    if (!snapshot.has('NetworkPolicy')) return [];
    if (!service) return [];
    if (snapshot.data.networkPolicies.length === 0) return [];
    const hits: CheckHit<Data>[] = [];
    if (service.type !== 'ExternalName') {
      for (const sp of portsInQuestion(service, question)) {
        const h = serviceHit(ctx, service, sp);
        if (h.length > 0) {
          hits.push(...h);
          break;
        }
      }
    }
    hits.push(...dnsEgressHit(ctx));
    const enforcement = policyEnforcement(snapshot);
    if (enforcement.enforced !== 'no') return hits;
    // The policies would deny, but the only network plugin present does not implement them.
    return hits.map((h) => ({
      ...h,
      severity: 'info' as const,
      confidence: 0.1,
      evidence: [
        ...h.evidence,
        `the network plugin ${enforcement.plugins.join(', ')} does not enforce NetworkPolicy: the policy has no effect today`,
      ],
    }));
  },
});
