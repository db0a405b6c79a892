import type { CloudInventory, Provider, Service } from '../../../model/types.js';
import { aksProfile } from './aks.js';
import { cceProfile } from './cce.js';
import { eksProfile } from './eks.js';
import { genericProfile } from './generic.js';
import { gkeProfile } from './gke.js';
import { tkeProfile } from './tke.js';
import type { LbBehaviour, ProviderProfile } from './types.js';

export { AKS, aksProfile } from './aks.js';
export { CCE, cceLbKind, cceProfile } from './cce.js';
export { EKS, eksProfile } from './eks.js';
export { genericProfile } from './generic.js';
export { GCP_HEALTH_CHECK_RANGES, GKE, GKE_INGRESS_CLASSES, gkeNeg, gkeProfile } from './gke.js';
export {
  parseTkeVersion,
  TKE,
  TKE_LOOPBACK_FIXED,
  tkeIngressConfigAuto,
  tkeKubeProxyFixedBuild,
  tkeKubeProxyHasLoopbackFix,
  tkeKubeProxyUpgradeCommand,
  tkeProfile,
} from './tke.js';
export type { LbBehaviour, ProfileInput, ProviderProfile } from './types.js';

export const PROFILES: Record<Provider, ProviderProfile> = {
  cce: cceProfile,
  tke: tkeProfile,
  eks: eksProfile,
  gke: gkeProfile,
  aks: aksProfile,
  generic: genericProfile,
};

/** "v1.25.5", "v1.20.6-tke.12", "v1.28.3-eks-1234" → {1, 25}. */
export function parseMinorVersion(v: string | undefined): { major: number; minor: number } | undefined {
  const m = v ? /^v?(\d+)\.(\d+)/.exec(v.trim()) : null;
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/**
 * What the cloud LB does for this Service, per the inventory's provider profile. The cluster
 * version comes from the inventory, else from `fallbackVersion` (e.g. a kubelet version).
 */
export function lbBehaviour(
  inv: CloudInventory | undefined,
  svc: Service,
  fallbackVersion?: string,
): LbBehaviour {
  const profile = PROFILES[inv?.provider ?? 'generic'];
  const version = parseMinorVersion(inv?.cluster.version ?? fallbackVersion);
  return profile.behaviour({ svc, cluster: inv?.cluster ?? {}, ...(version ? { version } : {}) });
}
