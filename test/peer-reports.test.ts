// Situations from public documentation and failure reports that users hit with Services,
// as table cases: each states the answer the report (or the documented upstream behaviour) gives.
import { describe } from 'vitest';
import type { Pod } from '../src/model/types.js';
import { type PeerCase, runPeerCases } from './peer-cases/harness.js';
import { meta, networkPolicy, node, pod, question, service, snapshotOf } from './support/builders.js';

const nsObj = (name: string, labels: Record<string, string> = {}) => ({
  kind: 'Namespace' as const,
  meta: meta(name, '', { 'kubernetes.io/metadata.name': name, ...labels }),
});
const coredns = () => pod('coredns-1', (p) => (p.meta.labels = { 'k8s-app': 'kube-dns' }), 'kube-system');
const kubeDns = () =>
  service(
    'kube-dns',
    (s) => {
      s.selector = { 'k8s-app': 'kube-dns' };
      s.clusterIP = '10.96.0.10';
      s.clusterIPs = ['10.96.0.10'];
      s.ports = [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
      ];
    },
    'kube-system',
  );
const client = (ns = 'default', mutate?: (p: Pod) => void) =>
  pod(
    'client-1',
    (p) => {
      p.meta.labels = { app: 'client' };
      p.nodeName = 'node-2';
      mutate?.(p);
    },
    ns,
  );
const nodes = () => [node('node-1'), node('node-2')];

const cases: PeerCase[] = [
  {
    name: 'an ExternalName Service resolves to a CNAME outside the cluster: not judged unreachable, nothing about endpoints',
    source:
      'https://kubernetes.io/docs/concepts/services-networking/service/#externalname ; k8sgpt/Popeye skip ExternalName',
    build: () => {
      const s = service('partner', (x) => {
        x.type = 'ExternalName';
        x.externalName = 'api.partner.example.com';
        delete x.selector;
        x.clusterIP = '';
        x.clusterIPs = [];
      });
      return {
        snapshot: snapshotOf({ services: [s], pods: [client()], nodes: nodes() }),
        question: question(s, { client: 'pod/default/client-1', via: 'dns', dnsName: 'partner' }),
      };
    },
    absent: ['selector-less-without-endpoints', 'selector-matches-no-pods', 'endpoints-not-ready'],
  },
  {
    name: 'a pod held back by an unsatisfied readiness gate (load balancer target registration) is why there is no endpoint',
    source:
      'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/ ; kubeskoop assertions/k8s.go AssertPod',
    build: () => {
      const s = service('web');
      const w = pod('web-1', (p) => {
        p.readinessGates = ['target-health.elbv2.k8s.aws/k8s-default-web-1234'];
        p.ready = false;
        p.conditions = [
          { type: 'ContainersReady', status: 'True' },
          {
            type: 'Ready',
            status: 'False',
            reason: 'ReadinessGatesNotReady',
            message:
              'corresponding condition of pod readiness gate "target-health.elbv2.k8s.aws/k8s-default-web-1234" does not exist.',
          },
        ];
      });
      return {
        snapshot: snapshotOf({ services: [s], pods: [w, client()], nodes: nodes() }),
        question: question(s, { client: 'pod/default/client-1' }),
      };
    },
    verdict: 'unreachable',
    top: 'endpoints-not-ready',
  },
  {
    name: 'internalTrafficPolicy Local also binds traffic from the node itself: a node without a backend gets nothing',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service-traffic-policy/',
    build: () => {
      const s = service('web', (x) => (x.internalTrafficPolicy = 'Local'));
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'node/node-2', via: 'clusterip' }),
      };
    },
    verdict: 'unreachable',
    top: 'itp-local-no-local-endpoint',
  },
  {
    name: 'an egress rule selecting the namespace by a "name" label nobody set (only kubernetes.io/metadata.name exists) denies',
    source:
      'https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name',
    build: () => {
      const s = service('api', (x) => (x.selector = { app: 'api' }), 'shop');
      const api = pod('api-1', (p) => (p.meta.labels = { app: 'api' }), 'shop');
      const np = networkPolicy(
        'egress',
        (n) => {
          n.podSelector = { matchLabels: {}, matchExpressions: [] };
          n.policyTypes = ['Egress'];
          n.egress = [
            {
              peers: [{ namespaceSelector: { matchLabels: { name: 'shop' }, matchExpressions: [] } }],
              ports: [],
            },
          ];
        },
        'front',
      );
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [api, client('front')],
          nodes: nodes(),
          namespaces: [nsObj('shop'), nsObj('front')],
          networkPolicies: [np],
        }),
        question: question(s, { client: 'pod/front/client-1', via: 'clusterip' }),
      };
    },
    verdict: 'unreachable',
    top: 'network-policy-denies',
  },
  {
    name: 'a pod with dnsPolicy Default uses the node resolver and cannot resolve a Service name',
    source: 'https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy',
    build: () => {
      const s = service('web');
      return {
        snapshot: snapshotOf({
          services: [s, kubeDns()],
          pods: [pod('web-1'), client('default', (p) => (p.dnsPolicy = 'Default')), coredns()],
          nodes: nodes(),
          namespaces: [nsObj('default'), nsObj('kube-system')],
        }),
        question: question(s, { client: 'pod/default/client-1', via: 'dns', dnsName: 'web' }),
      };
    },
    verdict: 'unreachable',
    top: 'dns-name-wrong',
  },
  {
    name: 'a hostNetwork pod left on dnsPolicy ClusterFirst falls back to the node resolver (needs ClusterFirstWithHostNet)',
    source: 'https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy',
    build: () => {
      const s = service('web');
      const hc = client('default', (p) => {
        p.hostNetwork = true;
        p.dnsPolicy = 'ClusterFirst';
        p.podIP = '192.168.0.12';
        p.podIPs = ['192.168.0.12'];
      });
      return {
        snapshot: snapshotOf({
          services: [s, kubeDns()],
          pods: [pod('web-1'), hc, coredns()],
          nodes: nodes(),
          namespaces: [nsObj('default'), nsObj('kube-system')],
        }),
        question: question(s, {
          client: 'pod/default/client-1',
          via: 'dns',
          dnsName: 'web.default.svc.cluster.local',
        }),
      };
    },
    verdict: 'unreachable',
    top: 'dns-name-wrong',
  },
  {
    name: 'the same hostNetwork pod with ClusterFirstWithHostNet resolves and connects',
    source: 'https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy',
    build: () => {
      const s = service('web');
      const hc = client('default', (p) => {
        p.hostNetwork = true;
        p.dnsPolicy = 'ClusterFirstWithHostNet';
        p.podIP = '192.168.0.12';
        p.podIPs = ['192.168.0.12'];
      });
      return {
        snapshot: snapshotOf({
          services: [s, kubeDns()],
          pods: [pod('web-1'), hc, coredns()],
          nodes: nodes(),
          namespaces: [nsObj('default'), nsObj('kube-system')],
        }),
        question: question(s, {
          client: 'pod/default/client-1',
          via: 'dns',
          dnsName: 'web.default.svc.cluster.local',
        }),
      };
    },
    verdict: 'reachable',
    absent: ['dns-name-wrong'],
  },
  {
    name: 'a laptop asking for a ClusterIP Service by its ClusterIP: cluster-internal, expose it or port-forward',
    source:
      'https://kubernetes.io/docs/concepts/services-networking/service/#type-clusterip (reachable only from within the cluster)',
    build: () => {
      const s = service('web');
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'internet', via: 'clusterip', port: 80 }),
      };
    },
    verdict: 'unreachable',
    top: 'service-port-mismatch',
  },
  {
    name: 'the same question without --via (path guessed from the type) is explained by a warning, not blamed as the error',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service/#type-clusterip',
    build: () => {
      const s = service('web');
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'internet' }),
      };
    },
    verdict: 'unreachable',
    present: ['service-port-mismatch'],
  },
  {
    name: 'a load balancer asked of a NodePort Service: that type gets no load balancer',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer',
    build: () => {
      const s = service('web', (x) => {
        x.type = 'NodePort';
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      });
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'vpc', via: 'loadbalancer' }),
      };
    },
    verdict: 'unreachable',
    top: 'service-port-mismatch',
  },
  {
    name: 'an outside client of a NodePort Service without --via is sent to a node port, not told the ClusterIP is internal',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport',
    build: () => {
      const s = service('web', (x) => {
        x.type = 'NodePort';
        x.ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
      });
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'vpc' }),
      };
    },
    absent: ['service-port-mismatch'],
  },
  {
    name: 'a pod asking about a headless Service without saying how is answered by DNS (pod IPs), not a missing ClusterIP',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service/#headless-services',
    build: () => {
      const s = service('db', (x) => {
        x.clusterIP = 'None';
        x.clusterIPs = ['None'];
        x.headless = true;
        x.selector = { app: 'db' };
      });
      return {
        snapshot: snapshotOf({
          services: [s],
          pods: [pod('db-0', (p) => (p.meta.labels = { app: 'db' })), client()],
          nodes: nodes(),
        }),
        question: question(s, { client: 'pod/default/client-1' }),
      };
    },
    absent: ['headless-service-no-vip', 'service-port-mismatch'],
  },
  {
    name: 'an external IP asked of a Service that lists none',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service/#external-ips',
    build: () => {
      const s = service('web');
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'vpc', via: 'externalip' }),
      };
    },
    verdict: 'unreachable',
    top: 'service-port-mismatch',
  },
  {
    name: 'an outside client of a ClusterIP Service with spec.externalIPs is sent to the external IP',
    source: 'https://kubernetes.io/docs/concepts/services-networking/service/#external-ips',
    build: () => {
      const s = service('web', (x) => (x.externalIPs = ['198.51.100.50']));
      return {
        snapshot: snapshotOf({ services: [s], pods: [pod('web-1')], nodes: nodes() }),
        question: question(s, { client: 'vpc' }),
      };
    },
    absent: ['service-port-mismatch'],
  },
];

describe('public reports and documented behaviour', () => runPeerCases(cases));
