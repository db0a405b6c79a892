import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, group, lbService, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './udp-health-check-needs-icmp.js';

const dns = lbService('web', (s) => {
  s.ports = [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53, nodePort: 31053 }];
});
function udp(w: World, healthCheck?: { enabled: boolean; protocol?: string }) {
  w.services = [dns];
  const lb = firstLb(w);
  lb.listeners = [
    {
      protocol: 'UDP',
      port: 53,
      ...(healthCheck ? { healthCheck } : {}),
      backends: [
        { target: 'node/node-1', address: '192.168.0.11', port: 31053 },
        { target: 'node/node-2', address: '192.168.0.12', port: 31053 },
      ],
    },
  ];
}
const noIcmp = (w: World) => {
  const g = group(w, 'sg-nodes');
  g.inbound = g.inbound.filter((r) => r.protocol !== 'icmp');
};

checkTable(check, {
  valid: [
    {
      name: 'UDP health check and ICMP is allowed',
      snapshot: world((w) => udp(w, { enabled: true, protocol: 'UDP' })),
      question: ask('loadbalancer'),
    },
    {
      name: 'UDP listener with the health check off needs no ICMP',
      snapshot: world((w) => {
        udp(w, { enabled: false });
        noIcmp(w);
      }),
      question: ask('loadbalancer'),
    },
    {
      name: 'a TCP Service is not concerned',
      snapshot: world((w) => noIcmp(w)),
      question: ask('loadbalancer'),
    },
    {
      name: 'the UDP listener is health-checked over HTTP',
      snapshot: world((w) => {
        udp(w, { enabled: true, protocol: 'HTTP' });
        noIcmp(w);
      }),
      question: ask('loadbalancer'),
    },
  ],
  invalid: [
    {
      name: 'UDP health check, node group without ICMP',
      snapshot: world((w) => {
        udp(w, { enabled: true, protocol: 'UDP' });
        noIcmp(w);
      }),
      question: ask('loadbalancer'),
      hits: [
        { data: { lb: 'elb-1', listener: 'UDP/53', nodes: ['node-1', 'node-2'], groups: ['sg-nodes'] } },
      ],
    },
    {
      name: 'CCE default health check (not captured) on a UDP listener',
      snapshot: world((w) => {
        udp(w);
        noIcmp(w);
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { listener: 'UDP/53' } }],
    },
    {
      name: 'ICMP allowed only from an unrelated range',
      snapshot: world((w) => {
        udp(w, { enabled: true, protocol: 'ICMP' });
        noIcmp(w);
        group(w, 'sg-nodes').inbound.push({ protocol: 'icmp', source: '172.16.0.0/12', action: 'allow' });
        firstLb(w).healthCheckSourceIP = '100.125.0.9';
      }),
      question: ask('loadbalancer'),
      hits: [{ data: { nodes: ['node-1', 'node-2'] } }],
    },
  ],
});
