// Cases from Popeye's linters (internal/lint/svc.go, ing.go, np.go; codes in
// internal/issues/assets/codes.yaml) and the false positives its users reported. Popeye checks
// one pod picked by the selector and declared container ports; upstream resolves the targetPort
// per pod (podutil.FindPort), so a declaration is informational and pods may differ.
import { describe } from 'vitest';
import type { Pod, Service } from '../src/model/types.js';
import { type PeerCase, runAuditCases, runPeerCases } from './peer-cases/harness.js';
import {
  container,
  endpointsFor,
  meta,
  networkPolicy,
  node,
  pod,
  question,
  service,
  sliceFor,
  snapshotOf,
} from './support/builders.js';
import { ingress, svcBackend, world } from './support/cloud-fixtures.js';

const POPEYE = 'popeye internal/lint';
const CLIENT = 'pod/default/client-7f8d9c6b4-zxcvb';
const client = () => pod('client-7f8d9c6b4-zxcvb', (p) => (p.meta.labels = { app: 'client' }));

function web(name: string, ports: Pod['containers'][number]['ports'], mutate?: (p: Pod) => void): Pod {
  return pod(name, (p) => {
    p.meta.labels = { app: 'web' };
    p.containers = [container('app', (c) => (c.ports = ports))];
    mutate?.(p);
  });
}

function inCluster(svc: Service, pods: Pod[], extra: Parameters<typeof snapshotOf>[0] = {}) {
  return {
    snapshot: snapshotOf({ services: [svc], pods: [...pods, client()], nodes: [node('node-1')], ...extra }),
    question: question(svc, { client: CLIENT }),
  };
}

const svc = (mutate?: (s: Service) => void) => service('web', mutate);

const serviceCases: PeerCase[] = [
  {
    name: 'POP-1100: no pod carries the selector labels',
    source: `${POPEYE}/svc.go checkPorts → 1100`,
    build: () =>
      inCluster(
        svc((s) => (s.selector = { app: 'web', tier: 'frontend' })),
        [web('web-1', [])],
      ),
    verdict: 'unreachable',
    top: 'selector-matches-no-pods',
  },
  {
    name: 'POP-1106: a named targetPort no container declares leaves every endpoint without the port',
    source: `${POPEYE}/svc.go checkServicePort → 1106`,
    build: () =>
      inCluster(
        svc((s) => (s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }])),
        [web('web-1', [{ name: 'web', containerPort: 8080, protocol: 'TCP' }])],
      ),
    verdict: 'unreachable',
    top: 'target-port-mismatch',
  },
  {
    name: 'POP-1106: a numeric targetPort other than the declared containerPort is reported',
    source: `${POPEYE}/svc.go checkServicePort → 1106`,
    build: () =>
      inCluster(
        svc((s) => (s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080 }])),
        [web('web-1', [{ containerPort: 80, protocol: 'TCP' }])],
      ),
    present: ['target-port-mismatch'],
  },
  {
    name: 'POP-1101 (skip): containers that declare no ports at all do not make a numeric targetPort wrong',
    source: `${POPEYE}/svc.go "No explicit ports detected on pod"; containerPort is informational upstream`,
    build: () =>
      inCluster(
        svc((s) => (s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 9090 }])),
        [web('web-1', []), web('web-2', [])],
      ),
    verdict: 'reachable',
    absent: ['target-port-mismatch'],
  },
  {
    name: 'a named targetPort that maps to 8080 on old pods and 9090 on new pods is valid (Popeye checks one pod)',
    source: `${POPEYE}/svc.go FindPod picks one pod; upstream FindPort resolves per pod`,
    build: () => {
      const s = svc((x) => (x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]));
      const old = web('web-6d9f7c-aaaaa', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      const neu = web('web-7b8c9d-bbbbb', [{ name: 'http', containerPort: 9090, protocol: 'TCP' }]);
      // The endpointslice controller writes one slice per distinct port set.
      const slices = [
        sliceFor(s, [old], (sl) => (sl.meta.name = 'web-aaaaa')),
        sliceFor(s, [neu], (sl) => (sl.meta.name = 'web-bbbbb')),
      ];
      return inCluster(s, [old, neu], { endpointSlices: slices });
    },
    verdict: 'reachable',
    absent: ['target-port-mismatch'],
  },
  {
    name: 'a named targetPort declared on a sidecar (restartable init container) resolves',
    source: `${POPEYE}/svc.go portsForPod (restartPolicy Always init containers); upstream FindPort sidecars`,
    build: () =>
      inCluster(
        svc((s) => (s.ports = [{ name: 'metrics', protocol: 'TCP', port: 9000, targetPort: 'metrics' }])),
        [
          web('web-1', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], (p) => {
            p.initContainers = [
              container('exporter', (c) => {
                c.restartPolicy = 'Always';
                c.ports = [{ name: 'metrics', containerPort: 9102, protocol: 'TCP' }];
              }),
            ];
          }),
        ],
      ),
    verdict: 'reachable',
    absent: ['target-port-mismatch'],
  },
  {
    name: 'a named targetPort declared only on a run-to-completion init container does not resolve',
    source: 'upstream podutil.FindPort skips init containers without restartPolicy Always',
    build: () =>
      inCluster(
        svc((s) => (s.ports = [{ name: 'metrics', protocol: 'TCP', port: 9000, targetPort: 'metrics' }])),
        [
          web('web-1', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], (p) => {
            p.initContainers = [
              container(
                'migrate',
                (c) => (c.ports = [{ name: 'metrics', containerPort: 9102, protocol: 'TCP' }]),
              ),
            ];
          }),
        ],
      ),
    verdict: 'unreachable',
    top: 'target-port-mismatch',
  },
  {
    name: 'a UDP Service port whose named targetPort exists only as TCP has no endpoint port (name and protocol must match)',
    source: `${POPEYE}/svc.go portFQN(protocol, port); upstream FindPort matches name and protocol`,
    build: () =>
      inCluster(
        svc((s) => (s.ports = [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 'dns' }])),
        [web('web-1', [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }])],
      ),
    verdict: 'unreachable',
    top: 'protocol-mismatch',
  },
  {
    name: 'POP-1102/1103/1107: a LoadBalancer with eTP Cluster and a numeric targetPort is healthy, not a finding',
    source: `${POPEYE}/svc.go checkType, checkExternalTrafficPolicy, checkNamedTargetPort (style codes)`,
    build: () => ({
      snapshot: world(),
      question: question('web', { client: 'internet', via: 'loadbalancer' }),
    }),
    verdict: 'reachable',
  },
  {
    name: 'POP-1108: a NodePort with eTP Local reached on a node without a backend drops the traffic',
    source: `${POPEYE}/svc.go checkExternalTrafficPolicy → 1108; upstream eTP Local`,
    build: () => {
      const s = svc((x) => {
        x.type = 'NodePort';
        x.externalTrafficPolicy = 'Local';
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      });
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])],
          nodes: [node('node-1'), node('node-2')],
        }),
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
    name: 'POP-1108 false positive: a NodePort with eTP Local reached on the node that runs the backend works',
    source: `${POPEYE}/svc.go checkExternalTrafficPolicy → 1108`,
    build: () => {
      const s = svc((x) => {
        x.type = 'NodePort';
        x.externalTrafficPolicy = 'Local';
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      });
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])],
          nodes: [node('node-1'), node('node-2')],
        }),
        question: question(s, {
          client: 'vpc',
          via: 'nodeport',
          address: { ip: '192.168.0.11', port: 30080 },
        }),
      };
    },
    verdict: 'reachable',
    absent: ['etp-local-no-local-endpoint'],
  },
  {
    name: 'POP-1105 false positive: a cluster that serves EndpointSlices only (no legacy Endpoints) is healthy',
    source: 'https://github.com/derailed/popeye/issues/289',
    build: () => {
      const s = svc();
      const pods = [web('web-1', [{ containerPort: 8080, protocol: 'TCP' }])];
      return inCluster(s, pods, { collected: { Endpoints: true } });
    },
    verdict: 'reachable',
    absent: ['selector-less-without-endpoints', 'selector-matches-no-pods'],
  },
  {
    name: 'POP-1109 false positive: legacy Endpoints whose addresses are spread over several subsets count them all',
    source: 'https://github.com/derailed/popeye/issues/296',
    build: () => {
      const s = svc(
        (x) => (x.ports = [{ name: 'metrics', protocol: 'TCP', port: 9100, targetPort: 'metrics' }]),
      );
      const a = web('traefik-1', [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
      const b = web('traefik-2', [{ name: 'metrics', containerPort: 9200, protocol: 'TCP' }]);
      const ep = endpointsFor(s, [a], (e) => {
        const second = endpointsFor(s, [b]).subsets[0];
        if (second) e.subsets.push({ ...second, ports: [{ name: 'metrics', port: 9200, protocol: 'TCP' }] });
      });
      return inCluster(s, [a, b], {
        endpoints: [ep],
        autoSlices: false,
        collected: { EndpointSlice: false, Endpoints: true },
      });
    },
    verdict: 'reachable',
    absent: ['endpoints-not-ready', 'selector-matches-no-pods', 'target-port-mismatch'],
  },
  {
    name: 'POP-1110: selected pods are Pending without an IP, so the Endpoints have no subsets',
    source: `${POPEYE}/svc.go checkEndpoints → 1110; upstream endpointslice reconciler skips pods without IP`,
    build: () =>
      inCluster(svc(), [
        web('web-1', [{ containerPort: 8080, protocol: 'TCP' }], (p) => {
          p.phase = 'Pending';
          delete p.podIP;
          p.podIPs = [];
          delete p.nodeName;
          p.ready = false;
          p.containerStatuses = [];
          p.conditions = [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available: 3 Insufficient cpu.',
            },
          ];
        }),
      ]),
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
    absent: ['selector-matches-no-pods'],
  },
  {
    name: 'an ExternalName Service has no endpoints by design (Popeye bails in checkEndpoints)',
    source: `${POPEYE}/svc_test.go Test_svcCheckEndpoints "external"`,
    build: () =>
      inCluster(
        svc((s) => {
          s.type = 'ExternalName';
          s.externalName = 'db.example.com';
          delete s.selector;
          s.clusterIP = '';
          s.clusterIPs = [];
        }),
        [],
      ),
    absent: ['selector-less-without-endpoints', 'selector-matches-no-pods', 'endpoints-not-ready'],
  },
];

const ingressCases: PeerCase[] = [
  {
    name: 'POP-1402: an Ingress backend port number the Service does not expose',
    source: `${POPEYE}/ing.go checkBackendSvc → 1402`,
    build: () => ({
      snapshot: world(
        (w) =>
          (w.ingresses = [ingress('shop', (i) => (i.rules[0]!.paths[0]!.backend = svcBackend('web', 8080)))]),
      ),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    verdict: 'unreachable',
    top: 'ingress-backend-missing',
  },
  {
    name: 'POP-1402 missed: a wrong backend number on a Service with one unnamed port (Popeye matches "" == "")',
    source: `${POPEYE}/ing.go findPortByNumberOrName compares empty names`,
    build: () => ({
      snapshot: world((w) => {
        w.services[0]!.ports[0]!.name = '';
        w.ingresses = [ingress('shop', (i) => (i.rules[0]!.paths[0]!.backend = svcBackend('web', 8080)))];
      }),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    verdict: 'unreachable',
    top: 'ingress-backend-missing',
  },
  {
    name: 'an Ingress backend naming the Service port by name is served',
    source: `${POPEYE}/ing.go 1403 (prefers named ports)`,
    build: () => ({
      snapshot: world(
        (w) =>
          (w.ingresses = [
            ingress('shop', (i) => (i.rules[0]!.paths[0]!.backend = svcBackend('web', 'http'))),
          ]),
      ),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    absent: ['ingress-backend-missing', 'ingress-no-matching-rule', 'ingress-class-missing'],
  },
];

const npCases: PeerCase[] = [
  {
    name: 'POP-1201: an ingress rule whose namespaceSelector matches no namespace admits nobody',
    source: `${POPEYE}/np.go checkNSSelector → 1201`,
    build: () => {
      const s = svc();
      const pods = [web('web-1', [{ containerPort: 8080, protocol: 'TCP' }])];
      const c = pod('client-7f8d9c6b4-zxcvb', (p) => (p.meta.labels = { app: 'client' }), 'front');
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [...pods, c],
          nodes: [node('node-1')],
          namespaces: [
            { kind: 'Namespace', meta: meta('default', '', { 'kubernetes.io/metadata.name': 'default' }) },
            { kind: 'Namespace', meta: meta('front', '', { 'kubernetes.io/metadata.name': 'front' }) },
          ],
          networkPolicies: [
            networkPolicy('from-frontend', (np) => {
              np.podSelector = { matchLabels: { app: 'web' }, matchExpressions: [] };
              np.ingress = [
                {
                  peers: [{ namespaceSelector: { matchLabels: { team: 'frontend' }, matchExpressions: [] } }],
                  ports: [],
                },
              ];
            }),
          ],
        }),
        question: question(s, { client: 'pod/front/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
  {
    name: 'POP-1206 false positive: an ipBlock for internet clients matches no pod, yet admits them with eTP Local',
    source: `${POPEYE}/np.go checkIPBlocks → 1206`,
    build: () => {
      const s = svc((x) => {
        x.type = 'NodePort';
        x.externalTrafficPolicy = 'Local';
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      });
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])],
          nodes: [node('node-1')],
          networkPolicies: [
            networkPolicy('from-internet', (np) => {
              np.podSelector = { matchLabels: { app: 'web' }, matchExpressions: [] };
              np.ingress = [
                { peers: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [] },
              ];
            }),
          ],
        }),
        question: question(s, {
          client: 'internet',
          via: 'nodeport',
          address: { ip: '192.168.0.11', port: 30080 },
        }),
      };
    },
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
  {
    name: 'an ipBlock that admits the internet but not the node subnet denies NodePort traffic under eTP Cluster (source NATed to the node)',
    source: `${POPEYE}/np.go checkIPBlocks; https://kubernetes.io/docs/concepts/services-networking/network-policies/ (SNAT hides the client)`,
    build: () => {
      const s = svc((x) => {
        x.type = 'NodePort';
        x.externalTrafficPolicy = 'Cluster';
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      });
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [web('web-1', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }])],
          nodes: [node('node-1'), node('node-2')],
          networkPolicies: [
            networkPolicy('from-internet', (np) => {
              np.podSelector = { matchLabels: { app: 'web' }, matchExpressions: [] };
              np.ingress = [
                {
                  peers: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } }],
                  ports: [],
                },
              ];
            }),
          ],
        }),
        question: question(s, {
          client: 'internet',
          via: 'nodeport',
          address: { ip: '192.168.0.12', port: 30080 },
        }),
      };
    },
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
];

describe('Popeye Service linter cases', () => runPeerCases(serviceCases));
describe('Popeye Ingress linter cases', () => runPeerCases(ingressCases));
describe('Popeye NetworkPolicy linter cases', () => runPeerCases(npCases));
describe('Popeye audit-level cases', () =>
  runAuditCases([
    {
      name: 'POP-1109 false positive: a Service with one ready endpoint is not a problem',
      source: `${POPEYE}/svc.go checkEndpoints → 1109; https://github.com/derailed/popeye/issues/296`,
      snapshot: () => snapshotOf({ services: [svc()], pods: [web('web-1', [])], nodes: [node('node-1')] }),
      services: { 'default/web': { clean: true } },
    },
    {
      name: 'POP-1104: a NodePort Service is a choice, not a finding',
      source: `${POPEYE}/svc.go checkType → 1104`,
      snapshot: () =>
        snapshotOf({
          services: [
            svc((s) => {
              s.type = 'NodePort';
              s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
            }),
          ],
          pods: [web('web-1', [{ containerPort: 8080, protocol: 'TCP' }])],
          nodes: [node('node-1')],
        }),
      services: { 'default/web': { clean: true } },
    },
  ]));
