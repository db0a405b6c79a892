/**
 * Ingress semantics as pure functions: host matching (exact / one-label wildcard), path matching
 * per pathType (Exact, element-wise Prefix, ImplementationSpecific as Prefix), request routing
 * (longest match, Exact over Prefix, default backend), backend Service/port resolution and
 * IngressClass resolution (spec, legacy annotation, default class).
 */
export {
  type BackendResolution,
  type ClassResolution,
  DEFAULT_CLASS_ANNOTATION,
  ingressesRoutingTo,
  LEGACY_CLASS_ANNOTATION,
  resolveIngressBackend,
  resolveIngressClass,
} from './backend.js';
export {
  hostMatches,
  ingressBackends,
  type PathMatch,
  pathMatches,
  type RouteResult,
  routeRequest,
} from './match.js';
export { type IngressRequest, ingressRequest, observedSymptom } from './request.js';
