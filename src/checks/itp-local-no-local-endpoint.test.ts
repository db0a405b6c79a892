import { node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import type { Service } from '../model/types.js';
import check from './itp-local-no-local-endpoint.js';

const nodes = [node('node-1'), node('node-2')];
const backend = pod('web-1', (p) => {
  p.nodeName = 'node-1';
  p.podIP = '10.244.1.10';
  p.podIPs = ['10.244.1.10'];
});
const client2 = pod('client-2', (p) => {
  p.meta.labels = { app: 'client' };
  p.nodeName = 'node-2';
  p.podIP = '10.244.2.20';
  p.podIPs = ['10.244.2.20'];
});
const client1 = pod('client-1', (p) => {
  p.meta.labels = { app: 'client' };
  p.nodeName = 'node-1';
  p.podIP = '10.244.1.20';
  p.podIPs = ['10.244.1.20'];
});
const web = (m?: (s: Service) => void) =>
  service('web', (s) => {
    s.internalTrafficPolicy = 'Local';
    m?.(s);
  });
const snap = (s: Service) => snapshotOf({ services: [s], pods: [backend, client1, client2], nodes });

checkTable(check, {
  valid: [
    {
      name: 'the client shares a node with a backend',
      snapshot: snap(web()),
      question: question('web', { client: 'pod/default/client-1', via: 'clusterip' }),
    },
    {
      name: 'internalTrafficPolicy Cluster from another node',
      snapshot: snap(web((s) => (s.internalTrafficPolicy = 'Cluster'))),
      question: question('web', { client: 'pod/default/client-2', via: 'clusterip' }),
    },
    {
      name: 'the abstract pod-on-backend-node row',
      snapshot: snap(web()),
      question: question('web', { client: 'pod-on-backend-node', via: 'clusterip' }),
    },
  ],
  invalid: [
    {
      name: 'a pod on a node without a backend uses the ClusterIP',
      snapshot: snap(web()),
      question: question('web', { client: 'pod/default/client-2', via: 'clusterip' }),
      hits: [{ data: { node: 'node-2', nodesWithEndpoints: ['node-1'] } }],
    },
    {
      name: 'the abstract pod-on-other-node row',
      snapshot: snap(web()),
      question: question('web', { client: 'pod-on-other-node', via: 'clusterip' }),
      hits: [{ data: { node: 'node-2' } }],
    },
    {
      name: 'the node without a backend itself (host network)',
      snapshot: snap(web()),
      question: question('web', { client: 'node/node-2', via: 'clusterip' }),
      hits: [{ data: { node: 'node-2' } }],
    },
  ],
});
