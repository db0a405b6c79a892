// The live source: read a cluster through the kubeconfig, convert with the same code path as
// the file source (buildSnapshotData), and record what could not be read.

import { SvcdoctorError } from '../../errors.js';
import type { CollectableKind, SnapshotData, SourceProblem } from '../../model/types.js';
import { type BundleItem, buildSnapshotData } from '../convert.js';
import { convertKube } from '../kube.js';
import { formatPath } from '../reader.js';
import { loadKubeconfig } from './kubeconfig.js';
import {
  type LiveItem,
  type LiveProgress,
  type LiveReadOptions,
  type LiveReadResult,
  readLive,
} from './read.js';
import { LIVE_RESOURCES } from './resources.js';

export type { LiveProgress, LiveReadOptions, LiveReadResult } from './read.js';
export { loadKubeconfig };

const noLine = (): undefined => undefined;

export function toBundleItems(items: readonly LiveItem[]): BundleItem[] {
  return items.map((i) => ({ raw: i.raw, origin: i.origin, lineOf: noLine }));
}

/** SnapshotData from raw live objects, with the read's collected/forbidden facts applied. */
export function snapshotFromLive(result: LiveReadResult): SnapshotData {
  const listed = Object.entries(result.collected)
    .filter(([, ok]) => ok)
    .map(([k]) => k as CollectableKind);
  const items = toBundleItems(result.items);
  let data: SnapshotData;
  try {
    data = buildSnapshotData(items, { listedKinds: listed });
  } catch (e) {
    if (!(e instanceof SvcdoctorError) || e.code !== 'SVCDOCTOR_INPUT_INVALID') throw e;
    data = withoutBadObjects(items, listed);
  }
  // A kind read in some namespaces but forbidden in others is incomplete: treat it as unknown.
  for (const [k, ok] of Object.entries(result.collected))
    if (!ok) data.collected[k as CollectableKind] = false;
  data.warnings.push(...result.problems);
  data.takenAt = result.takenAt;
  return data;
}

/**
 * A file with a bad object is the user's to fix; a cluster is not. Objects the converter
 * refuses (a field value newer than svcdoctor, say) are skipped with a warning, and their kind
 * counts as not collected, since it is now incomplete.
 */
function withoutBadObjects(items: BundleItem[], listed: CollectableKind[]): SnapshotData {
  const good: BundleItem[] = [];
  const skipped: SourceProblem[] = [];
  const incomplete = new Set<CollectableKind>();
  for (const item of items) {
    const raw = item.raw as Record<string, unknown>;
    const kind = String(raw.kind);
    const { object, problems } = convertKube(raw, kind, item.origin);
    if (object && problems.length === 0) {
      good.push(item);
      continue;
    }
    const meta = (raw.metadata ?? {}) as { namespace?: string; name?: string };
    const first = problems[0];
    skipped.push({
      code: 'SVCDOCTOR_OBJECT_SKIPPED',
      message: `${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? '?'} skipped: ${first ? `${formatPath(first.path)}: ${first.message}` : 'not convertible'}`,
      origin: item.origin,
    });
    const ck = LIVE_RESOURCES.find((r) => r.kind === kind)?.model;
    if (ck) incomplete.add(ck);
  }
  const data = buildSnapshotData(good, { listedKinds: listed });
  for (const k of incomplete) data.collected[k] = false;
  data.warnings.push(...skipped);
  return data;
}

/** One line for a terminal, e.g. "reading cluster: 12/31 lists, 50120 objects (pods in kube-system)". */
export function formatProgress(p: LiveProgress): string {
  const where = p.namespace !== undefined ? ` in ${p.namespace}` : '';
  return `reading cluster: ${p.done}/${p.total} lists, ${p.objects} objects (${p.resource}${where})`;
}

export interface LoadLiveOptions extends Omit<LiveReadOptions, 'onProgress' | 'namespaces'> {
  /** -n: the namespace of the Service (default: the context's namespace). */
  namespace?: string;
  /** -A */
  allNamespaces?: boolean;
  /** Further namespaces a command needs (a client pod's namespace...). */
  extraNamespaces?: string[];
  /**
   * Ready-to-print progress lines for a terminal, sent only when a read lasts longer than
   * `progressAfterMs`; the last call is a blank line that erases the indicator.
   */
  onProgress?: (line: string) => void;
  progressAfterMs?: number;
  /** Receives the raw read (collect writes it out). */
  onRead?: (read: LiveReadResult) => void;
}

export function namespacesFor(
  options: Pick<LoadLiveOptions, 'namespace' | 'allNamespaces' | 'extraNamespaces'>,
): string[] | 'all' | undefined {
  if (options.allNamespaces) return 'all';
  if (options.namespace === undefined && !options.extraNamespaces?.length) return undefined;
  const list = [
    ...(options.namespace !== undefined ? [options.namespace] : []),
    ...(options.extraNamespaces ?? []),
  ];
  return [...new Set(list)];
}

/** Reads the cluster with progress throttled for a terminal; returns the raw read. */
export async function readLiveWithProgress(options: LoadLiveOptions = {}): Promise<LiveReadResult> {
  const started = Date.now();
  const after = options.progressAfterMs ?? 400;
  let lastLen = 0;
  let lastAt = 0;
  const sink = options.onProgress;
  const onProgress = sink
    ? (p: LiveProgress) => {
        const now = Date.now();
        if (now - started < after || (now - lastAt < 100 && p.done < p.total)) return;
        lastAt = now;
        const line = formatProgress(p);
        sink(line.padEnd(lastLen));
        lastLen = line.length;
      }
    : undefined;
  const loaded = options.loaded ?? loadKubeconfig(options);
  const namespaces = namespacesFor({ ...options, namespace: options.namespace ?? loaded.namespace });
  try {
    return await readLive({ ...options, loaded, namespaces, onProgress });
  } finally {
    if (sink && lastLen > 0) sink(`${' '.repeat(lastLen)}\r`);
  }
}

/** The live source as the CLI uses it: the same SnapshotData a bundle would give. */
export async function loadLive(options: LoadLiveOptions = {}): Promise<SnapshotData> {
  const read = await readLiveWithProgress(options);
  options.onRead?.(read);
  return snapshotFromLive(read);
}

/**
 * The namespace kubectl would use without -n: the kubeconfig context's, else "default". For the
 * CLI to build the Question's target before a live read (it throws like loadKubeconfig does).
 */
export function contextNamespace(
  options: Pick<LoadLiveOptions, 'kubeconfig' | 'context' | 'env' | 'inClusterRoot'> = {},
): string {
  return loadKubeconfig(options).namespace;
}
