import type { Check } from '../define.js';
import eipNoBandwidth from '../eip-no-bandwidth.js';
import ingressBackendMissing from '../ingress-backend-missing.js';
import ingressClassMissing from '../ingress-class-missing.js';
import ingressLbSgBlocks from '../ingress-lb-sg-blocks.js';
import ingressNoMatchingRule from '../ingress-no-matching-rule.js';
import lbBackendMismatch from '../lb-backend-mismatch.js';
import lbCertificateExpired from '../lb-certificate-expired.js';
import lbHealthCheckDisabled from '../lb-health-check-disabled.js';
import lbHealthCheckFailing from '../lb-health-check-failing.js';
import lbNotProvisioned from '../lb-not-provisioned.js';
import lbPassThroughUnsupported from '../lb-pass-through-unsupported.js';
import lbSgBlocksBackend from '../lb-sg-blocks-backend.js';
import natBackendHasEip from '../nat-backend-has-eip.js';
import natRuleMissingEip from '../nat-rule-missing-eip.js';
import nodeNoPublicBandwidth from '../node-no-public-bandwidth.js';
import nodeSgBlocksNodeport from '../node-sg-blocks-nodeport.js';
import routeBlackhole from '../route-blackhole.js';
import udpHealthCheckNeedsIcmp from '../udp-health-check-needs-icmp.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const cloudChecks: Check[] = [
  lbNotProvisioned,
  lbBackendMismatch,
  lbHealthCheckDisabled,
  lbHealthCheckFailing,
  lbCertificateExpired,
  lbPassThroughUnsupported,
  nodeSgBlocksNodeport,
  lbSgBlocksBackend,
  udpHealthCheckNeedsIcmp,
  natRuleMissingEip,
  natBackendHasEip,
  eipNoBandwidth,
  nodeNoPublicBandwidth,
  routeBlackhole,
  ingressNoMatchingRule,
  ingressBackendMissing,
  ingressClassMissing,
  ingressLbSgBlocks,
];
