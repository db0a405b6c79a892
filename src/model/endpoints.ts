import { findPort } from './ports.js';
import type { Snapshot } from './snapshot.js';
import type { EndpointPort, ObjectRef, Service } from './types.js';

/** One backend address of a Service, merged from EndpointSlices (preferred) or legacy Endpoints. */
export interface Backend {
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectRef;
  ports: EndpointPort[];
  /** 'Pods': neither kind was collected, so the endpoints were derived as the controller would. */
  source: 'EndpointSlice' | 'Endpoints' | 'Pods';
  sliceName: string;
}

export interface BackendSet {
  /** Which object kind the backends came from; undefined when neither exists. */
  source?: 'EndpointSlice' | 'Endpoints' | 'Pods';
  backends: Backend[];
}

/**
 * What kube-proxy would see for a Service. Like kube-proxy since v1.19 (EndpointSliceProxying),
 * EndpointSlices are the source of truth; legacy Endpoints are used only when no slice exists
 * (a bundle collected without EndpointSlices, or a very old cluster).
 */
export function backendsOf(snapshot: Snapshot, svc: Service): BackendSet {
  const ns = svc.meta.namespace;
  const slices = snapshot.endpointSlicesFor(ns, svc.meta.name);
  if (slices.length > 0) {
    const backends: Backend[] = [];
    const seen = new Set<string>();
    for (const slice of slices) {
      if (slice.addressType === 'FQDN') continue; // kube-proxy ignores FQDN slices
      for (const ep of slice.endpoints) {
        // kube-proxy uses only the first address of an endpoint.
        const ip = ep.addresses[0];
        if (!ip) continue;
        const key = `${ip}|${slice.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`).join(',')}`;
        if (seen.has(key)) continue; // duplicates across slices during updates
        seen.add(key);
        backends.push({
          ip,
          ready: ep.conditions.ready,
          serving: ep.conditions.serving,
          terminating: ep.conditions.terminating,
          nodeName: ep.nodeName,
          zone: ep.zone,
          targetRef: ep.targetRef,
          ports: slice.ports,
          source: 'EndpointSlice',
          sliceName: slice.meta.name,
        });
      }
    }
    return { source: 'EndpointSlice', backends };
  }
  if (!snapshot.has('EndpointSlice') && !snapshot.has('Endpoints')) return derivedFromPods(snapshot, svc);
  const eps = snapshot.endpointsFor(ns, svc.meta.name);
  if (!eps) return { backends: [] };
  // The mirroring controller never copies Endpoints labelled skip-mirror into a slice, and
  // kube-proxy reads slices only: when slices were collected, such an object reaches no proxy.
  if (eps.meta.labels['endpointslice.kubernetes.io/skip-mirror'] === 'true' && snapshot.has('EndpointSlice'))
    return { backends: [] };
  const backends: Backend[] = [];
  for (const subset of eps.subsets) {
    for (const [list, ready] of [
      [subset.addresses, true],
      [subset.notReadyAddresses, false],
    ] as const) {
      for (const a of list) {
        backends.push({
          ip: a.ip,
          ready,
          serving: ready,
          terminating: false,
          nodeName: a.nodeName,
          targetRef: a.targetRef,
          ports: subset.ports,
          source: 'Endpoints',
          sliceName: eps.meta.name,
        });
      }
    }
  }
  return { source: 'Endpoints', backends };
}

/** The endpoint port matching a Service port: by name (kube-proxy matches slice ports by the Service port name). */
export function endpointPortFor(backend: Backend, servicePortName: string): EndpointPort | undefined {
  return backend.ports.find((p) => p.name === servicePortName);
}

/**
 * A bundle without EndpointSlices or Endpoints (kubectl get all): the endpoints the
 * endpointslice controller would publish from the Pods, so the path is not judged empty for
 * want of a listing. Follows ShouldPodBeInEndpoints (no terminal Pods, an IP needed, terminating
 * kept) and podToEndpoint (ready = publishNotReadyAddresses || (Ready && !terminating)); ports are
 * resolved per Pod with FindPort. Simplified: one address per Pod (its primary IP).
 */
function derivedFromPods(snapshot: Snapshot, svc: Service): BackendSet {
  if (!svc.selector || Object.keys(svc.selector).length === 0 || !snapshot.has('Pod'))
    return { backends: [] };
  const backends: Backend[] = [];
  for (const pod of snapshot.podsForService(svc)) {
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed' || !pod.podIP) continue;
    const terminating = pod.meta.deletionTimestamp !== undefined;
    const ports: EndpointPort[] = [];
    for (const sp of svc.ports) {
      const port = findPort(pod, sp);
      if (port !== undefined) ports.push({ name: sp.name, protocol: sp.protocol, port });
    }
    backends.push({
      ip: pod.podIP,
      ready: svc.publishNotReadyAddresses || (pod.ready && !terminating),
      serving: pod.ready,
      terminating,
      ...(pod.nodeName ? { nodeName: pod.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.meta.namespace, name: pod.meta.name },
      ports,
      source: 'Pods',
      sliceName: `${svc.meta.name} (derived from Pods)`,
    });
  }
  return { source: 'Pods', backends };
}
