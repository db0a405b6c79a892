// The hops a request takes from the question's client to a container, one Trace per distinct
// outcome-relevant path: client -> DNS -> cloud LB / EIP -> security groups -> node ->
// kube-proxy on the node the packet enters -> endpoint (through the network model) ->
// NetworkPolicy -> container port. Pure: (snapshot, service, question) -> traces.
// kube-proxy itself is simulated by src/dataplane/kubeproxy; the cloud by src/dataplane/cloud;
// this file composes them and applies the network model (src/dataplane/network).

import { backendsOf } from '../model/endpoints.js';
import { findPort } from '../model/ports.js';
import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Hop, Outcome, Trace } from '../model/trace.js';
import type { LbBackend, LoadBalancer, Node, Protocol, Service, ServicePort } from '../model/types.js';
import { isNodeDumpParseError, traceOnNodeDump } from '../nodedump/index.js';
import {
  certificateState,
  dnatEipBinding,
  dnatFor,
  eipByAddress,
  eipsBoundTo,
  evaluateAnyPeer,
  evaluateSecurityGroups,
  expectedBackends,
  hasNoBandwidth,
  lbPeer,
  listenerBackends,
  listenerFor,
  loadBalancerByAddress,
  loadBalancersForIngress,
  loadBalancersForService,
  sgProtocol,
} from './cloud/index.js';
import { dnsReach, resolveName } from './dns/index.js';
import { ingressesRoutingTo, resolveIngressBackend } from './ingress/index.js';
import { type ProxyResult, proxyIndex, proxyPacket } from './kubeproxy/index.js';
import { familyOfText, parseIP } from './kubeproxy/ip.js';
import { backendNodes, type ResolvedClient, resolveClient } from './network/clients.js';
import { deliverToEndpoint, type Mechanism } from './network/deliver.js';
import {
  behaviourFor,
  healthCheckFromVipDropped,
  isNodeLocal,
  isPublicIP,
  type LbLeaveCause,
  lbAddressIsPublic,
  lbCapture,
  type NetworkFacts,
  networkFacts,
  nodeByPublicAddress,
  nodePublicAddress,
  PUBLIC_EGRESS_PLACEHOLDER,
  podEgressSource,
  providerBehaviourFor,
} from './network/model.js';
import { kubeProxyOn } from './network/node-facts.js';

/** At most this many traces per fan-out (entry nodes, LB backends, endpoints): one per class. */
const MAX_FANOUT = 4;

interface Ctx {
  snapshot: Snapshot;
  svc: Service;
  port: ServicePort;
  protocol: Protocol;
  question: Question;
  client: ResolvedClient;
  facts: NetworkFacts;
  via: NonNullable<Question['via']>;
  /** Why in-cluster traffic went out to the LB instead of being answered on the node. */
  lbLeft?: LbLeaveCause;
  /** A headless Service reached at a pod port the Service does not list: used as is. */
  direct?: number;
}

function trace(
  hops: Hop[],
  outcome: Outcome,
  reason: string,
  findingIds: string[] = [],
  label?: string,
): Trace {
  return {
    hops,
    outcome,
    reason,
    ...(findingIds.length ? { findingIds } : {}),
    ...(label ? { label } : {}),
  };
}

function unknown(hops: Hop[], reason: string, label?: string): Trace {
  return trace(
    [...hops, { at: hops.at(-1)?.to ?? 'client', action: 'unknown', steps: [{ detail: reason }] }],
    'insufficient-info',
    reason,
    [],
    label,
  );
}

function failHop(at: string, action: 'drop' | 'reject', rule: string, detail: string, ids: string[]): Hop {
  return { at, action, steps: [{ rule, detail }], ...(ids.length ? { findingIds: ids } : {}) };
}

interface Failure {
  at: string;
  action: 'drop' | 'reject';
  rule: string;
  detail: string;
  ids: string[];
  outcome: Outcome;
  reason: string;
  label?: string | undefined;
}

/** A path that ends at one failing hop, which carries the same finding ids as the trace. */
function failed(hops: Hop[], f: Failure): Trace {
  return trace(
    [...hops, failHop(f.at, f.action, f.rule, f.detail, f.ids)],
    f.outcome,
    f.reason,
    f.ids,
    f.label,
  );
}

/** How the client is named on hops: its object when it is one, else where it sits. */
function clientAt(c: ResolvedClient): string {
  if (c.pod) return `pod/${c.pod.meta.namespace}/${c.pod.meta.name}`;
  if (c.kind === 'host' && c.node) return `node/${c.node.meta.name}`;
  if (c.kind === 'pod' && c.node) return `pod ${c.ip} on node/${c.node.meta.name}`;
  return c.kind;
}

/** Name the client's hops and fold the opening label hop into the first real one. */
function tidy(t: Trace, at: string): Trace {
  const hops = t.hops.map((h) => (h.at === 'client' ? { ...h, at } : h));
  const [first, second, ...rest] = hops;
  if (
    first &&
    second &&
    first.at === second.at &&
    !first.to &&
    first.action === 'forward' &&
    second.action === 'forward'
  )
    return { ...t, hops: [{ ...second, steps: [...(first.steps ?? []), ...(second.steps ?? [])] }, ...rest] };
  return { ...t, hops };
}

export function computePaths(snapshot: Snapshot, service: Service, question: Question): Trace[] {
  const res = resolveClient(snapshot, service, question.client);
  if (!res.ok) return [unknown([], res.why)];
  const resolved = res.client;
  return computeFor(snapshot, service, question, resolved).map((t) => tidy(t, clientAt(resolved)));
}

function computeFor(
  snapshot: Snapshot,
  service: Service,
  question: Question,
  resolved: ResolvedClient,
): Trace[] {
  let client = resolved;
  // A dual-stack pod speaks whichever family the Service has.
  const sameFamily = client.pod?.podIPs.find((ip) => {
    const f = familyOfText(ip);
    return f !== undefined && service.ipFamilies.includes(f);
  });
  if (client.kind === 'pod' && sameFamily && sameFamily !== client.ip) client = { ...client, ip: sameFamily };
  const facts = networkFacts(snapshot);
  let via =
    question.via ?? (client.kind === 'internet' || client.kind === 'vpc' ? 'loadbalancer' : 'clusterip');
  // An address that belongs to a node (its IP, its EIP, a NAT rule to it) rather than to the
  // Service's load balancer is a node port, whatever the access path was guessed to be.
  if (
    via === 'loadbalancer' &&
    question.address &&
    !service.loadBalancerIngress.some((i) => i.ip === question.address?.ip)
  ) {
    const a = question.address;
    if (
      snapshot.nodeByAddress(a.ip) ||
      nodeByPublicAddress(snapshot, a.ip) ||
      dnatFor(snapshot.data.cloud, a.ip, a.port)
    )
      via = 'nodeport';
  }
  // Through a NAT gateway DNAT rule, the port that reaches the node is the rule's internal port.
  const dnat =
    via === 'nodeport' && question.address
      ? dnatFor(
          snapshot.data.cloud,
          question.address.ip,
          question.address.port,
          question.protocol === 'UDP' ? 'udp' : 'tcp',
        )
      : undefined;
  let port = dnat
    ? service.ports.find((p) => p.nodePort === dnat.rule.internalPort)
    : pickPort(service, question, via);
  // Headless DNS answers pod IPs and the client connects to pod IP:port itself: the Service's
  // port list plays no part (upstream: a headless Service may even have no ports at all).
  let direct: number | undefined;
  if (!port && service.headless && (via === 'dns' || via === 'pod')) {
    const want = question.port ?? question.address?.port;
    if (typeof want === 'number') {
      direct = want;
      port = { name: '', protocol: question.protocol ?? 'TCP', port: want, targetPort: want };
    } else if (want === undefined) return [headlessNoPort(snapshot, service, question, client, via)];
  }
  if (!port) {
    return [
      failed([], {
        at: 'client',
        action: 'reject',
        rule: 'Service ports',
        detail: `the Service has no port ${String(question.port ?? question.address?.port)}`,
        ids: ['service-port-mismatch'],
        outcome: 'rejected',
        reason: 'no such Service port',
      }),
    ];
  }
  const ctx: Ctx = {
    snapshot,
    svc: service,
    port,
    protocol: question.protocol ?? port.protocol,
    question,
    client,
    facts,
    via,
    ...(direct !== undefined ? { direct } : {}),
  };
  const start: Hop[] = [{ at: 'client', action: 'forward', steps: [{ detail: client.label }] }];

  if (service.type === 'ExternalName')
    return [
      unknown(
        start,
        `ExternalName Service: DNS answers a CNAME to ${service.externalName ?? '?'}; the path continues outside the cluster`,
      ),
    ];

  const fam = familyOfText(client.ip);
  if (fam && service.ipFamilies.length > 0 && !service.ipFamilies.includes(fam) && via !== 'pod') {
    const ids = ['ip-family-mismatch'];
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'spec.ipFamilies',
        detail: `the client speaks ${fam}; the Service serves ${service.ipFamilies.join(', ')}`,
        ids,
        outcome: 'dropped',
        reason: `${fam} client, Service is ${service.ipFamilies.join('/')} only`,
      }),
    ];
  }

  switch (via) {
    case 'clusterip':
      return clusterIPPath(ctx, start, undefined);
    case 'dns':
      return dnsPath(ctx, start);
    case 'nodeport':
      return nodePortPath(ctx, start);
    case 'loadbalancer':
      return loadBalancerPath(ctx, start);
    case 'externalip':
      return externalIPPath(ctx, start);
    case 'ingress':
      return ingressPath(ctx, start);
    case 'pod':
      return podPath(ctx, start);
  }
}

/** A headless Service without ports, asked about without a port: DNS works, the port is the client's. */
function headlessNoPort(
  snapshot: Snapshot,
  svc: Service,
  question: Question,
  client: ResolvedClient,
  via: string,
): Trace {
  const ips = backendsOf(snapshot, svc)
    .backends.filter((b) => b.ready)
    .map((b) => b.ip);
  const hops: Hop[] = [{ at: 'client', action: 'forward', steps: [{ detail: client.label }] }];
  if (via === 'dns')
    hops.push({
      at: 'dns',
      action: 'resolve',
      ...(ips[0] ? { to: ips[0] } : {}),
      steps: [
        {
          rule: 'headless Service',
          detail: `${question.dnsName ?? svc.meta.name} answers the ready pod addresses: ${ips.join(', ') || 'none'}`,
        },
      ],
    });
  if (ips.length === 0) {
    const ids = endpointFailureIds({ snapshot, svc });
    return failed(hops, {
      at: 'client',
      action: 'drop',
      rule: 'endpoints',
      detail: 'no ready pod address to connect to',
      ids,
      outcome: 'dropped',
      reason: 'no ready endpoint',
    });
  }
  return unknown(
    hops,
    'the Service lists no ports: the client connects to a pod address on a port of its own choosing; ask with --port to follow it',
  );
}

function pickPort(svc: Service, q: Question, via: string): ServicePort | undefined {
  // For an Ingress the port the client used is the LB listener's (80/443), not a Service port.
  if (via === 'ingress') return svc.ports[0];
  const want = q.port ?? (via === 'nodeport' ? q.address?.port : q.address?.port);
  if (want === undefined) return svc.ports[0];
  if (typeof want === 'string') return svc.ports.find((p) => p.name === want);
  return (
    svc.ports.find((p) => (via === 'nodeport' ? p.nodePort === want : p.port === want)) ??
    svc.ports.find((p) => p.port === want || p.nodePort === want || p.targetPort === want)
  );
}

// ------------------------------------------------------------------ in-cluster entry points

function clusterIPPath(ctx: Ctx, start: Hop[], dst: string | undefined): Trace[] {
  const { client, svc } = ctx;
  if (client.kind === 'internet' || client.kind === 'vpc') {
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'ClusterIP',
        detail: 'a ClusterIP is routed only inside the cluster: outside clients cannot reach it',
        ids: [],
        outcome: 'unhandled',
        reason: 'ClusterIP is not reachable from outside the cluster',
      }),
    ];
  }
  if (svc.headless) {
    const ids = ['headless-service-no-vip'];
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'clusterIP: None',
        detail: 'the Service is headless: it has no virtual IP',
        ids,
        outcome: 'unhandled',
        reason: 'headless Service has no ClusterIP',
      }),
    ];
  }
  const fam = familyOfText(client.ip);
  const ip = dst ?? svc.clusterIPs.find((a) => familyOfText(a) === fam) ?? svc.clusterIP;
  if (!ip) return [unknown(start, 'the Service has no ClusterIP yet')];
  const hops: Hop[] = [
    ...start,
    {
      at: 'client',
      action: 'forward',
      to: `${ip}:${ctx.port.port}`,
      steps: [{ rule: 'spec.clusterIP', detail: `connects to ${ip}:${ctx.port.port}/${ctx.protocol}` }],
    },
  ];
  const node = client.node as Node;
  return throughKubeProxy(
    ctx,
    hops,
    node,
    { src: client.ip, dst: ip, dport: ctx.port.port, hook: client.kind === 'host' ? 'output' : 'prerouting' },
    {},
  );
}

function dnsPath(ctx: Ctx, start: Hop[]): Trace[] {
  const { client, svc, snapshot } = ctx;
  if (client.kind === 'internet' || client.kind === 'vpc')
    return [
      failed(start, {
        at: 'dns',
        action: 'drop',
        rule: 'cluster DNS',
        detail: 'cluster DNS names resolve only inside the cluster',
        ids: [],
        outcome: 'unhandled',
        reason: 'outside clients do not use the cluster DNS',
      }),
    ];
  if (client.kind === 'host' && !client.pod)
    return [
      unknown(
        start,
        'a node resolves names with its own resolv.conf: whether it points at CoreDNS is not known',
      ),
    ];
  const ns = client.pod?.meta.namespace ?? svc.meta.namespace;
  const name =
    ctx.question.dnsName ??
    (ns === svc.meta.namespace ? svc.meta.name : `${svc.meta.name}.${svc.meta.namespace}`);
  // The query itself must get through NetworkPolicy to a CoreDNS pod (UDP 53).
  if (client.pod && dnsReach(snapshot, client.pod).allowed === false) {
    const ids = ['network-policy-denies'];
    const why = 'NetworkPolicy blocks UDP 53 from the client to every CoreDNS pod';
    return [
      failed(start, {
        at: 'dns',
        action: 'drop',
        rule: 'NetworkPolicy',
        detail: why,
        ids,
        outcome: 'dropped',
        reason: why,
      }),
    ];
  }
  const r = resolveName(snapshot, name, ns, client.pod);
  const steps = r.steps.map((s) => ({
    rule: s.rewrittenTo ? `rewrite -> ${s.rewrittenTo}` : s.outcome,
    detail: `${s.query}: ${s.detail}`,
  }));
  if (r.problem) {
    const ids = ['dns-name-wrong'];
    return [
      trace(
        [
          ...start,
          {
            at: 'dns',
            action: 'resolve',
            steps: [...steps, { rule: r.problem.kind, detail: r.problem.detail }],
            findingIds: ids,
          },
        ],
        'dropped',
        r.problem.detail,
        ids,
      ),
    ];
  }
  if (r.external || !r.service)
    return [
      unknown(
        [...start, { at: 'dns', action: 'resolve', steps }],
        `${name} leaves the cluster zone: upstream DNS decides`,
      ),
    ];
  if (r.service.meta.namespace !== svc.meta.namespace || r.service.meta.name !== svc.meta.name)
    return [
      unknown(
        [...start, { at: 'dns', action: 'resolve', steps }],
        `${name} resolves to Service ${r.service.meta.namespace}/${r.service.meta.name}, not the target`,
      ),
    ];
  const fam = familyOfText(client.ip) === 'IPv6' ? 'AAAA' : 'A';
  const rec = r.records.find((x) => x.type === fam);
  if (!rec)
    return [unknown([...start, { at: 'dns', action: 'resolve', steps }], `no ${fam} record for ${name}`)];
  const hops: Hop[] = [...start, { at: 'dns', action: 'resolve', to: rec.value, steps }];
  if (svc.headless) return podPath(ctx, hops);
  return clusterIPPath(ctx, hops, rec.value);
}

function externalIPPath(ctx: Ctx, start: Hop[]): Trace[] {
  const { client, svc } = ctx;
  const ip = ctx.question.address?.ip ?? svc.externalIPs[0];
  if (!ip)
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'spec.externalIPs',
        detail: 'the Service has no externalIPs',
        ids: [],
        outcome: 'unhandled',
        reason: 'no external IP',
      }),
    ];
  if (client.kind === 'internet' || client.kind === 'vpc') {
    const n = ctx.snapshot.nodeByAddress(ip);
    if (!n) return [unknown(start, `which node the network delivers ${ip} to is not known`)];
    return throughKubeProxy(
      ctx,
      start,
      n,
      { src: client.ip, dst: ip, dport: ctx.port.port, hook: 'prerouting' },
      {},
    );
  }
  return throughKubeProxy(
    ctx,
    start,
    client.node as Node,
    { src: client.ip, dst: ip, dport: ctx.port.port, hook: client.kind === 'host' ? 'output' : 'prerouting' },
    {},
  );
}

function podPath(ctx: Ctx, start: Hop[]): Trace[] {
  const { snapshot, svc, client } = ctx;
  const backends = backendsOf(snapshot, svc).backends.filter((b) => b.ready);
  if (backends.length === 0)
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'endpoints',
        detail: 'no ready endpoint to connect to',
        ids: endpointFailureIds(ctx),
        outcome: 'dropped',
        reason: 'no ready endpoint',
      }),
    ];
  const out: Trace[] = [];
  for (const b of backends.slice(0, MAX_FANOUT)) {
    const pod = snapshot.podsByAddress(b.ip)[0];
    const port =
      ctx.direct ??
      b.ports.find((p) => p.name === ctx.port.name)?.port ??
      (pod ? findPort(pod, ctx.port) : undefined);
    if (port === undefined) {
      out.push(unknown(start, `the port of endpoint ${b.ip} is not known`));
      continue;
    }
    const n = client.node?.meta.name ?? b.nodeName ?? '';
    const d = deliverToEndpoint(
      {
        snapshot,
        facts: ctx.facts,
        client,
        // No translation: the "sending" node is the client's own, so cross-node routing is checked.
        dnatNode: n,
        entryDst: b.ip,
        src: client.ip,
        masquerade: false,
        endpoint: { ip: b.ip, port, ...(b.nodeName ? { node: b.nodeName } : {}), ...(pod ? { pod } : {}) },
        protocol: ctx.protocol,
      },
      (m) => mechanismIds(ctx, m, false),
    );
    out.push(finish([...start, ...d.hops], d, `pod ${b.ip}`));
  }
  return out;
}

// ------------------------------------------------------------------ NodePort

interface Entry {
  node: Node;
  /** The address the client used: the node's private IP or its public one (EIP). */
  address: string;
  public: boolean;
  label: string;
  /** Reached through a NAT gateway DNAT rule instead of the node's own EIP. */
  nat?: { id: string; internalPort: number; binding: string };
}

function nodePortEntries(ctx: Ctx): Entry[] | string {
  const { snapshot, question, client, svc } = ctx;
  if (question.address) {
    const priv = snapshot.nodeByAddress(question.address.ip);
    if (priv?.internalIPs.includes(question.address.ip))
      return [
        {
          node: priv,
          address: question.address.ip,
          public: false,
          label: `node/${priv.meta.name} ${question.address.ip}`,
        },
      ];
    const pub = nodeByPublicAddress(snapshot, question.address.ip);
    if (pub)
      return [
        {
          node: pub,
          address: question.address.ip,
          public: true,
          label: `node/${pub.meta.name} public ${question.address.ip}`,
        },
      ];
    const dnat = dnatFor(
      snapshot.data.cloud,
      question.address.ip,
      question.address.port,
      ctx.protocol === 'UDP' ? 'udp' : 'tcp',
    );
    const inner = dnat ? snapshot.nodeByAddress(dnat.rule.internalAddress) : undefined;
    if (dnat && inner)
      return [
        {
          node: inner,
          address: question.address.ip,
          public: true,
          label: `nat/${dnat.nat.id} ${question.address.ip}:${question.address.port} -> node/${inner.meta.name}`,
          nat: {
            id: dnat.nat.id,
            internalPort: dnat.rule.internalPort,
            binding: dnatEipBinding(snapshot.data.cloud, dnat).state,
          },
        },
      ];
    return `${question.address.ip} is not an address of any node in the snapshot`;
  }
  const wantPublic = client.kind === 'internet';
  const backends = new Set(backendNodes(snapshot, svc));
  const picked: Node[] = [];
  const add = (n: Node | undefined) => {
    if (n && !picked.includes(n)) picked.push(n);
  };
  const nodes = [...snapshot.nodes].sort((a, b) => a.meta.name.localeCompare(b.meta.name));
  add(nodes.find((n) => backends.has(n.meta.name)));
  add(client.node);
  add(nodes.find((n) => !backends.has(n.meta.name) && n !== client.node));
  const out: Entry[] = [];
  for (const n of picked.slice(0, MAX_FANOUT)) {
    const address = wantPublic ? nodePublicAddress(snapshot, n) : n.internalIPs[0];
    if (!address) continue;
    const role = backends.has(n.meta.name)
      ? 'runs a backend'
      : n === client.node
        ? "the client's node"
        : 'no backend';
    out.push({ node: n, address, public: wantPublic, label: `node/${n.meta.name} (${role})` });
  }
  if (out.length === 0)
    return wantPublic
      ? 'no node has a public address (EIP) in the snapshot or inventory'
      : 'no node address is known';
  return out;
}

function nodePortPath(ctx: Ctx, start: Hop[]): Trace[] {
  const { port } = ctx;
  if (!port.nodePort)
    return [
      failed(start, {
        at: 'client',
        action: 'reject',
        rule: 'spec.ports[].nodePort',
        detail: `the Service (type ${ctx.svc.type}) has no nodePort`,
        ids: ['service-port-mismatch'],
        outcome: 'rejected',
        reason: 'no node port',
      }),
    ];
  const entries = nodePortEntries(ctx);
  if (typeof entries === 'string') return [unknown(start, entries)];
  const out: Trace[] = [];
  for (const e of entries) out.push(...nodePortVia(ctx, start, e));
  return out;
}

/** The source the packet carries when it arrives at `entry` from the client. */
function sourceAt(
  ctx: Ctx,
  entryNode: Node,
  toPublic: boolean,
): { src: string; why: string } | { unknown: string } {
  const { client, snapshot, facts } = ctx;
  if (client.kind === 'internet' || client.kind === 'vpc') return { src: client.ip, why: client.label };
  const own = client.node as Node;
  if (toPublic) {
    const pub = nodePublicAddress(snapshot, own);
    const src = pub ?? PUBLIC_EGRESS_PLACEHOLDER;
    return {
      src,
      why: `leaves through the cloud NAT: source becomes node/${own.meta.name}'s public address ${pub ?? '(not in the inventory)'}`,
    };
  }
  if (client.kind === 'host')
    return { src: client.ip, why: `sent from node/${own.meta.name} (${client.ip})` };
  if (entryNode === own) return { src: client.ip, why: `pod address ${client.ip} (its own node)` };
  const r = podEgressSource(snapshot, facts, client.ip, own, false);
  if (r.kind === 'unknown') return { unknown: r.why };
  return { src: r.address, why: r.why };
}

function nodePortVia(ctx: Ctx, start: Hop[], e: Entry): Trace[] {
  const { snapshot, client } = ctx;
  // The port the client really used: kube-proxy on the node decides whether it is a node port.
  const nodePort = e.nat?.internalPort ?? ctx.question.address?.port ?? (ctx.port.nodePort as number);
  const hops: Hop[] = [...start];
  const s = sourceAt(ctx, e.node, e.public);
  if ('unknown' in s) return [unknown(hops, s.unknown, e.label)];
  hops.push({
    at: 'client',
    action: 'forward',
    to: `${e.address}:${nodePort}`,
    steps: [{ rule: 'source', detail: s.why }],
  });
  const inv = snapshot.data.cloud;
  if (e.nat) {
    if (e.nat.binding !== 'bound') {
      const ids = ['nat-rule-missing-eip'];
      return [
        failed(hops, {
          at: `nat/${e.nat.id}`,
          action: 'drop',
          rule: 'DNAT rule',
          detail: `the EIP ${e.address} of the DNAT rule is ${e.nat.binding}`,
          ids,
          outcome: 'dropped',
          reason: 'DNAT rule without its EIP',
          label: e.label,
        }),
      ];
    }
    hops.push({
      at: `nat/${e.nat.id}`,
      action: 'dnat',
      to: `node/${e.node.meta.name}:${nodePort}`,
      steps: [
        {
          rule: 'DNAT rule',
          detail: `${e.address}:${ctx.question.address?.port} -> ${e.node.internalIPs[0] ?? '?'}:${nodePort}`,
        },
      ],
    });
  } else if (e.public) {
    const eip = eipByAddress(inv, e.address);
    if (eip && hasNoBandwidth(eip)) {
      const ids = ['eip-no-bandwidth'];
      return [
        failed(hops, {
          at: `eip/${e.address}`,
          action: 'drop',
          rule: 'bandwidth',
          detail: `EIP ${e.address} has no bandwidth`,
          ids,
          outcome: 'dropped',
          reason: 'EIP without bandwidth',
          label: e.label,
        }),
      ];
    }
    hops.push({
      at: `eip/${e.address}`,
      action: 'dnat',
      to: `node/${e.node.meta.name}:${nodePort}`,
      steps: [{ rule: 'EIP 1:1 NAT', detail: `${e.address} -> ${e.node.internalIPs[0] ?? '?'}` }],
    });
  }
  const fromOutside = e.public || client.node !== e.node;
  if (fromOutside) {
    const d = evaluateSecurityGroups(inv, {
      target: `node/${e.node.meta.name}`,
      direction: 'inbound',
      protocol: sgProtocol(ctx.port),
      port: nodePort,
      peer: {
        address: s.src,
        ...(client.node && !e.public ? { target: `node/${client.node.meta.name}` } : {}),
        ...(client.kind === 'internet' ? { internet: true } : {}),
      },
    });
    if (d.verdict === 'deny') {
      const ids = ['node-sg-blocks-nodeport'];
      return [
        failed(hops, {
          at: d.group ? `sg/${d.group}` : `node/${e.node.meta.name}`,
          action: 'drop',
          rule: 'security group',
          detail: d.reason,
          ids,
          outcome: 'dropped',
          reason: d.reason,
          label: e.label,
        }),
      ];
    }
    hops.push({
      at: d.group ? `sg/${d.group}` : `sg/node/${e.node.meta.name}`,
      action: d.verdict === 'allow' ? 'accept' : 'unknown',
      steps: [{ rule: 'security group', detail: d.reason }],
    });
    if (isNodeLocal(e.node, s.src)) {
      const ids = mechanismIds(ctx, 'local-source', false);
      return [
        failed(hops, {
          at: `node/${e.node.meta.name}`,
          action: 'drop',
          rule: 'kernel: source address is local',
          detail: `source ${s.src} is an address of node/${e.node.meta.name} itself: dropped on arrival`,
          ids,
          outcome: 'dropped',
          reason: 'local source address',
          label: e.label,
        }),
      ];
    }
  }
  const privateIP =
    e.node.internalIPs.find((a) => familyOfText(a) === familyOfText(s.src)) ?? e.node.internalIPs[0];
  if (!privateIP) return [unknown(hops, `node/${e.node.meta.name} has no InternalIP`, e.label)];
  const hook = client.kind === 'host' && client.node === e.node && !e.public ? 'output' : 'prerouting';
  return throughKubeProxy(
    ctx,
    hops,
    e.node,
    { src: s.src, dst: privateIP, dport: nodePort, hook },
    { label: e.label },
  );
}

// ------------------------------------------------------------------ LoadBalancer

function loadBalancerPath(ctx: Ctx, start: Hop[]): Trace[] {
  const { svc, question, client } = ctx;
  if (svc.type !== 'LoadBalancer' && !question.address)
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'spec.type',
        detail: `the Service is of type ${svc.type}: it has no load balancer`,
        ids: ['service-port-mismatch'],
        outcome: 'unhandled',
        reason: 'not a LoadBalancer Service',
      }),
    ];
  const ips = svc.loadBalancerIngress.map((i) => i.ip).filter((x): x is string => !!x);
  // A DNS name in the status (every AWS ELB/NLB) is a provisioned LB as much as an IP is.
  const names = svc.loadBalancerIngress.filter((i) => !i.ip && i.hostname).map((i) => i.hostname as string);
  const addrs = question.address ? [question.address.ip] : ips.length > 0 ? ips : names;
  if (addrs.length === 0) {
    const ids = ['lb-not-provisioned'];
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'status.loadBalancer',
        detail: 'the Service has no load balancer address yet',
        ids,
        outcome: 'dropped',
        reason: 'no load balancer address',
      }),
    ];
  }
  // A private LB address is not reachable from the internet; pick what the client can use.
  const usable =
    client.kind === 'internet' ? addrs.filter((a) => lbAddressIsPublic(ctx.snapshot, ctx.svc, a)) : addrs;
  const chosen = question.address ? addrs : usable.length > 0 ? usable : addrs;
  const out: Trace[] = [];
  for (const ip of chosen.slice(0, 2)) {
    const label = chosen.length > 1 ? `LB address ${ip}` : undefined;
    out.push(...lbAddressPath(ctx, start, ip, label));
  }
  return out;
}

function lbAddressPath(ctx: Ctx, start: Hop[], ip: string, label: string | undefined): Trace[] {
  const { client, snapshot, facts, svc } = ctx;
  const named = !parseIP(ip);
  const hops: Hop[] = [
    ...start,
    {
      at: 'client',
      action: 'forward',
      to: `${ip}:${ctx.port.port}`,
      steps: [
        {
          rule: named ? 'status.loadBalancer.ingress[].hostname' : 'status.loadBalancer.ingress',
          detail: named
            ? `resolves ${ip} (the cloud's DNS name for the LB) and connects to it on ${ctx.port.port}/${ctx.protocol}`
            : `connects to ${ip}:${ctx.port.port}/${ctx.protocol}`,
        },
      ],
    },
  ];
  if (client.kind === 'internet' && !lbAddressIsPublic(snapshot, svc, ip)) {
    // service-port-mismatch names an internal LB asked for directly (its exposure case).
    const ids = ctx.via === 'loadbalancer' ? ['service-port-mismatch'] : [];
    return [
      failed(hops, {
        at: 'client',
        action: 'drop',
        rule: 'private address',
        detail: named
          ? `${ip} names an internal load balancer: its addresses are private, not routable from the internet`
          : `${ip} is a private address: not routable from the internet`,
        ids,
        outcome: 'unhandled',
        reason: 'private LB address',
        label,
      }),
    ];
  }
  if (client.kind === 'host' || client.kind === 'pod') {
    const cap = lbCapture(snapshot, facts, svc, ip);
    const own = client.node as Node;
    if (cap.captured) {
      const r = proxyOnNode(snapshot, own.meta.name, {
        src: client.ip,
        dst: ip,
        dport: ctx.port.port,
        protocol: ctx.protocol,
        hook: client.kind === 'host' ? 'output' : 'prerouting',
      });
      if (r.verdict !== 'unhandled') {
        hops.push({
          at: `node/${own.meta.name}`,
          action: 'forward',
          steps: [
            {
              rule: 'LB address on the node',
              detail: `${cap.why}: in-cluster traffic to ${ip} is handled on the client's node, it never reaches the LB`,
            },
          ],
        });
        return proxyOutcome(ctx, hops, own, { src: client.ip, dst: ip }, r, { ...(label ? { label } : {}) });
      }
    }
    hops.push({
      at: `node/${own.meta.name}`,
      action: 'forward',
      to: `lb ${ip}`,
      steps: [
        {
          rule: cap.captured ? 'no kube-proxy rule' : cap.rule,
          detail: cap.captured
            ? `kube-proxy does not answer for ${ip}: the packet leaves for the LB`
            : cap.why,
        },
      ],
    });
    let src: string;
    if (lbAddressIsPublic(snapshot, svc, ip)) {
      const pub = nodePublicAddress(snapshot, own);
      src = pub ?? PUBLIC_EGRESS_PLACEHOLDER;
      hops.push({
        at: `node/${own.meta.name}`,
        action: 'snat',
        steps: [
          {
            rule: 'public egress',
            detail: `to a public LB address the source becomes the cluster's public egress address ${pub ?? '(not in the inventory)'}, never a local address (seed 003: public CLB has no loopback)`,
          },
        ],
      });
    } else if (client.kind === 'host') src = client.ip;
    else {
      const r = podEgressSource(snapshot, facts, client.ip, own, false);
      if (r.kind === 'unknown') return [unknown(hops, r.why, label)];
      if (r.kind === 'snat')
        hops.push({
          at: `node/${own.meta.name}`,
          action: 'snat',
          steps: [{ rule: `${facts.model} network`, detail: r.why }],
        });
      src = r.address;
    }
    return cloudLbStage(cap.captured ? ctx : { ...ctx, lbLeft: cap.cause }, hops, ip, src, label);
  }
  return cloudLbStage(ctx, hops, ip, client.ip, label);
}

interface LbTarget {
  backend: LbBackend;
  node?: Node;
  healthy: boolean;
  why: string;
}

function cloudLbStage(
  ctx: Ctx,
  hops: Hop[],
  ip: string,
  src: string,
  label: string | undefined,
  l7?: { lb: LoadBalancer; backendSvc: Service },
): Trace[] {
  const { snapshot, svc } = ctx;
  const inv = snapshot.data.cloud;
  const lb = l7?.lb ?? loadBalancerByAddress(inv, ip) ?? loadBalancersForService(inv, svc)[0];
  const behaviour = providerBehaviourFor(snapshot, svc);
  const listenerPort = l7 ? listenerPortOf(ctx.question) : ctx.port.port;
  let backends: LbBackend[];
  let healthEnabled = behaviour.healthCheck.enabled ?? true;
  const lbName = lb ? `lb/${lb.id}` : `lb ${ip}`;
  const backendSvc0 = l7?.backendSvc ?? svc;
  const expected = (): LbBackend[] | undefined => {
    const b = l7 ? behaviourFor(snapshot, backendSvc0) : behaviour;
    const exp = expectedBackends(
      snapshot,
      backendSvc0,
      l7 ? (backendSvc0.ports[0] ?? ctx.port) : ctx.port,
      b,
    );
    if (exp.targets === 'unknown') return undefined;
    return exp.members.map((m) => ({
      target: m.target,
      ...(m.address ? { address: m.address } : {}),
      port: m.port ?? 0,
    }));
  };
  if (lb) {
    // The LB's own security group (where the cloud has one) must admit the client on the listener port.
    const lbSg = evaluateSecurityGroups(inv, {
      target: `lb/${lb.id}`,
      direction: 'inbound',
      protocol: ctx.protocol === 'UDP' ? 'udp' : 'tcp',
      port: listenerPort,
      peer: ctx.client.kind === 'internet' ? { internet: true, label: 'the internet' } : { address: src },
    });
    if (lbSg.verdict === 'deny') {
      const ids = [l7 ? 'ingress-lb-sg-blocks' : 'lb-sg-blocks-backend'];
      return [
        failed(hops, {
          at: lbSg.group ? `sg/${lbSg.group}` : lbName,
          action: 'drop',
          rule: 'security group',
          detail: lbSg.reason,
          ids,
          outcome: 'dropped',
          reason: lbSg.reason,
          label,
        }),
      ];
    }
    const listener = listenerFor(lb, listenerPort, ctx.protocol === 'UDP' ? 'UDP' : 'TCP');
    if (!listener) {
      const ids = ['lb-backend-mismatch'];
      return [
        failed(hops, {
          at: lbName,
          action: 'drop',
          rule: 'listeners',
          detail: `${lbName} has no listener on ${listenerPort}/${ctx.protocol}`,
          ids,
          outcome: 'dropped',
          reason: 'no listener',
          label,
        }),
      ];
    }
    if (listener.protocol === 'HTTPS' || listener.protocol === 'TLS') {
      const at = ctx.question.at ?? snapshot.data.takenAt;
      const cert = at ? certificateState(listener.certificate, new Date(at)) : undefined;
      if (cert && (cert.state === 'expired' || cert.state === 'not-yet-valid')) {
        const ids = ['lb-certificate-expired'];
        return [
          failed(hops, {
            at: lbName,
            action: 'drop',
            rule: 'certificate',
            detail: `the listener certificate is ${cert.state} at ${at}: TLS handshakes fail`,
            ids,
            outcome: 'dropped',
            reason: `certificate ${cert.state}`,
            label,
          }),
        ];
      }
    }
    if (listener.healthCheck) healthEnabled = listener.healthCheck.enabled;
    if (listener.backends === undefined && listener.rules === undefined) {
      // The inventory did not list the group: it holds what the provider's controller registers.
      const exp = expected();
      if (!exp)
        return [
          unknown(
            [...hops, { at: lbName, action: 'unknown' }],
            `${lbName} lists no backends and the provider's backend rule is unknown`,
            label,
          ),
        ];
      backends = exp;
    } else {
      backends = listenerBackends(listener);
      if (backends.length === 0) {
        const ids = ['lb-backend-mismatch'];
        return [
          failed(hops, {
            at: lbName,
            action: 'drop',
            rule: 'backend group',
            detail: `${lbName} ${listenerPort}/${listener.protocol} has an empty backend group`,
            ids,
            outcome: 'dropped',
            reason: 'empty backend group',
            label,
          }),
        ];
      }
    }
  } else {
    const exp = expectedBackends(snapshot, svc, ctx.port, behaviour);
    if (exp.targets === 'unknown')
      return [
        unknown(
          hops,
          `the load balancer at ${ip} is not in the cloud inventory and the provider's backend rule is not known: where it forwards is not known`,
          label,
        ),
      ];
    if (!inv)
      // The LB itself is not described: its listener, security group and health are not
      // checked, but the provider's rule (from the nodes' providerID) says where it forwards.
      hops.push({
        at: lbName,
        action: 'unknown',
        steps: [
          {
            rule: `${behaviour.provider} load balancer`,
            detail: `${lbName} is not in a cloud inventory: listener, security group and health checks not checked; ${behaviour.provider} forwards to ${exp.targets === 'pods' ? 'the pod addresses (target type ip)' : 'the node ports'}`,
          },
        ],
      });
    backends = exp.members.map((m) => ({
      target: m.target,
      ...(m.address ? { address: m.address } : {}),
      port: m.port ?? 0,
    }));
  }
  const backendSvc = l7?.backendSvc ?? svc;
  const localNodes = new Set(backendNodes(snapshot, backendSvc));
  const targets: LbTarget[] = backends.map((b) => {
    const node = b.target.startsWith('node/')
      ? snapshot.node(b.target.slice(5))
      : b.address
        ? snapshot.nodeByAddress(b.address)
        : undefined;
    if (b.health === 'unhealthy')
      return { backend: b, ...(node ? { node } : {}), healthy: false, why: 'marked unhealthy' };
    if (
      node &&
      backendSvc.externalTrafficPolicy === 'Local' &&
      healthEnabled &&
      !localNodes.has(node.meta.name)
    )
      return {
        backend: b,
        node,
        healthy: false,
        why: `eTP Local: node/${node.meta.name} has no local endpoint, its health check answers 503`,
      };
    return {
      backend: b,
      ...(node ? { node } : {}),
      healthy: true,
      why: b.health === 'healthy' ? 'healthy' : 'health not reported',
    };
  });
  const healthy = targets.filter((t) => t.healthy);
  const lbSteps = [
    {
      rule: 'listener',
      detail: `${lbName} ${listenerPort}/${ctx.protocol}: ${targets.length} backend(s), ${healthy.length} in service`,
    },
    ...targets
      .filter((t) => !t.healthy)
      .slice(0, 3)
      .map((t) => ({ rule: 'health check', detail: `${t.backend.target}: ${t.why}` })),
  ];
  // Seed 003: a CLB probing from its VIP, which IPVS binds to kube-ipvs0 on every node, sends
  // probes the nodes drop as local-source; the CLB then forwards to all (all-dead-all-alive).
  const hcSource =
    lb?.listeners.find((l) => l.port === listenerPort)?.healthCheck?.sourceIP ?? lb?.healthCheckSourceIP;
  if (
    lb &&
    !l7 &&
    healthCheckFromVipDropped(ctx.facts, lbCapture(snapshot, ctx.facts, svc, ip), hcSource, ip)
  )
    lbSteps.push({
      rule: 'health check source',
      detail: `health checks come from the VIP ${ip}, which IPVS binds to kube-ipvs0 on every node: every probe is dropped as local-source, so the health check tells nothing`,
    });
  if (healthy.length === 0) {
    const ids = ['lb-health-check-failing'];
    return [
      trace(
        [...hops, { at: lbName, action: 'drop', steps: lbSteps, findingIds: ids }],
        'dropped',
        'no healthy backend',
        ids,
        label,
      ),
    ];
  }
  const snat = lb?.snat === true;
  const srcAtBackend = snat ? (lb?.addresses.find((a) => !isPublicIP(a)) ?? ip) : src;
  const keeps = !snat && behaviour.preservesClientIP !== false;
  lbSteps.push({
    rule: snat ? 'SNAT' : 'client address kept',
    detail: snat ? `the LB SNATs to ${srcAtBackend}` : `the backend sees ${src}`,
  });
  // TKE's CLB never picks a real server whose address is the request's source (seed 003 FAQ):
  // a node calling the CLB is sent to another node. A pod's address is not a real server's, so
  // pods still loop.
  let candidates = healthy;
  if (keeps && snapshot.data.cloud?.provider === 'tke') {
    const others = healthy.filter((t) => (t.backend.address ?? t.node?.internalIPs[0]) !== src);
    if (others.length > 0 && others.length < healthy.length) {
      candidates = others;
      lbSteps.push({
        rule: 'CLB source check',
        detail: `the CLB does not forward to the real server ${src}, the request's own source`,
      });
    }
  }
  const hopsLb: Hop[] = [...hops, { at: lbName, action: 'forward', steps: lbSteps }];

  // One representative per class: (is the client's node, has a local endpoint, target kind).
  const clientNode = ctx.client.node?.meta.name;
  const classes = new Map<string, { t: LbTarget; count: number }>();
  for (const t of candidates) {
    const n = t.node?.meta.name;
    const key = `${t.backend.target.split('/')[0]}|${n === clientNode}|${n ? localNodes.has(n) : '?'}`;
    const c = classes.get(key);
    if (c) c.count++;
    else classes.set(key, { t, count: 1 });
  }
  const out: Trace[] = [];
  for (const { t, count } of [...classes.values()].slice(0, MAX_FANOUT)) {
    const tlabel = `${label ? `${label}: ` : ''}${lbName} -> ${t.backend.target}${count > 1 ? ` (and ${count - 1} more like it)` : ''}`;
    // GCP/Azure pass-through LBs deliver with the LB address still the destination, at the
    // Service port: kube-proxy's rule for the LB IP answers on the node.
    const passThrough = !l7 && behaviour.backendPort === 'servicePort' && t.backend.port === ctx.port.port;
    if (passThrough && !parseIP(ip)) {
      // kube-proxy programs LB rules for status IPs only; with a name there is none to answer.
      out.push(
        unknown(
          [...hopsLb, { at: lbName, action: 'forward', to: `${t.backend.target}:${t.backend.port}` }],
          `${lbName} keeps its own address as the destination, but the Service status names it (${ip}) without an IP: whether kube-proxy on the node has a rule for that address is not known`,
          tlabel,
        ),
      );
      continue;
    }
    const vip = passThrough ? ip : undefined;
    out.push(...lbToTarget(ctx, hopsLb, t, srcAtBackend, keeps, lbName, tlabel, l7?.backendSvc, vip));
  }
  return out;
}

function lbToTarget(
  ctx: Ctx,
  hops: Hop[],
  t: LbTarget,
  src: string,
  keeps: boolean,
  lbName: string,
  label: string,
  backendSvc?: Service,
  vip?: string,
): Trace[] {
  const { snapshot } = ctx;
  const inv = snapshot.data.cloud;
  const b = t.backend;
  const h: Hop[] = [...hops, { at: lbName, action: 'forward', to: `${b.target}:${b.port}` }];
  if (b.target.startsWith('pod/')) {
    // ENI / pod-direct: the LB delivers to the pod's own address, kube-proxy is not involved.
    const [, ns, name] = b.target.split('/');
    const pod = snapshot.pod(ns ?? '', name ?? '');
    if (!pod?.nodeName) return [unknown(h, `${b.target} is not in the snapshot`, label)];
    const d = deliverToEndpoint(
      {
        snapshot,
        facts: ctx.facts,
        client: ctx.client,
        dnatNode: pod.nodeName,
        entryDst: b.address ?? pod.podIP ?? '',
        src,
        masquerade: false,
        viaLb: lbName,
        endpoint: { ip: b.address ?? pod.podIP ?? '', port: b.port, node: pod.nodeName, pod },
        protocol: ctx.protocol,
      },
      (m) => mechanismIds(ctx, m, true),
    );
    return [finish([...h, ...d.hops], d, label)];
  }
  const node = t.node;
  if (!node) return [unknown(h, `backend ${b.target} is not a node of the snapshot`, label)];
  // As the cloud checks do: with the client address kept, either the client's or the LB's
  // address may be what the rule must admit.
  const lbObj = lbName.startsWith('lb/')
    ? snapshot.data.cloud?.loadBalancers?.find((x) => `lb/${x.id}` === lbName)
    : undefined;
  const clientPeer =
    ctx.client.kind === 'internet'
      ? { internet: true, label: 'the internet' }
      : { address: src, ...(ctx.client.node ? { target: `node/${ctx.client.node.meta.name}` } : {}) };
  const peers = keeps
    ? [clientPeer, ...(lbObj ? [lbPeer(lbObj)] : [])]
    : lbObj
      ? [lbPeer(lbObj)]
      : [{ address: src, target: lbName }];
  const sg = evaluateAnyPeer(
    inv,
    { target: `node/${node.meta.name}`, direction: 'inbound', protocol: sgProtocol(ctx.port), port: b.port },
    peers,
  );
  // TKE bill-by-CVM: a public CLB's traffic uses the backend node's public bandwidth (seed 003).
  if (inv?.provider === 'tke' && lbObj?.scheme === 'public') {
    const eip = eipsBoundTo(inv, `node/${node.meta.name}`)[0];
    if (eip?.bandwidthMbps === 0) {
      const ids = ['node-no-public-bandwidth'];
      return [
        failed(h, {
          at: `node/${node.meta.name}`,
          action: 'drop',
          rule: 'public bandwidth',
          detail: `node/${node.meta.name} has 0 Mbit/s public bandwidth: the public CLB's traffic to it is not carried`,
          ids,
          outcome: 'dropped',
          reason: 'node without public bandwidth',
          label,
        }),
      ];
    }
  }
  if (sg.verdict === 'deny') {
    const ids = ['lb-sg-blocks-backend'];
    return [
      failed(h, {
        at: sg.group ? `sg/${sg.group}` : `node/${node.meta.name}`,
        action: 'drop',
        rule: 'security group',
        detail: sg.reason,
        ids,
        outcome: 'dropped',
        reason: sg.reason,
        label,
      }),
    ];
  }
  h.push({
    at: sg.group ? `sg/${sg.group}` : `sg/node/${node.meta.name}`,
    action: sg.verdict === 'allow' ? 'accept' : 'unknown',
    steps: [{ rule: 'security group', detail: sg.reason }],
  });
  if (isNodeLocal(node, src)) {
    const ids = mechanismIds(ctx, 'local-source', true);
    return [
      failed(h, {
        at: `node/${node.meta.name}`,
        action: 'drop',
        rule: 'kernel: source address is local',
        detail: `the LB kept the client address ${src}, which is node/${node.meta.name}'s own: Linux drops the packet (loopback)`,
        ids,
        outcome: 'dropped',
        reason: 'loopback: the LB sent the client its own request',
        label,
      }),
    ];
  }
  if (keeps && ctx.client.kind === 'pod' && ctx.client.node === node && src === ctx.client.ip) {
    // The LB sent the client's own request to the client's node: whatever kube-proxy does
    // there, the answer goes to the pod directly from the node, never back through the LB.
    const ids = mechanismIds(ctx, 'reply-bypass', true);
    return [
      failed(h, {
        at: `node/${node.meta.name}`,
        action: 'drop',
        rule: 'reply routing',
        detail: `the LB kept the client address ${src}, a pod on node/${node.meta.name}: the reply goes to it inside the node, not back through ${lbName}, and the client drops it (loopback)`,
        ids,
        outcome: 'dropped',
        reason: 'loopback: the LB sent the client its own request',
        label,
      }),
    ];
  }
  const dst = vip ?? node.internalIPs[0];
  if (!dst) return [unknown(h, `node/${node.meta.name} has no InternalIP`, label)];
  const sub: Ctx = backendSvc
    ? { ...ctx, svc: backendSvc, port: portOfNodePort(backendSvc, b.port) ?? ctx.port }
    : ctx;
  return throughKubeProxy(
    sub,
    h,
    node,
    { src, dst, dport: b.port, hook: 'prerouting' },
    { viaLb: lbName, label },
  );
}

/** The port an Ingress client used: the address's, a numeric --port, else 80. */
function listenerPortOf(q: Question): number {
  return q.address?.port ?? (typeof q.port === 'number' ? q.port : 80);
}

function portOfNodePort(svc: Service, nodePort: number): ServicePort | undefined {
  return svc.ports.find((p) => p.nodePort === nodePort);
}

// ------------------------------------------------------------------ Ingress

function ingressPath(ctx: Ctx, start: Hop[]): Trace[] {
  const { snapshot, svc, client } = ctx;
  const ings = ingressesRoutingTo(snapshot, svc);
  if (ings.length === 0) {
    const ids = ['ingress-no-matching-rule'];
    return [
      failed(start, {
        at: 'client',
        action: 'drop',
        rule: 'Ingress',
        detail: `no Ingress routes to Service ${svc.meta.namespace}/${svc.meta.name}`,
        ids,
        outcome: 'unhandled',
        reason: 'no Ingress for the Service',
      }),
    ];
  }
  const ing = ings[0] as (typeof ings)[number];
  // As for Services, an LB that publishes a DNS name (AWS ALB, or the controller's NLB) counts.
  const ip =
    ctx.question.address?.ip ??
    ing.loadBalancerIngress.find((i) => i.ip)?.ip ??
    ing.loadBalancerIngress.find((i) => i.hostname)?.hostname;
  const ingName = `ingress/${ing.meta.namespace}/${ing.meta.name}`;
  if (!ip) return [unknown(start, `${ingName} has no address in its status`)];
  const hops: Hop[] = [
    ...start,
    {
      at: 'client',
      action: 'forward',
      to: `${ip}:${listenerPortOf(ctx.question)}`,
      steps: [
        {
          rule: ingName,
          detail: `${listenerPortOf(ctx.question) === 443 ? 'HTTPS' : 'HTTP'} to ${ip}${ctx.question.host ? ` (Host: ${ctx.question.host})` : ''}`,
        },
      ],
    },
  ];
  const inv = snapshot.data.cloud;
  const cloudLb = loadBalancersForIngress(inv, ing).find((lb) =>
    lb.listeners.some((l) => l.protocol === 'HTTP' || l.protocol === 'HTTPS'),
  );
  if (cloudLb) {
    // A cloud L7 LB (TKE CLB Ingress, ALB...) forwards to the backend Service's node ports.
    let src = client.ip;
    if (client.kind === 'pod' || client.kind === 'host') {
      const own = client.node as Node;
      if (lbAddressIsPublic(snapshot, svc, ip))
        src = nodePublicAddress(snapshot, own) ?? PUBLIC_EGRESS_PLACEHOLDER;
      else if (client.kind === 'pod') {
        const r = podEgressSource(snapshot, ctx.facts, client.ip, own, false);
        if (r.kind === 'unknown') return [unknown(hops, r.why)];
        src = r.address;
      }
    }
    return cloudLbStage(ctx, hops, ip, src, undefined, { lb: cloudLb, backendSvc: svc });
  }
  // An in-cluster controller (nginx-ingress...) behind its own LoadBalancer Service.
  const ctrlSvc =
    (proxyIndex(snapshot).byIp.get(ip) ?? []).find(
      (e) => e.kind === 'loadBalancer' || e.kind === 'externalIP',
    )?.svc ?? serviceByLbHostname(snapshot, ip);
  if (!ctrlSvc)
    return [
      unknown(hops, `no Service in the snapshot owns the Ingress address ${ip} (the controller's Service)`),
    ];
  const ctrlPort = ctrlSvc.ports.find((p) => p.port === 80) ?? ctrlSvc.ports[0];
  if (!ctrlPort) return [unknown(hops, `controller Service ${ctrlSvc.meta.name} has no port`)];
  const sub: Ctx = { ...ctx, svc: ctrlSvc, port: ctrlPort, protocol: ctrlPort.protocol };
  const toController = lbAddressPath(
    sub,
    start,
    ip,
    `via controller Service ${ctrlSvc.meta.namespace}/${ctrlSvc.meta.name}`,
  );
  const resolved = resolveIngressBackend(snapshot, ing.meta.namespace, {
    service: { name: svc.meta.name, port: { number: ctx.port.port } },
  });
  const out: Trace[] = [];
  for (const t of toController) {
    if (t.outcome !== 'delivered') {
      out.push(t);
      continue;
    }
    const last = t.hops.at(-1);
    const podName = last?.at.startsWith('pod/') ? last.at.split('/') : undefined;
    const ctrlPod = podName ? snapshot.pod(podName[1] ?? '', podName[2] ?? '') : undefined;
    if (!ctrlPod?.podIP || !ctrlPod.nodeName) {
      out.push(unknown(t.hops, 'the ingress controller pod is not in the snapshot', t.label));
      continue;
    }
    const ctrlNode = snapshot.node(ctrlPod.nodeName);
    if (!ctrlNode) {
      out.push(unknown(t.hops, `node of the controller pod is not known`, t.label));
      continue;
    }
    const inner: Ctx = {
      ...ctx,
      client: {
        label: `pod/${ctrlPod.meta.namespace}/${ctrlPod.meta.name}`,
        kind: ctrlPod.hostNetwork ? 'host' : 'pod',
        node: ctrlNode,
        pod: ctrlPod,
        ip: ctrlPod.podIP,
      },
    };
    const routeHop: Hop = {
      at: `pod/${ctrlPod.meta.namespace}/${ctrlPod.meta.name}`,
      action: 'forward',
      to: `svc/${svc.meta.namespace}/${svc.meta.name}:${ctx.port.port}`,
      steps: [
        {
          rule: ingName,
          detail:
            resolved.state === 'ok'
              ? 'the controller proxies to the backend Service'
              : `backend: ${resolved.state}`,
        },
      ],
    };
    const prefix = [...t.hops, routeHop];
    const ctrlAt = `pod/${ctrlPod.meta.namespace}/${ctrlPod.meta.name}`;
    for (const it of clusterIPPath(inner, prefix, undefined)) {
      // Hops the inner path adds at "client" are the controller's, not the outer client's.
      const hops = it.hops.map((h, i) =>
        i >= prefix.length && h.at === 'client' ? { ...h, at: ctrlAt } : h,
      );
      out.push({ ...it, hops, ...(t.label ? { label: t.label } : {}) });
    }
  }
  return out;
}

const lbHostnames = new WeakMap<Snapshot, Map<string, Service>>();

/** The LoadBalancer Service whose status publishes this DNS name (indexed once per snapshot). */
function serviceByLbHostname(snapshot: Snapshot, name: string): Service | undefined {
  let index = lbHostnames.get(snapshot);
  if (!index) {
    index = new Map();
    for (const svc of snapshot.services)
      for (const i of svc.loadBalancerIngress) if (i.hostname && !i.ip) index.set(i.hostname, svc);
    lbHostnames.set(snapshot, index);
  }
  return index.get(name);
}

// ------------------------------------------------------------------ kube-proxy and after

interface ProxyOpts {
  viaLb?: string;
  label?: string;
}

function throughKubeProxy(
  ctx: Ctx,
  hops: Hop[],
  node: Node,
  pkt: { src: string; dst: string; dport: number; hook: 'prerouting' | 'output' },
  o: ProxyOpts,
): Trace[] {
  const { snapshot } = ctx;
  const presence = kubeProxyOn(snapshot, node.meta.name);
  if (presence.status === 'absent') {
    const ids = ['kube-proxy-not-running'];
    return [
      failed(hops, {
        at: `node/${node.meta.name}`,
        action: 'drop',
        rule: 'kube-proxy',
        detail: `${presence.evidence}: no Service rules on this node`,
        ids,
        outcome: 'dropped',
        reason: 'kube-proxy absent',
        label: o.label,
      }),
    ];
  }
  const r = proxyOnNode(snapshot, node.meta.name, { ...pkt, protocol: ctx.protocol });
  const h = [...hops];
  if (presence.status === 'not-running')
    h.push({
      at: `node/${node.meta.name}`,
      action: 'unknown',
      steps: [
        {
          rule: 'kube-proxy',
          detail: `kube-proxy pod ${presence.pod} is ${presence.phase}${presence.reason ? ` (${presence.reason})` : ''}: its rules may be stale or missing`,
        },
      ],
      findingIds: ['kube-proxy-not-running'],
    });
  return proxyOutcome(ctx, h, node, pkt, r, o);
}

/** A kube-proxy answer, and the dump file it was read from when it is the node's real rules. */
type NodeProxyResult = ProxyResult & { dump?: string; simulated?: ProxyResult };

/**
 * kube-proxy on a node: its real rules when the bundle holds the node's iptables/IPVS dump (a
 * stale or missing rule then shows on the path), else the simulator's rules from the snapshot.
 */
function proxyOnNode(
  snapshot: Snapshot,
  node: string,
  pkt: Parameters<typeof proxyPacket>[2],
): NodeProxyResult {
  let d: ReturnType<typeof traceOnNodeDump>;
  let unreadable: string | undefined;
  try {
    d = traceOnNodeDump(snapshot, node, pkt);
  } catch (e) {
    if (!isNodeDumpParseError(e)) throw e;
    unreadable = e.message;
  }
  const sim = proxyPacket(snapshot, node, pkt);
  if (!d)
    return unreadable
      ? {
          ...sim,
          steps: [
            { rule: 'node dump unreadable', detail: `${unreadable}: the rules are simulated instead` },
            ...sim.steps,
          ],
        }
      : sim;
  return {
    verdict: d.verdict,
    endpoints: d.endpoints,
    // An IPVS dump does not say what is masqueraded (iptables rules on ipsets do): simulated.
    masquerade: d.source === 'ipvs' ? sim.masquerade : d.masquerade,
    steps: [
      {
        rule: 'node dump',
        detail: `node/${node}'s real rules from ${d.file} (${d.source}), not a simulation`,
      },
      ...d.steps,
    ],
    mode: d.mode,
    ...(d.service ? { service: d.service } : {}),
    notes: d.notes,
    dump: d.file,
    simulated: sim,
  };
}

function proxyOutcome(
  ctx: Ctx,
  hops: Hop[],
  node: Node,
  pkt: { src: string; dst: string },
  r: NodeProxyResult,
  o: ProxyOpts,
): Trace[] {
  const { snapshot } = ctx;
  const at = `node/${node.meta.name}`;
  const steps = [...r.steps, ...r.notes.map((n) => ({ rule: 'note', detail: n }))];
  // With the node's real rules, a failure the snapshot's rules would not have is kube-proxy's
  // own: its rules on the node are missing or stale.
  const simulatedOk = () => r.dump !== undefined && (r.simulated?.endpoints.length ?? 0) > 0;
  if (r.verdict === 'unhandled') {
    const ids = simulatedOk() ? ['kube-proxy-rules-missing'] : r.service ? [] : ['service-port-mismatch'];
    return [
      trace(
        [...hops, { at, action: 'drop', steps, ...(ids.length ? { findingIds: ids } : {}) }],
        'unhandled',
        `kube-proxy (${r.mode}) on ${at} has no rule for ${pkt.dst}`,
        ids,
        o.label,
      ),
    ];
  }
  if (r.verdict === 'local')
    return [
      trace([...hops, { at, action: 'accept', steps }], 'local', `answered by ${at} itself`, [], o.label),
    ];
  if (r.endpoints.length === 0) {
    const base = proxyFailureIds(ctx, node.meta.name);
    const ids = base.length === 0 && simulatedOk() ? ['kube-proxy-rules-missing'] : base;
    const outcome: Outcome = r.verdict === 'rejected' ? 'rejected' : 'dropped';
    return [
      trace(
        [
          ...hops,
          {
            at,
            action: r.verdict === 'rejected' ? 'reject' : 'drop',
            steps,
            ...(ids.length ? { findingIds: ids } : {}),
          },
        ],
        outcome,
        proxyFailureReason(ids, r, at),
        ids,
        o.label,
      ),
    ];
  }
  const proxyHop: Hop = { at, action: 'dnat', to: r.endpoints.join(', '), steps };
  const noLocal =
    ctx.svc.externalTrafficPolicy === 'Local' && !backendNodes(snapshot, ctx.svc).includes(node.meta.name);
  const out: Trace[] = [];
  const seen = new Map<string, number>();
  const backends = backendsOf(snapshot, ctx.svc).backends;
  for (const epText of r.endpoints) {
    const i = epText.lastIndexOf(':');
    const ip = epText.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(epText.slice(i + 1));
    const pod = snapshot.podsByAddress(ip)[0];
    const epNode = pod?.nodeName ?? backends.find((b) => b.ip === ip)?.nodeName;
    // Stale: no ready (or, for kube-proxy's terminating fallback, serving) endpoint has the address.
    const sameService =
      !r.service || (r.service.namespace === ctx.svc.meta.namespace && r.service.name === ctx.svc.meta.name);
    if (r.dump && sameService && !backends.some((b) => b.ip === ip && (b.ready || b.serving))) {
      // The dumped rules still send traffic to an address that is no ready endpoint any more.
      const ids = ['kube-proxy-rules-missing'];
      const key = `stale|${ip}`;
      if (seen.has(key) || out.length >= MAX_FANOUT) continue;
      seen.set(key, out.length);
      const label = [o.label, r.endpoints.length > 1 ? `endpoint ${epText}` : undefined]
        .filter(Boolean)
        .join(', ');
      out.push(
        failed([...hops, proxyHop], {
          at: `endpoint/${ip}`,
          action: 'drop',
          rule: 'stale kube-proxy rule',
          detail: `${r.dump} DNATs to ${epText}, which is no ready endpoint of ${ctx.svc.meta.namespace}/${ctx.svc.meta.name} (${pod ? `pod ${pod.meta.name} has the address but is no ready endpoint` : 'no pod has that address'}): kube-proxy on ${at} has not synced`,
          ids,
          outcome: 'dropped',
          reason: `stale rule on ${at}: ${epText} is no endpoint`,
          label: label || undefined,
        }),
      );
      continue;
    }
    const d = deliverToEndpoint(
      {
        snapshot,
        facts: ctx.facts,
        client: ctx.client,
        dnatNode: node.meta.name,
        entryDst: pkt.dst,
        src: pkt.src,
        masquerade: r.masquerade,
        ...(o.viaLb ? { viaLb: o.viaLb } : {}),
        endpoint: { ip, port, ...(epNode ? { node: epNode } : {}), ...(pod ? { pod } : {}) },
        protocol: ctx.protocol,
      },
      (m) => mechanismIds(ctx, m, o.viaLb !== undefined, noLocal),
    );
    const relation = `${epNode === node.meta.name}|${epNode === ctx.client.node?.meta.name}`;
    const key = `${d.ok}|${d.mechanism ?? ''}|${d.unknown ? 'u' : ''}|${relation}`;
    const prev = seen.get(key);
    if (prev !== undefined) continue;
    if (out.length >= MAX_FANOUT) break;
    seen.set(key, out.length);
    const label = [o.label, r.endpoints.length > 1 ? `endpoint ${epText}` : undefined]
      .filter(Boolean)
      .join(', ');
    out.push(finish([...hops, proxyHop, ...d.hops], d, label || undefined));
  }
  return out;
}

function proxyFailureReason(ids: string[], r: ProxyResult, at: string): string {
  const how = `kube-proxy (${r.mode}) on ${at}: ${r.verdict}`;
  if (ids.includes('etp-local-no-local-endpoint'))
    return `${how}: externalTrafficPolicy Local and no ready endpoint on this node`;
  if (ids.includes('itp-local-no-local-endpoint'))
    return `${how}: internalTrafficPolicy Local and no ready endpoint on the client's node`;
  if (
    ids.includes('selector-matches-no-pods') ||
    ids.includes('endpoints-not-ready') ||
    ids.includes('selector-less-without-endpoints')
  )
    return `${how}: the Service has no ready endpoint`;
  return how;
}

function finish(
  hops: Hop[],
  d: { ok: boolean; rejected?: boolean; unknown?: string; reason: string; findingIds: string[] },
  label: string | undefined,
): Trace {
  if (d.unknown) return trace(hops, 'insufficient-info', d.unknown, [], label);
  return trace(hops, d.ok ? 'delivered' : d.rejected ? 'rejected' : 'dropped', d.reason, d.findingIds, label);
}

// ------------------------------------------------------------------ attribution to checks

function inCluster(ctx: Ctx): boolean {
  return ctx.client.kind === 'host' || ctx.client.kind === 'pod';
}

/** Which checks explain a failure the network model found after kube-proxy. */
function mechanismIds(ctx: Ctx, m: Mechanism, viaLb: boolean, noLocalEndpoint = false): string[] {
  const etpLocal = ctx.svc.externalTrafficPolicy === 'Local';
  switch (m) {
    case 'hairpin':
      return ['hairpin-disabled'];
    case 'network-policy':
      return ['network-policy-denies'];
    case 'unknown-node':
      return [];
    case 'route':
      return ['route-blackhole'];
    default: {
      const ids: string[] = [];
      const external = ctx.via === 'loadbalancer' || ctx.via === 'ingress' || ctx.via === 'externalip';
      // Through the LB, eTP Local is the cause only where it sent the traffic there (CCE sets
      // pass-through for Local Services, seeds 001/004); TKE's CLB loopback is seed 003's own.
      const etpCause = viaLb ? ctx.lbLeft === 'etp-local-pass-through' : external || !noLocalEndpoint;
      if (etpLocal && inCluster(ctx) && etpCause) ids.push('etp-local-in-cluster-lb-access');
      if (etpLocal && noLocalEndpoint) ids.push('etp-local-no-local-endpoint');
      if (viaLb) ids.push('lb-loopback');
      return ids;
    }
  }
}

function endpointFailureIds(ctx: Pick<Ctx, 'snapshot' | 'svc'>): string[] {
  const { snapshot, svc } = ctx;
  const set = backendsOf(snapshot, svc);
  if (set.backends.length === 0) {
    if (!svc.selector) return ['selector-less-without-endpoints'];
    return snapshot.podsForService(svc).length > 0 ? ['endpoints-not-ready'] : ['selector-matches-no-pods'];
  }
  if (!set.backends.some((b) => b.ready)) return ['endpoints-not-ready'];
  return [];
}

/** Why kube-proxy on `node` found no endpoint for the packet. */
function proxyFailureIds(ctx: Ctx, node: string): string[] {
  const base = endpointFailureIds(ctx);
  if (base.length) return base;
  const local = backendNodes(ctx.snapshot, ctx.svc).includes(node);
  if (local) return [];
  if (ctx.via === 'clusterip' || ctx.via === 'dns')
    return ctx.svc.internalTrafficPolicy === 'Local' ? ['itp-local-no-local-endpoint'] : [];
  if (ctx.svc.externalTrafficPolicy !== 'Local') return [];
  const ids: string[] = [];
  if (inCluster(ctx) && ctx.via !== 'nodeport') ids.push('etp-local-in-cluster-lb-access');
  ids.push('etp-local-no-local-endpoint');
  return ids;
}
