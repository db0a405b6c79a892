import { backendsOf, endpointPortFor } from '../model/endpoints.js';
import { refOf } from '../model/snapshot.js';
import { defineCheck } from './define.js';
import { portsAsked } from './target-port-mismatch.js';

export default defineCheck<{
  service: string;
  /** EndpointSlices labelled kubernetes.io/service-name=<service> (they may be empty). */
  slices: number;
  /** Whether a legacy Endpoints object of the Service's name exists. */
  endpointsObject: boolean;
  addresses: number;
  /** Set when addresses exist but their slice ports are named unlike the Service ports asked about. */
  slicePortNames?: string[];
  servicePortNames?: string[];
}>({
  id: 'selector-less-without-endpoints',
  severity: 'error',
  layer: 'endpoints',
  confidence: 0.9,
  title: (d) =>
    d.slicePortNames
      ? `Service ${d.service} has no selector and its manual endpoints name their ports ${d.slicePortNames.map((n) => JSON.stringify(n)).join(', ')}, not ${d.servicePortNames?.map((n) => JSON.stringify(n)).join(', ')}`
      : d.slices > 0 || d.endpointsObject
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
  run({ snapshot, service, question, unknown }) {
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
    // kube-proxy pairs endpoint ports with Service ports by name: an address whose slice names
    // its ports differently serves none of the ports asked about.
    const asked = portsAsked(service, question);
    if (set.backends.some((b) => asked.length === 0 || asked.some((sp) => endpointPortFor(b, sp.name))))
      return [];
    const slicePortNames = [...new Set(set.backends.flatMap((b) => b.ports.map((p) => p.name)))];
    const misnamed = set.backends.length > 0;
    const slices = snapshot.endpointSlicesFor(ns, name).length;
    const endpointsObject = snapshot.endpointsFor(ns, name) !== undefined;
    // Slices collected but legacy Endpoints not: a hand-made Endpoints object would have been
    // mirrored into a slice, so its absence among slices is still telling.
    const evidence = [`Service ${ns}/${name} has no selector (type ${service.type})`];
    if (misnamed)
      evidence.push(
        `${set.backends.length} address(es) in ${set.source} with ports named ${slicePortNames.map((n) => JSON.stringify(n)).join(', ')}; kube-proxy matches them to Service ports by name, and the Service port is named ${asked.map((sp) => JSON.stringify(sp.name)).join(', ')}`,
      );
    else
      evidence.push(
        slices > 0
          ? `${slices} EndpointSlice(s) labelled kubernetes.io/service-name=${name}, with no address`
          : `no EndpointSlice labelled kubernetes.io/service-name=${name}`,
      );
    if (snapshot.has('Endpoints') && !misnamed)
      evidence.push(
        !endpointsObject
          ? `no Endpoints ${name}`
          : snapshot.endpointsFor(ns, name)?.meta.labels['endpointslice.kubernetes.io/skip-mirror'] === 'true'
            ? `Endpoints ${name} is labelled endpointslice.kubernetes.io/skip-mirror=true: it is never mirrored into a slice, and kube-proxy reads slices only`
            : `Endpoints ${name} exists but lists no address`,
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
        data: {
          service: `${ns}/${name}`,
          slices,
          endpointsObject,
          addresses: set.backends.length,
          ...(misnamed ? { slicePortNames, servicePortNames: asked.map((sp) => sp.name) } : {}),
        },
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
