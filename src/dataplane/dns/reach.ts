import type { Snapshot } from '../../model/snapshot.js';
import type { Pod } from '../../model/types.js';
import { evaluateAsEnforced } from '../netpol/enforcement.js';
import type { NetpolResult } from '../netpol/evaluate.js';
import { coreDnsHealth } from './resolve.js';

export interface DnsReach {
  /** undefined when no CoreDNS pod with an IP is known. */
  allowed: boolean | undefined;
  /** Per CoreDNS pod, the NetworkPolicy verdict for UDP 53 from the client. */
  results: { pod: Pod; result: NetpolResult }[];
}

/**
 * Whether NetworkPolicy (as the network plugin enforces it) lets a client pod query CoreDNS on UDP 53 (the kube-dns ClusterIP is
 * DNATed to a CoreDNS pod, so policies see the pod). Allowed when any CoreDNS pod is reachable:
 * the resolver retries, and kube-proxy spreads queries over all of them.
 */
export function dnsReach(snapshot: Snapshot, client: Pod): DnsReach {
  if (!client.podIP || client.hostNetwork) return { allowed: undefined, results: [] };
  const health = coreDnsHealth(snapshot);
  const pods = health.pods.map((n) => snapshot.pod('kube-system', n)).filter((p): p is Pod => !!p?.podIP);
  if (pods.length === 0) return { allowed: undefined, results: [] };
  const results = pods.map((pod) => ({
    pod,
    result: evaluateAsEnforced(snapshot, {
      src: { pod: client, ip: client.podIP!, ...(client.nodeName ? { node: client.nodeName } : {}) },
      dst: { pod, ip: pod.podIP! },
      port: 53,
      protocol: 'UDP',
    }),
  }));
  return { allowed: results.some((r) => r.result.allowed), results };
}
