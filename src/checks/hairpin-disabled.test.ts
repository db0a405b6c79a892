import { meta, node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { ConfigMap, Observation } from '../model/types.js';
import check from './hairpin-disabled.js';

const kubelet = (mode: string): ConfigMap => ({
  kind: 'ConfigMap',
  meta: meta('kubelet-config', 'kube-system'),
  data: {
    kubelet: `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nhairpinMode: ${mode}\n`,
  },
});
const web1 = pod('web-1', (p) => {
  p.podIP = '10.244.1.10';
  p.podIPs = ['10.244.1.10'];
});
const other = pod('client-1', (p) => {
  p.meta.labels = { app: 'client' };
  p.podIP = '10.244.1.20';
  p.podIPs = ['10.244.1.20'];
});
const timeout: Observation = { from: 'pod/default/web-1', to: 'svc/default/web:80', result: 'timeout' };
const snap = (configMaps: ConfigMap[], observations: Observation[] = []) =>
  snapshotOf({
    services: [service('web')],
    pods: [web1, other],
    nodes: [node('node-1')],
    configMaps,
    observations,
  });

checkTable(check, {
  valid: [
    {
      name: 'hairpin-veth: the pod reaches itself',
      snapshot: snap([kubelet('hairpin-veth')]),
      question: question('web', { client: 'pod/default/web-1', via: 'clusterip' }),
    },
    {
      name: 'another pod is not a hairpin case even with hairpin off',
      snapshot: snap([kubelet('none')]),
      question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    },
    {
      name: 'hairpin mode unknown and nothing observed',
      snapshot: snap([]),
      question: question('web', { client: 'pod/default/web-1', via: 'clusterip' }),
    },
    {
      name: 'hairpin-veth and an observed timeout: not this cause',
      snapshot: snap([kubelet('hairpin-veth')], [timeout]),
      question: question('web', { client: 'pod/default/web-1', via: 'clusterip' }),
    },
  ],
  invalid: [
    {
      name: 'hairpinMode none and the pod calls its own Service',
      snapshot: snap([kubelet('none')]),
      question: question('web', { client: 'pod/default/web-1', via: 'clusterip' }),
      hits: [{ data: { pod: 'pod/default/web-1', hairpinMode: 'none' } }],
    },
    {
      name: 'hairpinMode promiscuous-bridge counts as off for a CNI bridge',
      snapshot: snap([kubelet('promiscuous-bridge')]),
      question: question('web', { client: 'pod/default/web-1', via: 'dns' }),
      hits: [{ data: { hairpinMode: 'promiscuous-bridge' } }],
    },
    {
      name: 'hairpin mode unknown, but the backend pod saw its own Service time out',
      snapshot: snap([], [timeout]),
      question: question('web', { client: 'pod/default/web-1', via: 'clusterip' }),
      hits: [{ severity: 'warning', data: { hairpinMode: 'unknown', source: 'observations' } }],
    },
  ],
});
