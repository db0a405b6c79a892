// Cases from upstream Kubernetes tests: the endpointslice reconciler and its utils
// (staging/src/k8s.io/endpointslice: ShouldPodBeInEndpoints, podToEndpoint), kube-proxy's
// endpoint categorisation (terminating fallback), podutil.FindPort, EndpointSlice mirroring of
// hand-made Endpoints, and NetworkPolicy semantics from the netpol e2e truth tables.
import { describe } from 'vitest';
import type { NetworkPolicyRule, Pod, Service } from '../src/model/types.js';
import { type PeerCase, runAuditCases, runPeerCases } from './peer-cases/harness.js';
import {
  container,
  endpointsFor,
  meta,
  networkPolicy,
  node,
  notReady,
  pod,
  question,
  service,
  sliceFor,
  snapshotOf,
} from './support/builders.js';

const CLIENT = 'pod/default/client-7f8d9c6b4-zxcvb';
const client = (ns = 'default') =>
  pod('client-7f8d9c6b4-zxcvb', (p) => (p.meta.labels = { app: 'client' }), ns);
const ESU = 'kubernetes staging/src/k8s.io/endpointslice';

function web(name: string, mutate?: (p: Pod) => void): Pod {
  return pod(name, (p) => {
    p.meta.labels = { app: 'web' };
    mutate?.(p);
  });
}

function inCluster(svc: Service, pods: Pod[], extra: Parameters<typeof snapshotOf>[0] = {}) {
  return {
    snapshot: snapshotOf({
      services: [svc],
      pods: [...pods, client()],
      nodes: [node('node-1'), node('node-2')],
      ...extra,
    }),
    question: question(svc, { client: CLIENT }),
  };
}

const terminating = (p: Pod) => (p.meta.deletionTimestamp = '2026-11-22T09:59:40Z');
const failed = (p: Pod) => {
  p.phase = 'Failed';
  p.reason = 'Evicted';
  p.message = 'The node was low on resource: memory.';
  notReady(p, 'PodFailed');
};
const selectorless = (name = 'db', mutate?: (s: Service) => void) =>
  service(name, (s) => {
    delete s.selector;
    s.ports = [{ name: 'pg', protocol: 'TCP', port: 5432, targetPort: 5432 }];
    mutate?.(s);
  });
const manualSlice = (svcName: string, ip: string, mutate?: (s: ReturnType<typeof sliceFor>) => void) =>
  sliceFor(
    service(svcName, (s) => delete s.selector),
    [],
    (s) => {
      s.meta.name = `${svcName}-manual`;
      s.meta.labels = {
        'kubernetes.io/service-name': svcName,
        'endpointslice.kubernetes.io/managed-by': 'team-db',
      };
      s.managedBy = 'team-db';
      s.endpoints = [
        {
          addresses: [ip],
          conditions: { ready: true, serving: true, terminating: false },
          hintsForZones: [],
          hintsForNodes: [],
        },
      ];
      s.ports = [{ name: 'pg', port: 5432, protocol: 'TCP' }];
      mutate?.(s);
    },
  );

const endpointCases: PeerCase[] = [
  {
    name: 'all pods terminating but still serving: kube-proxy falls back to them, the Service answers',
    source: 'kubernetes pkg/proxy/topology.go CategorizeEndpoints (KEP-1669 terminating fallback)',
    build: () => inCluster(service('web'), [web('web-1', terminating), web('web-2', terminating)]),
    verdict: 'reachable',
  },
  {
    name: 'all pods terminating and no longer serving: no endpoint is usable',
    source: `${ESU}/utils.go podToEndpoint (serving = pod Ready)`,
    build: () =>
      inCluster(service('web'), [
        web('web-1', (p) => {
          terminating(p);
          notReady(p);
        }),
      ]),
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
  },
  {
    name: 'publishNotReadyAddresses publishes unready pods as ready endpoints',
    source: `${ESU}/utils.go podToEndpoint (ready = publishNotReadyAddresses || ...)`,
    build: () =>
      inCluster(
        service('web', (s) => (s.publishNotReadyAddresses = true)),
        [web('web-1', (p) => notReady(p)), web('web-2', (p) => notReady(p))],
      ),
    verdict: 'reachable',
    absent: ['endpoints-not-ready'],
  },
  {
    name: 'an Evicted (Failed) pod next to a ready one is simply not an endpoint',
    source: `${ESU}/util/controller_utils.go ShouldPodBeInEndpoints (terminal pods excluded)`,
    build: () => inCluster(service('web'), [web('web-1'), web('web-2', failed)]),
    verdict: 'reachable',
    absent: ['endpoints-not-ready', 'target-port-mismatch'],
  },
  {
    name: 'every selected pod Evicted: the selector matches, but no pod can be an endpoint',
    source: `${ESU}/util/controller_utils.go ShouldPodBeInEndpoints (terminal pods excluded)`,
    build: () => inCluster(service('web'), [web('web-1', failed), web('web-2', failed)]),
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
    absent: ['selector-matches-no-pods'],
  },
  {
    name: 'hostNetwork backends are endpoints at their node address',
    source: `${ESU}/reconciler_test.go (hostNetwork pods); podToEndpoint uses pod IPs = node IP`,
    build: () =>
      inCluster(
        service('web', (s) => (s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 10254 }])),
        [
          web('web-1', (p) => {
            p.hostNetwork = true;
            p.podIP = '192.168.0.11';
            p.podIPs = ['192.168.0.11'];
            p.containers = [
              container(
                'app',
                (c) => (c.ports = [{ containerPort: 10254, protocol: 'TCP', hostPort: 10254 }]),
              ),
            ];
          }),
        ],
      ),
    verdict: 'reachable',
  },
  {
    name: 'a headless Service for a StatefulSet with ready pods, reached by DNS, is fine',
    source: `${ESU}/reconciler_test.go (headless Services get slices); kubernetes/dns specification`,
    build: () => {
      const s = service('kafka', (x) => {
        x.clusterIP = 'None';
        x.clusterIPs = ['None'];
        x.headless = true;
        x.selector = { app: 'kafka' };
        x.ports = [{ name: 'broker', protocol: 'TCP', port: 9092, targetPort: 9092 }];
      });
      const pods = ['kafka-0', 'kafka-1'].map((n) =>
        pod(n, (p) => {
          p.meta.labels = { app: 'kafka' };
          p.containers = [
            container('kafka', (c) => (c.ports = [{ containerPort: 9092, protocol: 'TCP', name: 'broker' }])),
          ];
        }),
      );
      return {
        snapshot: snapshotOf({ services: [s], pods: [...pods, client()], nodes: [node('node-1')] }),
        question: question(s, {
          client: CLIENT,
          via: 'dns',
          dnsName: 'kafka.default.svc.cluster.local',
          port: 9092,
        }),
      };
    },
    absent: ['headless-service-no-vip', 'endpoints-not-ready'],
  },
  {
    name: 'a selector-less Service with hand-made legacy Endpoints (mirrored to a slice upstream) is fine',
    source: 'kubernetes pkg/controller/endpointslicemirroring (mirrors custom Endpoints)',
    build: () => {
      const s = selectorless();
      const ep = endpointsFor(s, [], (e) => {
        e.subsets = [
          {
            addresses: [{ ip: '10.20.30.40' }],
            notReadyAddresses: [],
            ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
          },
        ];
      });
      return inCluster(s, [], { endpoints: [ep], collected: { Endpoints: true } });
    },
    verdict: 'reachable',
    absent: ['selector-less-without-endpoints'],
  },
  {
    name: 'a selector-less Service with a labelled hand-made EndpointSlice is fine',
    source: 'kubernetes docs: Services without selectors; EndpointSlice kubernetes.io/service-name',
    build: () => inCluster(selectorless(), [], { endpointSlices: [manualSlice('db', '10.20.30.40')] }),
    verdict: 'reachable',
    absent: ['selector-less-without-endpoints'],
  },
  {
    name: 'a hand-made EndpointSlice without the kubernetes.io/service-name label belongs to no Service',
    source: 'kubernetes pkg/proxy/endpointslicecache.go (slices keyed by the service-name label)',
    build: () =>
      inCluster(selectorless(), [], {
        endpointSlices: [
          manualSlice('db', '10.20.30.40', (s) => {
            s.meta.labels = { 'endpointslice.kubernetes.io/managed-by': 'team-db' };
            delete s.serviceName;
          }),
        ],
      }),
    verdict: 'unreachable',
    top: 'selector-less-without-endpoints',
  },
  {
    name: 'a numeric targetPort declared only for UDP on a TCP Service port is a protocol mismatch',
    source:
      'kubernetes pkg/api/v1/pod FindPort (numbers pass through; the container listens on another protocol)',
    build: () =>
      inCluster(
        service('dns', (s) => {
          s.selector = { app: 'web' };
          s.ports = [{ name: 'dns', protocol: 'TCP', port: 53, targetPort: 53 }];
        }),
        [
          web(
            'web-1',
            (p) =>
              (p.containers = [
                container('dns', (c) => (c.ports = [{ containerPort: 53, protocol: 'UDP' }])),
              ]),
          ),
        ],
      ),
    present: ['protocol-mismatch'],
  },
  {
    name: 'internalTrafficPolicy Local with no endpoint on the client node drops the connection',
    source:
      'kubernetes pkg/proxy/topology.go CategorizeEndpoints (iTP Local: local endpoints only, no fallback)',
    build: () => {
      const s = service('web', (x) => (x.internalTrafficPolicy = 'Local'));
      const c = client();
      c.nodeName = 'node-2';
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1'), c],
          nodes: [node('node-1'), node('node-2')],
        }),
        question: question(s, { client: CLIENT }),
      };
    },
    verdict: 'unreachable',
    top: 'itp-local-no-local-endpoint',
  },
  {
    name: 'a headless Service without ports is a DNS name only, not a port problem',
    source: `${ESU}/reconciler_test.go (headless Service without ports gets a slice with no ports)`,
    build: () => {
      const s = service('peers', (x) => {
        x.clusterIP = 'None';
        x.clusterIPs = ['None'];
        x.headless = true;
        x.selector = { app: 'web' };
        x.ports = [];
      });
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1'), web('web-2'), client()],
          nodes: [node('node-1')],
        }),
        question: question(s, { client: CLIENT, via: 'dns', dnsName: 'peers.default.svc.cluster.local' }),
      };
    },
    absent: [
      'target-port-mismatch',
      'service-port-mismatch',
      'headless-service-no-vip',
      'endpoints-not-ready',
    ],
  },
  {
    name: 'a debug pod sharing the labels but lacking the named port gets no endpoint; the others serve',
    source: `${ESU}/reconciler.go (pods whose FindPort fails are left out of that port's slice)`,
    build: () => {
      const s = service(
        'web',
        (x) => (x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]),
      );
      const named = (p: Pod) => {
        p.containers = [
          container('app', (c) => (c.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])),
        ];
      };
      const good = [web('web-1', named), web('web-2', named)];
      const debug = web('web-debug', (p) => (p.containers = [container('shell', (c) => (c.ports = []))]));
      return inCluster(s, [...good, debug], { endpointSlices: [sliceFor(s, good)] });
    },
    verdict: 'reachable',
    present: ['target-port-mismatch'],
  },
  {
    name: 'hand-made Endpoints labelled skip-mirror get no EndpointSlice, so kube-proxy has no backend',
    source:
      'kubernetes pkg/controller/endpointslicemirroring (endpointslice.kubernetes.io/skip-mirror); kube-proxy reads EndpointSlices only',
    build: () => {
      const s = selectorless();
      const ep = endpointsFor(s, [], (e) => {
        e.meta.labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
        e.subsets = [
          {
            addresses: [{ ip: '10.20.30.40' }],
            notReadyAddresses: [],
            ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
          },
        ];
      });
      return inCluster(s, [web('web-1')], { endpoints: [ep], collected: { Endpoints: true } });
    },
    verdict: 'unreachable',
    top: 'selector-less-without-endpoints',
  },
  {
    name: 'a hand-made EndpointSlice whose port name differs from the Service port name gives that port no endpoint',
    source:
      'kubernetes pkg/proxy/endpointslicecache.go (endpoints keyed by ServicePortName: slice port name must equal the Service port name)',
    build: () =>
      inCluster(selectorless(), [], {
        endpointSlices: [
          manualSlice(
            'db',
            '10.20.30.40',
            (s) => (s.ports = [{ name: 'postgres', port: 5432, protocol: 'TCP' }]),
          ),
        ],
      }),
    verdict: 'unreachable',
    top: 'selector-less-without-endpoints',
  },
  {
    name: 'ready pods but no EndpointSlice at all (the endpointslice controller is not publishing) is named, not left unexplained',
    source:
      "kubernetes pkg/controller/endpointslice (slices are the controller's output; kube-proxy reads only them)",
    build: () => inCluster(service('web'), [web('web-1'), web('web-2')], { autoSlices: false }),
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
    absent: ['selector-matches-no-pods', 'target-port-mismatch'],
  },
  {
    name: 'a stale slice still naming the old port after the Service port was renamed serves nothing for the new name',
    source: 'kubernetes pkg/proxy/endpointslicecache.go (ServicePortName matching)',
    build: () => {
      const s = service(
        'web',
        (x) => (x.ports = [{ name: 'web', protocol: 'TCP', port: 80, targetPort: 8080 }]),
      );
      const pods = [web('web-1')];
      return inCluster(s, pods, {
        endpointSlices: [
          sliceFor(s, pods, (sl) => (sl.ports = [{ name: 'http', port: 8080, protocol: 'TCP' }])),
        ],
      });
    },
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
  },
  {
    name: 'iptables mode: a pod on a node without a backend reaching the LB address of an eTP Local Service is short-circuited to the cluster chain',
    source:
      'https://github.com/kubernetes/kubernetes/pull/77523 (pod traffic to an eTP Local LB IP); https://github.com/kubernetes/kubernetes/issues/92761',
    build: () => {
      const s = service('web', (x) => {
        x.type = 'LoadBalancer';
        x.externalTrafficPolicy = 'Local';
        x.healthCheckNodePort = 32100;
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
        x.loadBalancerIngress = [{ ip: '203.0.113.10' }];
      });
      const c = client();
      c.nodeName = 'node-2';
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1'), c],
          nodes: [node('node-1'), node('node-2')],
          configMaps: [
            {
              kind: 'ConfigMap',
              meta: meta('kube-proxy', 'kube-system'),
              data: {
                'config.conf':
                  'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\nclusterCIDR: 10.244.0.0/16\n',
              },
            },
          ],
        }),
        question: question(s, { client: CLIENT, via: 'loadbalancer' }),
      };
    },
    verdict: 'reachable',
    absent: ['etp-local-in-cluster-lb-access', 'etp-local-no-local-endpoint'],
  },
  {
    name: 'topology hints that cover only another zone are ignored by kube-proxy, which then uses every endpoint',
    source:
      'kubernetes pkg/proxy/topology.go canUseTopology / CategorizeEndpoints (no endpoint hinted for the node zone: fall back)',
    build: () => {
      const s = service('web', (x) => (x.meta.annotations['service.kubernetes.io/topology-mode'] = 'Auto'));
      const w = web('web-1');
      const sl = sliceFor(s, [w], (x) => {
        x.endpoints = x.endpoints.map((e) => ({ ...e, zone: 'zone-a', hintsForZones: ['zone-a'] }));
      });
      const c = client();
      c.nodeName = 'node-2';
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [w, c],
          nodes: [
            node('node-1', (n) => (n.meta.labels['topology.kubernetes.io/zone'] = 'zone-a')),
            node('node-2', (n) => (n.meta.labels['topology.kubernetes.io/zone'] = 'zone-b')),
          ],
          endpointSlices: [sl],
        }),
        question: question(s, { client: CLIENT }),
      };
    },
    verdict: 'reachable',
  },
];

const allow = (rule: NetworkPolicyRule) => rule;
const sel = (labels: Record<string, string>) => ({ matchLabels: labels, matchExpressions: [] });
const nsObj = (name: string, labels: Record<string, string> = {}) => ({
  kind: 'Namespace' as const,
  meta: meta(name, '', { 'kubernetes.io/metadata.name': name, ...labels }),
});

function policyWorld(policies: ReturnType<typeof networkPolicy>[], clientNs = 'front') {
  const s = service('web');
  return {
    snapshot: snapshotOf({
      services: [s],
      pods: [web('web-1'), client(clientNs)],
      nodes: [node('node-1')],
      namespaces: [nsObj('default'), nsObj('front', { team: 'front' })],
      networkPolicies: policies,
    }),
    question: question(s, { client: `pod/${clientNs}/client-7f8d9c6b4-zxcvb` }),
  };
}

const NETPOL = 'kubernetes test/e2e/network/netpol (truth tables); NetworkPolicy API';
const netpolCases: PeerCase[] = [
  {
    name: 'a client egress policy allowing the backend pods on the targetPort admits a ClusterIP connection on the Service port',
    source: `${NETPOL}: egress is checked after DNAT (pod IP, targetPort)`,
    build: () =>
      policyWorld([
        networkPolicy(
          'egress-to-web',
          (np) => {
            np.podSelector = sel({ app: 'client' });
            np.policyTypes = ['Egress'];
            np.egress = [
              allow({
                peers: [
                  {
                    namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'default' }),
                    podSelector: sel({ app: 'web' }),
                  },
                ],
                ports: [{ protocol: 'TCP', port: 8080 }],
              }),
            ];
          },
          'front',
        ),
      ]),
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
  {
    name: 'a client egress policy allowing only the Service CIDR by ipBlock denies: policies see pod IPs after DNAT',
    source: `${NETPOL}; https://kubernetes.io/docs/concepts/services-networking/network-policies/ (ipBlock and Service IPs)`,
    build: () =>
      policyWorld([
        networkPolicy(
          'egress-to-services',
          (np) => {
            np.podSelector = sel({ app: 'client' });
            np.policyTypes = ['Egress'];
            np.egress = [allow({ peers: [{ ipBlock: { cidr: '10.96.0.0/12', except: [] } }], ports: [] })];
          },
          'front',
        ),
      ]),
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
  {
    name: 'an ingress rule with an empty namespaceSelector admits pods of every namespace',
    source: `${NETPOL}: namespaceSelector {} matches all namespaces`,
    build: () =>
      policyWorld([
        networkPolicy('from-anywhere-in-cluster', (np) => {
          np.podSelector = sel({ app: 'web' });
          np.ingress = [allow({ peers: [{ namespaceSelector: sel({}) }], ports: [] })];
        }),
      ]),
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
  {
    name: 'a port range 8000-9000 (endPort) includes the targetPort 8080',
    source: `${NETPOL}: endPort ranges`,
    build: () =>
      policyWorld([
        networkPolicy('range', (np) => {
          np.podSelector = sel({ app: 'web' });
          np.ingress = [
            allow({
              peers: [{ namespaceSelector: sel({ team: 'front' }) }],
              ports: [{ protocol: 'TCP', port: 8000, endPort: 9000 }],
            }),
          ];
        }),
      ]),
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
  {
    name: 'a port range 9000-9100 excludes the targetPort 8080',
    source: `${NETPOL}: endPort ranges`,
    build: () =>
      policyWorld([
        networkPolicy('range', (np) => {
          np.podSelector = sel({ app: 'web' });
          np.ingress = [
            allow({
              peers: [{ namespaceSelector: sel({ team: 'front' }) }],
              ports: [{ protocol: 'TCP', port: 9000, endPort: 9100 }],
            }),
          ];
        }),
      ]),
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
  {
    name: 'an ipBlock whose except covers the client pod CIDR denies that client',
    source: `${NETPOL}: ipBlock except`,
    build: () =>
      policyWorld([
        networkPolicy('cidr', (np) => {
          np.podSelector = sel({ app: 'web' });
          np.ingress = [
            allow({ peers: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.1.0/24'] } }], ports: [] }),
          ];
        }),
      ]),
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
  {
    name: 'a named port in the policy resolves against the server pod (http = 8080) and admits',
    source: `${NETPOL}: named ports are resolved on the destination pod`,
    build: () => {
      const w = policyWorld([
        networkPolicy('named', (np) => {
          np.podSelector = sel({ app: 'web' });
          np.ingress = [
            allow({
              peers: [{ namespaceSelector: sel({ team: 'front' }) }],
              ports: [{ protocol: 'TCP', port: 'http' }],
            }),
          ];
        }),
      ]);
      const p = w.snapshot.data.pods.find((x) => x.meta.name === 'web-1');
      if (p)
        p.containers = [
          container('app', (c) => (c.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])),
        ];
      return w;
    },
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
];

describe('upstream endpoint publication and FindPort cases', () => runPeerCases(endpointCases));
describe('upstream NetworkPolicy semantics cases', () => runPeerCases(netpolCases));

const headless = (name: string, mutate?: (s: Service) => void) =>
  service(name, (x) => {
    x.clusterIP = 'None';
    x.clusterIPs = ['None'];
    x.headless = true;
    x.selector = { app: name };
    x.ports = [{ name: 'peer', protocol: 'TCP', port: 2380, targetPort: 2380 }];
    mutate?.(x);
  });
const member = (name: string, app: string, ready = true) =>
  pod(name, (p) => {
    p.meta.labels = { app };
    p.containers = [
      container('member', (c) => (c.ports = [{ name: 'peer', containerPort: 2380, protocol: 'TCP' }])),
    ];
    if (!ready) notReady(p);
  });

describe('upstream audit cases', () =>
  runAuditCases([
    {
      name: 'headless governing Services of StatefulSets (one bootstrapping with publishNotReadyAddresses) are clean',
      source: `${ESU}/utils.go podToEndpoint; kubernetes.io StatefulSet stable network identity`,
      snapshot: () =>
        snapshotOf({
          services: [headless('etcd'), headless('zk', (x) => (x.publishNotReadyAddresses = true))],
          pods: [
            member('etcd-0', 'etcd'),
            member('etcd-1', 'etcd'),
            member('zk-0', 'zk', false),
            member('zk-1', 'zk', false),
          ],
          nodes: [node('node-1'), node('node-2')],
        }),
      services: {
        'default/etcd': { clean: true, absent: ['headless-service-no-vip', 'endpoints-not-ready'] },
        'default/zk': { clean: true, absent: ['headless-service-no-vip', 'endpoints-not-ready'] },
      },
    },
  ]));
