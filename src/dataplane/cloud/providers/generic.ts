import { baseBehaviour, type ProviderProfile } from './types.js';

/** No provider facts: only what Kubernetes itself says (eTP Local's healthCheckNodePort). */
export const genericProfile: ProviderProfile = {
  provider: 'generic',
  annotationKeys: [],
  behaviour({ svc }) {
    const b = baseBehaviour('generic', svc, {});
    if (svc.externalTrafficPolicy === 'Local' && svc.healthCheckNodePort) {
      // Upstream: cloud providers are expected to probe healthCheckNodePort for eTP Local.
      b.healthCheck = { protocol: 'HTTP', port: svc.healthCheckNodePort, path: '/healthz' };
    }
    return b;
  },
};
