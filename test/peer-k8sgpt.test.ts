// Cases from k8sgpt's analyzers (pkg/analyzer/service.go, ingress.go, netpol.go and their
// tests): what k8sgpt reports we must report with our id, and where its rule is too coarse
// (any not-ready address, any empty-selector policy, no class) we must stay quiet.
import { describe } from 'vitest';
import type { Pod } from '../src/model/types.js';
import { type PeerCase, runAuditCases, runPeerCases } from './peer-cases/harness.js';
import {
  endpointsFor,
  meta,
  networkPolicy,
  node,
  notReady,
  pod,
  question,
  service,
  snapshotOf,
} from './support/builders.js';
import { ingress, ingressClass, svcBackend, world } from './support/cloud-fixtures.js';

const K8SGPT = 'k8sgpt pkg/analyzer';
const client = (ns = 'default') =>
  pod('client-7f8d9c6b4-zxcvb', (p) => (p.meta.labels = { app: 'client' }), ns);

const serviceCases: PeerCase[] = [
  {
    name: 'a selector no pod carries (service_test Service1: "has no endpoints, expected label") is selector-matches-no-pods',
    source: `${K8SGPT}/service_test.go TestServiceAnalyzer Service1`,
    build: () => {
      const svc = serviceOf('service1', { app1: 'test-app1', app2: 'test-app2' });
      return {
        snapshot: snapshotOf({
          services: [svc],
          pods: [pod('web-1', (p) => (p.meta.labels = { app1: 'test-app1' })), client()],
          nodes: [node('node-1')],
        }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'unreachable',
    top: 'selector-matches-no-pods',
    absent: ['endpoints-not-ready'],
  },
  {
    name: 'legacy Endpoints with only notReadyAddresses (service_test Endpoint1) is endpoints-not-ready',
    source: `${K8SGPT}/service_test.go TestServiceAnalyzer Endpoint1`,
    build: () => {
      const svc = serviceOf('web', { app: 'web' });
      const pods = ['web-1', 'web-2', 'web-3'].map((n) => pod(n, (p) => notReady(p)));
      return {
        snapshot: snapshotOf({
          services: [svc],
          pods: [...pods, client()],
          nodes: [node('node-1')],
          endpoints: [endpointsFor(svc, pods)],
          autoSlices: false,
          collected: { EndpointSlice: false, Endpoints: true },
        }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
    absent: ['selector-matches-no-pods'],
  },
  {
    name: 'a selector-less Service with no Endpoints (service_test Service3, which k8sgpt skips) is selector-less-without-endpoints',
    source: `${K8SGPT}/service_test.go TestServiceAnalyzer Service3`,
    build: () => {
      const svc = service('service3', (s) => {
        delete s.selector;
      });
      return {
        snapshot: snapshotOf({ services: [svc], pods: [client()], nodes: [node('node-1')] }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'unreachable',
    top: 'selector-less-without-endpoints',
  },
  {
    name: 'a rolling update with one new pod not yet ready and two ready is reachable (k8sgpt flags any notReadyAddresses)',
    source: `${K8SGPT}/service.go "Service has not ready endpoints" (false positive during rollouts)`,
    build: () => {
      const svc = serviceOf('web', { app: 'web' });
      const pods = [
        pod('web-6d9f7c-aaaaa'),
        pod('web-6d9f7c-bbbbb'),
        pod('web-7b8c9d-ccccc', (p) => notReady(p)),
      ].map(asWeb);
      return {
        snapshot: snapshotOf({ services: [svc], pods: [...pods, client()], nodes: [node('node-1')] }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'reachable',
  },
  {
    name: 'a pod terminating during a rollout (ready=false, serving, terminating) while others are ready is reachable',
    source: `${K8SGPT}/service.go notReadyAddresses; upstream endpointslice reconciler terminating endpoints`,
    build: () => {
      const svc = serviceOf('web', { app: 'web' });
      const pods = [
        pod('web-6d9f7c-aaaaa'),
        pod('web-6d9f7c-bbbbb'),
        pod('web-5c4b3a-ddddd', (p) => (p.meta.deletionTimestamp = '2026-11-22T09:59:50Z')),
      ].map(asWeb);
      return {
        snapshot: snapshotOf({ services: [svc], pods: [...pods, client()], nodes: [node('node-1')] }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'reachable',
    absent: ['endpoints-not-ready'],
  },
  {
    name: 'a LoadBalancer Service with a Warning SyncLoadBalancerFailed event and no address is lb-not-provisioned',
    source: `${K8SGPT}/service.go "Service has event" (non-Normal events of the Service)`,
    build: () => {
      const svc = service('web', (s) => {
        s.type = 'LoadBalancer';
        s.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31080 }];
      });
      return {
        snapshot: snapshotOf({
          services: [svc],
          pods: [pod('web-1')],
          nodes: [node('node-1')],
          events: [
            {
              kind: 'Event',
              meta: meta('web.187a', 'default'),
              involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
              reason: 'SyncLoadBalancerFailed',
              message:
                'Error syncing load balancer: failed to ensure load balancer: quota exceeded for resource eip',
              type: 'Warning',
              count: 7,
              lastTimestamp: '2026-11-22T09:58:00Z',
              reporter: 'service-controller',
            },
          ],
        }),
        question: question(svc, { client: 'internet', via: 'loadbalancer' }),
      };
    },
    verdict: 'unreachable',
    top: 'lb-not-provisioned',
  },
];

const ing: PeerCase[] = [
  {
    name: 'an Ingress naming an IngressClass that does not exist is ingress-class-missing',
    source: `${K8SGPT}/ingress.go "uses the ingress class %s which does not exist"`,
    build: () => ({
      snapshot: world((w) => (w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'traefik'))])),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    top: 'ingress-class-missing',
  },
  {
    name: 'an Ingress without class and no default IngressClass is ingress-class-missing',
    source: `${K8SGPT}/ingress.go "does not specify an Ingress class"`,
    build: () => ({
      snapshot: world((w) => (w.ingresses = [ingress('shop', (i) => delete i.ingressClassName)])),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    top: 'ingress-class-missing',
  },
  {
    name: 'an Ingress without class while one IngressClass is the cluster default is served (k8sgpt reports it)',
    source: `${K8SGPT}/ingress.go "does not specify an Ingress class" (false positive with a default class)`,
    build: () => ({
      snapshot: world((w) => {
        w.ingressClasses = [ingressClass('nginx', true)];
        w.ingresses = [ingress('shop', (i) => delete i.ingressClassName)];
      }),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    absent: ['ingress-class-missing'],
  },
  {
    name: 'an Ingress whose rule names a Service that does not exist is ingress-backend-missing for the host',
    source: `${K8SGPT}/ingress.go "uses the service %s/%s which does not exist"`,
    build: () => ({
      snapshot: world((w) => {
        w.ingresses = [
          ingress('shop', (i) => {
            i.rules = [
              {
                host: 'shop.example.com',
                paths: [
                  { path: '/', pathType: 'Prefix', backend: svcBackend('web', 80) },
                  { path: '/api', pathType: 'Prefix', backend: svcBackend('api', 80) },
                ],
              },
            ];
          }),
        ];
      }),
      question: question('api', {
        client: 'internet',
        via: 'ingress',
        host: 'shop.example.com',
        path: '/api',
      }),
    }),
    verdict: 'unreachable',
    top: 'service-not-found',
  },
  {
    name: 'an Ingress path with a resource backend (no Service) does not crash or blame the Service',
    source: `${K8SGPT}/ingress.go dereferences path.Backend.Service (nil for resource backends)`,
    build: () => ({
      snapshot: world((w) => {
        w.ingresses = [
          ingress('shop', (i) => {
            i.rules = [
              {
                host: 'shop.example.com',
                paths: [
                  { path: '/', pathType: 'Prefix', backend: svcBackend('web', 80) },
                  {
                    path: '/static',
                    pathType: 'Prefix',
                    backend: {
                      resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' },
                    },
                  },
                ],
              },
            ];
          }),
        ];
      }),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    absent: ['ingress-backend-missing', 'ingress-no-matching-rule'],
  },
  {
    name: 'an Ingress in front of a Service whose selector matches no pod: the selector is the cause, not the Ingress',
    source:
      'ingress-nginx "Service ... does not have any active Endpoint" (503); k8sgpt reports only the Service side',
    build: () => ({
      snapshot: world((w) => {
        w.pods = [pod('web-1', (p) => (p.meta.labels = { app: 'web-v2' }))];
        w.ingresses = [ingress('shop')];
      }),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    verdict: 'unreachable',
    top: 'selector-matches-no-pods',
  },
  {
    name: 'an Ingress using the legacy kubernetes.io/ingress.class annotation, with no IngressClass object, is not "a class that does not exist"',
    source: `${K8SGPT}/ingress.go (annotation value looked up as an IngressClass: false positive for annotation-driven controllers)`,
    build: () => ({
      snapshot: world((w) => {
        w.ingressClasses = [ingressClass('alb', false, 'ingress.k8s.aws/alb')];
        w.ingresses = [
          ingress('shop', (i) => {
            delete i.ingressClassName;
            i.meta.annotations['kubernetes.io/ingress.class'] = 'nginx';
          }),
        ];
      }),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    absent: ['ingress-class-missing'],
  },
  {
    name: "GKE's built-in classes gce and gce-internal need no IngressClass object: not a missing class",
    source: `${K8SGPT}/ingress_test.go TestIngressAnalyzerGKEIngressClass (isGKEBuiltInIngressClass)`,
    build: () => ({
      snapshot: world((w) => {
        w.ingressClasses = [];
        w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'gce'))];
      }, 'gke'),
      question: question('web', { client: 'internet', via: 'ingress', host: 'shop.example.com', path: '/' }),
    }),
    absent: ['ingress-class-missing'],
  },
  ...(['example.com', 'a.b.example.com'] as const).map(
    (host): PeerCase => ({
      name: `a wildcard rule *.example.com does not match ${host} (one label exactly): 404`,
      source:
        'kubernetes pkg/apis/networking/validation (wildcard hosts); https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards',
      build: () => ({
        snapshot: world(
          (w) =>
            (w.ingresses = [
              ingress('shop', (i) => {
                i.rules = [
                  {
                    host: '*.example.com',
                    paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('web', 80) }],
                  },
                ];
              }),
            ]),
        ),
        question: question('web', { client: 'internet', via: 'ingress', host, path: '/' }),
      }),
      verdict: 'unreachable',
      top: 'ingress-no-matching-rule',
    }),
  ),
];

const netpol: PeerCase[] = [
  {
    name: 'an empty podSelector with no ingress rules (k8sgpt: "allows traffic to all pods") denies every client',
    source: `${K8SGPT}/netpol.go "Network policy allows traffic to all pods" (a default deny, read backwards)`,
    build: () => {
      const svc = serviceOf('web', { app: 'web' });
      return {
        snapshot: snapshotOf({
          services: [svc],
          pods: [pod('web-1'), client()],
          nodes: [node('node-1')],
          networkPolicies: [networkPolicy('default-deny')],
        }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
  {
    name: 'an empty podSelector with one empty ingress rule allows everything',
    source: `${K8SGPT}/netpol_test.go (policy selecting all pods); upstream allow-all`,
    build: () => {
      const svc = serviceOf('web', { app: 'web' });
      return {
        snapshot: snapshotOf({
          services: [svc],
          pods: [pod('web-1'), client()],
          nodes: [node('node-1')],
          networkPolicies: [networkPolicy('allow-all', (np) => (np.ingress = [{ peers: [], ports: [] }]))],
        }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
  {
    name: 'a policy whose podSelector matches no pod (k8sgpt: "not applied to any pods") does not touch the Service',
    source: `${K8SGPT}/netpol.go "Network policy is not applied to any pods"`,
    build: () => {
      const svc = serviceOf('web', { app: 'web' });
      return {
        snapshot: snapshotOf({
          services: [svc],
          pods: [pod('web-1'), client()],
          nodes: [node('node-1')],
          networkPolicies: [
            networkPolicy(
              'db-only',
              (np) => (np.podSelector = { matchLabels: { app: 'db' }, matchExpressions: [] }),
            ),
          ],
        }),
        question: question(svc, { client: 'pod/default/client-7f8d9c6b4-zxcvb' }),
      };
    },
    verdict: 'reachable',
    absent: ['network-policy-denies'],
  },
];

function asWeb(p: Pod): Pod {
  p.meta.labels = { app: 'web' };
  return p;
}

function serviceOf(name: string, selector: Record<string, string>) {
  return service(name, (s) => (s.selector = selector));
}

describe('k8sgpt Service analyzer cases', () => runPeerCases(serviceCases));
describe('k8sgpt Ingress analyzer cases', () => runPeerCases(ing));
describe('k8sgpt NetworkPolicy analyzer cases', () => runPeerCases(netpol));
describe('k8sgpt audit-level cases', () =>
  runAuditCases([
    {
      name: 'an Endpoints object used as a leader-election lock, with no Service, is not reported; the real Service is clean',
      source: `${K8SGPT}/service_test.go Endpoint2 (LeaderElectionRecordAnnotationKey) and non-existent-service`,
      snapshot: () => {
        const svc = serviceOf('web', { app: 'web' });
        const lock = endpointsFor(service('kube-scheduler', undefined, 'kube-system'), [], (e) => {
          e.meta.annotations['control-plane.alpha.kubernetes.io/leader'] = '{"holderIdentity":"master-1"}';
        });
        return snapshotOf({
          services: [svc],
          pods: [pod('web-1')],
          nodes: [node('node-1')],
          endpoints: [lock],
        });
      },
      services: { 'default/web': { clean: true } },
    },
  ]));
