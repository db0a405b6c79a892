import { describe, expect, it } from 'vitest';
import { node, pod, question, service, snapshotOf } from '../../test/support/builders.js';
import type { Snapshot } from '../model/snapshot.js';
import { allUnknowns, DEBUG_STEPS, orderUnknowns, providerOf, stepOf, unknownsFor } from './unknowns.js';

const lb = () =>
  service('web', (s) => {
    s.type = 'LoadBalancer';
    s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
  });

function steps(snap: Snapshot, q = question('web', { client: 'internet', via: 'loadbalancer' })) {
  return unknownsFor(snap, snap.service('default', 'web'), q);
}

describe('unknownsFor', () => {
  it('lists missing endpoint slices with the exact kubectl command', () => {
    const snap = snapshotOf({
      services: [lb()],
      pods: [pod('web-1')],
      autoSlices: false,
      collected: { EndpointSlice: false },
    });
    const u = steps(snap).find((x) => x.step === 'endpoints');
    expect(u?.collect).toBe(
      'kubectl get endpointslices -n default -l kubernetes.io/service-name=web -o yaml',
    );
  });

  it('asks for iptables-save on the backend node when the proxy mode is unknown', () => {
    const snap = snapshotOf({ services: [lb()], pods: [pod('web-1')], nodes: [node('node-1')] });
    const u = steps(snap).filter((x) => x.node);
    expect(u.map((x) => x.node)).toEqual(['node-1']);
    expect(u[0]?.collect).toBe('on node node-1: iptables-save > node-1.iptables && ip -o addr > node-1.addr');
  });

  it('asks for ipvsadm in IPVS mode', () => {
    const snap = snapshotOf({
      services: [lb()],
      pods: [pod('web-1')],
      kubeProxy: { mode: 'ipvs', nodePortAddresses: [], masqueradeAll: false, masqueradeBit: 14 },
    });
    expect(steps(snap).find((x) => x.node)?.collect).toMatch(/^on node node-1: ipvsadm -S -n > node-1\.ipvs/);
  });

  it('does not ask for a node dump that is already in the bundle', () => {
    const snap = snapshotOf({
      services: [lb()],
      pods: [pod('web-1')],
      nodeDumps: [{ node: 'node-1', iptables: { text: '', file: 'node-1.iptables' } }],
    });
    expect(steps(snap).filter((x) => x.node)).toEqual([]);
  });

  it('points at the provider console page for a LoadBalancer without CloudInventory', () => {
    const snap = snapshotOf({
      services: [lb()],
      pods: [pod('web-1')],
      nodes: [node('node-1', (n) => (n.providerID = 'aws:///us-east-1a/i-0abc'))],
    });
    expect(providerOf(snap)).toBe('eks');
    const cloud = steps(snap).filter((x) => x.step === 'cloud');
    expect(cloud.map((x) => x.collect.split(' ')[0])).toEqual(['aws', 'aws']);
  });

  it('asks for the resolver and CoreDNS when the question uses DNS', () => {
    const snap = snapshotOf({
      services: [service('web')],
      pods: [pod('web-1'), pod('client', undefined, 'front')],
    });
    const u = steps(snap, question('web', { client: 'pod/front/client', dnsName: 'web.default' }));
    expect(u.filter((x) => x.step === 'dns' || x.step === 'any-dns').map((x) => x.collect)).toEqual([
      'kubectl exec -n front client -- cat /etc/resolv.conf',
      'kubectl get pods,svc,endpointslices -n kube-system -l k8s-app=kube-dns -o yaml',
      'kubectl get configmap coredns -n kube-system -o yaml',
    ]);
  });

  it('is ordered as the Debug Services page walks the layers', () => {
    const snap = snapshotOf({
      services: [lb()],
      collected: { Pod: false, Event: false, EndpointSlice: false, NetworkPolicy: false },
      autoSlices: false,
    });
    const order = steps(snap).map((x) => DEBUG_STEPS.indexOf(x.step));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(steps(snap).map((x) => x.step))).toEqual(
      new Set(['endpoints', 'pods', 'kube-proxy', 'network-policy', 'cloud']),
    );
  });

  it('a complete in-cluster bundle has no unknowns but node dumps', () => {
    const snap = snapshotOf({
      services: [service('web')],
      pods: [
        pod('web-1'),
        pod('kube-proxy-x', (p) => (p.meta.labels = { 'k8s-app': 'kube-proxy' }), 'kube-system'),
      ],
      nodes: [node('node-1')],
      kubeProxy: { mode: 'iptables', nodePortAddresses: [], masqueradeAll: false, masqueradeBit: 14 },
    });
    expect(steps(snap, question('web', { client: 'pod-on-other-node' })).map((x) => x.step)).toEqual([
      'kube-proxy',
    ]);
  });
});

describe('orderUnknowns', () => {
  it.each([
    ['client address unknown: ipBlock rules of default/x not evaluated', 'network-policy'],
    ['EndpointSlices not collected', 'endpoints'],
    ['iptables rules of node node-2 not collected', 'kube-proxy'],
    ['no CloudInventory: security groups not checked', 'cloud'],
    ['Corefile not collected', 'any-dns'],
  ])('%s is step %s', (line, step) => {
    expect(stepOf(line)).toBe(step);
  });

  it('sorts by step, keeps order within a step and drops duplicates', () => {
    expect(
      orderUnknowns([
        'no CloudInventory',
        'Pods not collected',
        'EndpointSlices not collected',
        'Pods not collected',
      ]),
    ).toEqual(['EndpointSlices not collected', 'Pods not collected', 'no CloudInventory']);
  });

  it('merges check lines with the structured ones', () => {
    const snap = snapshotOf({ services: [service('web')], collected: { NetworkPolicy: false } });
    const lines = allUnknowns(snap, snap.service('default', 'web'), question('web'), [
      'client address unknown: ipBlock rules not evaluated',
    ]);
    expect(lines.at(-1)).toBe('client address unknown: ipBlock rules not evaluated');
  });
});

describe('node dumps asked for', () => {
  const world = () =>
    snapshotOf({
      services: [service('web')],
      pods: [
        pod('web-1', (p) => (p.nodeName = 'node-1')),
        pod('client', (p) => (p.nodeName = 'node-2'), 'front'),
      ],
      nodes: [node('node-1'), node('node-2')],
    });
  it.each([
    {
      name: 'a pod client: its own node, where the ClusterIP is translated',
      client: 'pod/front/client',
      nodes: ['node-2'],
    },
    { name: 'a node client: that node', client: 'node/node-1', nodes: ['node-1'] },
    {
      name: 'an abstract client: one generic line, no node named',
      client: 'pod-on-other-node',
      nodes: [undefined],
    },
  ])('$name', ({ client, nodes }) => {
    const snap = world();
    const dumps = unknownsFor(snap, snap.service('default', 'web'), question('web', { client })).filter((u) =>
      u.collect.includes('iptables-save'),
    );
    expect(dumps.map((u) => u.node)).toEqual(nodes);
  });
});
