import appBoundToLocalhost from '../app-bound-to-localhost.js';
import containerNotListening from '../container-not-listening.js';
import type { Check } from '../define.js';
import dnsNameWrong from '../dns-name-wrong.js';
import networkPolicyDenies from '../network-policy-denies.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const diagnosisChecks: Check[] = [
  containerNotListening,
  appBoundToLocalhost,
  dnsNameWrong,
  networkPolicyDenies,
];
