import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

/** The endpoints controller stores at most this many addresses in one Endpoints object. */
export const ENDPOINTS_MAX_CAPACITY = 1000;

export default defineCheck<{
  service: string;
  /** Addresses in the legacy Endpoints object, when it was collected. */
  endpointsAddresses?: number;
  /** Endpoints across the Service's EndpointSlices (which are not truncated), when collected. */
  sliceEndpoints?: number;
  /** The endpoints.kubernetes.io/over-capacity annotation says "truncated". */
  annotated: boolean;
  limit: number;
}>({
  id: 'endpoints-truncated',
  severity: 'warning',
  layer: 'endpoints',
  confidence: 0.3,
  title: (d) =>
    `${d.service} has ${d.sliceEndpoints ?? d.endpointsAddresses ?? 'over 1000'} endpoints: its legacy Endpoints object is truncated to ${d.limit}`,
  docs: {
    what: 'The Service has more than 1000 endpoints, so its legacy core/v1 Endpoints object holds only the first 1000 and carries the annotation endpoints.kubernetes.io/over-capacity: truncated.',
    why: 'kube-proxy and CoreDNS read EndpointSlices (up to 100 endpoints each, as many slices as needed), so in-cluster Service traffic still reaches every backend. Anything that still reads the Endpoints API — older ingress controllers, service meshes, monitoring, custom controllers, cloud load balancer integrations — sees only a subset of the backends and sends all its traffic there.',
    confirm:
      "kubectl get endpoints NAME -n NS -o jsonpath='{.metadata.annotations}' shows over-capacity: truncated; kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME lists all slices and their counts.",
    fix: 'Move consumers of the Service to the EndpointSlice API (discovery.k8s.io/v1), which Endpoints is being deprecated in favour of, or split the backends across several Services.',
  },
  source: [
    'seed 001 (Endpoints hold at most 1000 endpoints, EndpointSlices 100 each, sharded)',
    'upstream pkg/controller/endpoint: maxCapacity 1000 and the endpoints.kubernetes.io/over-capacity annotation',
  ],
  run({ snapshot, service, unknown }) {
    if (!service || service.type === 'ExternalName') return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    const eps = snapshot.has('Endpoints') ? snapshot.endpointsFor(ns, name) : undefined;
    const endpointsAddresses = eps?.subsets.reduce(
      (n, s) => n + s.addresses.length + s.notReadyAddresses.length,
      0,
    );
    const slices = snapshot.has('EndpointSlice') ? snapshot.endpointSlicesFor(ns, name) : [];
    const sliceEndpoints = snapshot.has('EndpointSlice')
      ? slices.reduce((n, s) => n + s.endpoints.length, 0)
      : undefined;
    if (!snapshot.has('Endpoints') && !snapshot.has('EndpointSlice')) {
      unknown(
        `Neither Endpoints nor EndpointSlices collected: endpoint counts of ${ns}/${name} not checked`,
        `kubectl get endpoints,endpointslices -n ${ns} -o yaml`,
      );
      return [];
    }
    const annotated = eps?.truncated === true;
    const over =
      annotated ||
      (endpointsAddresses ?? 0) > ENDPOINTS_MAX_CAPACITY ||
      // Without the Endpoints object, the slices tell what the controller would have had to cut.
      (sliceEndpoints ?? 0) > ENDPOINTS_MAX_CAPACITY;
    if (!over) return [];
    const evidence: string[] = [];
    if (eps)
      evidence.push(
        `Endpoints ${name} lists ${endpointsAddresses} addresses${annotated ? ' and is annotated endpoints.kubernetes.io/over-capacity: truncated' : ''}`,
      );
    if (sliceEndpoints !== undefined)
      evidence.push(`${slices.length} EndpointSlices hold ${sliceEndpoints} endpoints (not truncated)`);
    return [
      {
        subject: refOf(service),
        data: {
          service: `${ns}/${name}`,
          ...(endpointsAddresses !== undefined ? { endpointsAddresses } : {}),
          ...(sliceEndpoints !== undefined ? { sliceEndpoints } : {}),
          annotated,
          limit: ENDPOINTS_MAX_CAPACITY,
        },
        evidence,
        fix: {
          summary:
            'kube-proxy is not affected (it reads EndpointSlices); move any consumer that reads the Endpoints API to EndpointSlices, or split the backends across Services.',
          commands: [
            `kubectl get endpoints ${name} -n ${ns} -o jsonpath='{.metadata.annotations.endpoints\\.kubernetes\\.io/over-capacity}'`,
            `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name}`,
          ],
        },
      },
    ];
  },
});
