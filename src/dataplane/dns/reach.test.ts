import { describe, expect, it } from 'vitest';
import { networkPolicy, pod, snapshotOf } from '../../../test/support/builders.js';
import type { NetworkPolicy } from '../../model/types.js';
import { dnsReach } from './reach.js';

const coredns = () => pod('coredns-1', (p) => (p.meta.labels = { 'k8s-app': 'kube-dns' }), 'kube-system');
const client = () => pod('client', (p) => (p.meta.labels = { app: 'client' }), 'front');
const egress = (rules: NetworkPolicy['egress']): NetworkPolicy =>
  networkPolicy(
    'egress',
    (np) => {
      np.policyTypes = ['Egress'];
      np.egress = rules;
    },
    'front',
  );

describe('dnsReach', () => {
  it.each([
    { name: 'no policies: DNS is reachable', policies: [], allowed: true },
    { name: 'egress deny-all blocks DNS', policies: [egress([])], allowed: false },
    {
      name: 'an egress rule to kube-system on UDP 53 allows DNS',
      policies: [
        egress([
          {
            peers: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                  matchExpressions: [],
                },
              },
            ],
            ports: [{ protocol: 'UDP', port: 53 }],
          },
        ]),
      ],
      allowed: true,
    },
    {
      name: 'an egress rule allowing only TCP 53 does not cover UDP queries',
      policies: [egress([{ peers: [], ports: [{ protocol: 'TCP', port: 53 }] }])],
      allowed: false,
    },
  ])('$name', ({ policies, allowed }) => {
    const snap = snapshotOf({ pods: [coredns(), client()], networkPolicies: policies });
    expect(dnsReach(snap, snap.pod('front', 'client')!).allowed).toBe(allowed);
  });

  it('is unknown without CoreDNS pods in the snapshot', () => {
    const snap = snapshotOf({ pods: [client()] });
    expect(dnsReach(snap, snap.pod('front', 'client')!).allowed).toBeUndefined();
  });
});
