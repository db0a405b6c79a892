import { describe, expect, it } from 'vitest';
import { meta } from '../../../test/support/builders.js';
import { networkComponentOf } from './components.js';

describe('networkComponentOf', () => {
  const cases: { name: string; labels?: Record<string, string>; owner?: string; want: string | undefined }[] =
    [
      { name: 'kube-proxy-x2abc', owner: 'kube-proxy', want: 'kube-proxy kube-proxy' },
      // GKE/EKS-style static pod named after the node
      {
        name: 'kube-proxy-gke-pool-1-3f2a',
        labels: { component: 'kube-proxy' },
        want: 'kube-proxy kube-proxy',
      },
      { name: 'calico-node-7x9kq', owner: 'calico-node', want: 'cni calico-node' },
      { name: 'aws-node-8b2lm', labels: { 'k8s-app': 'aws-node' }, want: 'cni aws-node' },
      { name: 'weave-net-4fz7p', labels: { name: 'weave-net' }, want: 'cni weave-net' },
      { name: 'kube-flannel-ds-abcde', labels: { app: 'flannel' }, want: 'cni kube-flannel-ds' },
      { name: 'tke-eni-agent-q2w3e', owner: 'tke-eni-agent', want: 'cni tke-eni-agent' },
      { name: 'antrea-agent-zz9x8', labels: { component: 'antrea-agent' }, want: 'cni antrea-agent' },
      { name: 'cilium-operator-5d8f9c7b6d-abcde', labels: { name: 'cilium-operator' }, want: undefined },
      {
        name: 'calico-kube-controllers-6b7f9c-abcde',
        labels: { 'k8s-app': 'calico-kube-controllers' },
        want: undefined,
      },
      { name: 'coredns-5d78c9869d-abcde', labels: { 'k8s-app': 'kube-dns' }, want: undefined },
    ];
  for (const c of cases)
    it(`${c.name} → ${c.want ?? 'not a network component'}`, () => {
      const m = meta(c.name, 'kube-system', c.labels ?? {});
      if (c.owner) m.ownerReferences = [{ kind: 'DaemonSet', name: c.owner }];
      const got = networkComponentOf(m);
      expect(got ? `${got.kind} ${got.name}` : undefined).toBe(c.want);
    });
});
