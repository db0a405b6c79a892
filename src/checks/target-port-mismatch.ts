import { didYouMean } from '../model/didyoumean.js';
import type { Severity } from '../model/finding.js';
import { declaresPort, findPort } from '../model/ports.js';
import type { Question } from '../model/question.js';
import { refOf } from '../model/snapshot.js';
import type { ContainerPort, Pod, Service, ServicePort } from '../model/types.js';
import { defineCheck } from './define.js';

/** The Service ports a question is about: those matching the port the client used, else all. */
export function portsAsked(service: Service, question: Question): ServicePort[] {
  const used = question.port ?? question.address?.port;
  if (used === undefined) return service.ports;
  const hit = service.ports.filter((sp) =>
    typeof used === 'string'
      ? sp.name === used
      : sp.port === used || sp.nodePort === used || sp.targetPort === used,
  );
  return hit.length > 0 ? hit : service.ports;
}

/** Every port a Pod's containers declare (sidecars included), in container order. */
export function declaredPorts(pod: Pod): ContainerPort[] {
  return [...pod.containers, ...pod.initContainers.filter((c) => c.restartPolicy === 'Always')].flatMap(
    (c) => c.ports,
  );
}

const label = (p: ContainerPort) => `${p.name ? `${p.name}=` : ''}${p.containerPort}/${p.protocol}`;

export default defineCheck<{
  service: string;
  port: number;
  portName: string;
  targetPort: number | string;
  kind: 'named' | 'number';
  /** Pods whose containers do not expose the targetPort. */
  podsWithout: string[];
  pods: number;
  /** Ports the matched Pods do declare (name=number/protocol), de-duplicated. */
  declared: string[];
  /** The targetPort that would match, when the Pods agree on one. */
  suggestion?: number | string;
}>({
  id: 'target-port-mismatch',
  severity: 'error',
  layer: 'container',
  confidence: 0.8,
  title: (d) =>
    d.kind === 'named'
      ? `targetPort "${d.targetPort}" of ${d.service} port ${d.port} is not a port name of ${d.podsWithout.length === d.pods ? 'any' : `${d.podsWithout.length} of ${d.pods}`} matched Pods`
      : `targetPort ${d.targetPort} of ${d.service} port ${d.port} is not declared by ${d.podsWithout.length === d.pods ? 'the' : `${d.podsWithout.length} of ${d.pods}`} matched Pods${d.suggestion !== undefined ? ` (they declare ${d.suggestion})` : ''}`,
  docs: {
    what: "The Service's targetPort, a number or a port name, does not match the ports the selected Pods' containers expose.",
    why: "A named targetPort is resolved per Pod against its containers' ports of the same protocol; a Pod that does not define the name gets no endpoint for that Service port, so traffic never reaches it. Pods of one Service may give the port different numbers under the same name, which is fine. A numeric targetPort is used as is: declaring containerPort is informational, so a missing declaration is only a warning — but it often means the Service points at the wrong port (80 while the app listens on 8080), which shows up as connection refused.",
    confirm:
      "kubectl get svc NAME -n NS -o jsonpath='{.spec.ports}' and kubectl get pods -n NS -l SELECTOR -o jsonpath='{..containers[*].ports}'; kubectl get endpointslices -n NS -l kubernetes.io/service-name=NAME shows the resolved port (or the Pod missing). Inside the Pod, ss -lntp shows what actually listens.",
    fix: "Set the Service's targetPort to the port (or port name) the container listens on (kubectl patch svc NAME --type=json ...), or name the container port as the Service expects in the workload template.",
  },
  source: [
    'seed 000 check item 1 (the container port is incorrectly configured)',
    'seed 003 (check whether the spec.ports field of the Service is correct)',
    'upstream pkg/api/v1/pod FindPort: named targetPort resolved per Pod, same protocol',
  ],
  run({ snapshot, service, question, unknown }) {
    if (!service || service.type === 'ExternalName') return [];
    if (!service.selector || Object.keys(service.selector).length === 0) return [];
    const ns = service.meta.namespace;
    const name = service.meta.name;
    if (!snapshot.has('Pod')) {
      unknown(
        'Pods not collected: selector, readiness and container ports not checked',
        `kubectl get pods -n ${ns} -o yaml`,
      );
      return [];
    }
    const pods = snapshot
      .podsForService(service)
      .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed')
      .sort((a, b) => a.meta.name.localeCompare(b.meta.name));
    if (pods.length === 0) return [];
    const hits = [];
    for (const sp of portsAsked(service, question)) {
      const index = service.ports.indexOf(sp);
      const tp = sp.targetPort;
      const without: Pod[] = [];
      let considered = 0;
      for (const pod of pods) {
        const ports = declaredPorts(pod);
        if (typeof tp === 'string') {
          considered++;
          if (findPort(pod, sp) !== undefined) continue;
          // Defined under another protocol: protocol-mismatch explains that one.
          if (ports.some((p) => p.name === tp)) continue;
          without.push(pod);
        } else {
          // Nothing declared at all says nothing about what the app listens on.
          if (ports.length === 0) continue;
          considered++;
          if (declaresPort(pod, tp, sp.protocol)) continue;
          if (ports.some((p) => p.containerPort === tp)) continue; // other protocol
          without.push(pod);
        }
      }
      if (without.length === 0) continue;
      const declaredAll = without.flatMap((p) =>
        declaredPorts(p).filter((cp) => cp.protocol === sp.protocol),
      );
      const declared = [...new Set(declaredAll.map(label))];
      const numbers = [...new Set(declaredAll.map((p) => p.containerPort))];
      let suggestion: number | string | undefined;
      if (typeof tp === 'string') {
        const names = declaredAll.map((p) => p.name).filter((n): n is string => !!n);
        const distinct = [...new Set(names)];
        // A shared name keeps per-Pod numbering possible; a number is the last resort.
        suggestion =
          didYouMean(tp, names) ??
          (distinct.length === 1 ? distinct[0] : numbers.length === 1 ? numbers[0] : undefined);
      } else if (numbers.length === 1) suggestion = numbers[0];
      const all = without.length === considered;
      const severity: Severity = typeof tp === 'string' && all ? 'error' : 'warning';
      const evidence = [
        `Service port ${sp.name ? `${sp.name} ` : ''}${sp.port}/${sp.protocol} → targetPort ${JSON.stringify(tp)}`,
        ...without
          .slice(0, 5)
          .map(
            (p) =>
              `pod ${p.meta.name} declares ${declaredPorts(p).map(label).join(', ') || 'no ports'}${typeof tp === 'string' ? ': no port of that name, so no endpoint for this Service port' : ''}`,
          ),
      ];
      if (without.length > 5) evidence.push(`… and ${without.length - 5} more Pods`);
      const commands: string[] = [];
      if (suggestion !== undefined)
        commands.push(
          `kubectl patch service ${name} -n ${ns} --type=json -p '${JSON.stringify([{ op: 'replace', path: `/spec/ports/${index}/targetPort`, value: suggestion }])}'`,
        );
      commands.push(`kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${name} -o yaml`);
      const first = without[0];
      if (first)
        commands.push(
          `kubectl get pod ${first.meta.name} -n ${ns} -o jsonpath='{.spec.containers[*].ports}'`,
        );
      hits.push({
        subject: refOf(service),
        severity,
        ...(typeof tp === 'number' ? { confidence: 0.55 } : {}),
        data: {
          service: `${ns}/${name}`,
          port: sp.port,
          portName: sp.name,
          targetPort: tp,
          kind: typeof tp === 'string' ? ('named' as const) : ('number' as const),
          podsWithout: without.map((p) => p.meta.name),
          pods: considered,
          declared,
          ...(suggestion !== undefined ? { suggestion } : {}),
        },
        evidence,
        fix: {
          summary:
            suggestion !== undefined
              ? `Point targetPort at ${JSON.stringify(suggestion)}, which the Pods expose, or rename the container port.`
              : typeof tp === 'string'
                ? `Name a container port "${tp}" in the Pod template, or set targetPort to the number the app listens on.`
                : `Make sure the app listens on ${tp}; if it does, declare containerPort ${tp} so this stays visible.`,
          commands,
        },
      });
    }
    return hits;
  },
});
