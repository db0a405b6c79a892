import { backendsOf, endpointPortFor } from '../../model/endpoints.js';
import { findPort } from '../../model/ports.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Pod, Service, ServicePort } from '../../model/types.js';
import { evaluateNetworkPolicies, type NetpolResult, type NetpolSource } from './evaluate.js';

export interface BackendVerdict {
  ip: string;
  pod?: Pod;
  /** The backend port after DNAT (endpoint port, or targetPort resolved on the pod). */
  port?: number;
  result?: NetpolResult;
  /** Why no verdict could be computed for this backend. */
  unknown?: string;
}

function podOf(snapshot: Snapshot, ip: string, ref?: { namespace?: string; name: string }): Pod | undefined {
  if (ref?.namespace) {
    const p = snapshot.pod(ref.namespace, ref.name);
    if (p) return p;
  }
  return snapshot.podsByAddress(ip)[0];
}

/**
 * NetworkPolicy for a client reaching a Service: evaluated per backend after DNAT, because
 * plugins see the translated packet (backend pod IP and targetPort), never the ClusterIP.
 * Serving backends only (ready, or serving-while-terminating as kube-proxy falls back to).
 */
export function evaluateServiceBackends(
  snapshot: Snapshot,
  src: NetpolSource,
  service: Service,
  servicePort: ServicePort,
): BackendVerdict[] {
  const set = backendsOf(snapshot, service);
  const ready = set.backends.filter((b) => b.ready);
  const chosen = ready.length > 0 ? ready : set.backends.filter((b) => b.serving);
  return chosen.map((b) => {
    const pod = podOf(snapshot, b.ip, b.targetRef);
    const port = endpointPortFor(b, servicePort.name)?.port ?? (pod ? findPort(pod, servicePort) : undefined);
    if (port === undefined) return { ip: b.ip, ...(pod ? { pod } : {}), unknown: 'backend port not known' };
    const result = evaluateNetworkPolicies(snapshot, {
      src,
      dst: { ip: b.ip, ...(pod ? { pod } : {}) },
      port,
      protocol: servicePort.protocol,
    });
    return { ip: b.ip, ...(pod ? { pod } : {}), port, result };
  });
}
