import type { Check } from '../define.js';
import etpLocalInClusterLbAccess from '../etp-local-in-cluster-lb-access.js';
import etpLocalNoLocalEndpoint from '../etp-local-no-local-endpoint.js';
import hairpinDisabled from '../hairpin-disabled.js';
import ipFamilyMismatch from '../ip-family-mismatch.js';
import itpLocalNoLocalEndpoint from '../itp-local-no-local-endpoint.js';
import kubeProxyNotRunning from '../kube-proxy-not-running.js';
import lbLoopback from '../lb-loopback.js';

// Checks of this area, in the order they are documented. Each lives in src/checks/<id>.ts.
export const dataplaneChecks: Check[] = [
  kubeProxyNotRunning,
  etpLocalNoLocalEndpoint,
  etpLocalInClusterLbAccess,
  itpLocalNoLocalEndpoint,
  lbLoopback,
  hairpinDisabled,
  ipFamilyMismatch,
];
