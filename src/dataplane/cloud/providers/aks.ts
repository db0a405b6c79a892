// Azure AKS: Standard LB with floating IP (node VMs receive the frontend IP and Service port).
import { baseBehaviour, isTrue, type ProviderProfile, pickAnnotations } from './types.js';

export const AKS = {
  internal: 'service.beta.kubernetes.io/azure-load-balancer-internal',
  probeProtocol: 'service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol',
  probePath: 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path',
  sourceRanges: 'service.beta.kubernetes.io/azure-allowed-ip-ranges',
} as const;

export const aksProfile: ProviderProfile = {
  provider: 'aks',
  annotationKeys: Object.values(AKS),
  behaviour({ svc }) {
    const keys = [
      ...Object.values(AKS),
      ...svc.ports.map((p) => `service.beta.kubernetes.io/port_${p.port}_no_probe_rule`),
    ];
    const a = pickAnnotations(svc, keys);
    const b = baseBehaviour('aks', svc, a);
    b.scheme = isTrue(a[AKS.internal]) ? 'private' : 'public';
    b.lbKind = 'standard';
    b.targets = 'nodes';
    b.backendPort = 'servicePort';
    b.preservesClientIP = true;
    if (svc.externalTrafficPolicy === 'Local' && svc.healthCheckNodePort) {
      b.healthCheck = { enabled: true, protocol: 'HTTP', port: svc.healthCheckNodePort, path: '/healthz' };
    } else {
      const proto = a[AKS.probeProtocol]?.toUpperCase();
      b.healthCheck = { enabled: true, protocol: proto ?? 'TCP', port: 'nodePort' };
      if (a[AKS.probePath]) b.healthCheck.path = a[AKS.probePath];
    }
    if (svc.ports.some((p) => isTrue(a[`service.beta.kubernetes.io/port_${p.port}_no_probe_rule`]))) {
      b.healthCheck.enabled = false;
      b.notes.push('a port_<port>_no_probe_rule annotation removes the health probe');
    }
    const ranges = a[AKS.sourceRanges];
    if (b.sourceRanges.length === 0 && ranges)
      b.sourceRanges = ranges
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    return b;
  },
};
