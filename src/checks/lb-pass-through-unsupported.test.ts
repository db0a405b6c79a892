import { checkTable } from '../../test/support/check-table.js';
import { ask, lbService, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-pass-through-unsupported.js';

const pt = (value: string, name = 'web', elbId = 'elb-1') =>
  lbService(name, (s) => {
    s.meta.annotations = { 'kubernetes.io/elb.pass-through': value, 'kubernetes.io/elb.id': elbId };
  });
const on =
  (version: string, mode: 'iptables' | 'ipvs' = 'iptables') =>
  (w: World) => {
    if (w.cloud) {
      w.cloud.cluster.version = version;
      w.cloud.cluster.kubeProxy = { mode };
    }
  };

checkTable(check, {
  valid: [
    {
      name: 'pass-through on v1.25 is supported',
      snapshot: world((w) => {
        w.services = [pt('true')];
        on('v1.25.5')(w);
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'no pass-through annotation on v1.15',
      snapshot: world((w) => on('v1.15.11')(w)),
      question: ask('loadbalancer'),
    },
    {
      name: 'IPVS: two Services on the same ELB agree',
      snapshot: world((w) => {
        w.services = [pt('true'), pt('true', 'api')];
        on('v1.25.5', 'ipvs')(w);
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'not a CCE cluster',
      snapshot: world((w) => {
        w.services = [pt('true')];
        on('v1.15.0')(w);
      }, 'tke'),
      question: ask('loadbalancer'),
    },
  ],
  invalid: [
    {
      name: 'pass-through asked for on a v1.15 cluster',
      snapshot: world((w) => {
        w.services = [pt('true')];
        on('v1.15.11')(w);
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { problem: 'version', value: 'true', version: 'v1.15.11' } }],
    },
    {
      name: 'IPVS: another Service on the same ELB says false',
      snapshot: world((w) => {
        w.services = [pt('true'), pt('false', 'api')];
        on('v1.25.5', 'ipvs')(w);
      }),
      question: ask('loadbalancer'),
      hits: [
        {
          data: {
            problem: 'ipvs-disagree',
            value: 'true',
            others: [{ service: 'default/api', value: 'false' }],
          },
        },
      ],
    },
    {
      name: 'IPVS: eTP Local implies onlyLocal, which disagrees with true',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => {
            s.externalTrafficPolicy = 'Local';
            s.meta.annotations = { 'kubernetes.io/elb.id': 'elb-1' };
          }),
          pt('true', 'api'),
        ];
        on('v1.25.5', 'ipvs')(w);
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { problem: 'ipvs-disagree', value: 'onlyLocal' } }],
    },
    {
      name: 'version from the kubelet when the inventory has none (no inventory)',
      snapshot: world((w) => {
        w.services = [pt('onlyLocal')];
        delete w.cloud;
        for (const n of w.nodes) n.kubeletVersion = 'v1.13.10';
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { problem: 'version', version: 'v1.13.10' } }],
    },
  ],
});
