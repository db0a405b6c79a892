// Huawei Cloud CCE: ELB (shared "union" / dedicated "performance"). Facts from seed 001/004
// (pass-through) and seed 000 (health check enabled by default; UDP checks use ICMP).
import { baseBehaviour, type ProviderProfile, pickAnnotations } from './types.js';

export const CCE = {
  class: 'kubernetes.io/elb.class',
  id: 'kubernetes.io/elb.id',
  passThrough: 'kubernetes.io/elb.pass-through',
  healthCheckFlag: 'kubernetes.io/elb.health-check-flag',
  healthCheckOption: 'kubernetes.io/elb.health-check-option',
  healthCheckOptions: 'kubernetes.io/elb.health-check-options',
  autocreate: 'kubernetes.io/elb.autocreate',
} as const;

export function cceLbKind(elbClass: string | undefined): string | undefined {
  if (elbClass === undefined) return undefined;
  if (elbClass === 'union' || elbClass === 'shared') return 'shared';
  if (elbClass === 'performance' || elbClass === 'dedicated') return 'dedicated';
  return elbClass;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const cceProfile: ProviderProfile = {
  provider: 'cce',
  annotationKeys: Object.values(CCE),
  behaviour({ svc, cluster, version }) {
    const a = pickAnnotations(svc, Object.values(CCE));
    const b = baseBehaviour('cce', svc, a);
    b.lbKind = cceLbKind(a[CCE.class]);
    if (a[CCE.id]) b.lbId = a[CCE.id];
    // CCE Turbo (Cloud Native 2.0, ENI) puts pod ENIs behind a dedicated ELB; otherwise node ports.
    if (cluster.networkModel === 'eni' && b.lbKind === 'dedicated') {
      b.targets = 'pods';
      b.backendPort = 'targetPort';
    } else {
      b.targets = 'nodes';
      b.backendPort = 'nodePort';
    }
    const auto = parseJson(a[CCE.autocreate]);
    if (auto && typeof auto.type === 'string') b.scheme = auto.type === 'inner' ? 'private' : 'public';
    const flag = a[CCE.healthCheckFlag]?.toLowerCase();
    // Enabled unless explicitly switched off (seed 000 check item 3).
    b.healthCheck.enabled = flag !== 'off';
    const opt = parseJson(a[CCE.healthCheckOption]);
    b.healthCheck.protocol = (typeof opt?.protocol === 'string' ? opt.protocol : undefined) ?? 'TCP';
    if (typeof opt?.path === 'string') b.healthCheck.path = opt.path;
    b.healthCheck.port = b.targets === 'pods' ? 'targetPort' : 'nodePort';
    const pt = a[CCE.passThrough]?.toLowerCase();
    if (pt === 'true' || pt === 'onlylocal') b.passThrough = pt === 'true' ? 'true' : 'onlyLocal';
    else if (pt === 'false') b.passThrough = 'false';
    if (svc.externalTrafficPolicy === 'Local' && b.passThrough === undefined) {
      b.notes.push('with externalTrafficPolicy Local, CCE sets kubernetes.io/elb.pass-through to onlyLocal');
      b.passThrough = 'onlyLocal';
    }
    if (
      b.passThrough &&
      b.passThrough !== 'false' &&
      version &&
      (version.major < 1 || (version.major === 1 && version.minor <= 15))
    )
      b.notes.push('pass-through is not supported on clusters of v1.15 or earlier');
    // ELB forwards at L4 without SNAT, so the node sees the client address.
    b.preservesClientIP = true;
    return b;
  },
};
