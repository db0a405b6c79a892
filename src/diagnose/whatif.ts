// What if the Service were different? Patch a copy of the snapshot data, rebuild the Snapshot,
// run diagnose and the matrix on both, and report what changed — a differential question in
// the manner of Batfish: fork, patch, compare. The original data is never touched.

import { SvcdoctorError } from '../errors.js';
import type { Question } from '../model/question.js';
import { Snapshot } from '../model/snapshot.js';
import type { Service, SnapshotData } from '../model/types.js';
import { type DiagnoseOptions, type DiagnoseResult, diagnose, type Verdict } from './diagnose.js';
import { type CellVerdict, type MatrixResult, matrix } from './matrix.js';

/** One edit: a field path on the Service as kubectl shows it, and a value (undefined = remove). */
export interface ServicePatch {
  path: string;
  value: string | undefined;
}

/**
 * Field path syntax, as `kubectl get svc -o yaml` shows the object:
 *   spec.externalTrafficPolicy=Cluster
 *   spec.ports[0].targetPort=8080
 *   spec.selector.app=web
 *   metadata.annotations["kubernetes.io/elb.pass-through"]=true    (bracketed key: dots and slashes allowed)
 *   metadata.labels.team=a
 *   status.loadBalancer.ingress[0].ip=203.0.113.10
 * A value of `null` (or --annotate KEY-) removes the field.
 */
export function parseSetExpression(text: string): ServicePatch {
  // The path ends at the first '=' that is not inside ["..."].
  let depth = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (ch === '=' && depth === 0) break;
  }
  if (i >= text.length || i === 0)
    throw new SvcdoctorError('SVCDOCTOR_USAGE', `--set ${text}: expected FIELD=VALUE`, {
      hint: 'e.g. --set spec.externalTrafficPolicy=Cluster or --set metadata.annotations["kubernetes.io/elb.pass-through"]=true',
    });
  const path = text.slice(0, i).trim();
  const value = text.slice(i + 1);
  return { path, value: value === 'null' ? undefined : value };
}

/** `--annotate KEY=VALUE` (or `KEY-` to remove), like kubectl annotate. */
export function parseAnnotate(text: string): ServicePatch {
  if (text.endsWith('-') && !text.includes('='))
    return { path: `metadata.annotations[${JSON.stringify(text.slice(0, -1))}]`, value: undefined };
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SvcdoctorError('SVCDOCTOR_USAGE', `--annotate ${text}: expected KEY=VALUE or KEY-`);
  return { path: `metadata.annotations[${JSON.stringify(text.slice(0, eq))}]`, value: text.slice(eq + 1) };
}

type Segment = string | number;

function segments(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*'([^']*)'\s*\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  for (m = re.exec(path); m; m = re.exec(path)) {
    const between = path.slice(consumed, m.index).replace(/\./g, '');
    if (between.length > 0) break;
    consumed = m.index + m[0].length;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
    else if (m[4] !== undefined) out.push(m[4]);
  }
  if (consumed !== path.length || out.length === 0)
    throw new SvcdoctorError('SVCDOCTOR_USAGE', `--set ${path}: cannot parse the field path`, {
      hint: 'use dots for fields, [N] for list items and ["key"] for keys with dots or slashes',
    });
  return out;
}

/** Kubernetes object paths onto the normalised model (metadata -> meta, spec.* -> top level). */
function toModelPath(segs: Segment[]): Segment[] {
  const [head, ...rest] = segs;
  if (head === 'metadata') return ['meta', ...rest];
  if (head === 'spec') return rest;
  if (head === 'status' && rest[0] === 'loadBalancer' && rest[1] === 'ingress')
    return ['loadBalancerIngress', ...rest.slice(2)];
  return segs;
}

/** Map-like fields whose values are always strings. */
const STRING_MAPS = new Set(['annotations', 'labels', 'selector']);

function coerce(raw: string, current: unknown, parentKey: Segment | undefined): unknown {
  if (typeof parentKey === 'string' && STRING_MAPS.has(parentKey)) return raw;
  if (typeof current === 'string') return raw;
  if (typeof current === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) && raw.trim() !== '' ? n : raw;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Apply one patch to a Service (in place: callers pass a copy). */
export function applyPatch(svc: Service, patch: ServicePatch): void {
  const segs = toModelPath(segments(patch.path));
  let obj: unknown = svc;
  for (let i = 0; i < segs.length - 1; i++) {
    const key = segs[i] as Segment;
    const cur = obj as Record<string | number, unknown>;
    let next = cur[key];
    if (next === undefined || next === null) {
      const nextKey = segs[i + 1];
      next = typeof nextKey === 'number' ? [] : {};
      cur[key] = next;
    }
    if (typeof next !== 'object')
      throw new SvcdoctorError(
        'SVCDOCTOR_USAGE',
        `--set ${patch.path}: ${segs.slice(0, i + 1).join('.')} is not an object`,
      );
    obj = next;
  }
  const last = segs[segs.length - 1] as Segment;
  const parentKey = segs.length > 1 ? segs[segs.length - 2] : undefined;
  const target = obj as Record<string | number, unknown>;
  if (segs.length === 1 && !(String(last) in svc))
    throw new SvcdoctorError(
      'SVCDOCTOR_USAGE',
      `--set ${patch.path}: Services have no field ${String(last)}`,
      {
        hint: 'paths start with spec., metadata. or status.loadBalancer.ingress',
      },
    );
  if (patch.value === undefined) {
    if (Array.isArray(target) && typeof last === 'number') target.splice(last, 1);
    else delete target[last];
  } else target[last] = coerce(patch.value, target[last], parentKey);
  // What the API server would do alongside: keep the derived fields consistent.
  if (segs[0] === 'externalTrafficPolicy' || segs[0] === 'type') {
    if (svc.externalTrafficPolicy !== 'Local' || svc.type !== 'LoadBalancer') delete svc.healthCheckNodePort;
    else if (svc.healthCheckNodePort === undefined) svc.healthCheckNodePort = 32767; // allocated by the API server
  }
  if (segs[0] === 'type') {
    // The API server allocates node ports for NodePort/LoadBalancer and drops them for ClusterIP.
    const wants =
      svc.type === 'NodePort' || (svc.type === 'LoadBalancer' && svc.allocateLoadBalancerNodePorts !== false);
    svc.ports.forEach((p, i) => {
      if (wants && p.nodePort === undefined) p.nodePort = 30000 + ((p.port * 7 + i) % 2768);
      if (!wants && svc.type === 'ClusterIP') delete p.nodePort;
    });
  }
  if (segs[0] === 'clusterIP' && typeof svc.clusterIP === 'string') {
    svc.clusterIPs = svc.clusterIP === 'None' ? [] : [svc.clusterIP];
    svc.headless = svc.clusterIP === 'None';
  }
}

/** A patched copy of the snapshot data; the original is not modified. */
export function patchedData(
  data: SnapshotData,
  target: { namespace: string; name: string },
  patches: ServicePatch[],
): SnapshotData {
  const copy = structuredClone(data);
  const svc = copy.services.find((s) => s.meta.namespace === target.namespace && s.meta.name === target.name);
  if (!svc)
    throw new SvcdoctorError('SVCDOCTOR_USAGE', `Service ${target.namespace}/${target.name} not found`);
  for (const p of patches) applyPatch(svc, p);
  // Observations record what happened to the cluster as it is; they say nothing of the patched one.
  copy.observations = [];
  // LB health follows externalTrafficPolicy (Local nodes without endpoints fail the check): the
  // health the inventory recorded belongs to the old policy.
  if (patches.some((p) => p.path.includes('externalTrafficPolicy'))) {
    const owner = `service/${target.namespace}/${target.name}`;
    for (const lb of copy.cloud?.loadBalancers ?? []) {
      if (lb.owner !== owner && !svc.loadBalancerIngress.some((i) => i.ip && lb.addresses.includes(i.ip)))
        continue;
      for (const l of lb.listeners)
        for (const b of [...(l.backends ?? []), ...(l.rules ?? []).flatMap((r) => r.backends)])
          delete b.health;
    }
  }
  return copy;
}

export interface CellChange {
  clientLocation: string;
  column: string;
  address: string;
  before: CellVerdict;
  after: CellVerdict;
  findingBefore?: string;
  findingAfter?: string;
}

export interface WhatifResult {
  target: { kind: 'Service'; namespace: string; name: string };
  patches: ServicePatch[];
  before: { verdict: Verdict; diagnose: DiagnoseResult; matrix?: MatrixResult };
  after: { verdict: Verdict; diagnose: DiagnoseResult; matrix?: MatrixResult };
  changes: {
    verdict: { before: Verdict; after: Verdict };
    /** Finding ids gone after the patch (fixed). */
    disappeared: string[];
    /** Finding ids that the patch introduces. */
    appeared: string[];
    cells: CellChange[];
  };
}

export function whatif(
  data: SnapshotData,
  question: Question,
  patches: ServicePatch[],
  options: DiagnoseOptions = {},
): WhatifResult {
  const target = { namespace: question.target.namespace ?? 'default', name: question.target.name };
  const after = new Snapshot(patchedData(data, target, patches));
  const before = new Snapshot(data);
  const run = (s: Snapshot) => {
    const d = diagnose(s, question, options);
    const svc = s.service(target.namespace, target.name);
    return { verdict: d.verdict, diagnose: d, ...(svc ? { matrix: matrix(s, svc) } : {}) };
  };
  const b = run(before);
  const a = run(after);
  const idsB = new Set(b.diagnose.findings.map((f) => f.id));
  const idsA = new Set(a.diagnose.findings.map((f) => f.id));
  const cells: CellChange[] = [];
  for (const cb of b.matrix?.cells ?? []) {
    const ca = a.matrix?.cells.find((x) => x.clientLocation === cb.clientLocation && x.column === cb.column);
    if (!ca || (ca.verdict === cb.verdict && ca.findingId === cb.findingId)) continue;
    cells.push({
      clientLocation: cb.clientLocation,
      column: cb.column,
      address: ca.address,
      before: cb.verdict,
      after: ca.verdict,
      ...(cb.findingId ? { findingBefore: cb.findingId } : {}),
      ...(ca.findingId ? { findingAfter: ca.findingId } : {}),
    });
  }
  return {
    target: { kind: 'Service', ...target },
    patches,
    before: b,
    after: a,
    changes: {
      verdict: { before: b.verdict, after: a.verdict },
      disappeared: [...idsB].filter((id) => !idsA.has(id)),
      appeared: [...idsA].filter((id) => !idsB.has(id)),
      cells,
    },
  };
}
