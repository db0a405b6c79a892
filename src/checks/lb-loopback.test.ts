import { meta, question } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import { seedCluster } from '../../test/support/seed-cluster.js';
import type { Service, SnapshotData } from '../model/types.js';
import check from './lb-loopback.js';

/** TKE, GlobalRouter (VPC) network, a private CLB in front of an eTP Cluster Service. */
const tke = (
  o: {
    mode?: 'ipvs' | 'iptables';
    version?: string;
    svc?: (s: Service) => void;
    data?: (d: Partial<SnapshotData>) => void;
    network?: 'vpc' | 'eni';
  } = {},
) =>
  seedCluster({
    provider: 'tke',
    network: o.network ?? 'vpc',
    mode: o.mode ?? 'ipvs',
    version: o.version ?? 'v1.20.6-tke.5',
    kind: 'dedicated-lb',
    mutateService: (s) => {
      s.externalTrafficPolicy = 'Cluster';
      delete s.healthCheckNodePort;
      s.meta.annotations = { 'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid': 'subnet-1' };
      o.svc?.(s);
    },
    mutateData: (d) => {
      const lb = d.cloud?.loadBalancers?.[0];
      if (lb) lb.kind = 'clb';
      o.data?.(d);
    },
  });

const l7Ingress = () =>
  tke({
    data: (d) => {
      d.ingresses = [
        {
          kind: 'Ingress',
          meta: meta('web'),
          rules: [
            {
              host: 'web.example.com',
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
        owner: 'ingress/default/web',
        listeners: [
          {
            protocol: 'HTTP',
            port: 80,
            rules: [
              {
                host: 'web.example.com',
                path: '/',
                backends:
                  d.nodes?.map((n) => ({
                    target: `node/${n.meta.name}`,
                    address: n.internalIPs[0] as string,
                    port: 30000,
                  })) ?? [],
              },
            ],
          },
        ],
      });
    },
  });

checkTable(check, {
  valid: [
    {
      name: 'seed 003 FAQ: a node calling the CLB is never sent to itself (the CLB skips the real server with the source address)',
      snapshot: tke(),
      question: question('nginx', { client: 'same-node-as-backend', via: 'loadbalancer' }),
    },
    {
      name: 'TKE iptables mode: kube-proxy answers for the CLB address on the node, no trip to the CLB',
      snapshot: tke({ mode: 'iptables' }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
    },
    {
      name: 'TKE IPVS with prevent-loopback and a fixed kube-proxy binds the VIP locally',
      snapshot: tke({
        version: 'v1.20.6-tke.12',
        svc: (s) => (s.meta.annotations['service.cloud.tencent.com/prevent-loopback'] = 'true'),
      }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
    },
    {
      name: 'a public CLB has no loopback: the source is the public egress address',
      snapshot: tke({
        svc: (s) => {
          s.loadBalancerIngress = [{ ip: '119.28.10.10' }];
          s.meta.annotations = {};
        },
        data: (d) => {
          const lb = d.cloud?.loadBalancers?.[0];
          if (lb) {
            lb.addresses = ['119.28.10.10'];
            lb.scheme = 'public';
          }
        },
      }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
    },
    {
      name: 'the Service DNS name never passes the CLB',
      snapshot: tke(),
      question: question('nginx', { client: 'pod-on-other-node', via: 'dns' }),
    },
    {
      name: 'audit: TKE iptables mode short-circuits in-cluster LB traffic, no loopback',
      snapshot: tke({ mode: 'iptables' }),
      question: question('nginx'),
      mode: 'audit',
    },
    {
      name: "seed 003: eTP Local and the client on another node than the server: the CLB never picks the client's node",
      snapshot: tke({
        svc: (s) => {
          s.externalTrafficPolicy = 'Local';
          s.healthCheckNodePort = 32000;
        },
      }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
    },
  ],
  invalid: [
    {
      name: 'seed 003 L4: a pod reaches the private CLB in IPVS mode; the CLB may pick its own node',
      snapshot: tke(),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
      hits: [
        {
          severity: 'warning',
          data: {
            layer: 'L4',
            node: 'node-2',
            intermittent: true,
            provider: 'tke',
            // seed 003 step 1: v1.20.6-tke.5 lacks the fix; its line's fixed build is tke.12
            kubeProxyUpgrade: 'v1.20.6-tke.12',
            sharedDomain: null,
          },
        },
      ],
    },
    {
      name: 'seed 003 L4 on a v1.18 TKE cluster: the kube-proxy upgrade names the v1.18 fixed build',
      snapshot: tke({ version: 'v1.18.4-tke.3' }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
      hits: [{ data: { layer: 'L4', kubeProxyUpgrade: 'v1.18.4-tke.20' } }],
    },
    {
      name: 'seed 003 L4 with a fixed kube-proxy but no prevent-loopback: no upgrade to offer',
      snapshot: tke({ version: 'v1.20.6-tke.12' }),
      question: question('nginx', { client: 'pod-on-other-node', via: 'loadbalancer' }),
      hits: [{ data: { layer: 'L4', kubeProxyUpgrade: null } }],
    },
    {
      name: 'seed 003: several Services share the domain, so the fix is an in-cluster Ingress controller behind a CoreDNS rewrite',
      snapshot: (() => {
        const snap = l7Ingress();
        const ing = snap.data.ingresses[0];
        ing?.rules[0]?.paths.push({
          path: '/api',
          pathType: 'Prefix',
          backend: { service: { name: 'api', port: { number: 80 } } },
        });
        return snap;
      })(),
      question: question('nginx', { client: 'pod-on-other-node', via: 'ingress', host: 'web.example.com' }),
      hits: [
        { data: { layer: 'L7', sharedDomain: { host: 'web.example.com', services: ['api', 'nginx'] } } },
      ],
    },
    {
      name: 'seed 003 L7: a pod reaches a private CLB Ingress; the CLB forwards to its own node',
      snapshot: l7Ingress(),
      question: question('nginx', { client: 'pod-on-other-node', via: 'ingress' }),
      hits: [{ data: { layer: 'L7', lb: 'lb/lb-l7' } }],
    },
    {
      name: 'seed 003 VPC-CNI direct access: client and server pod share a node',
      snapshot: tke({
        network: 'eni',
        svc: (s) => (s.meta.annotations['service.cloud.tencent.com/direct-access'] = 'true'),
        data: (d) => {
          const l = d.cloud?.loadBalancers?.[0]?.listeners[0];
          if (l) l.backends = [{ target: 'pod/default/nginx-7d9c4', address: '10.244.1.10', port: 80 }];
        },
      }),
      question: question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' }),
      hits: [{ severity: 'error', data: { intermittent: false } }],
    },
    {
      name: 'seed 003: eTP Local with client and server on one node still loops (anti-affinity is the other half)',
      snapshot: tke({
        svc: (s) => {
          s.externalTrafficPolicy = 'Local';
          s.healthCheckNodePort = 32000;
        },
      }),
      question: question('nginx', { client: 'pod-on-backend-node', via: 'loadbalancer' }),
      hits: [{ severity: 'error', data: { node: 'node-1', intermittent: false } }],
    },
    {
      name: 'audit: a TKE IPVS private CLB Service without prevent-loopback',
      snapshot: tke(),
      question: question('nginx'),
      mode: 'audit',
      hits: [{ severity: 'warning', data: { layer: 'L4', intermittent: true } }],
    },
  ],
});
