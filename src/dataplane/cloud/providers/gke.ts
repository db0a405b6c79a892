// Google GKE: passthrough Network LB for Services (node VMs, LB address kept), container-native
// LB via NEGs for Ingress, and the firewall rules both need.
import { baseBehaviour, type ProviderProfile, pickAnnotations } from './types.js';

export const GKE = {
  neg: 'cloud.google.com/neg',
  lbType: 'networking.gke.io/load-balancer-type',
  lbTypeLegacy: 'cloud.google.com/load-balancer-type',
} as const;

/**
 * Ingress classes GKE's own controller serves without an IngressClass object: it matches the
 * name itself (external and internal Application Load Balancers).
 */
export const GKE_INGRESS_CLASSES = ['gce', 'gce-internal'] as const;

/** Google's health checkers; nodes (or pods, for NEGs) must admit them on the health-check port. */
export const GCP_HEALTH_CHECK_RANGES = ['130.211.0.0/22', '35.191.0.0/16'] as const;

/** `cloud.google.com/neg: '{"ingress": true}'` or `{"exposed_ports": {...}}`. */
export function gkeNeg(
  annotation: string | undefined,
): { ingress: boolean; exposedPorts: number[] } | undefined {
  if (!annotation) return undefined;
  try {
    const v = JSON.parse(annotation) as { ingress?: unknown; exposed_ports?: Record<string, unknown> };
    return {
      ingress: v.ingress === true,
      exposedPorts: Object.keys(v.exposed_ports ?? {})
        .map(Number)
        .filter((n) => Number.isInteger(n)),
    };
  } catch {
    return undefined;
  }
}

export const gkeProfile: ProviderProfile = {
  provider: 'gke',
  annotationKeys: Object.values(GKE),
  behaviour({ svc }) {
    const a = pickAnnotations(svc, Object.values(GKE));
    const b = baseBehaviour('gke', svc, a);
    const type = (a[GKE.lbType] ?? a[GKE.lbTypeLegacy])?.toLowerCase();
    b.scheme = type === 'internal' ? 'private' : 'public';
    b.lbKind = type === 'internal' ? 'internal-passthrough' : 'external-passthrough';
    // Passthrough NLB: packets reach the node VM with the LB address and Service port intact.
    b.targets = 'nodes';
    b.backendPort = 'servicePort';
    b.preservesClientIP = true;
    b.healthCheck =
      svc.externalTrafficPolicy === 'Local' && svc.healthCheckNodePort
        ? { enabled: true, protocol: 'HTTP', port: svc.healthCheckNodePort, path: '/healthz' }
        : // eTP Cluster: GKE probes kube-proxy's healthz port on each node.
          { enabled: true, protocol: 'HTTP', port: 10256, path: '/healthz' };
    for (const cidr of GCP_HEALTH_CHECK_RANGES)
      b.requiredSources.push({ cidr, why: 'Google Cloud health checkers' });
    const neg = gkeNeg(a[GKE.neg]);
    if (neg?.ingress) b.notes.push('NEG for Ingress: the HTTP(S) LB sends traffic to pod IPs directly');
    return b;
  },
};
