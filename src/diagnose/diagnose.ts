import { type Check, type CheckContext, toFinding } from '../checks/define.js';
import { ALL_CHECKS } from '../checks/registry.js';
import { computePaths } from '../dataplane/paths.js';
import type { Finding } from '../model/finding.js';
import { formatClient, isInClusterClient, type Question, type Via } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { ObjectRef, Service } from '../model/types.js';
import { placeObservation } from './observations.js';
import { observationsFor, rankForDiagnose } from './rank.js';
import { allUnknowns } from './unknowns.js';

export type Verdict = 'reachable' | 'unreachable' | 'partial' | 'unknown';

/** The result of `diagnose` — DESIGN.md's stable JSON contract. */
export interface DiagnoseResult {
  target: ObjectRef;
  question: {
    client: string;
    via?: Via;
    port?: number | string;
    address?: string;
    host?: string;
    path?: string;
    inferred: string[];
  };
  verdict: Verdict;
  findings: Finding[];
  paths: Trace[];
  unknowns: string[];
  /** Checks that failed to run (a bug or bad data): the run went on without them. */
  errors: string[];
}

export interface DiagnoseOptions {
  /** The time findings are judged at (certificates, windows). Default: question.at or now. */
  now?: Date;
  checks?: readonly Check[];
  mode?: 'diagnose' | 'audit';
  /** Ranking (default: rankForDiagnose — earliest failing hop, consequences folded under causes). */
  rank?: (findings: Finding[], paths: Trace[], snapshot: Snapshot, question: Question) => Finding[];
}

/** Fill in what the user left out, saying so: the access path from the Service type and client. */
export function inferVia(service: Service | undefined, question: Question, snapshot?: Snapshot): Question {
  if (question.via || !service) return question;
  let via: Via;
  if (question.address) {
    const { ip, port } = question.address;
    const cloudLb = snapshot?.data.cloud?.loadBalancers?.some((lb) => lb.addresses.includes(ip));
    const nat = snapshot?.data.cloud?.natGateways?.flatMap((g) => g.dnatRules).find((r) => r.eip === ip);
    if (service.clusterIPs.includes(ip)) via = 'clusterip';
    else if (service.externalIPs.includes(ip)) via = 'externalip';
    else if (service.loadBalancerIngress.some((i) => i.ip === ip) || cloudLb) via = 'loadbalancer';
    // An address of a node (or an EIP that a NAT rule maps to one) is a node port, whatever the port.
    else if (snapshot?.nodeByAddress(ip) || (nat && snapshot?.nodeByAddress(nat.internalAddress)))
      via = 'nodeport';
    else if (snapshot?.podsByAddress(ip).length) via = 'pod';
    else if (service.ports.some((p) => p.nodePort === port)) via = 'nodeport';
    else via = isInClusterClient(question.client) ? 'clusterip' : 'loadbalancer';
  } else if (!isInClusterClient(question.client)) {
    via =
      service.type === 'LoadBalancer'
        ? 'loadbalancer'
        : service.type === 'NodePort'
          ? 'nodeport'
          : service.externalIPs.length > 0
            ? 'externalip'
            : 'clusterip';
  } else {
    // A headless Service has no ClusterIP: its clients find the Pods by DNS.
    via = question.dnsName || service.headless ? 'dns' : 'clusterip';
  }
  return {
    ...question,
    via,
    inferred: [...question.inferred, `via ${via} (from the Service type and the client)`],
  };
}

/**
 * The verdict weighs simulated paths and checks together. A path the simulator delivers can
 * still fail at a layer it does not model (a certificate, a probe), so an error finding turns
 * "delivered" into "unreachable"; "partial" is kept for some paths working and others not.
 */
function verdictOf(
  paths: Trace[],
  findings: Finding[],
  service: Service | undefined,
  observedFailure = false,
): Verdict {
  if (!service) return 'unreachable';
  // What the client itself saw on this Service outranks a simulation that delivers.
  const error = observedFailure || findings.some((f) => f.severity === 'error');
  const delivered = paths.filter((p) => p.outcome === 'delivered' || p.outcome === 'local').length;
  const unknown = paths.filter((p) => p.outcome === 'insufficient-info').length;
  const failed = paths.length - delivered - unknown;
  if (failed > 0) return delivered > 0 ? 'partial' : 'unreachable';
  if (error) return 'unreachable';
  if (paths.length > 0 && unknown === paths.length) return 'unknown';
  return 'reachable';
}

/** The access paths an observation placed on a hop of this kind speaks for. */
const PATHS_OF_HOP: Record<string, readonly Via[] | undefined> = {
  pod: ['pod'],
  'cluster-ip': ['clusterip'],
  'node-port': ['nodeport'],
  lb: ['loadbalancer', 'ingress'],
  'external-ip': ['externalip'],
  dns: ['dns'],
  'service-ref': ['clusterip', 'dns'],
};

/** Whether a failure seen at this hop is about the path asked (unplaceable ones count). */
function observedOnPath(hopKind: string, via: Via | undefined): boolean {
  const paths = PATHS_OF_HOP[hopKind];
  return !via || !paths || paths.includes(via);
}

/** Answer "why can't this client reach this Service": paths, checks, ranking, unknowns. */
export function diagnose(snapshot: Snapshot, asked: Question, options: DiagnoseOptions = {}): DiagnoseResult {
  const service = snapshot.service(asked.target.namespace ?? 'default', asked.target.name);
  const question = inferVia(service, asked, snapshot);
  const now = options.now ?? (question.at ? new Date(question.at) : new Date());
  const paths = service ? computePaths(snapshot, service, question) : [];
  const unknowns: string[] = [];
  const errors: string[] = [];
  const ctx: CheckContext = {
    snapshot,
    ...(service ? { service } : {}),
    question,
    paths,
    now,
    mode: options.mode ?? 'diagnose',
    unknown(what, collect) {
      const line = collect ? `${what} — collect: ${collect}` : what;
      if (!unknowns.includes(line)) unknowns.push(line);
    },
  };
  const findings: Finding[] = [];
  for (const check of options.checks ?? ALL_CHECKS) {
    try {
      for (const hit of check.run(ctx)) findings.push(toFinding(check, hit));
    } catch (e) {
      errors.push(`check ${check.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // Reads the source was refused (RBAC): name the rule that would allow them.
  for (const w of snapshot.data.warnings)
    if (w.code === 'SVCDOCTOR_FORBIDDEN') ctx.unknown(w.message, w.hint ? `grant ${w.hint}` : undefined);
  const ranked = (options.rank ?? rankForDiagnose)(findings, paths, snapshot, question);
  // Missing facts with their collect commands, checks' own lines merged, in Debug Services order.
  const orderedUnknowns = allUnknowns(snapshot, service, question, unknowns);
  return {
    target: {
      kind: 'Service',
      namespace: question.target.namespace ?? 'default',
      name: question.target.name,
    },
    question: {
      client: formatClient(question.client),
      ...(question.via ? { via: question.via } : {}),
      ...(question.port !== undefined ? { port: question.port } : {}),
      ...(question.address ? { address: `${question.address.ip}:${question.address.port}` } : {}),
      ...(question.host ? { host: question.host } : {}),
      ...(question.path ? { path: question.path } : {}),
      inferred: question.inferred,
    },
    verdict: verdictOf(
      paths,
      ranked,
      service,
      observationsFor(snapshot, question).some(
        (o) =>
          o.from === formatClient(question.client) &&
          o.result !== 'ok' &&
          observedOnPath(placeObservation(snapshot, o).hop.kind, question.via),
      ),
    ),
    findings: ranked,
    paths,
    unknowns: orderedUnknowns,
    errors,
  };
}

export interface AuditResult {
  services: { target: ObjectRef; verdict: Verdict; findings: Finding[] }[];
  summary: { services: number; error: number; warning: number; info: number };
  unknowns: string[];
  errors: string[];
}

/** Every check on every Service in scope, for the default in-cluster question. */
export function audit(
  snapshot: Snapshot,
  scope: { namespace?: string },
  options: DiagnoseOptions = {},
): AuditResult {
  const services = scope.namespace ? snapshot.servicesIn(scope.namespace) : snapshot.services;
  const sorted = [...services].sort(
    (a, b) => a.meta.namespace.localeCompare(b.meta.namespace) || a.meta.name.localeCompare(b.meta.name),
  );
  const out: AuditResult = {
    services: [],
    summary: { services: 0, error: 0, warning: 0, info: 0 },
    unknowns: [],
    errors: [],
  };
  for (const svc of sorted) {
    const r = diagnose(
      snapshot,
      {
        target: { kind: 'Service', namespace: svc.meta.namespace, name: svc.meta.name },
        client: { kind: 'pod-on-other-node' },
        inferred: [],
      },
      { ...options, mode: 'audit' },
    );
    out.services.push({ target: r.target, verdict: r.verdict, findings: r.findings });
    out.summary.services++;
    for (const f of r.findings) out.summary[f.severity]++;
    for (const u of r.unknowns) if (!out.unknowns.includes(u)) out.unknowns.push(u);
    out.errors.push(...r.errors);
  }
  return out;
}
