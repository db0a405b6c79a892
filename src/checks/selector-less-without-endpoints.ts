import { backendsOf } from '../model/endpoints.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';

export default defineCheck<{
  service: string;
  /** EndpointSlices labelled kubernetes.io/service-name=<service> (they may be empty). */
  slices: number;
  /** Whether a legacy Endpoints object of the Service's name exists. */
  endpointsObject: boolean;
  addresses: number;
}>({
  id: 'selector-less-without-endpoints',
  severity: 'error',
  layer: 'endpoints',
  confidence: 0.9,
  title: (d) =>
    d.slices > 0 || d.endpointsObject
      ? `Service ${d.service} has no selector and its manual endpoints hold no address`
      : `Service ${d.service} has no selector and no manual Endpoints or EndpointSlice`,
  docs: {
    what: 'The Service has no selector, so no controller creates its endpoints, and no hand-made EndpointSlice (or legacy Endpoints object) gives it any address.',
    why: 'A selector-less Service is a promise that someone else supplies the backends: an EndpointSlice labelled kubernetes.io/service-name=NAME, or an Endpoints object named like the Service (mirrored into a slice by the control plane). Without either, kube-proxy has nothing to forward to and rejects the connection; DNS of a headless one returns nothing.',
    confirm:
      'kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME and kubectl get endpoints NAME -n NS both come back empty. An EndpointSlice without that label is ignored by kube-proxy.',
    fix: 'Add a selector that matches the backend Pods (kubectl edit svc NAME), or create an EndpointSlice with the label kubernetes.io/service-name=NAME, addressType, endpoints and ports whose names match the Service port names. For an external backend by DNS name, an ExternalName Service may be the simpler tool.',
  },
  source: [
    'kubernetes.io Services: "Services without selectors" (custom EndpointSlices, kubernetes.io/service-name label)',
    'upstream pkg/controller/endpointslicemirroring: legacy Endpoints of selector-less Services are mirrored into slices',
  ],
  run({ snapshot, service, unknown }) {
    if (!service || service.type === 'ExternalName') return [];
    // The endpoint controllers treat an empty selector like none: they manage no endpoints for it.
    if (service.selector && Object.keys(service.selector).length > 0) return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    if (!snapshot.has('EndpointSlice') && !snapshot.has('Endpoints')) {
      unknown(
        `EndpointSlices not collected: the manual endpoints of selector-less Service ${ns}/${name} not checked`,
        `kubectl get endpointslices,endpoints -n ${ns} -o yaml`,
      );
      return [];
    }
    const set = backendsOf(snapshot, service);
    if (set.backends.length > 0) return [];
    const slices = snapshot.endpointSlicesFor(ns, name).length;
    const endpointsObject = snapshot.endpointsFor(ns, name) !== undefined;
    // Slices collected but legacy Endpoints not: a hand-made Endpoints object would have been
    // mirrored into a slice, so its absence among slices is still telling.
    const evidence = [`Service ${ns}/${name} has no selector (type ${service.type})`];
    evidence.push(
      slices > 0
        ? `${slices} EndpointSlice(s) labelled kubernetes.io/service-name=${name}, with no address`
        : `no EndpointSlice labelled kubernetes.io/service-name=${name}`,
    );
    if (snapshot.has('Endpoints'))
      evidence.push(
        endpointsObject ? `Endpoints ${name} exists but lists no address` : `no Endpoints ${name}`,
      );
    const port = service.ports[0];
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${name}-1`,
        namespace: ns,
        labels: { 'kubernetes.io/service-name': name },
      },
      addressType: service.ipFamilies[0] ?? 'IPv4',
      ports: [
        {
          name: port?.name ?? '',
          protocol: port?.protocol ?? 'TCP',
          port: typeof port?.targetPort === 'number' ? port.targetPort : (port?.port ?? 80),
        },
      ],
      endpoints: [{ addresses: ['BACKEND_IP'] }],
    };
    return [
      {
        subject: refOf(service),
        data: { service: `${ns}/${name}`, slices, endpointsObject, addresses: 0 },
        evidence,
        fix: {
          summary:
            'Give the Service a selector matching its Pods, or create an EndpointSlice labelled kubernetes.io/service-name with the backend addresses (replace BACKEND_IP).',
          commands: [
            `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o yaml`,
            `echo '${JSON.stringify(slice)}' | kubectl apply -f -`,
          ],
        },
      },
    ];
  },
});
