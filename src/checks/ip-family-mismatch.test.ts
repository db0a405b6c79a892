import { node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import { checkTable } from '../../test/support/check-table.js';
import check from './ip-family-mismatch.js';

const v6pod = pod('client-6', (p) => {
  p.meta.labels = { app: 'client' };
  p.podIP = 'fd00:10:244:1::20';
  p.podIPs = ['fd00:10:244:1::20'];
});
const dual = pod('client-dual', (p) => {
  p.meta.labels = { app: 'client' };
  p.podIP = '10.244.1.30';
  p.podIPs = ['10.244.1.30', 'fd00:10:244:1::30'];
});
const v4svc = service('web');
const v6svc = service('web6', (s) => {
  s.ipFamilies = ['IPv6'];
  s.clusterIP = 'fd00:10:96::10';
  s.clusterIPs = ['fd00:10:96::10'];
});
const snap = snapshotOf({
  services: [v4svc, v6svc],
  pods: [pod('web-1'), v6pod, dual],
  nodes: [node('node-1')],
});

checkTable(check, {
  valid: [
    {
      name: 'an IPv4 pod and an IPv4 Service',
      snapshot: snap,
      question: question('web', { client: 'pod-on-other-node' }),
    },
    {
      name: 'a dual-stack pod uses the family the Service has',
      snapshot: snap,
      question: question('web6', { client: 'pod/default/client-dual' }),
    },
    {
      name: 'an IPv6 address for an IPv6 Service',
      snapshot: snap,
      question: question('web6', { client: 'vpc', address: { ip: 'fd00:10:96::10', port: 80 } }),
    },
  ],
  invalid: [
    {
      name: 'an IPv6-only pod calls an IPv4-only Service',
      snapshot: snap,
      question: question('web', { client: 'pod/default/client-6' }),
      hits: [{ data: { clientFamily: 'IPv6', serviceFamilies: ['IPv4'] } }],
    },
    {
      name: 'an IPv4 pod calls an IPv6-only Service',
      snapshot: snap,
      question: question('web6', { client: 'pod-on-other-node' }),
      hits: [{ data: { clientFamily: 'IPv4', serviceFamilies: ['IPv6'] } }],
    },
    {
      name: 'the client used an IPv6 address for an IPv4 Service',
      snapshot: snap,
      question: question('web', { client: 'vpc', address: { ip: '2001:db8::5', port: 80 } }),
      hits: [{ data: { clientAddress: '2001:db8::5' } }],
    },
  ],
});
