import {
  ingressBackends,
  ingressesRoutingTo,
  ingressRequest,
  observedSymptom,
  resolveIngressBackend,
  routeRequest,
} from '../dataplane/ingress/index.js';
import { didYouMean } from '../model/didyoumean.js';
import { refOf } from '../model/snapshot.js';
import type { Ingress, IngressBackend } from '../model/types.js';
import { defineCheck } from './define.js';

type Problem = 'service-missing' | 'port-missing' | 'no-ready-endpoints';

interface Data extends Record<string, unknown> {
  ingress: string;
  where: string;
  problem: Problem;
  service: string;
  port?: number | string;
  servicePorts?: string[];
  suggestion?: string;
}

function portText(b: IngressBackend): number | string | undefined {
  return b.service?.port.number ?? b.service?.port.name;
}

export default defineCheck<Data>({
  id: 'ingress-backend-missing',
  severity: 'error',
  layer: 'cloud',
  confidence: 0.8,
  title: (d) =>
    d.problem === 'service-missing'
      ? `Ingress ${d.ingress} sends to Service ${d.service}, which does not exist`
      : d.problem === 'port-missing'
        ? `Ingress ${d.ingress} sends to port ${d.port} of Service ${d.service}, which it does not expose`
        : `Ingress ${d.ingress} sends to Service ${d.service}, which has no ready endpoint (502/503)`,
  docs: {
    what: 'An Ingress rule (or default backend) names a Service that does not exist, a port (number or name) the Service does not expose, or a Service without ready endpoints.',
    why: 'The controller has nowhere to send the request and answers 503 (or 502 when the upstream refuses); in cloud L7 load balancers the location gets no healthy real server. Controllers match backend.service.port.number against the Service port (not targetPort or nodePort) and port.name against the Service port name (seed 003: "check whether the Ingress backend Service can be accessed normally in the cluster").',
    confirm:
      'kubectl describe ingress NAME lists each backend (with <error: endpoints "X" not found> for missing ones); kubectl get svc X -o jsonpath={.spec.ports} and kubectl get endpointslices -l kubernetes.io/service-name=X.',
    fix: 'Point the backend at an existing Service and one of its ports (kubectl edit ingress NAME), or create the Service / make its pods ready.',
  },
  source: [
    'seed 003 (Ingress: backend Service accessible in the cluster; 502/503)',
    'Ingress spec: IngressServiceBackend port number or name',
  ],
  run({ snapshot, service, question, mode }) {
    if (!service) return [];
    if (mode === 'diagnose' && question.via !== 'ingress') return [];
    if (!snapshot.has('Ingress')) return [];
    const ns = service.meta.namespace;
    const candidates: { ing: Ingress; backend: IngressBackend; where: string }[] = [];
    for (const ing of ingressesRoutingTo(snapshot, service))
      for (const b of ingressBackends(ing))
        if (b.backend.service?.name === service.meta.name) candidates.push({ ing, ...b });
    // The rule the request actually matched may name another (missing) Service.
    const req = mode === 'diagnose' ? ingressRequest(snapshot, question) : undefined;
    // 502/503 from the controller is the symptom of a backend it cannot use.
    const seen5xx = req !== undefined && observedSymptom(req, ['http-502', 'http-503']);
    if (req) {
      if (req.source !== 'none') {
        const r = routeRequest(snapshot.ingressesIn(ns), req.host, req.path ?? '/');
        const m = r.match;
        if (m?.backend.service && m.backend.service.name !== service.meta.name)
          candidates.unshift({
            ing: m.ingress,
            backend: m.backend,
            where: `spec.rules[${m.ruleIndex}].http.paths[${m.pathIndex}].backend`,
          });
      }
    }
    const hits = [];
    const seen = new Set<string>();
    for (const { ing, backend, where } of candidates) {
      const key = `${ing.meta.name}|${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const res = resolveIngressBackend(snapshot, ing.meta.namespace, backend);
      const ingName = `${ing.meta.namespace}/${ing.meta.name}`;
      const svcName = backend.service?.name ?? '';
      const port = portText(backend);
      const edit = `kubectl edit ingress ${ing.meta.name} -n ${ing.meta.namespace}`;
      if (res.state === 'service-missing') {
        const suggestion = didYouMean(
          svcName,
          snapshot.servicesIn(ing.meta.namespace).map((s) => s.meta.name),
        );
        hits.push({
          subject: refOf(service),
          ...(seen5xx ? { confidence: 0.95 } : {}),
          data: {
            ingress: ingName,
            where,
            problem: 'service-missing' as const,
            service: svcName,
            ...(port !== undefined ? { port } : {}),
            ...(suggestion ? { suggestion } : {}),
          },
          evidence: [
            `${ingName} ${where} → service ${svcName}:${port ?? ''}: no such Service in ${ing.meta.namespace}`,
            ...(suggestion ? [`did you mean ${suggestion}?`] : []),
          ],
          fix: {
            summary: suggestion
              ? `Fix the backend's service name (${svcName} → ${suggestion}).`
              : `Create Service ${svcName} or point the backend at an existing Service.`,
            commands: [edit, `kubectl get services -n ${ing.meta.namespace}`],
          },
        });
      } else if (res.state === 'port-missing') {
        const servicePorts = res.service.ports.map((p) => `${p.name ? `${p.name}=` : ''}${p.port}`);
        const best =
          typeof port === 'string'
            ? didYouMean(port, res.service.ports.map((p) => p.name).filter(Boolean))
            : undefined;
        const only = res.service.ports.length === 1 ? res.service.ports[0] : undefined;
        const fixPort = best ?? only?.port;
        const idx = /^spec\.rules\[(\d+)\]\.http\.paths\[(\d+)\]/.exec(where);
        const patch =
          fixPort !== undefined && idx
            ? `kubectl patch ingress ${ing.meta.name} -n ${ing.meta.namespace} --type=json -p '[{"op":"replace","path":"/spec/rules/${idx[1]}/http/paths/${idx[2]}/backend/service/port","value":${typeof fixPort === 'number' ? `{"number":${fixPort}}` : `{"name":"${fixPort}"}`}}]'`
            : edit;
        hits.push({
          subject: refOf(service),
          ...(seen5xx ? { confidence: 0.95 } : {}),
          data: {
            ingress: ingName,
            where,
            problem: 'port-missing' as const,
            service: svcName,
            ...(port !== undefined ? { port } : {}),
            servicePorts,
          },
          evidence: [
            `${ingName} ${where} → ${svcName}:${port}`,
            `Service ${svcName} ports: ${servicePorts.join(', ')} (an Ingress names the Service port, not targetPort or nodePort)`,
          ],
          fix: {
            summary: `Use a port the Service exposes${fixPort !== undefined ? ` (${fixPort})` : ''} in the Ingress backend.`,
            commands: [patch],
          },
        });
      } else if (res.state === 'no-ready-endpoints') {
        hits.push({
          subject: refOf(service),
          confidence: seen5xx ? 0.7 : 0.5,
          data: {
            ingress: ingName,
            where,
            problem: 'no-ready-endpoints' as const,
            service: svcName,
            ...(port !== undefined ? { port } : {}),
          },
          evidence: [
            `${ingName} ${where} → ${svcName}:${port}: ${res.endpoints} endpoint(s), none ready — the controller answers 503`,
          ],
          fix: {
            summary: `Make the pods of Service ${svcName} ready (see the endpoints findings); the Ingress recovers by itself.`,
            commands: [
              `kubectl get endpointslices -n ${ing.meta.namespace} -l kubernetes.io/service-name=${svcName} -o wide`,
            ],
          },
        });
      }
    }
    return hits;
  },
});
