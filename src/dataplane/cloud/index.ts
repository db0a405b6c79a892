/**
 * The cloud layer in front of the cluster, as pure functions over the CloudInventory and the
 * Snapshot: security groups (`evaluateSecurityGroups`), load balancers (lookup, listeners,
 * expected backend groups, certificates, health-check ports), NAT gateways and EIPs, custom
 * routes (longest-prefix match), and provider profiles (`lbBehaviour`: what an LB does for a
 * Service given its provider and annotations). The path composer (src/dataplane/paths.ts) and
 * the cloud checks (src/checks/sets/cloud.ts) build on these.
 */
export { cidrContains, isIp, isPrivateRange, isPublicAddress, parseCidr, parseIp } from './addr.js';
export {
  type BackendProblem,
  type BackendProblemKind,
  type CertificateState,
  certificateState,
  compareBackends,
  type ExpectedBackendGroup,
  type ExpectedMember,
  expectedBackends,
  healthCheckPort,
  lbEligibleNodes,
  listenerBackends,
  listenerFor,
  listenerForServicePort,
  loadBalancerByAddress,
  loadBalancerById,
  loadBalancerByOwner,
  loadBalancersForIngress,
  loadBalancersForService,
  nodesWithReadyEndpoints,
} from './loadBalancers.js';
export {
  type DnatRuleRef,
  dnatEipBinding,
  dnatFor,
  dnatRules,
  dnatRulesForService,
  type EipBinding,
  eipByAddress,
  eipsBoundTo,
  hasNoBandwidth,
} from './nat.js';
export * from './providers/index.js';
export {
  asksAboutLoadBalancer,
  clientPeer,
  clusterVersion,
  evaluateAnyPeer,
  healthCheckPeer,
  isExternalClient,
  lbPeer,
  portsInQuestion,
  proxyMode,
  sgProtocol,
} from './question.js';
export { BLACKHOLE_HOPS, isBlackhole, longestPrefixMatch, type RouteMatch } from './routes.js';
export {
  anyRuleOpens,
  evaluateSecurityGroups,
  formatRule,
  groupsAttachedTo,
  portsMatch,
  type SgDecision,
  type SgPeer,
  type SgProtocol,
  type SgQuery,
  type SgVerdict,
} from './securityGroups.js';
