import type { Finding, Fix, Severity } from '../model/finding.js';
import type { Question } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { ObjectRef, Service } from '../model/types.js';

/** The layers of the path from client to container, in the order a packet meets them. */
export const LAYERS = [
  'service', // the Service object itself: exists, type, ports
  'dns',
  'client-policy', // egress NetworkPolicy on the client
  'cloud', // EIP, NAT, LB, listeners, certificates, health checks
  'security-group',
  'route',
  'node', // node readiness, node network
  'kube-proxy', // rules, traffic policies, loopback
  'network-policy', // ingress NetworkPolicy at the backend
  'endpoints', // selector, readiness, endpoints objects
  'container', // ports, listening, app
  'history', // what changed (timeline)
] as const;
export type Layer = (typeof LAYERS)[number];

export interface CheckDocs {
  what: string;
  why: string;
  confirm: string;
  fix: string;
}

export interface CheckContext {
  snapshot: Snapshot;
  /** The Service being checked; undefined only for service-not-found style checks. */
  service?: Service;
  question: Question;
  /** Paths computed by the data plane for this question (may be empty when unknown). */
  paths: Trace[];
  /** The time findings are judged at (certificates, timeline windows): --at, observations or now. */
  now: Date;
  mode: 'diagnose' | 'audit';
  /** Record what could not be checked and how to collect it. */
  unknown(what: string, collect?: string): void;
}

/** What a check's run function returns; the framework adds id, severity default and title. */
export interface CheckHit<D extends Record<string, unknown> = Record<string, unknown>> {
  subject?: ObjectRef;
  data: D;
  evidence: string[];
  fix: Fix;
  /** Defaults to the check's confidence. */
  confidence?: number;
  /** Overrides the check's default severity for this hit (e.g. a warning when only partly broken). */
  severity?: Severity;
  seeAlso?: string[];
}

export interface CheckDefinition<D extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  severity: Severity;
  layer: Layer;
  /** Prior confidence that a hit is the root cause of the question. */
  confidence: number;
  title: (data: D) => string;
  docs: CheckDocs;
  /** Seeds (e.g. "seed 000 check item 2") and upstream sources the check follows. */
  source: string[];
  run: (ctx: CheckContext) => CheckHit<D>[];
}

export type Check = CheckDefinition<Record<string, unknown>>;

export function defineCheck<D extends Record<string, unknown>>(def: CheckDefinition<D>): Check {
  return def as unknown as Check;
}

export function toFinding(check: Check, hit: CheckHit): Finding {
  return {
    id: check.id,
    severity: hit.severity ?? check.severity,
    confidence: hit.confidence ?? check.confidence,
    title: check.title(hit.data),
    ...(hit.subject ? { subject: hit.subject } : {}),
    data: hit.data,
    evidence: hit.evidence,
    fix: hit.fix,
    seeAlso: hit.seeAlso ?? [],
  };
}
