import { placeObservation, probeFailures } from '../diagnose/observations.js';
import { backendsOf } from '../model/endpoints.js';
import { findPort } from '../model/ports.js';
import type { Question } from '../model/question.js';
import { refOf } from '../model/snapshot.js';
import type { Pod, Service, ServicePort } from '../model/types.js';
import { defineCheck } from './define.js';

export interface RefusedAt {
  pod: string;
  ip: string;
  port: number;
  /** observation: the user saw it; probe: a kubelet probe event; service: refused through the Service with ready endpoints. */
  source: 'observation' | 'probe' | 'service';
  detail: string;
}

/** The Service ports the question is about: the one the client used, else all. */
export function portsInQuestion(service: Service, question: Question): ServicePort[] {
  const p = question.port ?? question.address?.port;
  if (p === undefined) return service.ports;
  const hit = service.ports.filter((sp) =>
    typeof p === 'string' ? sp.name === p : sp.port === p || sp.nodePort === p || sp.targetPort === p,
  );
  return hit.length > 0 ? hit : service.ports;
}

/** Where connections to the Service's pods at their targetPort were refused, and how we know. */
export function refusalsAtPods(
  snapshot: Parameters<typeof backendsOf>[0],
  service: Service,
  ports: ServicePort[],
): RefusedAt[] {
  const out: RefusedAt[] = [];
  const pods = snapshot.podsForService(service);
  const targets = new Map<Pod, Set<number>>();
  for (const pod of pods) {
    const set = new Set<number>();
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n !== undefined) set.add(n);
    }
    targets.set(pod, set);
  }
  const seen = new Set<string>();
  const add = (r: RefusedAt) => {
    const key = `${r.pod}|${r.port}|${r.source}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const o of snapshot.data.observations) {
    if (o.result !== 'refused') continue;
    const placed = placeObservation(snapshot, o);
    if (placed.hop.kind !== 'pod') continue;
    const pod = placed.hop.pod;
    const wanted = targets.get(pod);
    if (!wanted) continue;
    const port = placed.hop.port ?? (wanted.size === 1 ? [...wanted][0] : undefined);
    if (port === undefined || !wanted.has(port)) continue;
    add({
      pod: pod.meta.name,
      ip: pod.podIP ?? '',
      port,
      source: 'observation',
      detail: o.detail ?? `${o.from} → ${o.to}: refused`,
    });
  }
  for (const [pod, wanted] of targets) {
    for (const f of probeFailures(snapshot, pod)) {
      if (f.classification.result !== 'refused') continue;
      const port = f.classification.port;
      if (port === undefined || !wanted.has(port)) continue;
      if (
        f.classification.address &&
        pod.podIP &&
        f.classification.address !== pod.podIP &&
        !/^(127\.|localhost)/.test(f.classification.address)
      )
        continue;
      add({
        pod: pod.meta.name,
        ip: pod.podIP ?? '',
        port,
        source: 'probe',
        detail: `${f.message}${f.count > 1 ? ` (x${f.count})` : ''}`,
      });
    }
  }
  // A later success at the same pod and port overrides refusals (the app started, or was fixed).
  const working = new Set<string>();
  for (const o of snapshot.data.observations) {
    if (o.result !== 'ok') continue;
    const hop = placeObservation(snapshot, o).hop;
    if (hop.kind === 'pod' && hop.port !== undefined) working.add(`${hop.pod.meta.name}|${hop.port}`);
  }
  return out.filter((r) => !working.has(`${r.pod}|${r.port}`));
}

/**
 * Refusals seen at the ClusterIP while the Service has ready endpoints and no internal traffic
 * policy that could leave a node without one: kube-proxy DNATs such a connection to a pod, so
 * the RST came from the pod. Refusals at node ports and LB addresses prove nothing here: with
 * externalTrafficPolicy Local (or in IPVS mode) kube-proxy itself can refuse them.
 */
export function refusalsThroughService(
  snapshot: Parameters<typeof backendsOf>[0],
  service: Service,
): string[] {
  if (service.internalTrafficPolicy === 'Local') return [];
  const ready = backendsOf(snapshot, service).backends.filter((b) => b.ready);
  if (ready.length === 0) return [];
  const out: string[] = [];
  for (const o of snapshot.data.observations) {
    if (o.result !== 'refused') continue;
    const hop = placeObservation(snapshot, o).hop;
    const svc =
      hop.kind === 'cluster-ip'
        ? hop.service
        : hop.kind === 'service-ref'
          ? snapshot.service(hop.namespace, hop.name)
          : undefined;
    if (svc === service) out.push(o.detail ?? `${o.from} → ${o.to}: refused`);
  }
  return out;
}

export default defineCheck<{ pods: string[]; port: number; refusals: RefusedAt[]; viaService: boolean }>({
  id: 'container-not-listening',
  severity: 'error',
  layer: 'container',
  confidence: 0.8,
  title: (d) =>
    `Nothing listens on port ${d.port} in ${d.pods.length === 1 ? `pod ${d.pods[0]}` : `${d.pods.length} pods`}: connections are refused`,
  docs: {
    what: 'Connections to the Pod IP at the Service targetPort are refused: the container does not listen on that port.',
    why: 'Every Service path ends with a connection to PodIP:targetPort. A RST there comes from the Pod itself, so no Service, kube-proxy or cloud setting can fix it: the application port, or the targetPort, is wrong.',
    confirm:
      'kubectl exec -n NS POD -- sh -c "ss -ltn || netstat -ltn" shows which ports the app listens on; curl PodIP:targetPort from another pod returns "Connection refused".',
    fix: 'Make the application listen on the targetPort on all interfaces (0.0.0.0 / ::), or change the Service targetPort (and containerPort) to the port the application really uses.',
  },
  source: [
    'seed 000 check item 1 (the container does not listen to the access port)',
    'kubernetes.io Debug Services: "Are the Pods working?"',
  ],
  run({ snapshot, service, question, paths }) {
    if (!service || service.type === 'ExternalName' || !service.selector) return [];
    const ports = portsInQuestion(service, question);
    const refusals = refusalsAtPods(snapshot, service, ports);
    let viaService = false;
    let port = refusals[0]?.port;
    if (refusals.length === 0) {
      // A refusal the data path explains before any pod (kube-proxy REJECT on a node) is not the container's.
      if (paths.some((p) => p.outcome === 'rejected' && p.hops.at(-1)?.at.startsWith('node/'))) return [];
      const through = refusalsThroughService(snapshot, service);
      const pod = snapshot.podsForService(service).find((p) => p.ready);
      const sp = ports[0];
      const n = pod && sp ? findPort(pod, sp) : undefined;
      if (through.length === 0 || !pod || n === undefined) return [];
      viaService = true;
      port = n;
      refusals.push({
        pod: pod.meta.name,
        ip: pod.podIP ?? '',
        port: n,
        source: 'service',
        detail: through[0]!,
      });
    }
    if (port === undefined) return [];
    const pods = [...new Set(refusals.map((r) => r.pod))].sort();
    const ns = service.meta.namespace;
    const first = snapshot.pod(ns, pods[0]!);
    const declared = first
      ? first.containers.flatMap((c) => c.ports.map((p) => p.containerPort)).filter((p) => p !== port)
      : [];
    const commands = [
      `kubectl exec -n ${ns} ${pods[0]} -- sh -c 'ss -ltn 2>/dev/null || netstat -ltn'`,
      // Seed 000 item 1: when PodIP:port fails, try 127.0.0.1:port from inside the container.
      `kubectl exec -n ${ns} ${pods[0]} -- sh -c 'curl -sv -m 3 http://127.0.0.1:${port}/ || wget -qO- -T 3 http://127.0.0.1:${port}/'`,
      `kubectl logs -n ${ns} ${pods[0]}`,
    ];
    if (declared.length === 1) {
      commands.push(
        `kubectl patch service ${service.meta.name} -n ${ns} --type=json -p '[{"op":"replace","path":"/spec/ports/0/targetPort","value":${declared[0]}}]'`,
      );
    }
    return [
      {
        subject: first ? refOf(first) : refOf(service),
        data: { pods, port, refusals, viaService },
        // A refusal seen only through the Service could also be kube-proxy; it is weaker evidence.
        confidence: viaService ? 0.55 : refusals.some((r) => r.source === 'observation') ? 0.9 : 0.8,
        evidence: refusals.map((r) =>
          r.source === 'service'
            ? `refused through the Service although it has ready endpoints: ${r.detail}`
            : `${r.ip}:${r.port} (${r.pod}) refused — ${r.source === 'probe' ? 'kubelet' : 'observed'}: ${r.detail}`,
        ),
        fix: {
          summary: `Make the app listen on 0.0.0.0:${port}, or set targetPort to the port it really listens on.`,
          commands,
        },
      },
    ];
  },
});
