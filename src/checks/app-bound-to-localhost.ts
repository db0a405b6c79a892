import { parseObservedTarget, placeObservation } from '../diagnose/observations.js';
import { findPort } from '../model/ports.js';
import { refOf } from '../model/snapshot.js';
import type { Container, Pod } from '../model/types.js';
import { portsInQuestion, refusalsAtPods } from './container-not-listening.js';
import { type CheckHit, defineCheck } from './define.js';

const LOOPBACK = String.raw`(?:127\.0\.0\.1|localhost|::1|\[::1\])`;
// Flags and directives that choose the listening address. Client-side flags such as --upstream
// or --proxy-to are deliberately absent: pointing at 127.0.0.1 there is normal for sidecars.
const BIND_PATTERNS: RegExp[] = [
  new RegExp(
    String.raw`(?:^|\s)(--?(?:bind|bind-address|bind-addr|host|hostname|listen|listen-address|listen-addr|addr|address|http-addr|http-address|web\.listen-address|server\.address|server-address|ip|interface|b))(?:=|\s+)(?:[a-z]+://)?(${LOOPBACK})(?::(\d+))?(?=\s|$|/)`,
    'i',
  ),
  new RegExp(String.raw`(?:^|[\s;{])(listen)\s+(${LOOPBACK}):(\d+)`, 'i'),
  new RegExp(String.raw`(?:^|\s)(bind-address|bind|host)\s*=\s*(${LOOPBACK})(?::(\d+))?`, 'i'),
  // uvicorn/gunicorn/flask style positional "app:app --host 127.0.0.1 --port 8000" is covered by the
  // first pattern; "gunicorn -b 127.0.0.1:8000" too. Go/Node "ADDR=127.0.0.1:8080" env-style args:
  new RegExp(String.raw`(?:^|\s)([A-Z_]*(?:ADDR|HOST|BIND|LISTEN)[A-Z_]*)=(${LOOPBACK})(?::(\d+))?`),
];

export interface LoopbackBinding {
  container: string;
  flag: string;
  address: string;
  port?: number;
  text: string;
}

/** Loopback listen addresses in a container's command and args. */
export function loopbackBindings(c: Container): LoopbackBinding[] {
  const text = [...c.command, ...c.args].join(' ');
  const out: LoopbackBinding[] = [];
  for (const re of BIND_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const port = m[3] ? Number(m[3]) : undefined;
    out.push({
      container: c.name,
      flag: m[1]!,
      address: m[2]!,
      ...(port ? { port } : {}),
      text: m[0].trim(),
    });
  }
  return out;
}

/** The workload to edit: a ReplicaSet owner means its Deployment (name minus the template hash). */
function ownerOf(pod: Pod): string {
  const o = pod.meta.ownerReferences.find((r) => r.controller) ?? pod.meta.ownerReferences[0];
  if (!o) return `pod/${pod.meta.name}`;
  if (o.kind === 'ReplicaSet') return `deployment/${o.name.replace(/-[a-z0-9]{6,10}$/, '')}`;
  return `${o.kind.toLowerCase()}/${o.name}`;
}

interface Data extends Record<string, unknown> {
  pod: string;
  port: number;
  bindings: LoopbackBinding[];
  /** Observed working at loopback inside the pod. */
  worksAtLoopback: string[];
  /** Refused at PodIP:port (observations or probes). */
  refusedAtPodIP: string[];
}

export default defineCheck<Data>({
  id: 'app-bound-to-localhost',
  severity: 'error',
  layer: 'container',
  confidence: 0.9,
  title: (d) => `The app in ${d.pod} listens on localhost only: port ${d.port} is unreachable at the Pod IP`,
  docs: {
    what: 'The application binds its port to 127.0.0.1 (or ::1), so it answers inside the container but refuses connections to the Pod IP.',
    why: 'Services, node ports and load balancers all deliver to PodIP:targetPort. A socket bound to loopback never sees those packets; the kernel answers with a reset, and readiness probes from the kubelet fail the same way.',
    confirm:
      'kubectl exec POD -- curl -s 127.0.0.1:PORT works while curl PodIP:PORT from another pod is refused; ss -ltn inside the pod shows 127.0.0.1:PORT instead of 0.0.0.0:PORT or *:PORT.',
    fix: 'Start the app with a wildcard listen address: --host 0.0.0.0 / --bind 0.0.0.0:PORT / listen PORT; for dev servers (Flask, Vite, Rails, Next.js) the default is loopback and must be overridden.',
  },
  source: [
    'seed 000 check item 1 (access <container IP>:<port>, then 127.0.0.1:<port> inside the container)',
    'kubernetes.io Debug Services: "Are the Pods working?"',
  ],
  run({ snapshot, service, question }) {
    if (!service || service.type === 'ExternalName' || !service.selector) return [];
    const ports = portsInQuestion(service, question);
    const pods = snapshot.podsForService(service);
    const refusals = refusalsAtPods(snapshot, service, ports);
    const hits: CheckHit<Data>[] = [];
    const byPod = new Map<Pod, Data>();
    for (const pod of pods) {
      const targets = new Set(
        ports.map((sp) => findPort(pod, sp)).filter((n): n is number => n !== undefined),
      );
      if (targets.size === 0) continue;
      // The container that declares the target port is the server; a sidecar's loopback flags
      // (clients such as redis-cli -h 127.0.0.1) say nothing about it.
      const owners = pod.containers.filter((c) => c.ports.some((cp) => targets.has(cp.containerPort)));
      const bindings = (owners.length > 0 ? owners : pod.containers)
        .flatMap(loopbackBindings)
        .filter((b) => b.port === undefined || targets.has(b.port));
      const worksAtLoopback: string[] = [];
      for (const o of snapshot.data.observations) {
        if (o.result !== 'ok' || o.from !== `pod/${pod.meta.namespace}/${pod.meta.name}`) continue;
        const t = parseObservedTarget(o.to);
        const loop = t.ip === '127.0.0.1' || t.ip === '::1' || t.host === 'localhost';
        if (loop && (t.port === undefined || targets.has(t.port)))
          worksAtLoopback.push(o.detail ?? `${o.to} ok`);
        // An ok at loopback with the pod's own placement counts the same.
        else if (placeObservation(snapshot, o).hop.kind === 'unknown' && loop) worksAtLoopback.push(o.to);
      }
      const refused = refusals.filter((r) => r.pod === pod.meta.name);
      if (bindings.length === 0 && worksAtLoopback.length === 0) continue;
      // Working at loopback alone proves nothing; it needs a refusal at the Pod IP to contrast with.
      if (bindings.length === 0 && refused.length === 0) continue;
      const port = refused[0]?.port ?? bindings.find((b) => b.port)?.port ?? [...targets][0]!;
      byPod.set(pod, {
        pod: pod.meta.name,
        port,
        bindings,
        worksAtLoopback,
        refusedAtPodIP: refused.map(
          (r) => `${r.ip}:${r.port} ${r.source === 'probe' ? '(kubelet probe)' : '(observed)'}`,
        ),
      });
    }
    // One finding for the first affected pod; replicas of one template share the cause.
    const entries = [...byPod.entries()].sort(([a], [b]) => a.meta.name.localeCompare(b.meta.name));
    const [firstEntry] = entries;
    if (!firstEntry) return [];
    const [pod, data] = firstEntry;
    const strong = data.refusedAtPodIP.length > 0;
    const evidence = [
      ...data.bindings.map((b) => `container ${b.container} is started with "${b.text}"`),
      ...data.worksAtLoopback.map((w) => `works inside the pod at loopback: ${w}`),
      ...data.refusedAtPodIP.map((r) => `refused at ${r}`),
    ];
    if (entries.length > 1) evidence.push(`${entries.length - 1} more pod(s) of the Service show the same`);
    const binding = data.bindings[0];
    hits.push({
      subject: refOf(pod),
      data,
      ...(strong ? {} : { severity: 'warning' as const, confidence: 0.5 }),
      evidence,
      fix: {
        summary: binding
          ? `Change "${binding.text}" to listen on 0.0.0.0${binding.port ? `:${binding.port}` : ''} (all interfaces).`
          : `Make the app listen on 0.0.0.0:${data.port} instead of 127.0.0.1.`,
        commands: [
          `kubectl exec -n ${pod.meta.namespace} ${pod.meta.name} -- sh -c 'ss -ltn 2>/dev/null || netstat -ltn'`,
          ...(binding
            ? [
                `kubectl edit ${ownerOf(pod)} -n ${pod.meta.namespace}  # replace ${binding.address} with 0.0.0.0 in the container args`,
              ]
            : []),
        ],
      },
    });
    return hits;
  },
});
