// Packet-flow table for the data-path cases the peer suites found: load balancers that publish a
// DNS name (AWS), ports no container declares, headless Services reached by DNS at pod ports, and
// GKE's built-in Ingress classes. Each case: a sentence, a snapshot, a question, the outcomes
// (sorted), the check ids the traces name, and hops that must or must not appear.
import { describe, expect, it } from 'vitest';
import {
  container,
  node,
  pod,
  question,
  service,
  sliceFor,
  snapshotOf,
} from '../../test/support/builders.js';
import { ingress, ingressClass, lbService, world } from '../../test/support/cloud-fixtures.js';
import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Outcome, Trace } from '../model/trace.js';
import type { Node, Pod, Service } from '../model/types.js';
import { renderKubeProxyIptables } from '../nodedump/index.js';
import { resolveIngressClass } from './ingress/index.js';
import { computePaths } from './paths.js';

interface Case {
  name: string;
  snapshot: () => Snapshot;
  question: Question;
  outcomes: Outcome[];
  ids?: string[];
  /** Hops that must (or must not) appear, as "at" prefixes, or "at action" pairs. */
  passes?: string[];
  avoids?: string[];
  /** Step rules that must (or must not) appear on some hop. */
  rules?: string[];
  noRules?: string[];
}

const ELB = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5-1234567890.elb.eu-west-1.amazonaws.com';
const aws = (n: Node) => {
  n.providerID = `aws:///eu-west-1a/i-0${n.meta.name}`;
};
const web = (mutate?: (p: Pod) => void) =>
  pod('web-1', (p) => {
    p.meta.labels = { app: 'web' };
    mutate?.(p);
  });
const client = () => pod('client-1', (p) => (p.meta.labels = { app: 'client' }));

/** An AWS cluster without inventory: one LB Service whose status carries only a DNS name. */
function eks(mutate?: (s: Service) => void, nodeMutate: (n: Node) => void = aws): Snapshot {
  const s = lbService('web', (x) => {
    x.loadBalancerIngress = [{ hostname: ELB }];
    mutate?.(x);
  });
  const w = web();
  return snapshotOf({
    services: [s],
    pods: [w, client()],
    nodes: [node('node-1', nodeMutate), node('node-2', nodeMutate)],
    endpointSlices: [sliceFor(s, [w])],
  });
}

const headless = (
  ports: Service['ports'],
  pods: Pod[] = [pod('db-0', (p) => (p.meta.labels = { app: 'db' }))],
) =>
  snapshotOf({
    services: [
      service('db', (s) => {
        s.clusterIP = 'None';
        s.clusterIPs = ['None'];
        s.headless = true;
        s.ports = ports;
      }),
    ],
    pods: [...pods, client()],
    nodes: [node('node-1'), node('node-2')],
  });

/**
 * A two-node cluster whose node-2 iptables dump was rendered from the Service's endpoints, then
 * `edit`ed (a stale or missing rule). Without `edit` no dump is attached.
 */
function dumped(edit?: (text: string, podIP: string) => string): Snapshot {
  const s = service('web');
  const w = web();
  const c = pod('client-1', (p) => {
    p.meta.labels = { app: 'client' };
    p.nodeName = 'node-2';
  });
  const base = {
    services: [s],
    pods: [w, c],
    nodes: [node('node-1'), node('node-2')],
    endpointSlices: [sliceFor(s, [w])],
  };
  if (!edit) return snapshotOf(base);
  const text = renderKubeProxyIptables(snapshotOf(base), 'node-2').text;
  return snapshotOf({
    ...base,
    nodeDumps: [{ node: 'node-2', iptables: { text: edit(text, w.podIP ?? ''), file: 'node-2.iptables' } }],
  });
}

/** AWS: ingress-nginx behind an NLB; both the controller Service and the Ingress publish its DNS name. */
function nginxBehindNlb(): Snapshot {
  const s = service('web');
  const w = web();
  const ctrl = service(
    'ingress-nginx-controller',
    (x) => {
      x.type = 'LoadBalancer';
      x.selector = { app: 'ingress-nginx' };
      x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }];
      x.loadBalancerIngress = [{ hostname: ELB }];
      x.meta.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'nlb';
    },
    'ingress-nginx',
  );
  const cp = pod(
    'ingress-nginx-controller-5c8d6',
    (p) => {
      p.meta.labels = { app: 'ingress-nginx' };
      p.nodeName = 'node-2';
      p.containers = [container('controller', (c) => (c.ports = [{ containerPort: 80, protocol: 'TCP' }]))];
    },
    'ingress-nginx',
  );
  const ing = ingress('shop', (i) => {
    i.rules = [
      {
        host: 'shop.example.com',
        paths: [
          { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
        ],
      },
    ];
    i.loadBalancerIngress = [{ hostname: ELB }];
  });
  return snapshotOf({
    services: [s, ctrl],
    pods: [w, cp],
    nodes: [node('node-1', aws), node('node-2', aws)],
    endpointSlices: [sliceFor(s, [w]), sliceFor(ctrl, [cp])],
    ingresses: [ing],
    ingressClasses: [ingressClass('nginx')],
  });
}

const cases: Case[] = [
  {
    name: 'an Ingress whose status has only the DNS name of the controller’s NLB: internet -> NLB -> controller -> backend pod',
    snapshot: nginxBehindNlb,
    question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    outcomes: ['delivered', 'delivered'],
    passes: [
      `lb ${ELB} unknown`,
      'pod/ingress-nginx/ingress-nginx-controller-5c8d6',
      'pod/default/web-1 deliver',
    ],
  },
  {
    name: "with node-2's real rules in the bundle, a stale DNAT to a gone pod shows on the path as kube-proxy's failure",
    snapshot: () => dumped((t, ip) => t.replaceAll(ip, '10.244.9.99')),
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['dropped'],
    ids: ['kube-proxy-rules-missing'],
    passes: ['endpoint/10.244.9.99 drop'],
    rules: ['node dump', 'stale kube-proxy rule'],
  },
  {
    name: "node-2's real rules without the Service's chain: unhandled, and kube-proxy's rules are named, not the Service port",
    snapshot: () =>
      dumped((t) =>
        t
          .split('\n')
          .filter((l) => !l.includes('default/web'))
          .join('\n'),
      ),
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['unhandled'],
    ids: ['kube-proxy-rules-missing'],
    rules: ['node dump'],
  },
  {
    name: "node-2's real rules that match the snapshot deliver, read from the dump",
    snapshot: () => dumped((t) => t),
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['delivered'],
    rules: ['node dump'],
  },
  {
    name: 'an unreadable dump is not trusted: the rules are simulated, and the trace says why',
    snapshot: () => dumped(() => '*nat\n-A KUBE-SERVICES this is not a rule\nCOMMIT-ish\n'),
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['delivered'],
    noRules: ['node dump'],
    rules: ['node dump unreadable'],
  },
  {
    name: 'without a dump the rules are simulated from the snapshot',
    snapshot: () => dumped(),
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['delivered'],
    noRules: ['node dump'],
  },
  {
    name: 'an internet client reaches an AWS NLB known only by its DNS name: the LB forwards to the node port, kube-proxy to the pod',
    snapshot: () =>
      eks((s) => (s.meta.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'nlb')),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['delivered', 'delivered'],
    passes: [`lb ${ELB} unknown`, 'node/node-1 dnat', 'pod/default/web-1 deliver'],
    avoids: ['client drop'],
  },
  {
    name: 'with nlb-target-type ip the AWS Load Balancer Controller sends the traffic to the pod address: no node port, no kube-proxy',
    snapshot: () =>
      eks((s) => {
        s.meta.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'external';
        s.meta.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = 'ip';
        s.meta.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] = 'internet-facing';
      }),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['delivered'],
    passes: [`lb ${ELB} unknown`, 'pod/default/web-1 deliver'],
    avoids: ['node/node-1 dnat', 'node/node-2 dnat'],
  },
  {
    name: 'GKE without inventory: the pass-through LB keeps its address as destination, kube-proxy answers the LB IP at the Service port on the node',
    snapshot: () =>
      eks(
        (s) => (s.loadBalancerIngress = [{ ip: '203.0.113.10' }]),
        (n) => (n.providerID = `gce://proj/europe-west1-b/${n.meta.name}`),
      ),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['delivered', 'delivered'],
    passes: ['lb 203.0.113.10 unknown', 'node/node-1 dnat', 'node/node-2 dnat'],
  },
  {
    name: 'a DNS-named LB on nodes that name no provider: provisioned, but where it forwards is not known',
    snapshot: () => eks(undefined, () => {}),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['insufficient-info'],
    avoids: ['client drop'],
  },
  {
    name: 'a LoadBalancer Service with neither IP nor hostname in its status has no LB yet',
    snapshot: () => eks((s) => (s.loadBalancerIngress = [])),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['dropped'],
    ids: ['lb-not-provisioned'],
  },
  {
    name: 'the inventory LB whose addresses list the DNS name is the one checked: an empty backend group drops the traffic',
    snapshot: () =>
      world((w) => {
        const s = w.services[0] as Service;
        s.loadBalancerIngress = [{ hostname: ELB }];
        const lb = w.cloud?.loadBalancers?.[0];
        if (!lb) throw new Error('fixture has no LB');
        lb.addresses = [ELB];
        delete lb.owner;
        (lb.listeners[0] as { backends: unknown[] }).backends = [];
      }, 'eks'),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['dropped'],
    ids: ['lb-backend-mismatch'],
    passes: ['lb/elb-1 drop'],
  },
  {
    name: 'an internal LB known by its DNS name is no path from the internet, and says so',
    snapshot: () =>
      world((w) => {
        const s = w.services[0] as Service;
        s.loadBalancerIngress = [{ hostname: `internal-${ELB}` }];
        const lb = w.cloud?.loadBalancers?.[0];
        if (!lb) throw new Error('fixture has no LB');
        lb.addresses = [`internal-${ELB}`];
        lb.scheme = 'private';
      }, 'eks'),
    question: question('web', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['unhandled'],
    ids: ['service-port-mismatch'],
  },
  {
    name: 'an in-cluster pod calling a DNS-named LB goes out to the LB: kube-proxy has no rule for a name',
    snapshot: () =>
      eks((s) => (s.meta.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] = 'nlb')),
    question: question('web', { client: 'pod/default/client-1', via: 'loadbalancer' }),
    outcomes: ['delivered', 'delivered'],
    passes: ['node/node-1 forward', `lb ${ELB} unknown`],
    rules: ['status.loadBalancer.ingress[].hostname'],
  },
  {
    name: 'a targetPort no container declares, while the pod declares others, is still delivered (containerPort is informational)',
    snapshot: () => {
      const s = service(
        'web',
        (x) => (x.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 15012 }]),
      );
      const w = web(
        (p) =>
          (p.containers = [container('app', (c) => (c.ports = [{ containerPort: 8080, protocol: 'TCP' }]))]),
      );
      return snapshotOf({ services: [s], pods: [w, client()], nodes: [node('node-1'), node('node-2')] });
    },
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['delivered'],
    passes: ['pod/default/web-1 deliver'],
    rules: ['container ports (undeclared)'],
  },
  {
    name: 'a declared targetPort is delivered without the undeclared-port note',
    snapshot: () => {
      const s = service('web');
      return snapshotOf({ services: [s], pods: [web(), client()], nodes: [node('node-1'), node('node-2')] });
    },
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    outcomes: ['delivered'],
    noRules: ['container ports (undeclared)'],
  },
  {
    name: 'a headless Service without ports, reached by DNS at a pod port: the client connects to the pod directly',
    snapshot: () => headless([]),
    question: question('db', { client: 'pod/default/client-1', via: 'dns', port: 5432 }),
    outcomes: ['delivered'],
    passes: ['dns resolve', 'pod/default/db-0 deliver'],
  },
  {
    name: 'a headless Service reached by DNS at a port its port list lacks: the pod port is used as is',
    snapshot: () => headless([{ name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 }]),
    question: question('db', { client: 'pod/default/client-1', via: 'dns', port: 9187 }),
    outcomes: ['delivered'],
    passes: ['pod/default/db-0 deliver'],
  },
  {
    name: 'a headless Service without ports asked about without a port: DNS answers, the port is the client’s to choose',
    snapshot: () => headless([]),
    question: question('db', { client: 'pod/default/client-1', via: 'dns' }),
    outcomes: ['insufficient-info'],
    passes: ['dns resolve'],
  },
  {
    name: 'a headless Service without ports and no ready pod: nothing to connect to',
    snapshot: () => headless([], []),
    question: question('db', { client: 'pod/default/client-1', via: 'dns' }),
    outcomes: ['dropped'],
    ids: ['selector-matches-no-pods'],
  },
  {
    name: 'a ClusterIP Service asked at a port it lacks is still refused',
    snapshot: () =>
      snapshotOf({
        services: [service('web')],
        pods: [web(), client()],
        nodes: [node('node-1'), node('node-2')],
      }),
    question: question('web', { client: 'pod/default/client-1', via: 'clusterip', port: 9000 }),
    outcomes: ['rejected'],
    ids: ['service-port-mismatch'],
  },
];

function render(t: Trace[]): string {
  return t
    .map(
      (x) =>
        `${x.outcome} [${x.label ?? ''}] ${x.reason}\n${x.hops.map((h) => `   ${h.at} ${h.action}${h.to ? ` -> ${h.to}` : ''} ${(h.steps ?? []).map((s) => `${s.rule ?? ''}: ${s.detail}`).join(' | ')}`).join('\n')}`,
    )
    .join('\n');
}

const hopKeys = (t: Trace[]) => t.flatMap((x) => x.hops.flatMap((h) => [h.at, `${h.at} ${h.action}`]));
const matches = (keys: string[], want: string) => keys.some((k) => k === want || k.startsWith(`${want}/`));

describe('computePaths: peer-suite data-path cases', () => {
  it.each(cases)('$name', (c) => {
    const snap = c.snapshot();
    const svc = snap.service(c.question.target.namespace ?? 'default', c.question.target.name);
    if (!svc) throw new Error('no target Service');
    const traces = computePaths(snap, svc, c.question);
    const why = render(traces);
    expect(traces.map((t) => t.outcome).sort(), why).toEqual([...c.outcomes].sort());
    const ids = [...new Set(traces.flatMap((t) => t.findingIds ?? []))].sort();
    expect(ids, why).toEqual([...(c.ids ?? [])].sort());
    const keys = hopKeys(traces);
    for (const p of c.passes ?? []) expect(matches(keys, p), `${why}\nmust pass ${p}`).toBe(true);
    for (const p of c.avoids ?? []) expect(matches(keys, p), `${why}\nmust avoid ${p}`).toBe(false);
    const rules = traces.flatMap((t) => t.hops.flatMap((h) => (h.steps ?? []).map((s) => s.rule)));
    for (const r of c.rules ?? []) expect(rules, why).toContain(r);
    for (const r of c.noRules ?? []) expect(rules, why).not.toContain(r);
  });
});

describe('resolveIngressClass: provider-served classes', () => {
  const gce = (n: Node) => (n.providerID = `gce://proj/europe-west1-b/${n.meta.name}`);
  const table: { name: string; snapshot: () => Snapshot; state: string }[] = [
    {
      name: 'GKE (inventory) serves spec.ingressClassName gce without an IngressClass object',
      snapshot: () =>
        world((w) => {
          w.ingressClasses = [];
          w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'gce'))];
        }, 'gke'),
      state: 'provider',
    },
    {
      name: 'GKE told by the nodes (gce:// providerID) serves the legacy annotation gce-internal',
      snapshot: () =>
        world((w) => {
          delete w.cloud;
          w.nodes = [node('node-1', gce), node('node-2', gce)];
          w.ingressClasses = [ingressClass('nginx')];
          w.ingresses = [
            ingress('shop', (i) => {
              i.ingressClassName = 'gce-internal';
              i.meta.annotations['kubernetes.io/ingress.class'] = 'gce-internal';
            }),
          ];
        }),
      state: 'provider',
    },
    {
      name: 'on another cloud, gce is a class like any other: missing',
      snapshot: () =>
        world((w) => {
          w.ingressClasses = [];
          w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'gce'))];
        }, 'cce'),
      state: 'missing',
    },
    {
      name: 'on GKE, a class that is not built in still needs its IngressClass object',
      snapshot: () =>
        world((w) => {
          w.ingressClasses = [];
          w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'traefik'))];
        }, 'gke'),
      state: 'missing',
    },
    {
      name: 'on GKE, an existing IngressClass named gce is found as such',
      snapshot: () =>
        world((w) => {
          w.ingressClasses = [ingressClass('gce')];
          w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'gce'))];
        }, 'gke'),
      state: 'found',
    },
  ];
  it.each(table)('$name', (c) => {
    const s = c.snapshot();
    const ing = s.data.ingresses[0];
    if (!ing) throw new Error('no ingress');
    expect(resolveIngressClass(s, ing).state).toBe(c.state);
  });
});
