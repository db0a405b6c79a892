// Every packet-flow case of upstream pkg/proxy/iptables/proxier_test.go (runPacketFlowTests),
// rebuilt with our fixtures and run through proxyPacket in iptables mode. Fixture values follow
// upstream's conventions: pod IPs 10.0.0.0/8, ClusterIPs 172.30.0.0/16, node 192.168.0.2.
import { describe, expect, test } from 'vitest';
import { node, service, snapshotOf } from '../../../test/support/builders.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { EndpointSlice, KubeProxyConfig, Protocol, Service, ServiceCIDR } from '../../model/types.js';
import { proxyPacket } from './index.js';
import {
  type EpSpec,
  flowOutput,
  kubeProxyConfig,
  slice,
  TEST_EXTERNAL_CLIENT,
  TEST_EXTERNAL_CLIENT_BLOCKED,
  TEST_EXTERNAL_IP,
  TEST_NODE,
  TEST_NODE_IP,
  TEST_NODE_IP_ALT,
  TEST_NODE_IPV6,
  TEST_NODE_IPV6_ALT,
  withUpstreamAddresses,
} from './testing.js';
import type { ProxyOptions } from './types.js';

interface FlowCase {
  name: string;
  snapshot: Snapshot;
  node: string;
  src: string;
  dst: string;
  dport: number;
  protocol?: Protocol;
  /** "ip:port, ip:port" | "REJECT" | "DROP" | "ACCEPT" | "" */
  expected: string;
  masq?: boolean;
  opts?: ProxyOptions;
}

type Flow = Omit<FlowCase, 'snapshot' | 'node' | 'opts'>;

type Mode = 'iptables' | 'nftables';
/** The proxier the groups below are being built for (nftables reruns the shared groups). */
let MODE: Mode = 'iptables';
const cases: Record<Mode, FlowCase[]> = { iptables: [], nftables: [] };
function flows(group: string, snapshot: Snapshot, list: Flow[], opts?: ProxyOptions): void {
  for (const f of list)
    cases[MODE].push({
      ...f,
      name: `${group}: ${f.name}`,
      snapshot,
      node: TEST_NODE,
      opts: { ...opts, mode: MODE },
    });
}

function svc(ns: string, name: string, ip: string, mutate: (s: Service) => void): Service {
  return service(
    name,
    (s) => {
      s.clusterIP = ip;
      s.clusterIPs = [ip];
      s.ipFamilies = [ip.includes(':') ? 'IPv6' : 'IPv4'];
      s.ports = [];
      mutate(s);
    },
    ns,
  );
}

function cluster(services: Service[], slices: EndpointSlice[], cfg: Partial<KubeProxyConfig> = {}): Snapshot {
  return snapshotOf({
    services,
    endpointSlices: slices,
    nodes: [node(TEST_NODE, withUpstreamAddresses)],
    kubeProxy: kubeProxyConfig({ mode: MODE, clusterCIDR: '10.0.0.0/8,fd00:10::/64', ...cfg }),
    // Upstream's nftables fake proxier knows the service CIDRs (for its unallocated-IP drop).
    serviceCIDRs: MODE === 'nftables' ? [serviceCIDR(['172.30.0.0/16', 'fd00:10:96::/112'])] : [],
    autoSlices: false,
  });
}

function serviceCIDR(cidrs: string[]): ServiceCIDR {
  return {
    kind: 'ServiceCIDR',
    meta: {
      name: 'kubernetes',
      namespace: '',
      labels: {},
      annotations: {},
      ownerReferences: [],
      managedFields: [],
    },
    cidrs,
  };
}

const p80 = [{ name: 'p80', port: 80 }];
const tcp = (name: string, port: number, nodePort?: number, targetPort?: number) => ({
  name,
  protocol: 'TCP' as const,
  port,
  targetPort: targetPort ?? port,
  ...(nodePort ? { nodePort } : {}),
});

// ---------------------------------------------------------------- TestTracePacket
// Upstream traces static rules; they are the rules TestOverallIPTablesRules' Services produce
// (svc2 external IP 192.168.99.22, svc4 external IP 192.168.99.33) plus svc6 without endpoints.
function overallServices(): Snapshot {
  return cluster(
    [
      svc('ns1', 'svc1', '172.30.0.41', (s) => {
        s.ports = [tcp('p80', 80)];
      }),
      svc('ns2', 'svc2', '172.30.0.42', (s) => {
        s.type = 'LoadBalancer';
        s.externalTrafficPolicy = 'Local';
        s.ports = [tcp('p80', 80, 3001)];
        s.loadBalancerIngress = [{ ip: '1.2.3.4' }];
        s.externalIPs = ['192.168.99.22'];
        s.healthCheckNodePort = 30000;
      }),
      svc('ns3', 'svc3', '172.30.0.43', (s) => {
        s.type = 'NodePort';
        s.ports = [tcp('p80', 80, 3003)];
      }),
      svc('ns4', 'svc4', '172.30.0.44', (s) => {
        s.type = 'NodePort';
        s.externalIPs = ['192.168.99.33'];
        s.ports = [tcp('p80', 80)];
      }),
      svc('ns5', 'svc5', '172.30.0.45', (s) => {
        s.type = 'LoadBalancer';
        s.ports = [tcp('p80', 80, 3002)];
        s.loadBalancerIngress = [{ ip: '5.6.7.8' }];
        s.healthCheckNodePort = 30000;
        s.loadBalancerSourceRanges = [' 203.0.113.0/25'];
        s.sessionAffinity = 'ClientIP';
        s.sessionAffinityTimeoutSeconds = 10800;
      }),
      svc('ns6', 'svc6', '172.30.0.46', (s) => {
        s.ports = [tcp('p80', 80)];
      }),
    ],
    [
      slice('ns1', 'svc1', [{ ip: '10.180.0.1' }], p80),
      // No NodeName: the endpoint is not local.
      slice('ns2', 'svc2', [{ ip: '10.180.0.2' }], p80),
      slice('ns3', 'svc3', [{ ip: '10.180.0.3' }], p80),
      slice('ns4', 'svc4', [{ ip: '10.180.0.4' }, { ip: '10.180.0.5', node: TEST_NODE }], p80),
      slice('ns5', 'svc5', [{ ip: '10.180.0.3' }], p80),
    ],
  );
}

flows('TestTracePacket', overallServices(), [
  { name: 'no match', src: '10.0.0.2', dst: '10.0.0.3', dport: 80, expected: '' },
  { name: 'single endpoint', src: '10.0.0.2', dst: '172.30.0.41', dport: 80, expected: '10.180.0.1:80' },
  {
    name: 'multiple endpoints',
    src: '10.0.0.2',
    dst: '172.30.0.44',
    dport: 80,
    expected: '10.180.0.4:80, 10.180.0.5:80',
  },
  {
    name: 'LOCAL, KUBE-MARK-MASQ',
    src: TEST_NODE_IP,
    dst: '192.168.99.22',
    dport: 80,
    expected: '10.180.0.2:80',
    masq: true,
  },
  { name: 'DROP', src: TEST_EXTERNAL_CLIENT, dst: '192.168.99.22', dport: 80, expected: 'DROP' },
  {
    name: 'ACCEPT (NodePortHealthCheck)',
    src: TEST_NODE_IP,
    dst: TEST_NODE_IP,
    dport: 30000,
    expected: 'ACCEPT',
  },
  { name: 'REJECT', src: '10.0.0.2', dst: '172.30.0.46', dport: 80, expected: 'REJECT' },
]);

function sharedA(): void {
  // ---------------------------------------------------------------- TestNoEndpointsReject
  flows(
    'TestNoEndpointsReject',
    cluster(
      [
        svc('ns1', 'svc1', '172.30.0.41', (s) => {
          s.type = 'LoadBalancer';
          s.externalIPs = ['192.168.99.11'];
          s.ports = [tcp('p80', 80, 3001)];
          s.loadBalancerIngress = [{ ip: '1.2.3.4' }];
        }),
      ],
      [],
    ),
    [
      {
        name: 'pod to cluster IP with no endpoints',
        src: '10.0.0.2',
        dst: '172.30.0.41',
        dport: 80,
        expected: 'REJECT',
      },
      {
        name: 'external to external IP with no endpoints',
        src: TEST_EXTERNAL_CLIENT,
        dst: '192.168.99.11',
        dport: 80,
        expected: 'REJECT',
      },
      {
        name: 'pod to NodePort with no endpoints',
        src: '10.0.0.2',
        dst: TEST_NODE_IP,
        dport: 3001,
        expected: 'REJECT',
      },
      {
        name: 'external to NodePort with no endpoints',
        src: TEST_EXTERNAL_CLIENT,
        dst: TEST_NODE_IP,
        dport: 3001,
        expected: 'REJECT',
      },
      {
        name: 'pod to LoadBalancer IP with no endpoints',
        src: '10.0.0.2',
        dst: '1.2.3.4',
        dport: 80,
        expected: 'REJECT',
      },
      {
        name: 'external to LoadBalancer IP with no endpoints',
        src: TEST_EXTERNAL_CLIENT,
        dst: '1.2.3.4',
        dport: 80,
        expected: 'REJECT',
      },
    ],
  );

  // ---------------------------------------------------------------- TestClusterIPGeneral
  flows(
    'TestClusterIPGeneral',
    cluster(
      [
        svc('ns1', 'svc1', '172.30.0.41', (s) => {
          s.ports = [tcp('http', 80)];
        }),
        svc('ns2', 'svc2', '172.30.0.42', (s) => {
          s.ports = [
            tcp('http', 80),
            tcp('https', 443, undefined, 8443),
            { name: 'dns-udp', protocol: 'UDP', port: 53, targetPort: 53 },
            tcp('dns-tcp', 53, undefined, 5353),
            { name: 'dns-sctp', protocol: 'SCTP', port: 53, targetPort: 53 },
          ];
        }),
      ],
      [
        slice('ns1', 'svc1', [{ ip: '10.180.0.1', node: TEST_NODE }], [{ name: 'http', port: 80 }]),
        slice(
          'ns2',
          'svc2',
          [
            { ip: '10.180.0.1', node: TEST_NODE },
            { ip: '10.180.2.1', node: 'node2' },
          ],
          [
            { name: 'http', port: 80 },
            { name: 'https', port: 8443 },
            { name: 'dns-udp', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 5353 },
            { name: 'dns-sctp', port: 53, protocol: 'SCTP' },
          ],
        ),
      ],
    ),
    [
      {
        name: 'simple clusterIP',
        src: '10.180.0.2',
        dst: '172.30.0.41',
        dport: 80,
        expected: '10.180.0.1:80',
      },
      {
        name: 'hairpin to cluster IP',
        src: '10.180.0.1',
        dst: '172.30.0.41',
        dport: 80,
        expected: '10.180.0.1:80',
        masq: true,
      },
      {
        name: 'clusterIP with multiple endpoints',
        src: '10.180.0.2',
        dst: '172.30.0.42',
        dport: 80,
        expected: '10.180.0.1:80, 10.180.2.1:80',
      },
      {
        name: 'clusterIP with TargetPort',
        src: '10.180.0.2',
        dst: '172.30.0.42',
        dport: 443,
        expected: '10.180.0.1:8443, 10.180.2.1:8443',
      },
      {
        name: 'clusterIP with TCP, UDP, and SCTP on same port (TCP)',
        src: '10.180.0.2',
        protocol: 'TCP',
        dst: '172.30.0.42',
        dport: 53,
        expected: '10.180.0.1:5353, 10.180.2.1:5353',
      },
      {
        name: 'clusterIP with TCP, UDP, and SCTP on same port (UDP)',
        src: '10.180.0.2',
        protocol: 'UDP',
        dst: '172.30.0.42',
        dport: 53,
        expected: '10.180.0.1:53, 10.180.2.1:53',
      },
      {
        name: 'clusterIP with TCP, UDP, and SCTP on same port (SCTP)',
        src: '10.180.0.2',
        protocol: 'SCTP',
        dst: '172.30.0.42',
        dport: 53,
        expected: '10.180.0.1:53, 10.180.2.1:53',
      },
      {
        name: 'TCP-only port does not match UDP traffic',
        src: '10.180.0.2',
        protocol: 'UDP',
        dst: '172.30.0.42',
        dport: 80,
        // nftables rejects traffic to a ClusterIP on a port it does not serve (cluster-ips-check).
        expected: MODE === 'nftables' ? 'REJECT' : '',
      },
      {
        name: "svc1 does not accept svc2's ports",
        src: '10.180.0.2',
        dst: '172.30.0.41',
        dport: 443,
        expected: MODE === 'nftables' ? 'REJECT' : '',
      },
      ...(MODE === 'nftables'
        ? [
            {
              name: 'packet to unallocated cluster ip',
              src: '10.180.0.2',
              dst: '172.30.0.50',
              dport: 80,
              expected: 'DROP',
            },
          ]
        : []),
    ],
  );

  // ---------------------------------------------------------------- TestLoadBalancer
  {
    const ep = '10.180.0.1:80';
    flows(
      'TestLoadBalancer',
      cluster(
        [
          svc('ns1', 'svc1', '172.30.0.41', (s) => {
            s.type = 'LoadBalancer';
            s.ports = [tcp('p80', 80, 3001)];
            s.loadBalancerIngress = [{ ip: '1.2.3.4' }, { ip: '5.6.7.8' }];
            s.loadBalancerSourceRanges = ['192.168.0.0/24', ' 203.0.113.0/25'];
          }),
        ],
        [slice('ns1', 'svc1', [{ ip: '10.180.0.1' }], p80)],
      ),
      [
        { name: 'pod to cluster IP', src: '10.0.0.2', dst: '172.30.0.41', dport: 80, expected: ep },
        {
          name: 'external to nodePort',
          src: TEST_EXTERNAL_CLIENT,
          dst: TEST_NODE_IP,
          dport: 3001,
          expected: ep,
          masq: true,
        },
        {
          name: 'nodePort bypasses LoadBalancerSourceRanges',
          src: TEST_EXTERNAL_CLIENT_BLOCKED,
          dst: TEST_NODE_IP,
          dport: 3001,
          expected: ep,
          masq: true,
        },
        {
          name: 'accepted external to LB1',
          src: TEST_EXTERNAL_CLIENT,
          dst: '1.2.3.4',
          dport: 80,
          expected: ep,
          masq: true,
        },
        {
          name: 'accepted external to LB2',
          src: TEST_EXTERNAL_CLIENT,
          dst: '5.6.7.8',
          dport: 80,
          expected: ep,
          masq: true,
        },
        {
          name: 'blocked external to LB1',
          src: TEST_EXTERNAL_CLIENT_BLOCKED,
          dst: '1.2.3.4',
          dport: 80,
          expected: 'DROP',
        },
        {
          name: 'blocked external to LB2',
          src: TEST_EXTERNAL_CLIENT_BLOCKED,
          dst: '5.6.7.8',
          dport: 80,
          expected: 'DROP',
        },
        {
          name: 'pod to LB1 (blocked by LoadBalancerSourceRanges)',
          src: '10.0.0.2',
          dst: '1.2.3.4',
          dport: 80,
          expected: 'DROP',
        },
        {
          name: 'pod to LB2 (blocked by LoadBalancerSourceRanges)',
          src: '10.0.0.2',
          dst: '5.6.7.8',
          dport: 80,
          expected: 'DROP',
        },
        {
          name: 'node to LB1 (allowed by LoadBalancerSourceRanges)',
          src: TEST_NODE_IP,
          dst: '1.2.3.4',
          dport: 80,
          expected: ep,
          masq: true,
        },
        {
          name: 'node to LB2 (allowed by LoadBalancerSourceRanges)',
          src: TEST_NODE_IP,
          dst: '5.6.7.8',
          dport: 80,
          expected: ep,
          masq: true,
        },
        {
          name: 'same node to LB1, SNATted to LB1 (implicitly allowed)',
          src: '1.2.3.4',
          dst: '1.2.3.4',
          dport: 80,
          expected: ep,
          masq: true,
        },
        {
          name: 'same node to LB2, SNATted to LB2 (implicitly allowed)',
          src: '5.6.7.8',
          dst: '5.6.7.8',
          dport: 80,
          expected: ep,
          masq: true,
        },
      ],
    );
  }
}
// ---------------------------------------------------------------- TestNodePorts
for (const tc of [
  {
    name: 'ipv4, localhost-nodeports enabled',
    family: 'IPv4',
    localhostNodePorts: true,
    nodePortAddresses: [] as string[],
    allowAltNodeIP: true,
  },
  {
    name: 'ipv4, localhost-nodeports disabled',
    family: 'IPv4',
    localhostNodePorts: false,
    nodePortAddresses: [],
    allowAltNodeIP: true,
  },
  {
    name: 'ipv4, localhost-nodeports disabled, localhost in nodeport-addresses',
    family: 'IPv4',
    localhostNodePorts: false,
    nodePortAddresses: ['192.168.0.0/24', '127.0.0.1/32'],
    allowAltNodeIP: false,
  },
  {
    name: 'ipv4, localhost-nodeports enabled, multiple nodeport-addresses',
    family: 'IPv4',
    localhostNodePorts: false,
    nodePortAddresses: ['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64'],
    allowAltNodeIP: true,
  },
  {
    name: 'ipv6, localhost-nodeports enabled',
    family: 'IPv6',
    localhostNodePorts: true,
    nodePortAddresses: [],
    allowAltNodeIP: true,
  },
  {
    name: 'ipv6, localhost-nodeports disabled',
    family: 'IPv6',
    localhostNodePorts: false,
    nodePortAddresses: [],
    allowAltNodeIP: true,
  },
  {
    name: 'ipv6, localhost-nodeports disabled, multiple nodeport-addresses',
    family: 'IPv6',
    localhostNodePorts: false,
    nodePortAddresses: ['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64'],
    allowAltNodeIP: false,
  },
] as const) {
  const v4 = tc.family === 'IPv4';
  const svcIP = v4 ? '172.30.0.41' : 'fd00:172:30::41';
  const epIP1 = v4 ? '10.180.0.1' : 'fd00:10:180::1';
  const epIP2 = v4 ? '10.180.2.1' : 'fd00:10:180::2:1';
  const snap = cluster(
    [
      svc('ns1', 'svc1', svcIP, (s) => {
        s.type = 'NodePort';
        s.ports = [tcp('p80', 80, 3001)];
      }),
    ],
    [slice('ns1', 'svc1', [{ ip: epIP1 }, { ip: epIP2, node: TEST_NODE }], p80, { family: tc.family })],
    { nodePortAddresses: [...tc.nodePortAddresses] },
  );
  const podIP = v4 ? '10.0.0.2' : 'fd00:10::2';
  const client = v4 ? TEST_EXTERNAL_CLIENT : '2600:5200::1';
  const nodeIP = v4 ? TEST_NODE_IP : TEST_NODE_IPV6;
  const altNodeIP = v4 ? TEST_NODE_IP_ALT : TEST_NODE_IPV6_ALT;
  const localhost = v4 ? '127.0.0.1' : '::1';
  const output = v4 ? `${epIP1}:80, ${epIP2}:80` : `[${epIP1}]:80, [${epIP2}]:80`;
  const list: Flow[] = [
    { name: 'pod to cluster IP', src: podIP, dst: svcIP, dport: 80, expected: output },
    { name: 'external to nodePort', src: client, dst: nodeIP, dport: 3001, expected: output, masq: true },
    { name: 'node to nodePort', src: nodeIP, dst: nodeIP, dport: 3001, expected: output, masq: true },
    v4 && tc.localhostNodePorts
      ? {
          name: 'localhost to nodePort gets masqueraded',
          src: localhost,
          dst: localhost,
          dport: 3001,
          expected: output,
          masq: true,
        }
      : {
          name: 'localhost to nodePort is ignored',
          src: localhost,
          dst: localhost,
          dport: 3001,
          expected: '',
        },
    tc.allowAltNodeIP
      ? {
          name: 'external to nodePort on secondary IP',
          src: client,
          dst: altNodeIP,
          dport: 3001,
          expected: output,
          masq: true,
        }
      : {
          name: 'secondary nodeIP ignores NodePorts',
          src: client,
          dst: altNodeIP,
          dport: 3001,
          expected: '',
        },
  ];
  flows(`TestNodePorts (${tc.name})`, snap, list, { localhostNodePorts: tc.localhostNodePorts });
}

// ---------------------------------------------------------------- TestHealthCheckNodePort
{
  const lb = svc('ns1', 'svc1', '172.30.0.42', (s) => {
    s.type = 'LoadBalancer';
    s.ports = [tcp('p80', 80, 3001)];
    s.healthCheckNodePort = 30000;
    s.externalTrafficPolicy = 'Local';
  });
  const cfg = { nodePortAddresses: ['127.0.0.0/8'] };
  flows('TestHealthCheckNodePort', cluster([lb], [], cfg), [
    {
      name: 'firewall accepts HealthCheckNodePort',
      src: '1.2.3.4',
      dst: TEST_NODE_IP,
      dport: 30000,
      expected: 'ACCEPT',
    },
  ]);
  flows('TestHealthCheckNodePort (after the Service is deleted)', cluster([], [], cfg), [
    {
      name: 'HealthCheckNodePort no longer has any rule',
      src: '1.2.3.4',
      dst: TEST_NODE_IP,
      dport: 30000,
      expected: '',
    },
  ]);
}

function sharedB(): void {
  // ---------------------------------------------------------------- TestExternalTrafficPolicyLocal / Cluster
  for (const policy of ['Local', 'Cluster'] as const) {
    const snap = cluster(
      [
        svc('ns1', 'svc1', '172.30.0.41', (s) => {
          s.type = 'LoadBalancer';
          s.externalTrafficPolicy = policy;
          s.externalIPs = ['192.168.99.11'];
          s.ports = [tcp('p80', 80, 3001)];
          if (policy === 'Local') s.healthCheckNodePort = 30000;
          s.loadBalancerIngress = [{ ip: '1.2.3.4' }];
        }),
      ],
      [slice('ns1', 'svc1', [{ ip: '10.180.0.1' }, { ip: '10.180.2.1', node: TEST_NODE }], p80)],
    );
    const both = '10.180.0.1:80, 10.180.2.1:80';
    const local = '10.180.2.1:80';
    const L = policy === 'Local';
    flows(`TestExternalTrafficPolicy${policy}`, snap, [
      {
        name: 'pod to cluster IP hits both endpoints, unmasqueraded',
        src: '10.0.0.2',
        dst: '172.30.0.41',
        dport: 80,
        expected: both,
      },
      {
        name: `pod to external IP hits both endpoints, ${L ? 'unmasqueraded' : 'masqueraded'}`,
        src: '10.0.0.2',
        dst: TEST_EXTERNAL_IP,
        dport: 80,
        expected: both,
        masq: !L,
      },
      {
        name: L
          ? 'external to external IP hits only local endpoint, unmasqueraded'
          : 'external to external IP hits both endpoints, masqueraded',
        src: TEST_EXTERNAL_CLIENT,
        dst: TEST_EXTERNAL_IP,
        dport: 80,
        expected: L ? local : both,
        masq: !L,
      },
      {
        name: L
          ? 'pod to LB IP hits only both endpoints, unmasqueraded'
          : 'pod to LB IP hits both endpoints, masqueraded',
        src: '10.0.0.2',
        dst: '1.2.3.4',
        dport: 80,
        expected: both,
        masq: !L,
      },
      {
        name: L
          ? 'external to LB IP hits only local endpoint, unmasqueraded'
          : 'external to LB IP hits both endpoints, masqueraded',
        src: TEST_EXTERNAL_CLIENT,
        dst: '1.2.3.4',
        dport: 80,
        expected: L ? local : both,
        masq: !L,
      },
      {
        name: `pod to NodePort hits both endpoints, ${L ? 'unmasqueraded' : 'masqueraded'}`,
        src: '10.0.0.2',
        dst: TEST_NODE_IP,
        dport: 3001,
        expected: both,
        masq: !L,
      },
      {
        name: L
          ? 'external to NodePort hits only local endpoint, unmasqueraded'
          : 'external to NodePort hits both endpoints, masqueraded',
        src: TEST_EXTERNAL_CLIENT,
        dst: TEST_NODE_IP,
        dport: 3001,
        expected: L ? local : both,
        masq: !L,
      },
    ]);
  }

  // ---------------------------------------------------------------- TestInternalTrafficPolicy
  for (const tc of [
    {
      name: 'internalTrafficPolicy is cluster',
      itp: 'Cluster',
      eps: [
        ['10.0.1.1', TEST_NODE],
        ['10.0.1.2', 'node1'],
        ['10.0.1.3', 'node2'],
      ],
      flow: {
        name: 'pod to ClusterIP hits all endpoints',
        expected: '10.0.1.1:80, 10.0.1.2:80, 10.0.1.3:80',
      },
    },
    {
      name: 'internalTrafficPolicy is local and there is one local endpoint',
      itp: 'Local',
      eps: [
        ['10.0.1.1', TEST_NODE],
        ['10.0.1.2', 'node1'],
        ['10.0.1.3', 'node2'],
      ],
      flow: { name: 'pod to ClusterIP hits only local endpoint', expected: '10.0.1.1:80' },
    },
    {
      name: 'internalTrafficPolicy is local and there are multiple local endpoints',
      itp: 'Local',
      eps: [
        ['10.0.1.1', TEST_NODE],
        ['10.0.1.2', TEST_NODE],
        ['10.0.1.3', 'node2'],
      ],
      flow: { name: 'pod to ClusterIP hits all local endpoints', expected: '10.0.1.1:80, 10.0.1.2:80' },
    },
    {
      name: 'internalTrafficPolicy is local and there are no local endpoints',
      itp: 'Local',
      eps: [
        ['10.0.1.1', 'node0'],
        ['10.0.1.2', 'node1'],
        ['10.0.1.3', 'node2'],
      ],
      flow: { name: 'no endpoints', expected: 'DROP' },
    },
  ] as const) {
    const s = svc('ns1', 'svc1', '172.30.1.1', (x) => {
      x.selector = { foo: 'bar' };
      x.ports = [tcp('', 80)];
      x.internalTrafficPolicy = tc.itp;
    });
    const eps: EpSpec[] = tc.eps.map(([ip, n]) => ({ ip, node: n, ready: true }));
    const pkt = { src: '10.0.0.2', dst: '172.30.1.1', dport: 80 };
    flows(
      `TestInternalTrafficPolicy (${tc.name})`,
      cluster([s], [slice('ns1', 'svc1', eps, [{ name: '', port: 80 }])]),
      [{ ...pkt, ...tc.flow }],
    );
    flows(`TestInternalTrafficPolicy (${tc.name}, slice deleted)`, cluster([s], []), [
      { ...pkt, name: 'endpoints deleted', expected: 'REJECT' },
    ]);
  }

  // ---------------------------------------------------------------- TestTerminatingEndpointsTrafficPolicyLocal / Cluster
  for (const policy of ['Local', 'Cluster'] as const) {
    const s = svc('ns1', 'svc1', '172.30.1.1', (x) => {
      x.type = 'LoadBalancer';
      x.externalTrafficPolicy = policy;
      x.ports = [tcp('', 80)];
      x.healthCheckNodePort = 30000;
      x.loadBalancerIngress = [{ ip: '1.2.3.4' }];
    });
    const other = policy === 'Local' ? 'node-1' : 'another-node';
    const L = policy === 'Local';
    const testcases: { name: string; eps: EpSpec[]; flows: [string, string, boolean][] }[] = [
      {
        name: 'ready endpoints exist',
        eps: [
          { ip: '10.0.1.1', ready: true, serving: true, terminating: false, node: TEST_NODE },
          { ip: '10.0.1.2', ready: true, serving: true, terminating: false, node: TEST_NODE },
          {
            ip: '10.0.1.3',
            ready: false,
            serving: true,
            terminating: true,
            node: L ? TEST_NODE : 'another-node',
          },
          {
            ip: '10.0.1.4',
            ready: false,
            serving: false,
            terminating: true,
            node: L ? TEST_NODE : 'another-node',
          },
          { ip: '10.0.1.5', ready: true, serving: true, terminating: false, node: other },
        ],
        flows: [
          ['pod to clusterIP', '10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80', false],
          ['external to LB', L ? '10.0.1.1:80, 10.0.1.2:80' : '10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80', !L],
        ],
      },
      {
        name: 'only terminating endpoints exist',
        eps: [
          { ip: '10.0.1.2', ready: false, serving: true, terminating: true, node: TEST_NODE },
          { ip: '10.0.1.3', ready: false, serving: true, terminating: true, node: TEST_NODE },
          {
            ip: '10.0.1.4',
            ready: false,
            serving: false,
            terminating: true,
            node: L ? TEST_NODE : 'another-node',
          },
          L
            ? { ip: '10.0.1.5', ready: true, serving: true, terminating: false, node: 'node-1' }
            : { ip: '10.0.1.5', ready: false, serving: true, terminating: true, node: 'another-node' },
        ],
        flows: L
          ? [
              ['pod to clusterIP', '10.0.1.5:80', false],
              ['external to LB', '10.0.1.2:80, 10.0.1.3:80', false],
            ]
          : [
              ['pod to clusterIP', '10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80', false],
              ['external to LB', '10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80', true],
            ],
      },
      {
        name: 'terminating endpoints on remote node',
        eps: [{ ip: '10.0.1.5', ready: false, serving: true, terminating: true, node: 'node-1' }],
        flows: L
          ? [
              ['pod to clusterIP', '10.0.1.5:80', false],
              ['external to LB, no locally-usable endpoints', 'DROP', false],
            ]
          : [
              ['pod to clusterIP', '10.0.1.5:80', false],
              ['external to LB', '10.0.1.5:80', true],
            ],
      },
      {
        name: 'no usable endpoints on any node',
        eps: [
          { ip: '10.0.1.5', ready: false, serving: false, terminating: true, node: TEST_NODE },
          { ip: '10.0.1.5', ready: false, serving: false, terminating: true, node: 'node-1' },
        ],
        flows: [
          [L ? 'pod to clusterIP, no usable endpoints' : 'pod to clusterIP', 'REJECT', false],
          [L ? 'external to LB, no usable endpoints' : 'external to LB', 'REJECT', false],
        ],
      },
    ];
    for (const tc of testcases) {
      const mk = (name: string, expected: string, masq: boolean): Flow => ({
        name,
        src: name.startsWith('pod') ? '10.0.0.2' : TEST_EXTERNAL_CLIENT,
        dst: name.startsWith('pod') ? '172.30.1.1' : '1.2.3.4',
        dport: 80,
        expected,
        masq,
      });
      flows(
        `TestTerminatingEndpointsTrafficPolicy${policy} (${tc.name})`,
        cluster([s], [slice('ns1', 'svc1', tc.eps, [{ name: '', port: 80 }])]),
        tc.flows.map(([n, e, m]) => mk(n, e, m)),
      );
      flows(`TestTerminatingEndpointsTrafficPolicy${policy} (${tc.name}, slice deleted)`, cluster([s], []), [
        mk('pod to clusterIP after endpoints deleted', 'REJECT', false),
        mk('external to LB after endpoints deleted', 'REJECT', false),
      ]);
    }
  }

  // ---------------------------------------------------------------- TestInternalExternalMasquerade
  {
    const services = [
      svc('ns1', 'svc1', '172.30.0.41', (s) => {
        s.type = 'LoadBalancer';
        s.ports = [tcp('p80', 80, 3001)];
        s.healthCheckNodePort = 30001;
        s.loadBalancerIngress = [{ ip: '1.2.3.4' }];
      }),
      svc('ns2', 'svc2', '172.30.0.42', (s) => {
        s.type = 'LoadBalancer';
        s.ports = [tcp('p80', 80, 3002)];
        s.healthCheckNodePort = 30002;
        s.externalTrafficPolicy = 'Local';
        s.loadBalancerIngress = [{ ip: '5.6.7.8' }];
      }),
      svc('ns3', 'svc3', '172.30.0.43', (s) => {
        s.type = 'LoadBalancer';
        s.ports = [tcp('p80', 80, 3003)];
        s.healthCheckNodePort = 30003;
        s.internalTrafficPolicy = 'Local';
        s.loadBalancerIngress = [{ ip: '9.10.11.12' }];
      }),
    ];
    const slices = [1, 2, 3].map((i) =>
      slice(
        `ns${i}`,
        `svc${i}`,
        [
          { ip: `10.180.0.${i}`, node: TEST_NODE },
          { ip: `10.180.1.${i}`, node: 'remote' },
        ],
        p80,
      ),
    );
    const base: Flow[] = [
      ['pod to ClusterIP', '10.0.0.2', '172.30.0.41', 80, '10.180.0.1:80, 10.180.1.1:80', false],
      ['pod to NodePort', '10.0.0.2', TEST_NODE_IP, 3001, '10.180.0.1:80, 10.180.1.1:80', true],
      ['pod to LB', '10.0.0.2', '1.2.3.4', 80, '10.180.0.1:80, 10.180.1.1:80', true],
      ['node to ClusterIP', TEST_NODE_IP, '172.30.0.41', 80, '10.180.0.1:80, 10.180.1.1:80', true],
      ['node to NodePort', TEST_NODE_IP, TEST_NODE_IP, 3001, '10.180.0.1:80, 10.180.1.1:80', true],
      ['localhost to NodePort', '127.0.0.1', '127.0.0.1', 3001, '10.180.0.1:80, 10.180.1.1:80', true],
      ['node to LB', TEST_NODE_IP, '1.2.3.4', 80, '10.180.0.1:80, 10.180.1.1:80', true],
      [
        'external to ClusterIP',
        TEST_EXTERNAL_CLIENT,
        '172.30.0.41',
        80,
        '10.180.0.1:80, 10.180.1.1:80',
        true,
      ],
      [
        'external to NodePort',
        TEST_EXTERNAL_CLIENT,
        TEST_NODE_IP,
        3001,
        '10.180.0.1:80, 10.180.1.1:80',
        true,
      ],
      ['external to LB', TEST_EXTERNAL_CLIENT, '1.2.3.4', 80, '10.180.0.1:80, 10.180.1.1:80', true],
      [
        'pod to ClusterIP with eTP:Local',
        '10.0.0.2',
        '172.30.0.42',
        80,
        '10.180.0.2:80, 10.180.1.2:80',
        false,
      ],
      [
        'pod to NodePort with eTP:Local',
        '10.0.0.2',
        TEST_NODE_IP,
        3002,
        '10.180.0.2:80, 10.180.1.2:80',
        false,
      ],
      ['pod to LB with eTP:Local', '10.0.0.2', '5.6.7.8', 80, '10.180.0.2:80, 10.180.1.2:80', false],
      [
        'node to ClusterIP with eTP:Local',
        TEST_NODE_IP,
        '172.30.0.42',
        80,
        '10.180.0.2:80, 10.180.1.2:80',
        true,
      ],
      [
        'node to NodePort with eTP:Local',
        TEST_NODE_IP,
        TEST_NODE_IP,
        3001,
        '10.180.0.1:80, 10.180.1.1:80',
        true,
      ],
      [
        'localhost to NodePort with eTP:Local',
        '127.0.0.1',
        '127.0.0.1',
        3002,
        '10.180.0.2:80, 10.180.1.2:80',
        true,
      ],
      ['node to LB with eTP:Local', TEST_NODE_IP, '5.6.7.8', 80, '10.180.0.2:80, 10.180.1.2:80', true],
      [
        'external to ClusterIP with eTP:Local',
        TEST_EXTERNAL_CLIENT,
        '172.30.0.42',
        80,
        '10.180.0.2:80, 10.180.1.2:80',
        true,
      ],
      [
        'external to NodePort with eTP:Local',
        TEST_EXTERNAL_CLIENT,
        TEST_NODE_IP,
        3002,
        '10.180.0.2:80',
        false,
      ],
      ['external to LB with eTP:Local', TEST_EXTERNAL_CLIENT, '5.6.7.8', 80, '10.180.0.2:80', false],
      ['pod to ClusterIP with iTP:Local', '10.0.0.2', '172.30.0.43', 80, '10.180.0.3:80', false],
      [
        'pod to NodePort with iTP:Local',
        '10.0.0.2',
        TEST_NODE_IP,
        3003,
        '10.180.0.3:80, 10.180.1.3:80',
        true,
      ],
      ['pod to LB with iTP:Local', '10.0.0.2', '9.10.11.12', 80, '10.180.0.3:80, 10.180.1.3:80', true],
      ['node to ClusterIP with iTP:Local', TEST_NODE_IP, '172.30.0.43', 80, '10.180.0.3:80', true],
      [
        'node to NodePort with iTP:Local',
        TEST_NODE_IP,
        TEST_NODE_IP,
        3003,
        '10.180.0.3:80, 10.180.1.3:80',
        true,
      ],
      [
        'localhost to NodePort with iTP:Local',
        '127.0.0.1',
        '127.0.0.1',
        3003,
        '10.180.0.3:80, 10.180.1.3:80',
        true,
      ],
      ['node to LB with iTP:Local', TEST_NODE_IP, '9.10.11.12', 80, '10.180.0.3:80, 10.180.1.3:80', true],
      [
        'external to ClusterIP with iTP:Local',
        TEST_EXTERNAL_CLIENT,
        '172.30.0.43',
        80,
        '10.180.0.3:80',
        true,
      ],
      [
        'external to NodePort with iTP:Local',
        TEST_EXTERNAL_CLIENT,
        TEST_NODE_IP,
        3003,
        '10.180.0.3:80, 10.180.1.3:80',
        true,
      ],
      [
        'external to LB with iTP:Local',
        TEST_EXTERNAL_CLIENT,
        '9.10.11.12',
        80,
        '10.180.0.3:80, 10.180.1.3:80',
        true,
      ],
    ].map(([name, src, dst, dport, expected, masq]) => ({
      name: name as string,
      src: src as string,
      dst: dst as string,
      dport: dport as number,
      expected: expected as string,
      masq: masq as boolean,
    }));
    type Override = { output?: string; masq?: boolean };
    const variants: {
      name: string;
      masqueradeAll: boolean;
      localDetector: boolean;
      overrides: Record<string, Override>;
    }[] = [
      { name: 'base', masqueradeAll: false, localDetector: true, overrides: {} },
      {
        name: 'no LocalTrafficDetector',
        masqueradeAll: false,
        localDetector: false,
        overrides: {
          'node to ClusterIP': { masq: false },
          'node to ClusterIP with eTP:Local': { masq: false },
          'node to ClusterIP with iTP:Local': { masq: false },
          'external to ClusterIP': { masq: false },
          'external to ClusterIP with eTP:Local': { masq: false },
          'external to ClusterIP with iTP:Local': { masq: false },
          'pod to NodePort with eTP:Local': { output: '10.180.0.2:80' },
          'pod to LB with eTP:Local': { output: '10.180.0.2:80' },
        },
      },
      {
        name: 'masqueradeAll',
        masqueradeAll: true,
        localDetector: true,
        overrides: {
          'pod to ClusterIP': { masq: true },
          'pod to ClusterIP with eTP:Local': { masq: true },
          'pod to ClusterIP with iTP:Local': { masq: true },
        },
      },
      {
        name: 'masqueradeAll, no LocalTrafficDetector',
        masqueradeAll: true,
        localDetector: false,
        overrides: {
          'pod to ClusterIP': { masq: true },
          'pod to ClusterIP with eTP:Local': { masq: true },
          'pod to ClusterIP with iTP:Local': { masq: true },
          'pod to NodePort with eTP:Local': { output: '10.180.0.2:80' },
          'pod to LB with eTP:Local': { output: '10.180.0.2:80' },
        },
      },
    ];
    for (const v of variants) {
      const snap = cluster(services, slices, {
        masqueradeAll: v.masqueradeAll,
        // Without a cluster CIDR the ClusterCIDR detector is the no-op detector.
        clusterCIDR: v.localDetector ? '10.0.0.0/8' : undefined,
      });
      flows(
        `TestInternalExternalMasquerade (${v.name})`,
        snap,
        // nftables mode has no localhost NodePorts, so upstream's nftables table leaves those flows out.
        base
          .filter((f) => MODE === 'iptables' || f.src !== '127.0.0.1')
          .map((f) => {
            const o = v.overrides[f.name];
            return o ? { ...f, expected: o.output ?? f.expected, masq: o.masq ?? f.masq } : f;
          }),
      );
    }
  }
}

sharedA();
sharedB();

// ---------------------------------------------------------------- nftables: pkg/proxy/nftables/proxier_test.go
MODE = 'nftables';
sharedA();
sharedB();
// TestNodePorts (nftables): NodePorts only on the node's primary IPs unless nodePortAddresses says otherwise.
for (const tc of [
  { name: 'ipv4', family: 'IPv4', nodePortAddresses: [] as string[], allowAltNodeIP: false },
  {
    name: 'ipv4, multiple nodeport-addresses',
    family: 'IPv4',
    nodePortAddresses: ['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64'],
    allowAltNodeIP: true,
  },
  { name: 'ipv6', family: 'IPv6', nodePortAddresses: [], allowAltNodeIP: false },
  {
    name: 'ipv6, multiple nodeport-addresses',
    family: 'IPv6',
    nodePortAddresses: ['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64', '2001:db8:1::2/128'],
    allowAltNodeIP: true,
  },
] as const) {
  const v4 = tc.family === 'IPv4';
  const svcIP = v4 ? '172.30.0.41' : 'fd00:172:30::41';
  const epIP1 = v4 ? '10.180.0.1' : 'fd00:10:180::1';
  const epIP2 = v4 ? '10.180.2.1' : 'fd00:10:180::2:1';
  const snap = cluster(
    [
      svc('ns1', 'svc1', svcIP, (s) => {
        s.type = 'NodePort';
        s.ports = [tcp('p80', 80, 3001)];
      }),
    ],
    [slice('ns1', 'svc1', [{ ip: epIP1 }, { ip: epIP2, node: TEST_NODE }], p80, { family: tc.family })],
    { nodePortAddresses: [...tc.nodePortAddresses] },
  );
  const podIP = v4 ? '10.0.0.2' : 'fd00:10::2';
  const client = v4 ? TEST_EXTERNAL_CLIENT : '2600:5200::1';
  const nodeIP = v4 ? TEST_NODE_IP : TEST_NODE_IPV6;
  const altNodeIP = v4 ? TEST_NODE_IP_ALT : TEST_NODE_IPV6_ALT;
  const output = v4 ? `${epIP1}:80, ${epIP2}:80` : `[${epIP1}]:80, [${epIP2}]:80`;
  flows(`TestNodePorts (${tc.name})`, snap, [
    { name: 'pod to cluster IP', src: podIP, dst: svcIP, dport: 80, expected: output },
    { name: 'external to nodePort', src: client, dst: nodeIP, dport: 3001, expected: output, masq: true },
    { name: 'node to nodePort', src: nodeIP, dst: nodeIP, dport: 3001, expected: output, masq: true },
    tc.allowAltNodeIP
      ? {
          name: 'external to nodePort on secondary IP',
          src: client,
          dst: altNodeIP,
          dport: 3001,
          expected: output,
          masq: true,
        }
      : {
          name: 'secondary nodeIP ignores NodePorts',
          src: client,
          dst: altNodeIP,
          dport: 3001,
          expected: '',
        },
  ]);
}
MODE = 'iptables';

function runFlow(c: FlowCase): void {
  const r = proxyPacket(
    c.snapshot,
    c.node,
    { src: c.src, dst: c.dst, dport: c.dport, protocol: c.protocol ?? 'TCP', hook: 'prerouting' },
    c.opts,
  );
  const walked = r.steps.map((s) => `${s.rule ?? ''}: ${s.detail}`).join('\n');
  expect(r.mode).toBe(c.opts?.mode);
  expect({ output: flowOutput(r), masq: r.masquerade }, `rules walked:\n${walked}`).toEqual({
    output: c.expected,
    masq: c.masq ?? false,
  });
}

describe('upstream iptables packet-flow cases', () => {
  test('every upstream case is present', () => {
    // 7 TracePacket + 6 NoEndpointsReject + 9 ClusterIPGeneral + 13 LoadBalancer + 35 NodePorts
    // + 2 HealthCheckNodePort + 7 + 7 ExternalTrafficPolicy + 8 InternalTrafficPolicy
    // + 16 + 16 TerminatingEndpoints + 120 InternalExternalMasquerade
    expect(cases.iptables.length).toBe(246);
  });
  test.each(cases.iptables)('$name', runFlow);
});

describe('upstream nftables packet-flow cases', () => {
  test('every upstream case is present', () => {
    // 6 NoEndpointsReject + 10 ClusterIPGeneral + 13 LoadBalancer + 16 NodePorts + 7 + 7
    // ExternalTrafficPolicy + 8 InternalTrafficPolicy + 16 + 16 TerminatingEndpoints
    // + 108 InternalExternalMasquerade
    expect(cases.nftables.length).toBe(207);
  });
  test.each(cases.nftables)('$name', runFlow);
});
