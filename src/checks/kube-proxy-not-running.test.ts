import { meta, node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { Pod } from '../model/types.js';
import check from './kube-proxy-not-running.js';

const kp = (n: string, m?: (p: Pod) => void) =>
  pod(
    `kube-proxy-${n.replace('node-', 'x')}abcd`,
    (p) => {
      p.meta.labels = { 'k8s-app': 'kube-proxy' };
      p.nodeName = n;
      p.hostNetwork = true;
      m?.(p);
    },
    'kube-system',
  );
const crashing = (p: Pod) => {
  p.ready = false;
  p.containerStatuses = [
    {
      name: 'kube-proxy',
      ready: false,
      restartCount: 12,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: {},
    },
  ];
};
const web = () => service('web');
const backend = () => pod('web-1', (p) => (p.nodeName = 'node-1'));
const client = () =>
  pod('client-2', (p) => {
    p.meta.labels = { app: 'client' };
    p.nodeName = 'node-2';
    p.podIP = '10.244.2.20';
    p.podIPs = ['10.244.2.20'];
  });
const nodes = [node('node-1'), node('node-2')];

checkTable(check, {
  valid: [
    {
      name: 'kube-proxy runs on every node',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client(), kp('node-1'), kp('node-2')],
        nodes,
      }),
      question: question('web', { client: 'pod/default/client-2' }),
    },
    {
      name: 'no kube-proxy pods anywhere: it may run as a node service (unknown, not a finding)',
      snapshot: snapshotOf({ services: [web()], pods: [backend(), client()], nodes }),
      question: question('web', { client: 'pod/default/client-2' }),
    },
    {
      name: 'Cilium replaces kube-proxy',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client()],
        nodes,
        configMaps: [
          {
            kind: 'ConfigMap',
            meta: meta('cilium-config', 'kube-system'),
            data: { 'kube-proxy-replacement': 'true' },
          },
        ],
        workloads: [
          {
            kind: 'DaemonSet',
            meta: meta('kube-proxy', 'kube-system'),
            templateLabels: {},
            containers: [],
            hostNetwork: true,
          },
        ],
      }),
      question: question('web', { client: 'pod/default/client-2' }),
    },
    {
      name: 'a broken kube-proxy on a node the path does not use',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client(), kp('node-1', crashing), kp('node-2')],
        nodes,
      }),
      question: question('web', { client: 'pod/default/client-2', via: 'clusterip' }),
    },
  ],
  invalid: [
    {
      name: "kube-proxy crash-loops on the client's node",
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client(), kp('node-1'), kp('node-2', crashing)],
        nodes,
      }),
      question: question('web', { client: 'pod/default/client-2' }),
      hits: [{ data: { node: 'node-2', status: 'not-running', reason: 'CrashLoopBackOff' } }],
    },
    {
      name: "the DaemonSet has no pod on the client's node",
      snapshot: snapshotOf({ services: [web()], pods: [backend(), client(), kp('node-1')], nodes }),
      question: question('web', { client: 'pod/default/client-2' }),
      hits: [{ data: { node: 'node-2', status: 'absent' } }],
    },
    {
      name: 'audit: kube-proxy down on a backend node',
      snapshot: snapshotOf({
        services: [web()],
        pods: [backend(), client(), kp('node-1', crashing), kp('node-2')],
        nodes,
      }),
      question: question('web'),
      mode: 'audit',
      hits: [{ data: { node: 'node-1', status: 'not-running' } }],
    },
  ],
});
