import { isSvcdoctorError } from '../../errors.js';
import type { Snapshot } from '../../model/snapshot.js';
import { type Instant, instantOfDate, parseTimestamp } from '../../model/time.js';
import type { Observation, Service } from '../../model/types.js';

export type FailureTimeSource = 'at' | 'observation' | 'snapshot' | 'now';

export interface FailureTime {
  at: Instant;
  source: FailureTimeSource;
  /** The observation that fixed the time, when source is 'observation'. */
  observation?: Observation;
}

/** An observation that shows the failure (anything but success, and HTTP codes below 400 count as success). */
export function isFailingObservation(o: Observation): boolean {
  if (o.result === 'ok') return false;
  const http = /^http-(\d{3})$/.exec(o.result);
  if (http) return Number(http[1]) >= 400;
  return true;
}

function splitHostPort(to: string): { host: string; port?: number } | undefined {
  const noProto = to.replace(/\/(tcp|udp|sctp)$/i, '');
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(noProto);
  if (v6) return { host: v6[1] ?? '', ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const m = /^([^:/]+)(?::(\d+))?$/.exec(noProto);
  if (!m) return undefined;
  return { host: m[1] ?? '', ...(m[2] ? { port: Number(m[2]) } : {}) };
}

/** Whether an observation's target is this Service (by name, DNS name, or one of its addresses). */
export function observationConcerns(snapshot: Snapshot, svc: Service, o: Observation): boolean {
  const ns = svc.meta.namespace;
  const name = svc.meta.name;
  const to = o.to.trim();
  if (to === `svc/${ns}/${name}` || to.startsWith(`svc/${ns}/${name}:`)) return true;
  let target = to;
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(to);
  if (url) target = url[1] ?? '';
  const hp = splitHostPort(target);
  if (!hp) return false;
  const host = hp.host.toLowerCase();
  if (host === name || host.startsWith(`${name}.${ns}`)) return true;
  const serviceIPs = new Set<string>([
    ...svc.clusterIPs,
    svc.clusterIP,
    ...svc.externalIPs,
    ...svc.loadBalancerIngress.map((i) => i.ip).filter((ip): ip is string => !!ip),
  ]);
  if (serviceIPs.has(hp.host)) return true;
  if (hp.port !== undefined && snapshot.nodeByAddress(hp.host))
    return svc.ports.some((p) => p.nodePort === hp.port);
  return false;
}

function observedAt(o: Observation): Instant | undefined {
  try {
    return parseTimestamp(o.at, 'observation at');
  } catch (e) {
    if (isSvcdoctorError(e)) return undefined;
    throw e;
  }
}

/** The newest failing observation: of this Service if any concerns it, else of any target. */
export function newestFailingObservation(
  snapshot: Snapshot,
  svc: Service | undefined,
): { at: Instant; observation: Observation } | undefined {
  let best: { at: Instant; observation: Observation; related: boolean } | undefined;
  for (const o of snapshot.data.observations) {
    if (!isFailingObservation(o)) continue;
    const at = observedAt(o);
    if (!at) continue;
    const related = svc ? observationConcerns(snapshot, svc, o) : false;
    if (!best || (related && !best.related) || (related === best.related && at.ns > best.at.ns))
      best = { at, observation: o, related };
  }
  return best && { at: best.at, observation: best.observation };
}

/**
 * When the failure happened, if the user did not say: the newest failing observation, else the
 * time the snapshot was taken (a bundle read days later is judged as of its collection), else now.
 */
export function defaultFailureTime(snapshot: Snapshot, svc: Service | undefined, now: Date): FailureTime {
  const obs = newestFailingObservation(snapshot, svc);
  if (obs) return { at: obs.at, source: 'observation', observation: obs.observation };
  try {
    const taken = parseTimestamp(snapshot.data.takenAt, 'snapshot takenAt');
    if (taken) return { at: taken, source: 'snapshot' };
  } catch (e) {
    if (!isSvcdoctorError(e)) throw e;
  }
  return { at: instantOfDate(now), source: 'now' };
}
