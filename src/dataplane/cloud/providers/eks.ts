// AWS EKS: in-tree cloud provider (Classic ELB / NLB) and the AWS Load Balancer Controller.
import { baseBehaviour, isTrue, type ProviderProfile, pickAnnotations } from './types.js';

export const EKS = {
  type: 'service.beta.kubernetes.io/aws-load-balancer-type',
  targetType: 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type',
  scheme: 'service.beta.kubernetes.io/aws-load-balancer-scheme',
  internal: 'service.beta.kubernetes.io/aws-load-balancer-internal',
  sourceRanges: 'service.beta.kubernetes.io/load-balancer-source-ranges',
  hcProtocol: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol',
  hcPort: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port',
  hcPath: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
} as const;

export const eksProfile: ProviderProfile = {
  provider: 'eks',
  annotationKeys: Object.values(EKS),
  behaviour({ svc }) {
    const a = pickAnnotations(svc, Object.values(EKS));
    const b = baseBehaviour('eks', svc, a);
    const type = a[EKS.type]?.toLowerCase();
    const controller = type === 'external' || type === 'nlb-ip';
    b.lbKind = type === 'nlb' || controller ? 'nlb' : 'classic';
    const targetType = a[EKS.targetType]?.toLowerCase() ?? (type === 'nlb-ip' ? 'ip' : 'instance');
    if (controller && targetType === 'ip') {
      b.targets = 'pods';
      b.backendPort = 'targetPort';
    } else {
      b.targets = 'nodes';
      b.backendPort = 'nodePort';
    }
    const scheme = a[EKS.scheme]?.toLowerCase();
    if (scheme) b.scheme = scheme === 'internal' ? 'private' : 'public';
    else if (a[EKS.internal] !== undefined && a[EKS.internal] !== 'false') b.scheme = 'private';
    // The AWS Load Balancer Controller makes internal NLBs unless told otherwise; in-tree makes public ones.
    else b.scheme = controller ? 'private' : 'public';
    const ranges = a[EKS.sourceRanges];
    if (b.sourceRanges.length === 0 && ranges)
      b.sourceRanges = ranges
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    b.healthCheck.enabled = true;
    if (svc.externalTrafficPolicy === 'Local' && svc.healthCheckNodePort && b.targets === 'nodes') {
      b.healthCheck = { enabled: true, protocol: 'HTTP', port: svc.healthCheckNodePort, path: '/healthz' };
    } else {
      b.healthCheck.protocol = a[EKS.hcProtocol]?.toUpperCase() ?? 'TCP';
      const port = a[EKS.hcPort];
      b.healthCheck.port =
        port && /^\d+$/.test(port) ? Number(port) : b.targets === 'pods' ? 'targetPort' : 'nodePort';
      if (a[EKS.hcPath]) b.healthCheck.path = a[EKS.hcPath];
    }
    // Classic ELB proxies TCP (new connection from the ELB); NLB keeps the client address.
    b.preservesClientIP = b.lbKind === 'nlb';
    if (isTrue(a[EKS.internal]) && scheme === 'internet-facing')
      b.notes.push('aws-load-balancer-scheme overrides aws-load-balancer-internal');
    return b;
  },
};
