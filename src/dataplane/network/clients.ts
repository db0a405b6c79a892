// Who sends the packet: the question's client resolved to an address on a node. The abstract
// rows of the seed 001/004 table become a concrete node (and a pod address on it).

import { backendsOf } from '../../model/endpoints.js';
import type { ClientSpec } from '../../model/question.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Node, Pod, Service } from '../../model/types.js';
import { parseCIDR } from '../kubeproxy/ip.js';
import { INTERNET_CLIENT } from './model.js';

export interface ResolvedClient {
  /** How it is shown: node/NAME, pod/NS/NAME, "a pod on node/NAME", the internet... */
  label: string;
  kind: 'internet' | 'vpc' | 'host' | 'pod';
  node?: Node;
  /** The real pod, when the client is one the snapshot holds. */
  pod?: Pod;
  ip: string;
}

export type ClientResolution = { ok: true; client: ResolvedClient } | { ok: false; why: string };

/** Nodes running a ready endpoint of the Service, sorted by name. */
export function backendNodes(snapshot: Snapshot, svc: Service): string[] {
  const out = new Set<string>();
  for (const b of backendsOf(snapshot, svc).backends) if (b.ready && b.nodeName) out.add(b.nodeName);
  return [...out].sort();
}

/** A node without any backend, preferring ready schedulable nodes. */
function otherNode(snapshot: Snapshot, svc: Service): Node | undefined {
  const backends = new Set(backendNodes(snapshot, svc));
  const candidates = [...snapshot.nodes].filter((n) => !backends.has(n.meta.name));
  candidates.sort(
    (a, b) => Number(b.ready === true) - Number(a.ready === true) || a.meta.name.localeCompare(b.meta.name),
  );
  return candidates[0];
}

/** An address inside the node's pod CIDR for an abstract "pod on this node" (none when unknown). */
export function podAddressOn(
  snapshot: Snapshot,
  node: Node,
  svc: Service,
): { ip: string; pod?: Pod } | undefined {
  const backendIPs = new Set(backendsOf(snapshot, svc).backends.map((b) => b.ip));
  const real = snapshot
    .podsOnNode(node.meta.name)
    .find(
      (p) =>
        !p.hostNetwork &&
        p.meta.namespace !== 'kube-system' &&
        p.podIP &&
        !backendIPs.has(p.podIP) &&
        p.phase === 'Running',
    );
  if (real?.podIP) return { ip: real.podIP, pod: real };
  for (const text of node.podCIDRs) {
    const c = parseCIDR(text);
    if (!c) continue;
    const bytes = c[0].toByteArray();
    if (bytes.length === 4 && c[1] <= 24) {
      bytes[3] = 250;
      return { ip: bytes.join('.') };
    }
  }
  return undefined;
}

function hostClient(node: Node, label: string): ClientResolution {
  const ip = node.internalIPs[0];
  if (!ip) return { ok: false, why: `node/${node.meta.name} has no InternalIP in the snapshot` };
  return { ok: true, client: { label, kind: 'host', node, ip } };
}

function podOn(snapshot: Snapshot, node: Node, svc: Service, label: string): ClientResolution {
  const a = podAddressOn(snapshot, node, svc);
  if (!a)
    return {
      ok: false,
      why: `no pod address is known on node/${node.meta.name} (no pod there and no podCIDR)`,
    };
  return {
    ok: true,
    client: {
      label: a.pod ? `pod/${a.pod.meta.namespace}/${a.pod.meta.name} (${label})` : label,
      kind: 'pod',
      node,
      ...(a.pod ? { pod: a.pod } : {}),
      ip: a.ip,
    },
  };
}

export function resolveClient(snapshot: Snapshot, svc: Service, spec: ClientSpec): ClientResolution {
  switch (spec.kind) {
    case 'internet':
      return { ok: true, client: { label: 'an internet client', kind: 'internet', ip: INTERNET_CLIENT } };
    case 'vpc': {
      // A VPC host outside the cluster: an address beside the nodes', owned by no node.
      const base = snapshot.nodes.find((n) => n.internalIPs[0])?.internalIPs[0];
      const ip =
        base && /^\d+\.\d+\.\d+\.\d+$/.test(base) ? base.replace(/\.\d+$/, '.249') : '10.255.255.249';
      return { ok: true, client: { label: 'a VPC client outside the cluster', kind: 'vpc', ip } };
    }
    case 'node': {
      const n = snapshot.node(spec.node);
      if (!n) return { ok: false, why: `node/${spec.node} is not in the snapshot` };
      return hostClient(n, `node/${spec.node}`);
    }
    case 'pod': {
      const p = snapshot.pod(spec.namespace, spec.name);
      if (!p) return { ok: false, why: `pod/${spec.namespace}/${spec.name} is not in the snapshot` };
      const n = p.nodeName ? snapshot.node(p.nodeName) : undefined;
      if (!n) return { ok: false, why: `the node of pod/${spec.namespace}/${spec.name} is not known` };
      if (p.hostNetwork) {
        const ip = p.podIP ?? n.internalIPs[0];
        if (!ip) return { ok: false, why: `node/${n.meta.name} has no InternalIP` };
        return {
          ok: true,
          client: {
            label: `pod/${spec.namespace}/${spec.name} (host network)`,
            kind: 'host',
            node: n,
            pod: p,
            ip,
          },
        };
      }
      if (!p.podIP) return { ok: false, why: `pod/${spec.namespace}/${spec.name} has no IP yet` };
      return {
        ok: true,
        client: { label: `pod/${spec.namespace}/${spec.name}`, kind: 'pod', node: n, pod: p, ip: p.podIP },
      };
    }
    case 'same-node-as-backend':
    case 'pod-on-backend-node': {
      const name = backendNodes(snapshot, svc)[0];
      const n = name ? snapshot.node(name) : undefined;
      if (!n)
        return {
          ok: false,
          why: 'no node runs a ready endpoint of the Service (or its node is not in the snapshot)',
        };
      return spec.kind === 'same-node-as-backend'
        ? hostClient(n, `node/${n.meta.name} (runs a backend)`)
        : podOn(snapshot, n, svc, `a pod on node/${n.meta.name}, which runs a backend`);
    }
    case 'other-node':
    case 'pod-on-other-node': {
      const n = otherNode(snapshot, svc);
      if (!n) return { ok: false, why: 'every node runs a backend: there is no "other node"' };
      return spec.kind === 'other-node'
        ? hostClient(n, `node/${n.meta.name} (no backend)`)
        : podOn(snapshot, n, svc, `a pod on node/${n.meta.name}, which runs no backend`);
    }
  }
}
