import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, group, lbService, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-sg-blocks-backend.js';

const sshOnly = [{ protocol: 'tcp' as const, ports: '22', source: '0.0.0.0/0', action: 'allow' as const }];

checkTable(check, {
  valid: [
    {
      name: 'LB group admits 80 and node group admits the nodePort range',
      snapshot: world(),
      question: ask('loadbalancer'),
    },
    {
      name: 'the client reaches a node directly (node-sg-blocks-nodeport judges that)',
      snapshot: world((w) => (group(w, 'sg-nodes').inbound = sshOnly)),
      question: ask('nodeport'),
    },
    {
      name: 'the node group admits only the VPC and the client is a VPC host',
      snapshot: world((w) => {
        group(w, 'sg-nodes').inbound = [
          { protocol: 'tcp', ports: '30000-32767', source: '192.168.0.0/16', action: 'allow' },
        ];
      }),
      question: ask('loadbalancer', 'node/node-2'),
    },
    {
      name: 'the node group admits the LB by security-group reference and the LB does SNAT',
      snapshot: world((w) => {
        firstLb(w).snat = true;
        group(w, 'sg-nodes').inbound = [
          { protocol: 'tcp', ports: '30000-32767', source: 'sg-lb', action: 'allow' },
        ];
      }, 'eks'),
      question: ask('loadbalancer'),
    },
    {
      name: 'audit of a private LB: an intra-group rule may admit the VPC clients (not definite)',
      snapshot: world((w) => {
        firstLb(w).scheme = 'private';
        group(w, 'sg-nodes').inbound = [...sshOnly, { protocol: 'all', source: 'sg-nodes', action: 'allow' }];
      }),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
    },
  ],
  invalid: [
    {
      name: 'the node group opens only SSH: the ELB cannot reach the nodePort',
      snapshot: world((w) => (group(w, 'sg-nodes').inbound = sshOnly)),
      question: ask('loadbalancer'),
      hits: [
        {
          severity: 'error',
          data: {
            lb: 'elb-1',
            hop: 'lb-to-node',
            port: 30637,
            groups: ['sg-nodes'],
            targets: ['node/node-1', 'node/node-2'],
          },
        },
      ],
    },
    {
      name: 'the LB keeps the client address: a node group open only to the VPC (the LB side) drops internet clients',
      snapshot: world((w) => {
        group(w, 'sg-nodes').inbound = [
          { protocol: 'tcp', ports: '30000-32767', source: '192.168.0.0/16', action: 'allow' },
        ];
      }),
      question: ask('loadbalancer'),
      hits: [
        {
          severity: 'error',
          data: { hop: 'lb-to-node', port: 30637, groups: ['sg-nodes'], source: 'the internet' },
        },
      ],
    },
    {
      name: 'the LB group does not admit port 80 from the internet',
      snapshot: world(
        (w) =>
          (group(w, 'sg-lb').inbound = [
            { protocol: 'tcp', ports: '443', source: '0.0.0.0/0', action: 'allow' },
          ]),
      ),
      question: ask('loadbalancer'),
      hits: [{ data: { hop: 'client-to-lb', port: 80, groups: ['sg-lb'], source: 'the internet' } }],
    },
    {
      name: 'CCE Turbo: the pod ENI group does not admit the targetPort',
      snapshot: world((w) => {
        w.services = [
          lbService('web', (s) => (s.meta.annotations = { 'kubernetes.io/elb.class': 'performance' })),
        ];
        if (w.cloud) w.cloud.cluster.networkModel = 'eni';
        const l = firstLb(w).listeners[0];
        if (l) l.backends = [{ target: 'pod/default/web-1', address: '10.244.1.7', port: 8080 }];
        w.cloud?.securityGroups?.push({ id: 'sg-eni', attachedTo: ['eni/10.244.1.7'], inbound: sshOnly });
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { hop: 'lb-to-pod', port: 8080, groups: ['sg-eni'], targets: ['eni/10.244.1.7'] } }],
    },
    {
      name: 'GKE passthrough LB keeps the Service port: a firewall open only for NodePorts blocks port 80',
      snapshot: world((w) => {
        const l = firstLb(w).listeners[0];
        if (l) delete l.backends;
      }, 'gke'),
      question: ask('loadbalancer'),
      hits: [{ data: { hop: 'lb-to-node', port: 80, groups: ['sg-nodes'] } }],
    },
    {
      name: 'audit of a public LB judges internet clients: an intra-group rule does not admit them',
      snapshot: world((w) => {
        group(w, 'sg-nodes').inbound = [...sshOnly, { protocol: 'all', source: 'sg-nodes', action: 'allow' }];
      }),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { hop: 'lb-to-node', source: 'the internet' } }],
    },
    {
      name: 'audit of a private LB: no rule from any source opens the nodePort',
      snapshot: world((w) => {
        firstLb(w).scheme = 'private';
        group(w, 'sg-nodes').inbound = sshOnly;
      }),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { hop: 'lb-to-node', source: 'anywhere' } }],
    },
  ],
});
