// After kube-proxy chose an endpoint: does the packet arrive, and does the reply find its way
// back through the translation? Two kernel facts and one cloud fact decide it:
//  - Linux drops a packet arriving from the network whose source address is local to the
//    receiving host (seed 003: "Linux ignores received packets whose source IP is local").
//  - A reply must pass the node that DNATed the request to be translated back; a reply that
//    takes another route reaches the client from the wrong address and the client drops it.
//  - A cloud LB that keeps the client address (no SNAT) steers replies back through itself,
//    except when client and backend share a host: then the reply never leaves the host.

import { declaresPort } from '../../model/ports.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Hop, Step } from '../../model/trace.js';
import type { Pod, Protocol } from '../../model/types.js';
import { isBlackhole, longestPrefixMatch } from '../cloud/index.js';
import { evaluateAsEnforced } from '../netpol/index.js';
import type { ResolvedClient } from './clients.js';
import { isNodeLocal, type NetworkFacts } from './model.js';
import { kubeletHairpinMode } from './node-facts.js';

export interface DeliveryInput {
  snapshot: Snapshot;
  facts: NetworkFacts;
  client: ResolvedClient;
  /** Node where kube-proxy translated the packet. */
  dnatNode: string;
  /** The destination the packet had when it reached the DNAT node (node IP, VIP...). */
  entryDst: string;
  /** Source address as the packet arrived at the DNAT node. */
  src: string;
  masquerade: boolean;
  /** The cloud LB the packet came through (keeping the client address), if any. */
  viaLb?: string;
  endpoint: { ip: string; port: number; node?: string; pod?: Pod };
  protocol: Protocol;
}

export type Mechanism =
  | 'local-source'
  | 'reply-bypass'
  | 'asymmetric-reply'
  | 'hairpin'
  | 'network-policy'
  | 'unknown-node'
  | 'route';

export interface DeliveryResult {
  hops: Hop[];
  ok: boolean;
  /** Set when the failure is a refusal rather than a silent drop. */
  rejected?: boolean;
  /** insufficient-info when a fact the rules need is missing. */
  unknown?: string;
  mechanism?: Mechanism;
  reason: string;
  /** Hops that fail carry findingIds; these are the ones set on the failing hop. */
  findingIds: string[];
}

/** Where an address lives: the pod it belongs to and that pod's node, or the node owning it. */
function locate(snapshot: Snapshot, ip: string, client: ResolvedClient): { node?: string; pod: boolean } {
  if (client.ip === ip && client.node) return { node: client.node.meta.name, pod: client.kind === 'pod' };
  const pod = snapshot.podsByAddress(ip).find((p) => !p.hostNetwork);
  if (pod?.nodeName) return { node: pod.nodeName, pod: true };
  const n = snapshot.nodeByAddress(ip);
  if (n?.internalIPs.includes(ip)) return { node: n.meta.name, pod: false };
  return { pod: false };
}

export function deliverToEndpoint(d: DeliveryInput, failIds: (m: Mechanism) => string[]): DeliveryResult {
  const { snapshot, endpoint: ep } = d;
  const hops: Hop[] = [];
  const target = ep.pod ? `pod/${ep.pod.meta.namespace}/${ep.pod.meta.name}` : `endpoint/${ep.ip}`;
  const dnat = snapshot.node(d.dnatNode);
  const srcAtBackend = d.masquerade ? (dnat?.internalIPs[0] ?? `node/${d.dnatNode}`) : d.src;
  const steps: Step[] = [
    {
      rule: d.masquerade ? 'masquerade' : 'source kept',
      detail: d.masquerade
        ? `masqueraded: the backend sees node/${d.dnatNode} (${srcAtBackend})`
        : `not masqueraded: the backend sees ${d.src}`,
    },
  ];
  const fail = (mechanism: Mechanism, at: string, rule: string, detail: string): DeliveryResult => {
    const ids = failIds(mechanism);
    hops.push({ at, action: 'drop', steps: [...steps, { rule, detail }], findingIds: ids });
    return { hops, ok: false, mechanism, reason: detail, findingIds: ids };
  };

  // Hairpin: a pod reaching itself through its Service needs the bridge to send the packet back
  // out of the port it came in on (kubelet hairpinMode hairpin-veth).
  if (d.client.kind === 'pod' && d.client.ip === ep.ip) {
    const hp = kubeletHairpinMode(snapshot);
    if (hp && hp.mode !== 'hairpin-veth') {
      return fail(
        'hairpin',
        target,
        `kubelet hairpinMode=${hp.mode} (${hp.source})`,
        `the client is itself the chosen endpoint and hairpin mode is ${hp.mode}: the bridge does not send the packet back to the pod it came from`,
      );
    }
    steps.push({
      rule: 'hairpin',
      detail: 'the client reaches itself through the Service (needs hairpin mode on its bridge port)',
    });
  }

  const epNode = ep.node;
  const srcWhere = locate(snapshot, srcAtBackend, d.client);
  // An endpoint outside the cluster (a selector-less Service) answers the source address; the
  // reply comes back to the DNAT node when the source lives there.
  const returnsHome = srcWhere.node === d.dnatNode && !d.viaLb;
  if (!epNode && !d.masquerade && !returnsHome) {
    hops.push({ at: target, action: 'unknown', steps });
    return {
      hops,
      ok: false,
      unknown: `the node of endpoint ${ep.ip} is not known: whether the reply returns through node/${d.dnatNode} cannot be told`,
      reason: `node of endpoint ${ep.ip} unknown`,
      findingIds: [],
    };
  }
  const crossesHosts = epNode !== d.dnatNode || d.viaLb !== undefined;
  if (!d.masquerade && epNode && crossesHosts && isNodeLocal(snapshot.node(epNode), srcAtBackend)) {
    return fail(
      'local-source',
      `node/${epNode}`,
      'kernel: source address is local',
      `the packet arrives at node/${epNode} with source ${srcAtBackend}, an address of node/${epNode} itself: Linux drops it (loopback)`,
    );
  }

  if (crossesHosts || !epNode) {
    // Pod traffic between hosts follows the VPC route table: for the pod address itself in the
    // VPC and ENI models, for the node address (the tunnel endpoint) in the tunnel model.
    const routed = d.facts.model === 'tunnel' && epNode ? snapshot.node(epNode)?.internalIPs[0] : ep.ip;
    const route =
      routed && epNode !== d.dnatNode ? longestPrefixMatch(snapshot.data.cloud, routed) : undefined;
    if (route && isBlackhole(route.route)) {
      return fail(
        'route',
        `route/${route.route.table}`,
        `route ${route.route.destination} -> ${route.route.nextHop}`,
        `the VPC route ${route.route.destination} -> ${route.route.nextHop} in ${route.route.table} is the most specific for ${routed}: the packet is discarded`,
      );
    }
  }

  if (!d.masquerade && epNode) {
    const where = srcWhere;
    if (where.pod && where.node === epNode) {
      if (d.viaLb) {
        return fail(
          'reply-bypass',
          target,
          `reply routing on node/${epNode}`,
          `the client pod (${srcAtBackend}) is on the backend's node/${epNode}: the reply goes to it directly, not back through ${d.viaLb}, and the client drops it (loopback)`,
        );
      }
      if (d.dnatNode !== epNode) {
        return fail(
          'asymmetric-reply',
          target,
          `reply routing on node/${epNode}`,
          `the client pod (${srcAtBackend}) is on node/${epNode} with the backend: the reply goes to it directly, not back through node/${d.dnatNode} where it was translated`,
        );
      }
      if (d.facts.model === undefined && isNodeLocal(dnat, d.entryDst)) {
        hops.push({ at: target, action: 'unknown', steps });
        return {
          hops,
          ok: false,
          unknown: `a pod on node/${epNode} reached its own node's address without SNAT and the backend is on the same node: whether the reply passes the node's reverse NAT depends on the network model (CloudInventory cluster.networkModel), which is not known`,
          reason: 'network model unknown',
          findingIds: [],
        };
      }
      if (d.facts.model === 'vpc' && isNodeLocal(dnat, d.entryDst)) {
        // Seed 001/004 (VPC network, pod on the server's node -> its node's private IP fails):
        // in the CCE VPC model a same-node pod-to-pod reply does not pass the node's conntrack.
        return fail(
          'reply-bypass',
          target,
          `VPC network: same-node reply on node/${epNode}`,
          `a pod on node/${epNode} reached its own node's address ${d.entryDst}; without SNAT the backend on the same node replies to it directly, bypassing the node's reverse NAT`,
        );
      }
    } else if (epNode !== d.dnatNode && !d.viaLb && where.node !== d.dnatNode) {
      return fail(
        'asymmetric-reply',
        target,
        `reply routing on node/${epNode}`,
        `the reply from ${ep.ip} on node/${epNode} goes to ${srcAtBackend} directly instead of back through node/${d.dnatNode}, where the request was translated: the client drops it`,
      );
    }
  }

  // Ingress NetworkPolicy at the backend (egress of the client pod, when it is one).
  if (ep.pod) {
    const clientPod = d.client.pod && srcAtBackend === d.client.ip ? d.client.pod : undefined;
    const np = evaluateAsEnforced(snapshot, {
      src: {
        ...(clientPod ? { pod: clientPod } : {}),
        ip: srcAtBackend,
        ...(d.client.node ? { node: d.client.node.meta.name } : {}),
      },
      dst: { pod: ep.pod, ip: ep.ip },
      port: ep.port,
      protocol: d.protocol,
    });
    if (!np.allowed) {
      const v = !np.egress.allowed ? np.egress : np.ingress;
      return fail(
        'network-policy',
        target,
        `NetworkPolicy ${v.policies.join(', ') || '(none)'}`,
        `${v.direction} ${v.reason}`,
      );
    }
    if (np.ingress.decision === 'allowed') steps.push({ rule: 'NetworkPolicy', detail: np.ingress.reason });
  }
  // containerPort is informational upstream (the API docs: "Not specifying a port here DOES NOT
  // prevent that port from being exposed"): the app may listen on a port no container declares.
  // The packet is delivered; target-port-mismatch weighs whether the port is likely wrong.
  // A pod declaring no ports at all says nothing, so only a partial declaration is noted.
  if (ep.pod?.containers.some((c) => c.ports.length > 0) && !declaresPort(ep.pod, ep.port, d.protocol))
    steps.push({
      rule: 'container ports (undeclared)',
      detail: `no container of ${target} declares port ${ep.port}/${d.protocol}; declaring is optional, so only the app knows whether it listens there`,
    });
  hops.push({ at: target, action: 'deliver', to: `${ep.ip}:${ep.port}`, steps });
  return { hops, ok: true, reason: `delivered to ${ep.ip}:${ep.port}`, findingIds: [] };
}
