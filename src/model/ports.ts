import type { Container, Pod, ServicePort } from './types.js';

/**
 * Resolve a Service port's targetPort on one Pod, as upstream podutil.FindPort does:
 * a number is used as is; a name is looked up among the containers' ports with the same
 * protocol (regular containers, then restartable init containers — sidecars).
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const tp = svcPort.targetPort;
  if (typeof tp === 'number') return tp;
  const containers: Container[] = [
    ...pod.containers,
    ...pod.initContainers.filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports) if (p.name === tp && p.protocol === svcPort.protocol) return p.containerPort;
  }
  return undefined;
}

/** Whether any container of the Pod declares this port number for the protocol. */
export function declaresPort(pod: Pod, port: number, protocol: string): boolean {
  return [...pod.containers, ...pod.initContainers].some((c) =>
    c.ports.some((p) => p.containerPort === port && p.protocol === protocol),
  );
}

/** A parsed "IP:PORT" or "[v6]:PORT". */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 0 && port <= 65535 ? { host: m[1] as string, port } : undefined;
}
