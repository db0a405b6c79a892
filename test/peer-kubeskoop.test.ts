// Cases after KubeSkoop's diagnosis (pkg/skoop/service/service.go, assertions/k8s.go,
// assertions/netstack.go): what it asserts on the way to a Service backend, mapped to our ids,
// and where its model is narrower than upstream (named targetPorts unsupported, eTP Local
// applied only to external traffic) — there we must get the answer right.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { Snapshot } from '../src/model/snapshot.js';
import type { Pod, Service } from '../src/model/types.js';
import { GOLDEN_NODE, GOLDEN_NODE_IP, goldenData } from '../src/nodedump/fixtures/golden-cluster.js';
import { type PeerCase, runPeerCases } from './peer-cases/harness.js';
import { container, meta, node, notReady, pod, question, service, snapshotOf } from './support/builders.js';

const SKOOP = 'kubeskoop pkg/skoop';
const CLIENT = 'pod/default/client-7f8d9c6b4-zxcvb';

function web(name: string, nodeName: string, mutate?: (p: Pod) => void): Pod {
  return pod(name, (p) => {
    p.meta.labels = { app: 'web' };
    p.nodeName = nodeName;
    p.hostIP = nodeName === 'node-1' ? '192.168.0.11' : '192.168.0.12';
    p.containers = [
      container('app', (c) => (c.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])),
    ];
    mutate?.(p);
  });
}
const clientOn = (nodeName: string) =>
  pod('client-7f8d9c6b4-zxcvb', (p) => {
    p.meta.labels = { app: 'client' };
    p.nodeName = nodeName;
  });

function world(
  svc: Service,
  pods: Pod[],
  clientNode = 'node-2',
  extra: Parameters<typeof snapshotOf>[0] = {},
) {
  return snapshotOf({
    services: [svc],
    pods: [...pods, clientOn(clientNode)],
    nodes: [node('node-1'), node('node-2')],
    ...extra,
  });
}

const lb = (mutate?: (s: Service) => void) =>
  service('web', (s) => {
    s.type = 'LoadBalancer';
    s.externalTrafficPolicy = 'Local';
    s.healthCheckNodePort = 32100;
    s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }];
    s.loadBalancerIngress = [{ ip: '203.0.113.10' }];
    mutate?.(s);
  });

const GOLDEN_IPTABLES = readFileSync(
  fileURLToPath(new URL('../src/nodedump/fixtures/test-node.iptables', import.meta.url)),
  'utf8',
);
const GOLDEN_ADDR = readFileSync(
  fileURLToPath(new URL('../src/nodedump/fixtures/test-node.addr', import.meta.url)),
  'utf8',
);

/** The golden node's real iptables-save with one extra filter rule, asked about its NodePort ns3/svc3. */
function goldenNodePort(extraRule: string) {
  const anchor =
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall"';
  const d = goldenData();
  d.nodeDumps = [
    {
      node: GOLDEN_NODE,
      iptables: {
        text: GOLDEN_IPTABLES.replace(anchor, `${extraRule}\n${anchor}`),
        file: 'test-node.iptables',
      },
      addr: { text: GOLDEN_ADDR, file: 'test-node.addr' },
    },
  ];
  return {
    snapshot: new Snapshot(d),
    question: question('ns3/svc3', {
      client: 'vpc',
      via: 'nodeport',
      address: { ip: GOLDEN_NODE_IP, port: 3003 },
    }),
  };
}

const cases: PeerCase[] = [
  {
    name: 'a named targetPort (which KubeSkoop does not resolve) is resolved per pod and the Service answers',
    source: `${SKOOP}/service/service.go GetTargetPort ("named port not support now")`,
    build: () => {
      const s = service(
        'web',
        (x) => (x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]),
      );
      return { snapshot: world(s, [web('web-1', 'node-1')]), question: question(s, { client: CLIENT }) };
    },
    verdict: 'reachable',
    absent: ['target-port-mismatch'],
  },
  {
    name: 'eTP Local does not apply to ClusterIP traffic: a pod on a node without a backend still reaches it',
    source: `${SKOOP}/service/service.go isExternalTraffic (Local filters only LB IP / node port traffic)`,
    build: () => {
      const s = lb();
      return {
        snapshot: world(s, [web('web-1', 'node-1')], 'node-2'),
        question: question(s, { client: CLIENT, via: 'clusterip' }),
      };
    },
    verdict: 'reachable',
    absent: ['etp-local-no-local-endpoint', 'etp-local-in-cluster-lb-access'],
  },
  {
    name: 'eTP Local, internet client, LB sends to a node without a backend via its node port: that node drops',
    source: `${SKOOP}/service/service.go Process (localBackend: endpoints filtered to the node)`,
    build: () => {
      const s = lb();
      return {
        snapshot: world(s, [web('web-1', 'node-1')]),
        question: question(s, {
          client: 'vpc',
          via: 'nodeport',
          address: { ip: '192.168.0.12', port: 30080 },
        }),
      };
    },
    verdict: 'unreachable',
    top: 'etp-local-no-local-endpoint',
  },
  {
    name: 'a node client reaching a ClusterIP (masqueraded, outside the cluster CIDR) works',
    source: `${SKOOP}/service/service.go shouldMasquerade (ClusterIP from outside clusterCIDR)`,
    build: () => {
      const s = service(
        'web',
        (x) => (x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]),
      );
      return {
        snapshot: world(s, [web('web-1', 'node-1')]),
        question: question(s, { client: 'node/node-2', via: 'clusterip' }),
      };
    },
    verdict: 'reachable',
  },
  {
    name: 'every backend sits on a NotReady node (KubeSkoop: node ready status fatal)',
    source: `${SKOOP}/assertions/k8s.go AssertNode`,
    build: () => {
      const s = service('web');
      const snap = world(s, [web('web-1', 'node-1'), web('web-2', 'node-1')]);
      const n1 = snap.data.nodes.find((n) => n.meta.name === 'node-1');
      if (n1) {
        n1.ready = undefined;
        n1.conditions = [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
            lastHeartbeatTime: '2026-11-22T09:57:00Z',
          },
        ];
        n1.taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }];
      }
      return { snapshot: snap, question: question(s, { client: CLIENT }) };
    },
    top: 'endpoints-on-unready-nodes',
  },
  {
    name: 'the backend container is not ready (KubeSkoop: container not ready warning) and no other backend is',
    source: `${SKOOP}/assertions/k8s.go AssertPod`,
    build: () => {
      const s = service('web');
      return {
        snapshot: world(s, [
          web('web-1', 'node-1', (p) => {
            notReady(p);
            p.containerStatuses = [
              {
                name: 'app',
                ready: false,
                restartCount: 6,
                state: {
                  waiting: {
                    reason: 'CrashLoopBackOff',
                    message: 'back-off 5m0s restarting failed container',
                  },
                },
                lastState: { terminated: { reason: 'Error', exitCode: 1 } },
              },
            ];
          }),
        ]),
        question: question(s, { client: CLIENT }),
      };
    },
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
  },
  {
    name: 'ready endpoints but the pod port is refused (KubeSkoop: no process listening on 0.0.0.0:port)',
    source: `${SKOOP}/assertions/netstack.go AssertListen`,
    build: () => {
      const s = service(
        'web',
        (x) => (x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }]),
      );
      const p = web('web-1', 'node-1');
      return {
        snapshot: world(s, [p], 'node-2', {
          observations: [
            {
              at: '2026-11-22T09:59:00Z',
              from: CLIENT,
              to: `pod/default/web-1:8080`,
              result: 'refused',
              detail: `curl: (7) Failed to connect to ${p.podIP} port 8080: Connection refused`,
            },
          ],
        }),
        question: question(s, { client: CLIENT }),
      };
    },
    verdict: 'unreachable',
    top: 'container-not-listening',
  },
  {
    name: 'a pod sending to the node port (eTP Local) of another node without a backend is redirected to the cluster chain and served',
    source:
      'https://github.com/kubernetes/kubernetes/issues/74383 ; kube-proxy iptables KUBE-EXT chain: pod traffic to external destinations jumps to the cluster policy chain',
    build: () => {
      const s = lb((x) => {
        x.type = 'NodePort';
        x.loadBalancerIngress = [];
        delete x.healthCheckNodePort;
      });
      return {
        snapshot: world(s, [web('web-1', 'node-1')], 'node-2', {
          configMaps: [
            {
              kind: 'ConfigMap',
              meta: { ...meta('kube-proxy', 'kube-system') },
              data: {
                'config.conf':
                  'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0/16\nmode: iptables\n',
              },
            },
          ],
        }),
        question: question(s, {
          client: CLIENT,
          via: 'nodeport',
          address: { ip: '192.168.0.12', port: 30080 },
        }),
      };
    },
    verdict: 'reachable',
    absent: ['etp-local-no-local-endpoint'],
  },
  {
    name: 'a process on a node without a backend calling its own node port (eTP Local) is served through the cluster chain',
    source:
      'https://github.com/kubernetes/kubernetes/issues/92761 ; kube-proxy iptables: locally originated traffic to a node port is masqueraded and uses cluster policy',
    build: () => {
      const s = lb((x) => {
        x.type = 'NodePort';
        x.loadBalancerIngress = [];
        delete x.healthCheckNodePort;
      });
      return {
        snapshot: world(s, [web('web-1', 'node-1')]),
        question: question(s, {
          client: 'node/node-2',
          via: 'nodeport',
          address: { ip: '192.168.0.12', port: 30080 },
        }),
      };
    },
    verdict: 'reachable',
    absent: ['etp-local-no-local-endpoint'],
  },
  {
    name: 'a filter FORWARD DROP for the pod CIDR in the node dump stops node-port traffic after DNAT (KubeSkoop: packet drop by iptables)',
    source: `${SKOOP}/assertions/netstack.go AssertNetfilterForward / IPTableDropError`,
    build: () => goldenNodePort('-I FORWARD 1 -d 10.180.0.0/16 -j DROP'),
    verdict: 'unreachable',
    top: 'kube-proxy-rules-missing',
  },
  {
    name: 'a filter INPUT DROP on the node port does not touch node-port traffic: after DNAT it is forwarded, not delivered locally',
    source: `${SKOOP}/assertions/netstack.go AssertNetfilterServe vs AssertNetfilterForward (hooks after DNAT)`,
    build: () => goldenNodePort('-A INPUT -p tcp -m tcp --dport 3003 -j DROP'),
    verdict: 'reachable',
    absent: ['kube-proxy-rules-missing'],
  },
];

describe('KubeSkoop diagnosis cases', () => runPeerCases(cases));
