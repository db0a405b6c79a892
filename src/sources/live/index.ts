// The live source: read a cluster through the kubeconfig, convert with the same code path as
// the file source (buildSnapshotData), and record what could not be read.

import type { CollectableKind, SnapshotData } from '../../model/types.js';
import { type BundleItem, buildSnapshotData } from '../convert.js';
import { loadKubeconfig } from './kubeconfig.js';
import {
  type LiveItem,
  type LiveProgress,
  type LiveReadOptions,
  type LiveReadResult,
  readLive,
} from './read.js';

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
  const data = buildSnapshotData(toBundleItems(result.items), { listedKinds: listed });
  // A kind read in some namespaces but forbidden in others is incomplete: treat it as unknown.
  for (const [k, ok] of Object.entries(result.collected))
    if (!ok) data.collected[k as CollectableKind] = false;
  data.warnings.push(...result.problems);
  data.takenAt = result.takenAt;
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
