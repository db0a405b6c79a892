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
import { checkTable, runCheck } from '../../test/support/check-table.js';
import type { Namespace, NetworkPolicy, Pod } from '../model/types.js';
import check from './network-policy-denies.js';

const ns = (name: string): Namespace => ({ kind: 'Namespace', meta: meta(name, '', {}) });
const web = () => service('web', (s) => (s.selector = { app: 'web' }));
const backend = () => pod('web-1', (p) => (p.meta.labels = { app: 'web' }));
const client = (namespace = 'default', labels: Record<string, string> = { app: 'client' }): Pod =>
  pod('client', (p) => (p.meta.labels = labels), namespace);

const denyAll = () => networkPolicy('default-deny');
const allowFromClient = (port: number | string = 8080): NetworkPolicy =>
  networkPolicy('allow-client', (np) => {
    np.podSelector = { matchLabels: { app: 'web' }, matchExpressions: [] };
    np.ingress = [
      {
        peers: [{ podSelector: { matchLabels: { app: 'client' }, matchExpressions: [] } }],
        ports: [{ protocol: 'TCP', port }],
      },
    ];
  });
const coredns = () =>
  pod(
    'coredns-1',
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-dns' };
    },
    'kube-system',
  );
const egressOnlyWeb = (): NetworkPolicy =>
  networkPolicy('client-egress', (np) => {
    np.podSelector = { matchLabels: { app: 'client' }, matchExpressions: [] };
    np.policyTypes = ['Egress'];
    np.egress = [
      { peers: [{ podSelector: { matchLabels: { app: 'web' }, matchExpressions: [] } }], ports: [] },
    ];
  });

const namespaces = [ns('default'), ns('other'), ns('kube-system')];

checkTable(check, {
  valid: [
    {
      name: 'no policies at all',
      snapshot: snapshotOf({ services: [web()], pods: [backend(), client()], namespaces }),
      question: question('web', { client: 'pod/default/client' }),
    },
    {
      name: 'default deny plus a rule admitting the client on the targetPort',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        networkPolicies: [denyAll(), allowFromClient()],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client' }),
    },
    {
      name: 'a rule naming the container port by name',
      snapshot: snapshotOf({
        services: [web()],
        pods: [
          pod('web-1', (p) => {
            p.meta.labels = { app: 'web' };
            p.containers[0]!.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
          }),
          client(),
        ],
        networkPolicies: [denyAll(), allowFromClient('http')],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client' }),
    },
    {
      name: 'an abstract client with a policy that admits some pods is not judged',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend()],
        networkPolicies: [denyAll(), allowFromClient()],
        namespaces,
      }),
      question: question('web'),
    },
    {
      name: 'NetworkPolicies not collected',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        networkPolicies: [],
        namespaces,
        collected: { NetworkPolicy: false },
      }),
      question: question('web', { client: 'pod/default/client' }),
    },
    {
      name: 'egress allowed to the backends and no DNS question',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client(), coredns()],
        networkPolicies: [egressOnlyWeb()],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client', via: 'clusterip' }),
    },
  ],
  invalid: [
    {
      name: 'a default-deny ingress policy blocks a pod client',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        networkPolicies: [denyAll()],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client' }),
      hits: [
        {
          data: {
            direction: 'ingress',
            policies: ['default/default-deny'],
            port: 8080,
            denied: ['web-1'],
            total: 1,
          },
          subject: { kind: 'NetworkPolicy', namespace: 'default', name: 'default-deny' },
        },
      ],
    },
    {
      name: 'the allow rule names the Service port, but policies see the targetPort',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        networkPolicies: [allowFromClient(80)],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client' }),
      hits: [
        {
          data: {
            direction: 'ingress',
            policies: ['default/allow-client'],
            port: 8080,
            dnatPitfall: 'service-port',
          },
        },
      ],
    },
    {
      name: 'a podSelector-only peer does not admit the same labels from another namespace',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client('other')],
        networkPolicies: [allowFromClient()],
        namespaces,
      }),
      question: question('web', { client: 'pod/other/client' }),
      hits: [{ data: { direction: 'ingress', client: 'pod/other/client' } }],
    },
    {
      name: 'the client egress policy does not allow the backends',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        networkPolicies: [
          networkPolicy('client-egress', (np) => {
            np.podSelector = { matchLabels: { app: 'client' }, matchExpressions: [] };
            np.policyTypes = ['Egress'];
            np.egress = [
              {
                peers: [
                  {
                    namespaceSelector: {
                      matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                      matchExpressions: [],
                    },
                  },
                ],
                ports: [],
              },
            ];
          }),
        ],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client' }),
      hits: [{ data: { direction: 'egress', policies: ['default/client-egress'] } }],
    },
    {
      name: 'an egress ipBlock for the Service CIDR does not cover the backend pods',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        networkPolicies: [
          networkPolicy('egress-to-services', (np) => {
            np.podSelector = { matchLabels: { app: 'client' }, matchExpressions: [] };
            np.policyTypes = ['Egress'];
            np.egress = [{ peers: [{ ipBlock: { cidr: '10.96.0.0/12', except: [] } }], ports: [] }];
          }),
        ],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client' }),
      hits: [{ data: { direction: 'egress', dnatPitfall: 'cluster-ip' } }],
    },
    {
      name: 'an egress policy without a DNS rule blocks name resolution',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client(), coredns()],
        networkPolicies: [egressOnlyWeb()],
        namespaces,
      }),
      question: question('web', { client: 'pod/default/client', via: 'dns' }),
      hits: [
        {
          data: {
            dns: true,
            direction: 'egress',
            port: 53,
            protocol: 'UDP',
            policies: ['default/client-egress'],
          },
        },
      ],
    },
    {
      name: 'internet client through a NodePort with eTP Cluster: the backends see a node IP',
      snapshot: snapshotOf({
        services: [
          service('web', (s) => {
            s.type = 'NodePort';
            s.selector = { app: 'web' };
            s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
          }),
        ],
        pods: [backend()],
        nodes: [node('node-1'), node('node-2')],
        networkPolicies: [
          networkPolicy('office-only', (np) => {
            np.ingress = [{ peers: [{ ipBlock: { cidr: '203.0.113.0/24', except: [] } }], ports: [] }];
          }),
        ],
        namespaces,
      }),
      question: question('web', { client: 'internet', via: 'nodeport' }),
      hits: [{ data: { direction: 'ingress', snat: true, policies: ['default/office-only'] } }],
    },
    {
      name: 'audit: a default-deny with no rules blocks every client',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend()],
        networkPolicies: [denyAll()],
        namespaces,
      }),
      question: question('web'),
      hits: [
        { data: { direction: 'ingress', policies: ['default/default-deny'], client: 'pod-on-other-node' } },
      ],
    },
  ],
});

describe('network-policy-denies with a plugin that does not enforce policies', () => {
  const flannel = (node: string) =>
    pod(
      `kube-flannel-ds-${node === 'node-1' ? 'abcde' : 'fghij'}`,
      (p) => {
        p.meta.labels = { app: 'flannel' };
        p.meta.ownerReferences = [{ kind: 'DaemonSet', name: 'kube-flannel-ds', controller: true }];
        p.nodeName = node;
      },
      'kube-flannel',
    );
  const calico = () =>
    pod(
      'calico-node-abcde',
      (p) => {
        p.meta.labels = { 'k8s-app': 'calico-node' };
        p.meta.ownerReferences = [{ kind: 'DaemonSet', name: 'calico-node', controller: true }];
      },
      'calico-system',
    );
  it.each([
    {
      name: 'flannel only: the denial is informational',
      plugins: [flannel('node-1'), flannel('node-2')],
      severity: 'info',
    },
    { name: 'calico: the denial is an error', plugins: [calico()], severity: undefined },
    { name: 'plugin unknown: the denial is an error', plugins: [], severity: undefined },
  ])('$name', ({ plugins, severity }) => {
    const snap = snapshotOf({
      services: [web()],
      pods: [backend(), client(), ...plugins],
      networkPolicies: [denyAll()],
      namespaces,
    });
    const { hits } = runCheck(check, {
      name: 'x',
      snapshot: snap,
      question: question('web', { client: 'pod/default/client' }),
    });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.severity).toBe(severity);
  });
});

describe('network-policy-denies with a client pod that is not in the snapshot', () => {
  it('says so with a did-you-mean and still reports a policy that admits no pod', () => {
    const snap = snapshotOf({
      services: [web()],
      pods: [backend(), client()],
      networkPolicies: [denyAll()],
      namespaces,
    });
    const { hits, unknowns } = runCheck(check, {
      name: 'x',
      snapshot: snap,
      question: question('web', { client: 'pod/default/clinet' }),
    });
    expect(unknowns).toEqual([
      'client pod default/clinet is not in the snapshot (did you mean pod/default/client?): NetworkPolicy for this client judged as for any pod',
    ]);
    expect(hits.map((h) => h.data.policies)).toEqual([['default/default-deny']]);
  });
});

describe('network-policy-denies for a pod client through a node port', () => {
  it('judges the masqueraded node address, not the pod (eTP Cluster)', () => {
    const svc = service('web', (s) => {
      s.type = 'NodePort';
      s.selector = { app: 'web' };
      s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
    });
    const snap = snapshotOf({
      services: [svc],
      pods: [
        backend(),
        pod('client', (p) => {
          p.meta.labels = { app: 'client' };
          p.nodeName = 'node-2';
        }),
      ],
      nodes: [node('node-1'), node('node-2')],
      networkPolicies: [denyAll(), allowFromClient()],
      namespaces,
    });
    const viaClusterIP = runCheck(check, {
      name: 'x',
      snapshot: snap,
      question: question('web', { client: 'pod/default/client', via: 'clusterip' }),
    });
    expect(viaClusterIP.hits).toEqual([]);
    const viaNodePort = runCheck(check, {
      name: 'x',
      snapshot: snap,
      question: question('web', { client: 'pod/default/client', via: 'nodeport' }),
    });
    expect(viaNodePort.hits.map((h) => h.data.snat)).toEqual([true]);
  });
});
