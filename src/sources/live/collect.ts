// `svcdoctor collect`: the raw objects of a live read, written as the bundle the file source
// reads back — one `kind: List` YAML file per resource plus a CollectManifest saying what was
// read and what was forbidden. Before anything is written, managedFields are compacted and
// values that look like credentials are redacted: a bundle is meant to be handed to others.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CollectableKind } from '../../model/types.js';
import { SVCDOCTOR_API } from '../convert.js';
import { convertKube } from '../kube.js';
import { formatPath } from '../reader.js';
import type { LiveReadResult } from './read.js';
import { LIVE_RESOURCES } from './resources.js';

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export const REDACTED = '<redacted by svcdoctor>';

/** Names of env vars, annotations and flags whose values are taken to be credentials. */
const SECRET_NAME =
  /(pass(word|wd)?|secret|token|credential|private[-_]?key|api[-_]?key|access[-_]?key|auth|bearer|session|cookie|dsn|connection[-_]?string|signature|salt)/i;

/** Values that are credentials whatever their name says. */
const SECRET_VALUE = [
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, // JWT
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/, // GitHub token
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/, // Slack token
  /:\/\/[^/\s:@]+:[^/\s@]+@/, // URL with user:password
];

export function looksLikeSecretValue(v: string): boolean {
  return SECRET_VALUE.some((re) => re.test(v));
}

/** Annotation keys that are well-known configuration, never credentials (kept even if a word matches). */
const SAFE_ANNOTATION =
  /^(service\.beta\.kubernetes\.io|service\.kubernetes\.io|kubernetes\.io\/elb|endpoints\.kubernetes\.io|deployment\.kubernetes\.io|networking\.gke\.io|nginx\.ingress\.kubernetes\.io\/(auth-url|auth-signin|auth-method|auth-response-headers|auth-type|auth-realm|auth-secret(-type)?))/;

export interface RedactionCounts {
  envValues: number;
  annotations: number;
  args: number;
}

function redactContainers(list: unknown, counts: RedactionCounts): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (!isObj(c)) continue;
    if (Array.isArray(c.env)) {
      for (const e of c.env) {
        if (!isObj(e) || typeof e.value !== 'string' || e.value === '') continue;
        const name = typeof e.name === 'string' ? e.name : '';
        if (SECRET_NAME.test(name) || looksLikeSecretValue(e.value)) {
          e.value = REDACTED;
          counts.envValues++;
        }
      }
    }
    for (const key of ['args', 'command'] as const) {
      const arr = c[key];
      if (!Array.isArray(arr)) continue;
      c[key] = arr.map((a, i) => {
        if (typeof a !== 'string') return a;
        // --password=xyz / --token xyz
        const m = /^(--?[A-Za-z0-9_.-]+)=(.*)$/.exec(a);
        if (m && SECRET_NAME.test(m[1]!) && m[2]) {
          counts.args++;
          return `${m[1]}=${REDACTED}`;
        }
        const prev = i > 0 ? arr[i - 1] : undefined;
        if (
          typeof prev === 'string' &&
          /^--?[A-Za-z0-9_.-]+$/.test(prev) &&
          SECRET_NAME.test(prev) &&
          !a.startsWith('-')
        ) {
          counts.args++;
          return REDACTED;
        }
        if (looksLikeSecretValue(a)) {
          counts.args++;
          return REDACTED;
        }
        return a;
      });
    }
  }
}

function redactPodSpec(spec: unknown, counts: RedactionCounts): void {
  if (!isObj(spec)) return;
  redactContainers(spec.containers, counts);
  redactContainers(spec.initContainers, counts);
  redactContainers(spec.ephemeralContainers, counts);
}

/** Redacts in place; returns the object for chaining. */
export function redactObject(o: Raw, counts: RedactionCounts): Raw {
  const meta = isObj(o.metadata) ? o.metadata : undefined;
  const spec = isObj(o.spec) ? o.spec : undefined;
  if (o.kind === 'Pod') redactPodSpec(spec, counts);
  else if (spec && isObj(spec.template)) redactPodSpec((spec.template as Raw).spec, counts);
  if (meta && isObj(meta.annotations)) {
    for (const [k, v] of Object.entries(meta.annotations)) {
      if (typeof v !== 'string' || v === '') continue;
      if (k === 'kubectl.kubernetes.io/last-applied-configuration') {
        // The previous apply carries the whole object, env values included: redact it the same way.
        try {
          const prev = JSON.parse(v) as unknown;
          if (isObj(prev)) {
            const before = counts.envValues + counts.annotations + counts.args;
            const redacted = JSON.stringify(redactObject(prev, counts));
            if (counts.envValues + counts.annotations + counts.args !== before)
              meta.annotations[k] = redacted;
          }
        } catch {
          meta.annotations[k] = REDACTED;
          counts.annotations++;
        }
        continue;
      }
      const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
      if ((SECRET_NAME.test(name) && !SAFE_ANNOTATION.test(k)) || looksLikeSecretValue(v)) {
        meta.annotations[k] = REDACTED;
        counts.annotations++;
      }
    }
  }
  return o;
}

/**
 * managedFields reduced to what the timeline uses: who wrote when, and which top-level fields
 * (the same two-level field paths the converter derives from fieldsV1).
 */
export function compactManagedFields(o: Raw): void {
  const meta = isObj(o.metadata) ? o.metadata : undefined;
  if (!meta || !Array.isArray(meta.managedFields)) return;
  meta.managedFields = meta.managedFields.filter(isObj).map((e) => {
    const fields: string[] = [];
    if (isObj(e.fieldsV1)) {
      for (const [k1, v1] of Object.entries(e.fieldsV1)) {
        if (!k1.startsWith('f:')) continue;
        const subs = isObj(v1) ? Object.keys(v1).filter((k) => k.startsWith('f:')) : [];
        if (subs.length === 0) fields.push(k1.slice(2));
        for (const k2 of subs) fields.push(`${k1.slice(2)}.${k2.slice(2)}`);
      }
    }
    const out: Raw = { manager: e.manager, operation: e.operation };
    if (e.time !== undefined) out.time = e.time;
    if (e.subresource !== undefined) out.subresource = e.subresource;
    if (fields.length) out.fields = fields;
    return out;
  });
}

export interface CollectManifest {
  apiVersion: typeof SVCDOCTOR_API;
  kind: 'CollectManifest';
  collectedAt: string;
  context: string;
  server: string;
  namespaces: string[] | 'all';
  /** Model kinds read completely (an empty list still counts: the kind is known to be empty). */
  collected: CollectableKind[];
  /** Model kinds that are incomplete because a read was refused; the file source treats them as not collected. */
  forbidden: {
    kind: CollectableKind;
    resource: string;
    group: string;
    namespace?: string;
    verb: string;
    rule: string;
  }[];
  notServed: string[];
  /** Kinds missing objects that were left out (see `skipped`); the file source treats them as not collected. */
  incomplete: CollectableKind[];
  skipped: { kind: string; namespace?: string; name: string; problem: string }[];
  files: { file: string; resource: string; count: number }[];
  redacted: RedactionCounts;
}

/** The bundle as file name → YAML text, plus the manifest (also among the files). */
export function renderBundle(read: LiveReadResult): {
  files: Map<string, string>;
  manifest: CollectManifest;
} {
  const counts: RedactionCounts = { envValues: 0, annotations: 0, args: 0 };
  const byKind = new Map<string, Raw[]>();
  const skipped: CollectManifest['skipped'] = [];
  const incomplete = new Set<CollectableKind>();
  for (const item of read.items) {
    // A deep copy: the live read may still be diagnosed after it was collected.
    const o = structuredClone(item.raw);
    compactManagedFields(o);
    redactObject(o, counts);
    const kind = String(o.kind);
    // The bundle must read back: an object the converter refuses (the file source would stop
    // on it) is left out, named in the manifest, and its kind marked incomplete.
    const { object, problems } = convertKube(o, kind);
    if (!object || problems.length > 0) {
      const meta = (o.metadata ?? {}) as { namespace?: string; name?: string };
      const first = problems[0];
      skipped.push({
        kind,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
        name: meta.name ?? '',
        problem: first ? `${formatPath(first.path)}: ${first.message}` : 'not convertible',
      });
      const model = LIVE_RESOURCES.find((r) => r.kind === kind)?.model;
      if (model) incomplete.add(model);
      continue;
    }
    const list = byKind.get(kind);
    if (list) list.push(o);
    else byKind.set(kind, [o]);
  }
  const files = new Map<string, string>();
  const fileList: CollectManifest['files'] = [];
  const readResources = new Set(read.read.map((r) => r.resource));
  for (const r of LIVE_RESOURCES) {
    const items = byKind.get(r.kind) ?? [];
    if (!readResources.has(r.resource) && items.length === 0) continue;
    const file = `${r.resource}.yaml`;
    files.set(file, stringify({ apiVersion: 'v1', kind: 'List', items }, { lineWidth: 0 }));
    fileList.push({ file, resource: r.resource, count: items.length });
  }
  const kindOf = new Map(LIVE_RESOURCES.map((r) => [r.resource, r.model]));
  const manifest: CollectManifest = {
    apiVersion: SVCDOCTOR_API,
    kind: 'CollectManifest',
    collectedAt: read.takenAt,
    context: read.context,
    server: read.server,
    namespaces: read.namespaces,
    collected: Object.entries(read.collected)
      .filter(([k, ok]) => ok && !incomplete.has(k as CollectableKind))
      .map(([k]) => k as CollectableKind),
    incomplete: [...incomplete],
    skipped,
    forbidden: read.forbidden.map((f) => ({
      kind: kindOf.get(f.resource)!,
      resource: f.resource,
      group: f.group,
      ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
      verb: f.verb,
      rule: f.rule,
    })),
    notServed: read.notServed,
    files: fileList,
    redacted: counts,
  };
  files.set('manifest.yaml', stringify(manifest, { lineWidth: 0 }));
  return { files, manifest };
}

/** Files an earlier collect wrote into `dir` (its manifest lists them), so a rerun leaves none stale. */
async function previousFiles(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.yaml'), 'utf8');
  } catch {
    return [];
  }
  try {
    const old = parse(text) as { kind?: unknown; files?: { file?: unknown }[] };
    if (old?.kind !== 'CollectManifest' || !Array.isArray(old.files)) return [];
    // Only plain file names: a manifest must not make us delete anything outside the bundle.
    return old.files
      .map((f) => f?.file)
      .filter((f): f is string => typeof f === 'string' && f === basename(f) && f.endsWith('.yaml'));
  } catch {
    return [];
  }
}

export async function writeBundle(read: LiveReadResult, dir: string): Promise<CollectManifest> {
  const { files, manifest } = renderBundle(read);
  await mkdir(dir, { recursive: true });
  for (const f of await previousFiles(dir)) if (!files.has(f)) await rm(join(dir, f), { force: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return manifest;
}
