import { describe, expect, it } from 'vitest';
import { networkPolicy, pod, snapshotOf } from '../../../test/support/builders.js';
import type { Pod } from '../../model/types.js';
import { evaluateAsEnforced, policyEnforcement } from './enforcement.js';

const agent = (name: string, ns: string, owner: string, labels: Record<string, string>): Pod =>
  pod(
    name,
    (p) => {
      p.meta.labels = labels;
      p.meta.ownerReferences = [{ kind: 'DaemonSet', name: owner, controller: true }];
    },
    ns,
  );
const flannel = () => agent('kube-flannel-ds-abcde', 'kube-flannel', 'kube-flannel-ds', { app: 'flannel' });
const calico = () => agent('calico-node-abcde', 'calico-system', 'calico-node', { 'k8s-app': 'calico-node' });
const canal = () => agent('canal-abcde', 'kube-system', 'canal', { 'k8s-app': 'canal' });
const awsNode = () => agent('aws-node-abcde', 'kube-system', 'aws-node', { 'k8s-app': 'aws-node' });

describe('policyEnforcement', () => {
  it.each([
    { name: 'plain flannel does not enforce', agents: [flannel()], enforced: 'no' },
    { name: 'calico enforces', agents: [calico()], enforced: 'yes' },
    { name: 'canal (flannel + calico policy) enforces', agents: [canal()], enforced: 'yes' },
    { name: 'flannel next to calico enforces', agents: [flannel(), calico()], enforced: 'yes' },
    { name: 'aws-node depends on an add-on', agents: [awsNode()], enforced: 'unknown' },
    { name: 'no agent seen', agents: [], enforced: 'unknown' },
  ])('$name', ({ agents, enforced }) => {
    expect(policyEnforcement(snapshotOf({ pods: agents })).enforced).toBe(enforced);
  });
});

describe('evaluateAsEnforced', () => {
  const world = (agents: Pod[]) => {
    const server = pod('web-1', (p) => (p.meta.labels = { app: 'web' }));
    const client = pod('client', (p) => (p.meta.labels = { app: 'client' }));
    const snap = snapshotOf({
      pods: [server, client, ...agents],
      networkPolicies: [networkPolicy('deny-all')],
    });
    return evaluateAsEnforced(snap, {
      src: { pod: client, ip: client.podIP! },
      dst: { pod: server, ip: server.podIP! },
      port: 8080,
      protocol: 'TCP',
    });
  };
  it('passes what the API would deny when the plugin does not enforce policies, and says so', () => {
    const r = world([flannel()]);
    expect(r.allowed).toBe(true);
    expect(r.ingress.decision).toBe('denied');
    expect(r.ingress.implementationDefined).toHaveLength(1);
  });
  it('denies as the API says when the plugin enforces', () => {
    expect(world([calico()]).allowed).toBe(false);
  });
});
