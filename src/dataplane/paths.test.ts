// Packet-flow table for computePaths: each case is a sentence, a snapshot, a question, and the
// outcomes of the traces (sorted) with the check ids they name. A failure prints the hops walked.
import { describe, expect, it } from 'vitest';
import {
  meta,
  networkPolicy,
  node,
  pod,
  question,
  service,
  snapshotOf,
} from '../../test/support/builders.js';
import { seedCluster } from '../../test/support/seed-cluster.js';
import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Outcome, Trace } from '../model/trace.js';
import { computePaths } from './paths.js';

interface Case {
  name: string;
  snapshot: () => Snapshot;
  question: Question;
  outcomes: Outcome[];
  ids?: string[];
  /** A hop that must (or must not) appear: "at" prefixes. */
  passes?: string[];
  avoids?: string[];
}

const cce = (o: Partial<Parameters<typeof seedCluster>[0]> = {}) =>
  seedCluster({ network: 'vpc', mode: 'iptables', version: 'v1.25.5', kind: 'nodeport', ...o });

function render(t: Trace[]): string {
  return t
    .map(
      (x) =>
        `${x.outcome} [${x.label ?? ''}] ${x.reason}\n${x.hops.map((h) => `   ${h.at} ${h.action}${h.to ? ` -> ${h.to}` : ''} ${(h.steps ?? []).map((s) => s.detail).join(' | ')}`).join('\n')}`,
    )
    .join('\n');
}

const cases: Case[] = [
  {
    name: 'a pod on a node without a backend reaches the ClusterIP: kube-proxy on its own node DNATs to the remote pod',
    snapshot: () => cce({ network: 'tunnel' }),
    question: question('nginx', { client: 'pod-on-other-node', via: 'clusterip' }),
    outcomes: ['delivered'],
    passes: ['node/node-2', 'pod/default/nginx-7d9c4'],
  },
  {
    name: 'an ExternalName Service leaves the cluster: nothing to trace inside it',
    snapshot: () =>
      snapshotOf({
        services: [
          service('ext', (s) => {
            s.type = 'ExternalName';
            s.externalName = 'db.example.com';
          }),
        ],
        nodes: [node('node-1')],
      }),
    question: question('ext', { client: 'vpc', via: 'clusterip' }),
    outcomes: ['insufficient-info'],
  },
  {
    name: 'a headless Service has no virtual IP to connect to',
    snapshot: () =>
      snapshotOf({
        services: [
          service('db', (s) => {
            s.clusterIP = 'None';
            s.clusterIPs = ['None'];
            s.headless = true;
          }),
        ],
        pods: [pod('db-0', (p) => (p.meta.labels = { app: 'db' }))],
        nodes: [node('node-1'), node('node-2')],
      }),
    question: question('db', { client: 'pod-on-other-node', via: 'clusterip' }),
    outcomes: ['unhandled'],
    ids: ['headless-service-no-vip'],
  },
  {
    name: "the network model is unknown: whether a pod's packet to another node keeps its address cannot be told",
    snapshot: () =>
      cce({
        mutateData: (d) => {
          if (d.cloud) d.cloud.cluster = { version: 'v1.25.5', kubeProxy: { mode: 'iptables' } };
        },
      }),
    question: question('nginx', {
      client: 'pod-on-other-node',
      via: 'nodeport',
      address: { ip: '192.168.0.11', port: 30000 },
    }),
    outcomes: ['insufficient-info'],
  },
  {
    name: "the network model is unknown: a pod reaching its own node's NodePort, served by a pod beside it, depends on it",
    snapshot: () =>
      cce({
        mutateData: (d) => {
          if (d.cloud) d.cloud.cluster = { version: 'v1.25.5', kubeProxy: { mode: 'iptables' } };
        },
      }),
    question: question('nginx', {
      client: 'pod-on-backend-node',
      via: 'nodeport',
      address: { ip: '192.168.0.11', port: 30000 },
    }),
    outcomes: ['insufficient-info'],
  },
  {
    name: "without a cloud inventory an internet client's LB path stops at the LB: insufficient-info, not a guess",
    snapshot: () =>
      cce({
        kind: 'dedicated-lb',
        mutateService: (s) => (s.loadBalancerIngress = [{ ip: '121.36.200.1' }]),
        mutateData: (d) => delete d.cloud,
      }),
    question: question('nginx', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['insufficient-info'],
  },
  {
    name: 'a LoadBalancer Service without an address has no LB to reach',
    snapshot: () => cce({ kind: 'dedicated-lb', mutateService: (s) => (s.loadBalancerIngress = []) }),
    question: question('nginx', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['dropped'],
    ids: ['lb-not-provisioned'],
  },
  {
    name: 'the node security group does not open the NodePort to the internet',
    snapshot: () =>
      cce({
        mutateData: (d) => {
          const sg = d.cloud?.securityGroups?.[0];
          if (sg) sg.inbound = sg.inbound.filter((r) => r.source !== '0.0.0.0/0');
        },
      }),
    question: question('nginx', {
      client: 'internet',
      via: 'nodeport',
      address: { ip: '121.36.10.11', port: 30000 },
    }),
    outcomes: ['dropped'],
    ids: ['node-sg-blocks-nodeport'],
  },
  {
    name: "a default-deny ingress NetworkPolicy on the backend drops the pod's connection after DNAT",
    snapshot: () => cce({ mutateData: (d) => (d.networkPolicies = [networkPolicy('deny-all')]) }),
    question: question('nginx', { client: 'pod-on-other-node', via: 'clusterip' }),
    outcomes: ['dropped'],
    ids: ['network-policy-denies'],
  },
  {
    name: 'a misspelt DNS name never becomes an address',
    snapshot: () => cce(),
    question: question('nginx', { client: 'pod-on-other-node', via: 'dns', dnsName: 'ngnix' }),
    outcomes: ['dropped'],
    ids: ['dns-name-wrong'],
  },
  {
    name: 'ENI pod-direct: the CCE Turbo ELB delivers to the pod address, no node port and no kube-proxy',
    snapshot: () =>
      cce({
        kind: 'dedicated-lb',
        network: 'eni',
        mutateService: (s) => {
          s.externalTrafficPolicy = 'Cluster';
          s.loadBalancerIngress = [{ ip: '121.36.200.1' }];
        },
        mutateData: (d) => {
          const lb = d.cloud?.loadBalancers?.[0];
          if (lb) {
            lb.addresses = ['121.36.200.1'];
            lb.scheme = 'public';
            const l = lb.listeners[0];
            if (l) l.backends = [{ target: 'pod/default/nginx-7d9c4', address: '10.244.1.10', port: 80 }];
          }
        },
      }),
    question: question('nginx', { client: 'internet', via: 'loadbalancer' }),
    outcomes: ['delivered'],
    passes: ['lb/elb-1', 'pod/default/nginx-7d9c4'],
    avoids: ['node/'],
  },
  {
    name: 'a NAT gateway DNAT rule whose EIP is not bound to it leads nowhere',
    snapshot: () =>
      cce({
        mutateData: (d) => {
          if (!d.cloud) return;
          d.cloud.natGateways = [
            {
              id: 'nat-1',
              dnatRules: [
                {
                  eip: '121.36.99.9',
                  protocol: 'tcp',
                  externalPort: 80,
                  internalAddress: '192.168.0.11',
                  internalPort: 30000,
                },
              ],
            },
          ];
          d.cloud.eips = [...(d.cloud.eips ?? []), { address: '121.36.99.9', boundTo: null }];
        },
      }),
    question: question('nginx', {
      client: 'internet',
      via: 'nodeport',
      address: { ip: '121.36.99.9', port: 80 },
    }),
    outcomes: ['dropped'],
    ids: ['nat-rule-missing-eip'],
  },
  {
    name: "a NAT gateway DNAT rule to the backend node's NodePort works",
    snapshot: () =>
      cce({
        mutateData: (d) => {
          if (!d.cloud) return;
          d.cloud.natGateways = [
            {
              id: 'nat-1',
              dnatRules: [
                {
                  eip: '121.36.99.9',
                  protocol: 'tcp',
                  externalPort: 80,
                  internalAddress: '192.168.0.11',
                  internalPort: 30000,
                },
              ],
            },
          ];
          d.cloud.eips = [...(d.cloud.eips ?? []), { address: '121.36.99.9', boundTo: 'nat/nat-1' }];
        },
      }),
    question: question('nginx', {
      client: 'internet',
      via: 'nodeport',
      address: { ip: '121.36.99.9', port: 80 },
    }),
    outcomes: ['delivered'],
    passes: ['nat/nat-1', 'node/node-1'],
  },
  {
    name: 'a NAT gateway DNAT rule on an unrelated external port still reaches the NodePort behind it',
    snapshot: () =>
      cce({
        mutateData: (d) => {
          if (!d.cloud) return;
          d.cloud.natGateways = [
            {
              id: 'nat-1',
              dnatRules: [
                {
                  eip: '121.36.99.9',
                  protocol: 'tcp',
                  externalPort: 8443,
                  internalAddress: '192.168.0.11',
                  internalPort: 30000,
                },
              ],
            },
          ];
          d.cloud.eips = [...(d.cloud.eips ?? []), { address: '121.36.99.9', boundTo: 'nat/nat-1' }];
        },
      }),
    question: question('nginx', {
      client: 'internet',
      via: 'nodeport',
      address: { ip: '121.36.99.9', port: 8443 },
    }),
    outcomes: ['delivered'],
  },
  {
    name: 'the node IP with the Service port instead of the nodePort matches no kube-proxy rule',
    snapshot: () => cce(),
    question: question('nginx', {
      client: 'vpc',
      via: 'nodeport',
      address: { ip: '192.168.0.11', port: 80 },
    }),
    outcomes: ['unhandled'],
    ids: ['service-port-mismatch'],
  },
  {
    name: 'an nginx-ingress controller on another node than the client: LB -> controller -> ClusterIP -> backend',
    snapshot: () => cce({ kind: 'nginx-ingress' }),
    question: question('web', { client: 'pod-on-other-node', via: 'ingress' }),
    outcomes: ['delivered'],
    passes: [
      'lb/elb-ingress',
      'pod/kube-system/cceaddon-nginx-ingress-controller-5b8f9',
      'pod/default/web-7d9c4',
    ],
  },
  {
    name: "seed 001 nginx-ingress row: a pod on the controller's node reaches the Ingress through the controller's Local ELB and loops back",
    snapshot: () =>
      cce({
        kind: 'nginx-ingress',
        mutateData: (d) => {
          const web = d.pods?.find((p) => p.meta.name.startsWith('web-'));
          if (web) {
            web.nodeName = 'node-3';
            web.podIP = '10.244.3.10';
            web.podIPs = ['10.244.3.10'];
          }
          d.pods?.push(
            pod('shell-1', (p) => {
              p.meta.labels = { app: 'shell' };
              p.nodeName = 'node-1';
              p.podIP = '10.244.1.40';
              p.podIPs = ['10.244.1.40'];
            }),
          );
        },
      }),
    question: question('web', { client: 'pod/default/shell-1', via: 'ingress' }),
    outcomes: ['dropped'],
    ids: ['etp-local-in-cluster-lb-access', 'lb-loopback'],
  },
  {
    name: 'an IPVS cluster whose CLB probes from its VIP still forwards (all-dead-all-alive), noting the dropped probes',
    snapshot: () =>
      cce({
        kind: 'dedicated-lb',
        mode: 'ipvs',
        provider: 'generic',
        mutateService: (s) => (s.externalTrafficPolicy = 'Cluster'),
        mutateData: (d) => {
          const lb = d.cloud?.loadBalancers?.[0];
          if (lb) lb.healthCheckSourceIP = '192.168.0.133';
        },
      }),
    question: question('nginx', { client: 'vpc', via: 'loadbalancer' }),
    outcomes: ['delivered', 'delivered'],
  },
];

describe('computePaths packet flows', () => {
  it.each(cases)('$name', (c) => {
    const snap = c.snapshot();
    const svc = snap.service(c.question.target.namespace ?? 'default', c.question.target.name);
    expect(svc).toBeDefined();
    const traces = computePaths(snap, svc!, c.question);
    const steps = render(traces);
    expect(traces.map((t) => t.outcome).sort(), steps).toEqual([...c.outcomes].sort());
    if (c.ids)
      expect([...new Set(traces.flatMap((t) => t.findingIds ?? []))].sort(), steps).toEqual(
        [...c.ids].sort(),
      );
    const ats = traces.flatMap((t) => t.hops.map((h) => h.at));
    for (const p of c.passes ?? [])
      expect(
        ats.some((a) => a.startsWith(p)),
        `${p}\n${steps}`,
      ).toBe(true);
    for (const p of c.avoids ?? [])
      expect(
        ats.some((a) => a.startsWith(p)),
        `${p}\n${steps}`,
      ).toBe(false);
  });

  it('names the dropped VIP health checks on the LB hop', () => {
    const snap = cce({
      kind: 'dedicated-lb',
      mode: 'ipvs',
      provider: 'generic',
      mutateService: (s) => (s.externalTrafficPolicy = 'Cluster'),
      mutateData: (d) => {
        const lb = d.cloud?.loadBalancers?.[0];
        if (lb) lb.healthCheckSourceIP = '192.168.0.133';
      },
    });
    const t = computePaths(
      snap,
      snap.service('default', 'nginx')!,
      question('nginx', { client: 'vpc', via: 'loadbalancer' }),
    );
    const rules = t[0]?.hops
      .filter((h) => h.at === 'lb/elb-1')
      .flatMap((h) => (h.steps ?? []).map((s) => s.rule));
    expect(rules).toContain('health check source');
  });

  it('a single-node TKE cluster: the L7 CLB has no other node to retry, the Ingress is unreachable from the pod', () => {
    const snap = seedCluster({
      provider: 'tke',
      network: 'vpc',
      mode: 'iptables',
      version: 'v1.22.5',
      kind: 'nodeport',
      mutateService: (s) => (s.externalTrafficPolicy = 'Cluster'),
      mutateData: (d) => {
        d.nodes = d.nodes?.filter((n) => n.meta.name === 'node-1');
        d.pods = [
          ...(d.pods ?? []),
          pod('client-1', (p) => {
            p.meta.labels = { app: 'client' };
            p.nodeName = 'node-1';
            p.podIP = '10.244.1.30';
            p.podIPs = ['10.244.1.30'];
          }),
        ];
        d.ingresses = [
          {
            kind: 'Ingress',
            meta: meta('shop'),
            rules: [
              {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'nginx', port: { number: 80 } } },
                  },
                ],
              },
            ],
            tls: [],
            loadBalancerIngress: [{ ip: '192.168.0.150' }],
          },
        ];
        d.cloud?.loadBalancers?.push({
          id: 'lb-l7',
          kind: 'clb',
          scheme: 'private',
          addresses: ['192.168.0.150'],
          owner: 'ingress/default/shop',
          listeners: [
            {
              protocol: 'HTTP',
              port: 80,
              rules: [
                { path: '/', backends: [{ target: 'node/node-1', address: '192.168.0.11', port: 30000 }] },
              ],
            },
          ],
        });
      },
    });
    const t = computePaths(
      snap,
      snap.service('default', 'nginx')!,
      question('nginx', { client: 'pod/default/client-1', via: 'ingress' }),
    );
    expect(
      t.map((x) => x.outcome),
      render(t),
    ).toEqual(['dropped']);
    expect(t[0]?.findingIds).toContain('lb-loopback');
  });
});
