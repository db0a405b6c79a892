// Resolving an Ingress backend to a Service port, and an Ingress to its IngressClass.
import { backendsOf } from '../../model/endpoints.js';
import type { Snapshot } from '../../model/snapshot.js';
import type {
  Ingress,
  IngressBackend,
  IngressClass,
  Provider,
  Service,
  ServicePort,
} from '../../model/types.js';
import { GKE_INGRESS_CLASSES } from '../cloud/providers/gke.js';
import { clusterProvider } from '../network/node-facts.js';

export type BackendResolution =
  | { state: 'ok'; service: Service; port: ServicePort; readyEndpoints: number }
  | { state: 'no-ready-endpoints'; service: Service; port: ServicePort; readyEndpoints: 0; endpoints: number }
  | { state: 'service-missing'; name: string }
  | { state: 'port-missing'; service: Service; port: { number?: number; name?: string } }
  | { state: 'resource'; kind: string; name: string }
  | { state: 'unknown'; reason: string };

/**
 * Resolve an Ingress backend (in the Ingress's namespace) to a Service port: by number against
 * `port`, by name against the Service port's `name` (as controllers do), then its ready endpoints.
 */
export function resolveIngressBackend(
  snapshot: Snapshot,
  namespace: string,
  backend: IngressBackend,
): BackendResolution {
  if (backend.resource)
    return { state: 'resource', kind: backend.resource.kind, name: backend.resource.name };
  if (!backend.service) return { state: 'unknown', reason: 'backend names neither a service nor a resource' };
  const { name, port } = backend.service;
  const svc = snapshot.service(namespace, name);
  if (!svc) {
    if (!snapshot.has('Service')) return { state: 'unknown', reason: 'Services were not collected' };
    return { state: 'service-missing', name };
  }
  const sp =
    port.number !== undefined
      ? svc.ports.find((p) => p.port === port.number)
      : port.name !== undefined
        ? svc.ports.find((p) => p.name === port.name)
        : svc.ports.length === 1
          ? svc.ports[0]
          : undefined;
  if (!sp) return { state: 'port-missing', service: svc, port };
  if (svc.type === 'ExternalName') return { state: 'ok', service: svc, port: sp, readyEndpoints: 0 };
  const set = backendsOf(snapshot, svc);
  const ready = set.backends.filter((b) => b.ready).length;
  if (ready === 0) {
    if (!set.source && !snapshot.has('EndpointSlice'))
      return { state: 'unknown', reason: 'endpoints were not collected' };
    return {
      state: 'no-ready-endpoints',
      service: svc,
      port: sp,
      readyEndpoints: 0,
      endpoints: set.backends.length,
    };
  }
  return { state: 'ok', service: svc, port: sp, readyEndpoints: ready };
}

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export type ClassResolution =
  | { state: 'found'; className: string; ingressClass: IngressClass; via: 'spec' | 'annotation' | 'default' }
  | { state: 'missing'; className: string; via: 'spec' }
  /** A legacy annotation naming a class without an IngressClass object: controllers match the string. */
  | { state: 'annotation-only'; className: string }
  /** A class the cloud's own controller serves by name, with no IngressClass object (GKE gce). */
  | { state: 'provider'; className: string; provider: Provider }
  | { state: 'no-class'; defaults: string[] }
  | { state: 'unknown'; reason: string };

/**
 * Which IngressClass serves an Ingress: spec.ingressClassName, else the legacy
 * kubernetes.io/ingress.class annotation, else the single class marked
 * ingressclass.kubernetes.io/is-default-class (two defaults: the admission plugin refuses new
 * Ingresses without a class, so none applies).
 */
export function resolveIngressClass(snapshot: Snapshot, ing: Ingress): ClassResolution {
  const classes = snapshot.data.ingressClasses;
  const annotation = ing.meta.annotations[LEGACY_CLASS_ANNOTATION];
  const name = ing.ingressClassName ?? annotation;
  if (!snapshot.has('IngressClass')) return { state: 'unknown', reason: 'IngressClasses were not collected' };
  if (name) {
    const found = classes.find((c) => c.meta.name === name);
    // The model folds the legacy annotation into ingressClassName; the API server refuses both at once.
    const via = annotation !== undefined && annotation === name ? 'annotation' : 'spec';
    if (found) return { state: 'found', className: name, ingressClass: found, via };
    const provider = clusterProvider(snapshot);
    if (builtInClasses(provider).includes(name)) return { state: 'provider', className: name, provider };
    return via === 'annotation'
      ? { state: 'annotation-only', className: name }
      : { state: 'missing', className: name, via: 'spec' };
  }
  const defaults = classes.filter((c) => c.isDefault);
  if (defaults.length === 1) {
    const d = defaults[0] as IngressClass;
    return { state: 'found', className: d.meta.name, ingressClass: d, via: 'default' };
  }
  return { state: 'no-class', defaults: defaults.map((d) => d.meta.name) };
}

/** Classes a provider's built-in controller serves without an IngressClass object. */
function builtInClasses(provider: Provider): readonly string[] {
  return provider === 'gke' ? GKE_INGRESS_CLASSES : [];
}

/** Ingresses in the Service's namespace with a rule or default backend naming the Service. */
export function ingressesRoutingTo(snapshot: Snapshot, svc: Service): Ingress[] {
  return snapshot
    .ingressesIn(svc.meta.namespace)
    .filter(
      (ing) =>
        ing.defaultBackend?.service?.name === svc.meta.name ||
        ing.rules.some((r) => r.paths.some((p) => p.backend.service?.name === svc.meta.name)),
    );
}
