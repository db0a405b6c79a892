// Tencent Cloud TKE: CLB. Facts from seed 003 (loopback, prevent-loopback, TkeServiceConfig,
// VPC-CNI direct access, kube-proxy versions that bind the CLB VIP safely).
import type { Ingress } from '../../../model/types.js';
import { baseBehaviour, isTrue, type ProviderProfile, pickAnnotations } from './types.js';

export const TKE = {
  preventLoopback: 'service.cloud.tencent.com/prevent-loopback',
  directAccess: 'service.cloud.tencent.com/direct-access',
  internalSubnet: 'service.kubernetes.io/qcloud-loadbalancer-internal-subnetid',
  existedLb: 'service.kubernetes.io/tke-existed-lbid',
  serviceConfig: 'service.cloud.tencent.com/tke-service-config',
  serviceConfigAuto: 'service.cloud.tencent.com/tke-service-config-auto',
  ingressConfigAuto: 'ingress.cloud.tencent.com/tke-service-config-auto',
  ingressDirectAccess: 'ingress.cloud.tencent.com/direct-access',
} as const;

/**
 * The first kube-proxy build of each minor line that can bind the CLB VIP without breaking CLB
 * health checks (needed for prevent-loopback). Later minor lines than the newest listed are fixed.
 */
export const TKE_LOOPBACK_FIXED: readonly string[] = [
  'v1.20.6-tke.12',
  'v1.18.4-tke.20',
  'v1.16.3-tke.25',
  'v1.14.3-tke.24',
  'v1.12.4-tke.30',
];

interface TkeVersion {
  major: number;
  minor: number;
  patch: number;
  tke: number;
}

export function parseTkeVersion(v: string): TkeVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-tke\.(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), tke: Number(m[4] ?? 0) };
}

/**
 * Whether a kube-proxy build has the CLB loopback fix: at or after the listed build of its minor
 * line; any minor newer than v1.20 has it; a minor line not listed (v1.19, v1.17...) is unknown;
 * a build without a -tke suffix is the community one, which lacks it.
 */
export function tkeKubeProxyHasLoopbackFix(version: string): boolean | undefined {
  const v = parseTkeVersion(version);
  if (!v) return undefined;
  if (!/-tke\./.test(version)) return false;
  if (v.major > 1 || v.minor > 20) return true;
  for (const fixed of TKE_LOOPBACK_FIXED) {
    const f = parseTkeVersion(fixed) as TkeVersion;
    if (f.minor !== v.minor) continue;
    if (v.patch !== f.patch) return v.patch > f.patch;
    return v.tke >= f.tke;
  }
  return undefined;
}

/**
 * Seed 003 workaround: the fixed build of the running kube-proxy's minor line, when the running
 * build lacks the loopback fix and a fixed one is listed for its line.
 */
export function tkeKubeProxyFixedBuild(version: string | undefined): string | undefined {
  if (!version || tkeKubeProxyHasLoopbackFix(version) === true) return undefined;
  const minor = parseTkeVersion(version)?.minor;
  return TKE_LOOPBACK_FIXED.find((f) => parseTkeVersion(f)?.minor === minor);
}

/** The command moving the kube-proxy DaemonSet to that build (the registry stays the user's). */
export function tkeKubeProxyUpgradeCommand(version: string | undefined): string | undefined {
  const fixed = tkeKubeProxyFixedBuild(version);
  return fixed
    ? `kubectl -n kube-system set image daemonset/kube-proxy kube-proxy=REGISTRY/kube-proxy:${fixed}  # keep the registry of the current image; ${fixed} or a later build`
    : undefined;
}

export const tkeProfile: ProviderProfile = {
  provider: 'tke',
  annotationKeys: Object.values(TKE),
  behaviour({ svc, cluster }) {
    const a = pickAnnotations(svc, Object.values(TKE));
    const b = baseBehaviour('tke', svc, a);
    b.lbKind = 'clb';
    if (a[TKE.existedLb]) b.lbId = a[TKE.existedLb];
    b.scheme = a[TKE.internalSubnet] ? 'private' : 'public';
    if (isTrue(a[TKE.directAccess])) {
      if (cluster.networkModel === 'eni') {
        b.targets = 'pods';
        b.backendPort = 'targetPort';
      } else {
        b.targets = 'nodes';
        b.backendPort = 'nodePort';
        b.notes.push('direct access to pods needs VPC-CNI (networkModel eni); CLB stays bound to node ports');
      }
    } else {
      b.targets = 'nodes';
      b.backendPort = 'nodePort';
    }
    b.healthCheck = {
      enabled: true,
      protocol: 'TCP',
      port: b.targets === 'pods' ? 'targetPort' : 'nodePort',
    };
    // L4 CLB passes the client address through (which is what makes loopback possible).
    b.preservesClientIP = true;
    if (isTrue(a[TKE.preventLoopback]))
      b.notes.push('prevent-loopback: CLB health checks come from 100.64.0.0/10');
    return b;
  },
};

/** Ingress-side TKE facts: TkeServiceConfig auto generation (needed to enable L7 keepalive). */
export function tkeIngressConfigAuto(ing: Ingress): boolean {
  return isTrue(ing.meta.annotations[TKE.ingressConfigAuto]);
}
