import type { Check } from '../define.js';
import kubeProxyRulesMissing from '../kube-proxy-rules-missing.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const nodeChecks: Check[] = [kubeProxyRulesMissing];
