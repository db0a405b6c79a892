// NetworkPolicy truth tables in the manner of the upstream netpol e2e / cyclonus suites:
// namespaces x, y, z each with pods a, b, c serving TCP 80, 81 and UDP 80, 53.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  container,
  meta,
  networkPolicy,
  pod,
  resetBuilderCounters,
  service,
  snapshotOf,
} from '../../../test/support/builders.js';
import type { Snapshot } from '../../model/snapshot.js';
import type {
  LabelSelector,
  Namespace,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyRule,
  Pod,
  Protocol,
  Service,
} from '../../model/types.js';
import { evaluateNetworkPolicies, type NetpolResult } from './evaluate.js';
import { evaluateServiceBackends } from './service.js';

const sel = (
  matchLabels: Record<string, string> = {},
  matchExpressions: LabelSelector['matchExpressions'] = [],
): LabelSelector => ({
  matchLabels,
  matchExpressions,
});

function ns(name: string, labels: Record<string, string> = { ns: name }): Namespace {
  return { kind: 'Namespace', meta: meta(name, '', labels) };
}

const NAMESPACES = ['x', 'y', 'z'];
const PODS = ['a', 'b', 'c'];

function worldPod(namespace: string, name: string, mutate?: (p: Pod) => void): Pod {
  const octet = NAMESPACES.indexOf(namespace) * 10 + PODS.indexOf(name) + 1;
  return pod(
    name,
    (p) => {
      p.meta.labels = { pod: name };
      p.podIP = `10.244.${NAMESPACES.indexOf(namespace) + 1}.${octet}`;
      p.podIPs = [p.podIP];
      p.nodeName = name === 'c' ? 'node-2' : 'node-1';
      p.containers = [
        container('serve', (c) => {
          c.ports = [
            { name: 'serve-80-tcp', containerPort: 80, protocol: 'TCP' },
            { name: 'serve-81-tcp', containerPort: 81, protocol: 'TCP' },
            { name: 'serve-80-udp', containerPort: 80, protocol: 'UDP' },
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
          ];
        }),
      ];
      mutate?.(p);
    },
    namespace,
  );
}

function policy(
  name: string,
  namespace: string,
  spec: Partial<Pick<NetworkPolicy, 'podSelector' | 'policyTypes' | 'ingress' | 'egress'>>,
): NetworkPolicy {
  return networkPolicy(
    name,
    (np) => {
      np.podSelector = spec.podSelector ?? sel();
      np.ingress = spec.ingress ?? [];
      np.egress = spec.egress ?? [];
      // As the API server defaults it: Ingress always, Egress when egress rules exist.
      np.policyTypes = spec.policyTypes ?? (np.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
    },
    namespace,
  );
}

const rule = (
  peers: NetworkPolicyPeer[] = [],
  ports: NetworkPolicyRule['ports'] = [],
): NetworkPolicyRule => ({ peers, ports });
const tcp = (port?: number | string, endPort?: number) => ({
  protocol: 'TCP' as Protocol,
  ...(port !== undefined ? { port } : {}),
  ...(endPort !== undefined ? { endPort } : {}),
});
const udp = (port?: number | string) => ({
  protocol: 'UDP' as Protocol,
  ...(port !== undefined ? { port } : {}),
});

type Endpoint = string; // "x/a" for a pod, or an IP for an address outside the cluster

interface Case {
  name: string;
  policies: NetworkPolicy[];
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: Protocol;
  allowed: boolean;
  ingress?: { decision: string; allowedBy?: string[]; policies?: string[] };
  egress?: { decision: string; allowedBy?: string[]; policies?: string[] };
  implementationDefined?: boolean;
  withoutNamespaces?: boolean;
  mutatePods?: (p: Pod) => void;
  srcNode?: string;
}

function build(
  c: Pick<Case, 'policies' | 'withoutNamespaces' | 'mutatePods'>,
  extraServices: Service[] = [],
): Snapshot {
  const pods = NAMESPACES.flatMap((n) => PODS.map((p) => worldPod(n, p, c.mutatePods)));
  return snapshotOf({
    pods,
    services: extraServices,
    namespaces: c.withoutNamespaces ? [] : NAMESPACES.map((n) => ns(n)),
    networkPolicies: c.policies,
  });
}

function resolve(snapshot: Snapshot, e: Endpoint): { pod?: Pod; ip: string } {
  if (e.includes('/')) {
    const [n, p] = e.split('/') as [string, string];
    const found = snapshot.pod(n, p)!;
    return { pod: found, ip: found.podIP! };
  }
  return { ip: e };
}

const cases: Case[] = [
  {
    name: 'with no policies everything is allowed and nothing is isolated',
    policies: [],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: true,
    ingress: { decision: 'not-isolated' },
    egress: { decision: 'not-isolated' },
  },
  {
    name: 'a default-deny ingress policy denies traffic from the same namespace',
    policies: [policy('deny-all', 'x', {})],
    from: 'x/a',
    to: 'x/b',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied', policies: ['x/deny-all'] },
    egress: { decision: 'not-isolated' },
  },
  {
    name: 'a default-deny ingress policy does not restrict egress from its pods',
    policies: [policy('deny-all', 'x', {})],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: true,
    egress: { decision: 'not-isolated' },
  },
  {
    name: 'an allow-all ingress rule ({}) allows every source',
    policies: [policy('deny-all', 'x', {}), policy('allow-all', 'x', { ingress: [rule()] })],
    from: 'z/c',
    to: 'x/a',
    port: 81,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/allow-all#0'], policies: ['x/allow-all', 'x/deny-all'] },
  },
  {
    name: 'policyTypes Egress with no egress rules denies all egress',
    policies: [policy('deny-egress', 'x', { policyTypes: ['Egress'] })],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: false,
    egress: { decision: 'denied', policies: ['x/deny-egress'] },
    ingress: { decision: 'not-isolated' },
  },
  {
    name: 'policyTypes Egress only leaves ingress open',
    policies: [policy('deny-egress', 'x', { policyTypes: ['Egress'] })],
    from: 'y/b',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'not-isolated' },
  },
  {
    name: 'a podSelector peer alone selects pods of the policy namespace',
    policies: [
      policy('from-b', 'x', {
        podSelector: sel({ pod: 'a' }),
        ingress: [rule([{ podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'x/b',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/from-b#0'] },
  },
  {
    name: 'a podSelector peer alone does not select the same labels in another namespace',
    policies: [
      policy('from-b', 'x', {
        podSelector: sel({ pod: 'a' }),
        ingress: [rule([{ podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'y/b',
    to: 'x/a',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied', policies: ['x/from-b'] },
  },
  {
    name: 'a policy podSelector isolates only the pods it selects',
    policies: [
      policy('from-b', 'x', {
        podSelector: sel({ pod: 'a' }),
        ingress: [rule([{ podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'y/b',
    to: 'x/c',
    port: 80,
    allowed: true,
    ingress: { decision: 'not-isolated' },
  },
  {
    name: 'a namespaceSelector peer alone selects every pod of matching namespaces',
    policies: [policy('from-y', 'x', { ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }])] })],
    from: 'y/c',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/from-y#0'] },
  },
  {
    name: 'a namespaceSelector peer alone does not select the policy own namespace unless it matches',
    policies: [policy('from-y', 'x', { ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }])] })],
    from: 'x/b',
    to: 'x/a',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied' },
  },
  {
    name: 'namespaceSelector and podSelector in one peer are ANDed (match)',
    policies: [
      policy('y-and-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'y/b',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/y-and-b#0'] },
  },
  {
    name: 'namespaceSelector and podSelector in one peer are ANDed (right namespace, wrong pod)',
    policies: [
      policy('y-and-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'y/c',
    to: 'x/a',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied' },
  },
  {
    name: 'namespaceSelector and podSelector in one peer are ANDed (right pod, wrong namespace)',
    policies: [
      policy('y-and-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'x/b',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'two separate peers are ORed: the namespace peer matches',
    policies: [
      policy('y-or-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }, { podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'y/c',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'two separate peers are ORed: the pod peer matches in the policy namespace',
    policies: [
      policy('y-or-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }, { podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'x/b',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'two separate peers are ORed: neither matches',
    policies: [
      policy('y-or-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }, { podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'z/c',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'an empty namespaceSelector with a podSelector selects those pods in every namespace',
    policies: [
      policy('any-ns-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel(), podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'z/b',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'an empty namespaceSelector with a podSelector still requires the pod labels',
    policies: [
      policy('any-ns-b', 'x', {
        ingress: [rule([{ namespaceSelector: sel(), podSelector: sel({ pod: 'b' }) }])],
      }),
    ],
    from: 'z/c',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'a NotIn namespace expression excludes the listed namespaces',
    policies: [
      policy('not-z', 'x', {
        ingress: [rule([{ namespaceSelector: sel({}, [{ key: 'ns', operator: 'NotIn', values: ['z'] }]) }])],
      }),
    ],
    from: 'z/a',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'the kubernetes.io/metadata.name label is present on every namespace',
    policies: [
      policy('by-name', 'x', {
        ingress: [rule([{ namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'y' }) }])],
      }),
    ],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'an ipBlock allows a cluster-external source inside the CIDR',
    policies: [
      policy('cidr', 'x', {
        ingress: [rule([{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }])],
      }),
    ],
    from: '203.0.113.20',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/cidr#0'] },
    egress: { decision: 'not-applicable' },
  },
  {
    name: 'an ipBlock except carves addresses out of the CIDR',
    policies: [
      policy('cidr', 'x', {
        ingress: [rule([{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }])],
      }),
    ],
    from: '203.0.113.5',
    to: 'x/a',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied' },
  },
  {
    name: 'an ipBlock matching a pod IP is allowed but flagged implementation-defined',
    policies: [
      policy('pod-cidr', 'x', { ingress: [rule([{ ipBlock: { cidr: '10.244.2.0/24', except: [] } }])] }),
    ],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: true,
    implementationDefined: true,
  },
  {
    name: 'an IPv6 ipBlock never matches an IPv4 source',
    policies: [policy('v6', 'x', { ingress: [rule([{ ipBlock: { cidr: '::/0', except: [] } }])] })],
    from: '198.51.100.1',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'a numeric port allows that port',
    policies: [policy('p80', 'x', { ingress: [rule([], [tcp(80)])] })],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'a numeric port denies other ports',
    policies: [policy('p80', 'x', { ingress: [rule([], [tcp(80)])] })],
    from: 'y/a',
    to: 'x/a',
    port: 81,
    allowed: false,
  },
  {
    name: 'a TCP port rule does not allow the same UDP port',
    policies: [policy('p80', 'x', { ingress: [rule([], [tcp(80)])] })],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    protocol: 'UDP',
    allowed: false,
  },
  {
    name: 'a protocol-only port entry allows every port of that protocol',
    policies: [policy('all-udp', 'x', { ingress: [rule([], [udp()])] })],
    from: 'y/a',
    to: 'x/a',
    port: 53,
    protocol: 'UDP',
    allowed: true,
  },
  {
    name: 'endPort allows the upper bound of the range',
    policies: [policy('range', 'x', { ingress: [rule([], [tcp(80, 81)])] })],
    from: 'y/a',
    to: 'x/a',
    port: 81,
    allowed: true,
  },
  {
    name: 'endPort denies a port past the range',
    policies: [policy('range', 'x', { ingress: [rule([], [tcp(80, 81)])] })],
    from: 'y/a',
    to: 'x/a',
    port: 82,
    allowed: false,
  },
  {
    name: 'a named port resolves against the destination pod container ports',
    policies: [policy('named', 'x', { ingress: [rule([], [tcp('serve-81-tcp')])] })],
    from: 'y/a',
    to: 'x/a',
    port: 81,
    allowed: true,
  },
  {
    name: 'a named port does not allow a different port number',
    policies: [policy('named', 'x', { ingress: [rule([], [tcp('serve-81-tcp')])] })],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'a named port with the wrong protocol matches nothing',
    policies: [policy('named', 'x', { ingress: [rule([], [tcp('serve-80-udp')])] })],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'a rule with ports and no peers allows any source on those ports',
    policies: [policy('p81', 'x', { ingress: [rule([], [tcp(81)])] })],
    from: '198.51.100.7',
    to: 'x/b',
    port: 81,
    allowed: true,
  },
  {
    name: 'policies are a union: the second policy allows what the first does not',
    policies: [
      policy('b-80', 'x', { ingress: [rule([{ podSelector: sel({ pod: 'b' }) }], [tcp(80)])] }),
      policy('c-81', 'x', { ingress: [rule([{ podSelector: sel({ pod: 'c' }) }], [tcp(81)])] }),
    ],
    from: 'x/c',
    to: 'x/a',
    port: 81,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/c-81#0'], policies: ['x/b-80', 'x/c-81'] },
  },
  {
    name: 'policies are a union of whole rules, not of peers and ports separately',
    policies: [
      policy('b-80', 'x', { ingress: [rule([{ podSelector: sel({ pod: 'b' }) }], [tcp(80)])] }),
      policy('c-81', 'x', { ingress: [rule([{ podSelector: sel({ pod: 'c' }) }], [tcp(81)])] }),
    ],
    from: 'x/b',
    to: 'x/a',
    port: 81,
    allowed: false,
  },
  {
    name: 'a policy in another namespace does not select the pod',
    policies: [policy('deny-all', 'y', {})],
    from: 'x/b',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'not-isolated' },
  },
  {
    name: 'egress to a namespace on UDP 53 allows DNS there',
    policies: [
      policy('dns-only', 'x', { egress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }], [udp(53)])] }),
    ],
    from: 'x/a',
    to: 'y/c',
    port: 53,
    protocol: 'UDP',
    allowed: true,
    egress: { decision: 'allowed', allowedBy: ['x/dns-only#0'] },
  },
  {
    name: 'egress allowing only DNS denies TCP 80',
    policies: [
      policy('dns-only', 'x', { egress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }], [udp(53)])] }),
    ],
    from: 'x/a',
    to: 'y/c',
    port: 80,
    allowed: false,
    egress: { decision: 'denied' },
  },
  {
    name: 'egress deny-all also blocks DNS',
    policies: [policy('deny-egress', 'x', { policyTypes: ['Egress'] })],
    from: 'x/a',
    to: 'y/c',
    port: 53,
    protocol: 'UDP',
    allowed: false,
  },
  {
    name: 'both sides must allow: egress allows but the destination ingress denies',
    policies: [
      policy('egress-any', 'x', { egress: [rule()], policyTypes: ['Egress'] }),
      policy('deny-all', 'y', {}),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: false,
    egress: { decision: 'allowed' },
    ingress: { decision: 'denied', policies: ['y/deny-all'] },
  },
  {
    name: 'an egress named port resolves against the destination pod',
    policies: [
      policy('named-egress', 'x', { policyTypes: ['Egress'], egress: [rule([], [tcp('serve-81-tcp')])] }),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 81,
    allowed: true,
  },
  {
    name: 'an egress named port cannot match a destination outside the cluster',
    policies: [
      policy('named-egress', 'x', { policyTypes: ['Egress'], egress: [rule([], [tcp('serve-81-tcp')])] }),
    ],
    from: 'x/a',
    to: '198.51.100.9',
    port: 81,
    allowed: false,
  },
  {
    name: 'egress to 0.0.0.0/0 except the pod range allows the internet',
    policies: [
      policy('internet-only', 'x', {
        policyTypes: ['Egress'],
        egress: [rule([{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }])],
      }),
    ],
    from: 'x/a',
    to: '198.51.100.9',
    port: 443,
    allowed: true,
  },
  {
    name: 'egress to 0.0.0.0/0 except the pod range denies pods',
    policies: [
      policy('internet-only', 'x', {
        policyTypes: ['Egress'],
        egress: [rule([{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }])],
      }),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: false,
  },
  {
    name: 'a policy with Ingress and Egress types but only ingress rules denies all egress',
    policies: [policy('both', 'x', { policyTypes: ['Ingress', 'Egress'], ingress: [rule()] })],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: false,
    egress: { decision: 'denied' },
  },
  {
    name: 'a hostNetwork destination is not governed by NetworkPolicy',
    policies: [policy('deny-all', 'x', {})],
    mutatePods: (p) => {
      if (p.meta.namespace === 'x' && p.meta.name === 'a') p.hostNetwork = true;
    },
    from: 'y/b',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'not-applicable' },
  },
  {
    name: 'a hostNetwork source is not matched by pod selectors',
    policies: [policy('from-y', 'x', { ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }])] })],
    mutatePods: (p) => {
      if (p.meta.namespace === 'y' && p.meta.name === 'b') p.hostNetwork = true;
    },
    from: 'y/b',
    to: 'x/a',
    port: 80,
    allowed: false,
    implementationDefined: true,
  },
  {
    name: 'traffic from the pod own node is always allowed',
    policies: [policy('deny-all', 'x', {})],
    from: '192.168.0.11',
    srcNode: 'node-1',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'node-local' },
  },
  {
    name: 'traffic from another node is subject to the policy',
    policies: [policy('deny-all', 'x', {})],
    from: '192.168.0.12',
    srcNode: 'node-2',
    to: 'x/a',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied' },
  },
  // ---- further cases named after the upstream netpol e2e suite (test/e2e/network/netpol)
  {
    name: 'a named port declared only by a sidecar (restartable init container) is not resolved',
    policies: [policy('named-sidecar', 'x', { ingress: [rule([], [tcp('proxy')])] })],
    mutatePods: (p) => {
      p.initContainers = [
        container('envoy', (c) => {
          c.restartPolicy = 'Always';
          c.ports = [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }];
        }),
      ];
    },
    from: 'y/a',
    to: 'x/a',
    port: 15001,
    allowed: false,
  },
  {
    name: 'a policy on SCTP port 80 does not admit TCP port 80 (SCTP is not TCP)',
    policies: [policy('sctp', 'x', { ingress: [rule([], [{ protocol: 'SCTP', port: 80 }])] })],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: false,
    ingress: { decision: 'denied', policies: ['x/sctp'] },
  },
  {
    name: 'a policy that only specifies UDP does not allow TCP',
    policies: [policy('udp-only', 'x', { ingress: [rule([], [udp(80)])] })],
    from: 'y/a',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'an IP in one policy except range is still allowed when another policy admits it',
    policies: [
      policy('cidr-except', 'x', {
        ingress: [rule([{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }])],
      }),
      policy('cidr-small', 'x', { ingress: [rule([{ ipBlock: { cidr: '203.0.113.0/28', except: [] } }])] }),
    ],
    from: '203.0.113.5',
    to: 'x/a',
    port: 80,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/cidr-small#0'] },
  },
  {
    name: 'an allow-all ingress policy takes precedence over a narrower one',
    policies: [
      policy('only-b', 'x', { ingress: [rule([{ podSelector: sel({ pod: 'b' }) }])] }),
      policy('allow-all', 'x', { ingress: [rule()] }),
    ],
    from: 'z/c',
    to: 'x/a',
    port: 81,
    allowed: true,
    ingress: { decision: 'allowed', allowedBy: ['x/allow-all#0'] },
  },
  {
    name: 'an allow-all egress policy takes precedence over a narrower one',
    policies: [
      policy('egress-to-y', 'x', {
        policyTypes: ['Egress'],
        egress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }])],
      }),
      policy('egress-all', 'x', { policyTypes: ['Egress'], egress: [rule()] }),
    ],
    from: 'x/a',
    to: 'z/b',
    port: 80,
    allowed: true,
    egress: { decision: 'allowed', allowedBy: ['x/egress-all#0'] },
  },
  {
    name: 'egress denied on the client side even though the server allows it',
    policies: [
      policy('deny-egress', 'x', { policyTypes: ['Egress'] }),
      policy('allow-all-in', 'y', { ingress: [rule()] }),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: false,
    egress: { decision: 'denied' },
    ingress: { decision: 'allowed' },
  },
  {
    name: 'a podSelector with matchExpressions In selects the listed pods',
    policies: [
      policy('in-bc', 'x', {
        ingress: [rule([{ podSelector: sel({}, [{ key: 'pod', operator: 'In', values: ['b', 'c'] }]) }])],
      }),
    ],
    from: 'x/c',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'a podSelector with DoesNotExist excludes pods carrying the key',
    policies: [
      policy('no-pod-key', 'x', {
        ingress: [rule([{ podSelector: sel({}, [{ key: 'pod', operator: 'DoesNotExist', values: [] }]) }])],
      }),
    ],
    from: 'x/b',
    to: 'x/a',
    port: 80,
    allowed: false,
  },
  {
    name: 'two podSelector peers admit either pod',
    policies: [
      policy('b-or-c', 'x', {
        ingress: [rule([{ podSelector: sel({ pod: 'b' }) }, { podSelector: sel({ pod: 'c' }) }])],
      }),
    ],
    from: 'x/c',
    to: 'x/a',
    port: 80,
    allowed: true,
  },
  {
    name: 'ingress and egress are controlled independently: an ingress-only policy leaves the same pod egress open',
    policies: [policy('deny-in', 'x', { podSelector: sel({ pod: 'a' }) })],
    from: 'x/a',
    to: 'x/b',
    port: 80,
    allowed: true,
    egress: { decision: 'not-isolated' },
    ingress: { decision: 'not-isolated' },
  },
  {
    name: 'egress to a server in a CIDR block (a pod IP: implementation-defined but matched)',
    policies: [
      policy('egress-cidr', 'x', {
        policyTypes: ['Egress'],
        egress: [rule([{ ipBlock: { cidr: '10.244.2.0/24', except: [] } }])],
      }),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: true,
    implementationDefined: true,
  },
  {
    name: 'egress except clause denies a server inside the excepted range',
    policies: [
      policy('egress-cidr', 'x', {
        policyTypes: ['Egress'],
        egress: [rule([{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24'] } }])],
      }),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: false,
  },
  {
    name: 'an egress rule with namespace and pod selectors reaches a server in a different namespace',
    policies: [
      policy('egress-yb', 'x', {
        policyTypes: ['Egress'],
        egress: [rule([{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }], [tcp(80)])],
      }),
    ],
    from: 'x/a',
    to: 'y/b',
    port: 80,
    allowed: true,
  },
  {
    name: 'any port on a specific protocol: a protocol-only TCP entry admits 81',
    policies: [
      policy('tcp-any', 'x', { ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }], [tcp()])] }),
    ],
    from: 'y/c',
    to: 'x/a',
    port: 81,
    allowed: true,
  },
];

describe('evaluateNetworkPolicies', () => {
  beforeEach(() => resetBuilderCounters());

  it.each(cases)('$name', (c) => {
    const snap = build(c);
    const src = resolve(snap, c.from);
    const dst = resolve(snap, c.to);
    const r: NetpolResult = evaluateNetworkPolicies(snap, {
      src: { ...src, ...(c.srcNode ? { node: c.srcNode } : {}) },
      dst,
      port: c.port,
      protocol: c.protocol ?? 'TCP',
    });
    const steps = `ingress: ${r.ingress.reason}; egress: ${r.egress.reason}`;
    expect(r.allowed, steps).toBe(c.allowed);
    expect(r.allowed).toBe(r.ingress.allowed && r.egress.allowed);
    for (const dir of ['ingress', 'egress'] as const) {
      const want = c[dir];
      if (!want) continue;
      expect(r[dir].decision, steps).toBe(want.decision);
      if (want.allowedBy)
        expect(r[dir].allowedBy.map((x) => `${x.policy}#${x.rule}`)).toEqual(want.allowedBy);
      if (want.policies) expect(r[dir].policies).toEqual(want.policies);
    }
    if (c.implementationDefined !== undefined) {
      const notes = [...r.ingress.implementationDefined, ...r.egress.implementationDefined];
      expect(notes.length > 0).toBe(c.implementationDefined);
    }
  });

  it('records namespace labels as unknown when Namespace objects were not collected', () => {
    const c = {
      policies: [policy('from-y', 'x', { ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }) }])] })],
      withoutNamespaces: true,
    };
    const snap = build(c);
    const r = evaluateNetworkPolicies(snap, {
      src: resolve(snap, 'y/a'),
      dst: resolve(snap, 'x/a'),
      port: 80,
      protocol: 'TCP',
    });
    expect(r.ingress.allowed).toBe(false);
    expect(r.ingress.unknowns).toEqual(['labels of namespace y (Namespace object not collected)']);
  });

  it('denies with every selecting policy named when several isolate the pod', () => {
    const snap = build({
      policies: [policy('b', 'x', {}), policy('a', 'x', { ingress: [rule([], [tcp(9999)])] })],
    });
    const r = evaluateNetworkPolicies(snap, {
      src: resolve(snap, 'y/a'),
      dst: resolve(snap, 'x/a'),
      port: 80,
      protocol: 'TCP',
    });
    expect(r.ingress.policies).toEqual(['x/a', 'x/b']);
    expect(r.ingress.allowedBy).toEqual([]);
  });
});

describe('denial explanations (misses)', () => {
  beforeEach(() => resetBuilderCounters());

  it.each([
    {
      name: 'an ANDed peer names the namespaceSelector that failed',
      policies: [
        policy('y-and-b', 'x', {
          ingress: [rule([{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'b' }) }])],
        }),
      ],
      from: 'z/b',
      misses: [{ policy: 'x/y-and-b', rule: 0, element: 'peer' }],
    },
    {
      name: 'a rule whose peers match but ports do not names the ports',
      policies: [policy('p80', 'x', { ingress: [rule([], [tcp(80)])] })],
      from: 'y/a',
      misses: [{ policy: 'x/p80', rule: 0, element: 'port' }],
    },
    {
      name: 'every rule of every selecting policy is explained',
      policies: [
        policy('a', 'x', { ingress: [rule([{ podSelector: sel({ pod: 'c' }) }]), rule([], [udp(81)])] }),
        policy('b', 'x', { ingress: [rule([{ ipBlock: { cidr: '203.0.113.0/24', except: [] } }])] }),
      ],
      from: 'y/a',
      misses: [
        { policy: 'x/a', rule: 0, element: 'peer' },
        { policy: 'x/a', rule: 1, element: 'port' },
        { policy: 'x/b', rule: 0, element: 'peer' },
      ],
    },
  ])('$name', ({ policies, from, misses }) => {
    const snap = build({ policies });
    const r = evaluateNetworkPolicies(snap, {
      src: resolve(snap, from),
      dst: resolve(snap, 'x/a'),
      port: 81,
      protocol: 'TCP',
    });
    expect(r.ingress.allowed).toBe(false);
    expect(r.ingress.misses.map(({ reason: _r, ...m }) => m)).toEqual(misses);
    expect(r.ingress.misses.every((m) => m.reason.length > 0)).toBe(true);
  });
});

describe('evaluateServiceBackends (after Service DNAT)', () => {
  beforeEach(() => resetBuilderCounters());

  const svc = () =>
    service(
      'web',
      (s) => {
        s.selector = { pod: 'a' };
        s.ports = [{ name: 'http', protocol: 'TCP', port: 8000, targetPort: 'serve-81-tcp' }];
      },
      'x',
    );

  it.each([
    { name: 'a policy allowing the targetPort allows the Service port', ports: [tcp(81)], allowed: true },
    {
      name: 'a policy allowing only the Service port denies (policy sees the backend port)',
      ports: [tcp(8000)],
      allowed: false,
    },
    { name: 'a policy naming the container port allows it', ports: [tcp('serve-81-tcp')], allowed: true },
  ])('$name', ({ ports, allowed }) => {
    const s = svc();
    const snap = build(
      { policies: [policy('web', 'x', { podSelector: sel({ pod: 'a' }), ingress: [rule([], ports)] })] },
      [s],
    );
    const src = resolve(snap, 'y/b');
    const res = evaluateServiceBackends(snap, src, s, s.ports[0]!);
    expect(res.map((b) => [b.ip, b.port])).toEqual([['10.244.1.1', 81]]);
    expect(res[0]?.result?.allowed).toBe(allowed);
  });
});
