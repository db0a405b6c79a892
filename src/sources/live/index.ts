// The live source: read a cluster through the kubeconfig, convert with the same code path as
// the file source (buildSnapshotData), and record what could not be read.

import type { CollectableKind, SnapshotData } from '../../model/types.js';
import { type BundleItem, buildSnapshotData } from '../convert.js';
import { type LiveItem, type LiveReadOptions, type LiveReadResult, readLive } from './read.js';

export { loadKubeconfig } from './kubeconfig.js';
export type { LiveProgress, LiveReadOptions, LiveReadResult } from './read.js';

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

export async function loadLive(
  options: LiveReadOptions = {},
): Promise<{ data: SnapshotData; read: LiveReadResult }> {
  const read = await readLive(options);
  return { data: snapshotFromLive(read), read };
}
