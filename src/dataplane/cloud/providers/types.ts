import type { CloudInventory, Provider, Service } from '../../../model/types.js';

/** What a cloud load balancer does for a LoadBalancer Service, derived from annotations + cluster facts. */
export interface LbBehaviour {
  provider: Provider;
  /** Where the LB sends traffic: node VMs, or pod IPs directly (ENI / NEG / target-type ip). */
  targets: 'nodes' | 'pods' | 'unknown';
  /**
   * Which port on the target: the Service's nodePort, the pod's targetPort, or the Service port
   * itself (GCP/Azure deliver to the node with the LB address kept, kube-proxy answers it).
   */
  backendPort: 'nodePort' | 'targetPort' | 'servicePort' | 'unknown';
  scheme?: 'public' | 'private';
  /** shared | dedicated (CCE), clb (TKE), classic | nlb (AWS), ... */
  lbKind?: string;
  /** An existing LB named by annotation (CCE elb.id, TKE existed-lbid). */
  lbId?: string;
  healthCheck: {
    /** undefined when the provider default is not known. */
    enabled?: boolean;
    protocol?: string;
    /** The port probed on each backend; 'nodePort'/'targetPort' = the traffic port. */
    port?: number | 'nodePort' | 'targetPort' | 'servicePort';
    path?: string;
  };
  /** CCE `kubernetes.io/elb.pass-through`: in-cluster access to the LB address goes out to the LB. */
  passThrough?: 'true' | 'onlyLocal' | 'false';
  /** Whether the backend sees the client's address (no SNAT at the LB). */
  preservesClientIP?: boolean;
  /** Source ranges that must be allowed to reach the nodes (GCP health checkers, ...). */
  requiredSources: { cidr: string; why: string }[];
  /** Client source ranges the LB itself admits (spec.loadBalancerSourceRanges / annotation). */
  sourceRanges: string[];
  /** Annotations read, for evidence. */
  annotations: Record<string, string>;
  notes: string[];
}

export interface ProfileInput {
  svc: Service;
  cluster: CloudInventory['cluster'];
  /** Kubernetes minor version when known (from the inventory or kubelet versions). */
  version?: { major: number; minor: number };
}

export interface ProviderProfile {
  provider: Provider;
  /** Annotations that decide what the LB does; used by `explain` and lint. */
  annotationKeys: readonly string[];
  behaviour(input: ProfileInput): LbBehaviour;
}

export function pickAnnotations(svc: Service, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = svc.meta.annotations[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function baseBehaviour(
  provider: Provider,
  svc: Service,
  annotations: Record<string, string>,
): LbBehaviour {
  return {
    provider,
    targets: 'unknown',
    backendPort: 'unknown',
    healthCheck: {},
    requiredSources: [],
    sourceRanges: [...svc.loadBalancerSourceRanges],
    annotations,
    notes: [],
  };
}

export const isTrue = (v: string | undefined): boolean =>
  v !== undefined && v.trim().toLowerCase() === 'true';
