// The cloud load balancer in front of a Service or Ingress: which LB, which listener, what its
// backend group should hold, certificates and health. Pure functions over the inventory + snapshot.

import { backendsOf } from '../../model/endpoints.js';
import { findPort } from '../../model/ports.js';
import type { Snapshot } from '../../model/snapshot.js';
import type {
  CloudInventory,
  Ingress,
  LbBackend,
  LbListener,
  LoadBalancer,
  Node,
  Service,
  ServicePort,
} from '../../model/types.js';
import { CCE, TKE } from './providers/index.js';
import type { LbBehaviour } from './providers/types.js';

/** The LB owning `ingress/NS/NAME` or `service/NS/NAME`. */
export function loadBalancerByOwner(inv: CloudInventory | undefined, owner: string): LoadBalancer[] {
  return (inv?.loadBalancers ?? []).filter((lb) => lb.owner === owner);
}

/** The LB answering on an address (VIP / EIP listed in `addresses`) or a DNS name (`hostnames`). */
export function loadBalancerByAddress(
  inv: CloudInventory | undefined,
  addr: string,
): LoadBalancer | undefined {
  const name = addr.toLowerCase();
  return (inv?.loadBalancers ?? []).find(
    (lb) => lb.addresses.includes(addr) || (lb.hostnames ?? []).some((h) => h.toLowerCase() === name),
  );
}

export function loadBalancerById(inv: CloudInventory | undefined, id: string): LoadBalancer | undefined {
  return (inv?.loadBalancers ?? []).find((lb) => lb.id === id);
}

/**
 * The LBs serving a Service: by owner, by an LB id named in the Service's annotations (CCE
 * `kubernetes.io/elb.id`, TKE `tke-existed-lbid`), or by the addresses in its status.
 * Several Services may share one LB (CCE/TKE allow it), so an LB found by address or id
 * may also carry other Services' listeners.
 */
export function loadBalancersForService(inv: CloudInventory | undefined, svc: Service): LoadBalancer[] {
  const out = new Map<string, LoadBalancer>();
  for (const lb of loadBalancerByOwner(inv, `service/${svc.meta.namespace}/${svc.meta.name}`))
    out.set(lb.id, lb);
  for (const key of [CCE.id, TKE.existedLb]) {
    const id = svc.meta.annotations[key];
    const lb = id ? loadBalancerById(inv, id) : undefined;
    if (lb) out.set(lb.id, lb);
  }
  for (const ing of svc.loadBalancerIngress) {
    // An LB may publish a DNS name instead of an IP (AWS); the inventory lists it under hostnames.
    const a = ing.ip ?? ing.hostname;
    const lb = a ? loadBalancerByAddress(inv, a) : undefined;
    if (lb) out.set(lb.id, lb);
  }
  return [...out.values()];
}

/** The LBs in front of an Ingress (its owner entry, or the addresses in its status). */
export function loadBalancersForIngress(inv: CloudInventory | undefined, ing: Ingress): LoadBalancer[] {
  const out = new Map<string, LoadBalancer>();
  for (const lb of loadBalancerByOwner(inv, `ingress/${ing.meta.namespace}/${ing.meta.name}`))
    out.set(lb.id, lb);
  for (const a of ing.loadBalancerIngress) {
    const addr = a.ip ?? a.hostname;
    const lb = addr ? loadBalancerByAddress(inv, addr) : undefined;
    if (lb) out.set(lb.id, lb);
  }
  return [...out.values()];
}

/** Listener protocols that can carry a Service port's protocol. */
function listenerCarries(l: LbListener, p: ServicePort): boolean {
  if (p.protocol === 'UDP') return l.protocol === 'UDP';
  if (p.protocol === 'SCTP') return false;
  return l.protocol !== 'UDP';
}

/** The listener of `lb` for a Service port (same port number, compatible protocol). */
export function listenerForServicePort(lb: LoadBalancer, p: ServicePort): LbListener | undefined {
  return lb.listeners.find((l) => l.port === p.port && listenerCarries(l, p));
}

/** Listener for a client-side port number and protocol (TCP matches TCP/HTTP/HTTPS/TLS). */
export function listenerFor(
  lb: LoadBalancer,
  port: number,
  protocol: 'TCP' | 'UDP' = 'TCP',
): LbListener | undefined {
  return lb.listeners.find(
    (l) => l.port === port && (protocol === 'UDP' ? l.protocol === 'UDP' : l.protocol !== 'UDP'),
  );
}

/** Every backend a listener can forward to (default group + L7 rule groups). */
export function listenerBackends(l: LbListener): LbBackend[] {
  return [...(l.backends ?? []), ...(l.rules ?? []).flatMap((r) => r.backends)];
}

export type CertificateState = 'valid' | 'expired' | 'not-yet-valid' | 'unknown';

/** Certificate validity at `now` (the observation time when one is known). */
export function certificateState(
  cert: LbListener['certificate'] | undefined,
  now: Date,
): { state: CertificateState; notBefore?: string; notAfter?: string } {
  if (!cert || (cert.notAfter === undefined && cert.notBefore === undefined)) return { state: 'unknown' };
  const t = now.getTime();
  const out = {
    ...(cert.notBefore ? { notBefore: cert.notBefore } : {}),
    ...(cert.notAfter ? { notAfter: cert.notAfter } : {}),
  };
  if (cert.notBefore && Date.parse(cert.notBefore) > t) return { state: 'not-yet-valid', ...out };
  if (cert.notAfter && Date.parse(cert.notAfter) <= t) return { state: 'expired', ...out };
  return { state: 'valid', ...out };
}

/**
 * Nodes the cloud controller puts behind an LB, per the upstream service controller: every node
 * except those labelled node.kubernetes.io/exclude-from-external-load-balancers or tainted for
 * deletion by the cluster autoscaler (the old master-role exclusion was removed in v1.22).
 */
export function lbEligibleNodes(snapshot: Snapshot): Node[] {
  return snapshot.nodes.filter(
    (n) =>
      !Object.hasOwn(n.meta.labels, 'node.kubernetes.io/exclude-from-external-load-balancers') &&
      !n.taints.some((t) => t.key === 'ToBeDeletedByClusterAutoscaler'),
  );
}

export interface ExpectedMember {
  /** node/NAME or pod/NS/NAME */
  target: string;
  address?: string;
  port?: number;
  /** eTP Local: whether the node runs a ready endpoint (the only nodes that should pass health checks). */
  hasLocalEndpoint?: boolean;
}

export interface ExpectedBackendGroup {
  targets: 'nodes' | 'pods' | 'unknown';
  /** The port every member should be registered at, when a single one applies. */
  port?: number;
  members: ExpectedMember[];
}

/** Nodes that run at least one ready endpoint of the Service. */
export function nodesWithReadyEndpoints(snapshot: Snapshot, svc: Service): Set<string> {
  const out = new Set<string>();
  for (const b of backendsOf(snapshot, svc).backends) if (b.ready && b.nodeName) out.add(b.nodeName);
  return out;
}

/** What the backend group of a Service port's listener should contain, given the provider behaviour. */
export function expectedBackends(
  snapshot: Snapshot,
  svc: Service,
  port: ServicePort,
  behaviour: LbBehaviour,
): ExpectedBackendGroup {
  if (behaviour.targets === 'nodes') {
    const local = svc.externalTrafficPolicy === 'Local' ? nodesWithReadyEndpoints(snapshot, svc) : undefined;
    const p =
      behaviour.backendPort === 'nodePort'
        ? port.nodePort
        : behaviour.backendPort === 'servicePort'
          ? port.port
          : undefined;
    return {
      targets: 'nodes',
      ...(p !== undefined ? { port: p } : {}),
      members: lbEligibleNodes(snapshot).map((n) => ({
        target: `node/${n.meta.name}`,
        ...(n.internalIPs[0] ? { address: n.internalIPs[0] } : {}),
        ...(p !== undefined ? { port: p } : {}),
        ...(local ? { hasLocalEndpoint: local.has(n.meta.name) } : {}),
      })),
    };
  }
  if (behaviour.targets === 'pods') {
    const set = backendsOf(snapshot, svc);
    const members: ExpectedMember[] = [];
    for (const b of set.backends) {
      if (!b.ready) continue;
      const ref = b.targetRef;
      const pod =
        ref?.kind === 'Pod' ? snapshot.pod(ref.namespace ?? svc.meta.namespace, ref.name) : undefined;
      const epPort =
        b.ports.find((ep) => ep.name === port.name)?.port ?? (pod ? findPort(pod, port) : undefined);
      members.push({
        target: ref ? `pod/${ref.namespace ?? svc.meta.namespace}/${ref.name}` : b.ip,
        address: b.ip,
        ...(epPort !== undefined ? { port: epPort } : {}),
      });
    }
    const ports = new Set(members.map((m) => m.port));
    const only = ports.size === 1 ? [...ports][0] : undefined;
    return { targets: 'pods', ...(only !== undefined ? { port: only } : {}), members };
  }
  return { targets: 'unknown', members: [] };
}

export type BackendProblemKind =
  | 'no-listener'
  | 'empty-backend-group'
  | 'wrong-port'
  | 'unknown-node'
  | 'stale-pod'
  | 'wrong-target-kind';

export interface BackendProblem {
  kind: BackendProblemKind;
  backend?: LbBackend;
  expectedPort?: number;
  detail: string;
}

function nodeOfBackend(snapshot: Snapshot, b: LbBackend): string | undefined {
  if (b.target.startsWith('node/')) return b.target.slice(5);
  if (b.address) return snapshot.nodeByAddress(b.address)?.meta.name;
  return undefined;
}

/**
 * Compare a listener's registered backends with what the Service needs. Returns one problem per
 * wrong backend (or one for an empty group). An empty list means the group looks right.
 */
export function compareBackends(
  snapshot: Snapshot,
  expected: ExpectedBackendGroup,
  listener: LbListener,
): BackendProblem[] {
  const actual = listenerBackends(listener);
  if (expected.targets === 'unknown') return [];
  if (actual.length === 0) {
    return expected.members.length > 0
      ? [
          {
            kind: 'empty-backend-group',
            detail: `listener ${listener.protocol}/${listener.port} has no backends`,
          },
        ]
      : [];
  }
  const problems: BackendProblem[] = [];
  const podAddrs = new Map(expected.members.map((m) => [m.address, m]));
  for (const b of actual) {
    if (expected.targets === 'nodes') {
      if (b.target.startsWith('pod/')) {
        problems.push({
          kind: 'wrong-target-kind',
          backend: b,
          detail: `${b.target} is a pod; this LB should target nodes`,
        });
        continue;
      }
      const node = nodeOfBackend(snapshot, b);
      // Without Node objects, membership cannot be judged (unknown, not wrong).
      if (snapshot.has('Node') && (!node || !snapshot.node(node))) {
        problems.push({
          kind: 'unknown-node',
          backend: b,
          detail: `${b.target} is not a node of this cluster`,
        });
        continue;
      }
      if (expected.port !== undefined && b.port !== expected.port) {
        problems.push({
          kind: 'wrong-port',
          backend: b,
          expectedPort: expected.port,
          detail: `${b.target} is registered at port ${b.port}, the Service's port there is ${expected.port}`,
        });
      }
    } else {
      const m = b.address ? podAddrs.get(b.address) : expected.members.find((x) => x.target === b.target);
      if (!m) {
        problems.push({
          kind: b.target.startsWith('node/') ? 'wrong-target-kind' : 'stale-pod',
          backend: b,
          detail: b.target.startsWith('node/')
            ? `${b.target} is a node; this LB should target pods directly`
            : `${b.address ?? b.target} is not a ready endpoint of the Service`,
        });
        continue;
      }
      if (m.port !== undefined && b.port !== m.port) {
        problems.push({
          kind: 'wrong-port',
          backend: b,
          expectedPort: m.port,
          detail: `${b.target} is registered at port ${b.port}, the pod serves the Service on ${m.port}`,
        });
      }
    }
  }
  return problems;
}

/** The health-check port a listener probes, resolved to a number where possible. */
export function healthCheckPort(
  listener: LbListener,
  behaviour: LbBehaviour,
  port: ServicePort,
): number | undefined {
  if (listener.healthCheck?.port !== undefined) return listener.healthCheck.port;
  const p = behaviour.healthCheck.port;
  if (typeof p === 'number') return p;
  if (p === 'nodePort') return port.nodePort;
  if (p === 'servicePort') return port.port;
  return undefined;
}
