export { applyRewrite, kubernetesZones, parseRewriteRules, type RewriteRule } from './corefile.js';
export { type DnsReach, dnsReach } from './reach.js';
export {
  type CoreDnsHealth,
  clientNamespaceOf,
  clusterDomainOf,
  coreDnsHealth,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_NDOTS,
  type DnsProblem,
  type DnsProblemKind,
  type DnsRecord,
  type DnsStep,
  type DnsSuggestion,
  type NameIntent,
  nameIntent,
  queryOrder,
  type ResolveResult,
  resolveName,
  searchList,
} from './resolve.js';
