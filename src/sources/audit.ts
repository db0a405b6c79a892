// Kubernetes audit logs (audit.k8s.io/v1 Event, one JSON object per line, as the API server's
// log backend writes them), reduced to the changes `timeline` dates: who changed what, when.

import { SvcdoctorError } from '../errors.js';
import { parseTimestamp } from '../model/time.js';
import type { AuditEntry, Origin } from '../model/types.js';

const AUDIT_API_VERSIONS = new Set(['audit.k8s.io/v1', 'audit.k8s.io/v1beta1']);

const KIND_OF_RESOURCE: Record<string, string> = {
  services: 'Service',
  endpoints: 'Endpoints',
  endpointslices: 'EndpointSlice',
  pods: 'Pod',
  nodes: 'Node',
  networkpolicies: 'NetworkPolicy',
  ingresses: 'Ingress',
  ingressclasses: 'IngressClass',
  configmaps: 'ConfigMap',
  daemonsets: 'DaemonSet',
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  replicasets: 'ReplicaSet',
  namespaces: 'Namespace',
  leases: 'Lease',
  servicecidrs: 'ServiceCIDR',
};

const MUTATING_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a parsed JSON value is an audit Event (any audit.k8s.io version we read). */
export function isAuditEvent(raw: unknown): raw is Record<string, unknown> {
  return isObject(raw) && raw.kind === 'Event' && AUDIT_API_VERSIONS.has(String(raw.apiVersion));
}

/** Whether a file's text is an audit log: its first non-empty line is an audit Event object. */
export function looksLikeAuditLog(text: string): boolean {
  const first = text.split('\n', 20).find((l) => l.trim() !== '');
  if (!first?.trim().startsWith('{')) return false;
  try {
    const raw: unknown = JSON.parse(first);
    return (
      isAuditEvent(raw) ||
      (isObject(raw) && raw.kind === 'EventList' && AUDIT_API_VERSIONS.has(String(raw.apiVersion)))
    );
  } catch {
    return false;
  }
}

/**
 * One audit Event → an AuditEntry, or undefined when it changed nothing: reads (get, list,
 * watch), requests the API server refused (status code ≥ 400), the earlier stages of a request
 * (RequestReceived / ResponseStarted: only ResponseComplete or Panic is kept, so one request is
 * one entry) and status subresource writes (controllers and kubelets report state there; the
 * configuration did not change). The time is stageTimestamp, when the change was complete.
 * Throws SVCDOCTOR_BAD_TIME naming `where` if a timestamp cannot be read.
 */
export function auditEntryOf(raw: Record<string, unknown>, origin: Origin): AuditEntry | undefined {
  const verb = typeof raw.verb === 'string' ? raw.verb : '';
  if (!MUTATING_VERBS.has(verb)) return undefined;
  const stage = typeof raw.stage === 'string' ? raw.stage : undefined;
  if (stage !== undefined && stage !== 'ResponseComplete' && stage !== 'Panic') return undefined;
  const status = isObject(raw.responseStatus) ? raw.responseStatus : undefined;
  if (status && typeof status.code === 'number' && status.code >= 400) return undefined;
  const ref = isObject(raw.objectRef) ? raw.objectRef : undefined;
  if (!ref) return undefined;
  if (ref.subresource === 'status') return undefined;
  const where = `${origin.file}${origin.line !== undefined ? `:${origin.line}` : ''}`;
  const field = raw.stageTimestamp !== undefined ? 'stageTimestamp' : 'requestReceivedTimestamp';
  const text = raw[field];
  if (typeof text !== 'string')
    throw new SvcdoctorError('SVCDOCTOR_BAD_TIME', `${where}: audit event has no ${field}`, {
      hint: 'audit.k8s.io/v1 events carry stageTimestamp and requestReceivedTimestamp (RFC 3339)',
    });
  const time = parseTimestamp(text, `${where}: ${field}`);
  const resource = typeof ref.resource === 'string' ? ref.resource : '';
  const user = isObject(raw.user) && typeof raw.user.username === 'string' ? raw.user.username : undefined;
  return {
    time: time?.iso ?? text,
    verb,
    ...(user ? { user } : {}),
    objectRef: {
      kind: KIND_OF_RESOURCE[resource] ?? resource,
      resource,
      ...(typeof ref.namespace === 'string' && ref.namespace ? { namespace: ref.namespace } : {}),
      name: typeof ref.name === 'string' ? ref.name : '',
    },
    origin,
  };
}

/**
 * Parses an audit log file: JSON lines of audit Events (or one audit EventList). A line that
 * is not JSON, not an audit Event, or carries a bad timestamp is an error naming file:line;
 * all such lines are reported together.
 */
export function parseAuditLog(text: string, file: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const problems: string[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !trimmed.includes('\n{')) {
    // A single document: an EventList written by hand or by a webhook backend dump.
    try {
      const raw: unknown = JSON.parse(trimmed);
      if (isObject(raw) && raw.kind === 'EventList' && Array.isArray(raw.items)) {
        raw.items.forEach((item, i) => {
          collect(item, { file, doc: i }, `${file}: items[${i}]`);
        });
        return finish();
      }
    } catch {
      // fall through to line-by-line reading, which reports the line
    }
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const n = i + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push(`${file}:${n}: invalid JSON: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    collect(raw, { file, line: n }, `${file}:${n}`);
  });
  return finish();

  function collect(raw: unknown, origin: Origin, where: string): void {
    if (!isAuditEvent(raw)) {
      problems.push(`${where}: not an audit event (expected apiVersion audit.k8s.io/v1, kind Event)`);
      return;
    }
    try {
      const e = auditEntryOf(raw, origin);
      if (e) entries.push(e);
    } catch (err) {
      if (err instanceof SvcdoctorError) problems.push(err.message);
      else throw err;
    }
  }

  function finish(): AuditEntry[] {
    if (problems.length > 0)
      throw new SvcdoctorError(
        'SVCDOCTOR_INPUT_MALFORMED',
        problems.length === 1 ? (problems[0] ?? '') : `${file}: ${problems.length} bad audit log lines`,
        {
          problems,
          hint: 'an audit log is one audit.k8s.io/v1 Event JSON object per line with RFC 3339 timestamps',
        },
      );
    return entries;
  }
}
