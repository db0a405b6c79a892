import { checkTable } from '../../test/support/check-table.js';
import { ask, group, lbService, world } from '../../test/support/cloud-fixtures.js';
import check from './node-sg-blocks-nodeport.js';

const nodePortSvc = lbService('web', (s) => {
  s.type = 'NodePort';
  s.loadBalancerIngress = [];
});
const closed = () =>
  world((w) => {
    w.services = [nodePortSvc];
    group(w, 'sg-nodes').inbound = [{ protocol: 'tcp', ports: '22', source: '0.0.0.0/0', action: 'allow' }];
  });

checkTable(check, {
  valid: [
    {
      name: 'the node group opens 30000-32767 to the internet',
      snapshot: world((w) => (w.services = [nodePortSvc])),
      question: ask('nodeport', 'internet', { address: { ip: '192.168.0.11', port: 30637 } }),
    },
    {
      name: 'the client goes through the LB, not to the node directly (lb-sg-blocks-backend judges that)',
      snapshot: closed(),
      question: ask('loadbalancer'),
    },
    {
      name: 'a node client inside the opened 192.168.0.0/16 range',
      snapshot: world((w) => {
        w.services = [nodePortSvc];
        group(w, 'sg-nodes').inbound = [
          { protocol: 'tcp', ports: '30000-32767', source: '192.168.0.0/16', action: 'allow' },
        ];
      }),
      question: ask('nodeport', 'node/node-2', { address: { ip: '192.168.0.11', port: 30637 } }),
    },
    {
      name: 'no securityGroups section: unknown, not blocked',
      snapshot: world((w) => {
        w.services = [nodePortSvc];
        if (w.cloud) delete w.cloud.securityGroups;
      }),
      question: ask('nodeport'),
    },
  ],
  invalid: [
    {
      name: 'only SSH is open: the internet cannot reach the nodePort on the addressed node',
      snapshot: closed(),
      question: ask('nodeport', 'internet', { address: { ip: '192.168.0.11', port: 30637 } }),
      hits: [
        {
          severity: 'error',
          data: {
            port: 30637,
            protocol: 'tcp',
            nodes: ['node-1'],
            groups: ['sg-nodes'],
            source: 'the internet',
          },
        },
      ],
    },
    {
      name: 'the client used an EIP bound to node-2, whose group is closed',
      snapshot: world((w) => {
        w.services = [nodePortSvc];
        group(w, 'sg-nodes').attachedTo = ['node/node-1'];
        w.cloud?.securityGroups?.push({ id: 'sg-new', attachedTo: ['node/node-2'], inbound: [] });
        w.cloud?.eips?.push({ address: '198.51.100.12', boundTo: 'node/node-2', bandwidthMbps: 5 });
      }),
      question: ask('nodeport', 'internet', { address: { ip: '198.51.100.12', port: 30637 } }),
      hits: [{ severity: 'error', data: { nodes: ['node-2'], groups: ['sg-new'] } }],
    },
    {
      name: 'a priority deny for the client range before the allow',
      snapshot: world((w) => {
        w.services = [nodePortSvc];
        group(w, 'sg-nodes').inbound.unshift({
          protocol: 'all',
          source: '0.0.0.0/0',
          action: 'deny',
          priority: 1,
        });
      }),
      question: ask('nodeport', 'internet'),
      hits: [{ data: { nodes: ['node-1', 'node-2'], allowedNodes: 0 } }],
    },
    {
      name: 'one node carries a stricter group (warning: the other node works)',
      snapshot: world((w) => {
        w.services = [nodePortSvc];
        group(w, 'sg-nodes').attachedTo = ['node/node-1'];
        w.cloud?.securityGroups?.push({ id: 'sg-new', attachedTo: ['node/node-2'], inbound: [] });
      }),
      question: ask('nodeport', 'internet'),
      hits: [{ severity: 'warning', data: { nodes: ['node-2'], groups: ['sg-new'], allowedNodes: 1 } }],
    },
    {
      name: 'audit: no rule opens the nodePort to any source',
      snapshot: closed(),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { nodes: ['node-1', 'node-2'], source: 'anywhere' } }],
    },
  ],
});
