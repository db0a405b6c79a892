import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SvcdoctorError } from '../errors.js';
import { Snapshot } from '../model/snapshot.js';
import type { SnapshotData } from '../model/types.js';
import { loadBundle } from '../sources/files.js';
import type { CliIO } from './spec.js';

export function examplesDir(io: CliIO): string {
  return path.join(io.packageRoot, 'examples');
}

export async function listDemos(io: CliIO): Promise<string[]> {
  const dir = examplesDir(io);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const st = await stat(path.join(dir, e.name, 'bundle')).catch(() => undefined);
    if (st?.isDirectory()) out.push(e.name);
  }
  return out.sort();
}

export interface SourceOptions {
  from?: string;
  demo?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  /** -o: machine-readable output keeps the terminal quiet (no progress line). */
  output?: string;
  /** --client pod/NS/NAME: a live read must cover the client's namespace too. */
  client?: string;
}

/** The one source a command reads: --from, --demo, or the live cluster. */
export async function openSnapshotData(opts: SourceOptions, io: CliIO): Promise<SnapshotData> {
  if (opts.from && opts.demo)
    throw new SvcdoctorError('SVCDOCTOR_USAGE', '--from and --demo are exclusive: pick one source');
  if (opts.demo) {
    const demos = await listDemos(io);
    if (!demos.includes(opts.demo))
      throw new SvcdoctorError('SVCDOCTOR_DEMO_NOT_FOUND', `no demo bundle named "${opts.demo}"`, {
        hint: `available: ${demos.join(', ')}`,
      });
    return loadBundle(path.join(examplesDir(io), opts.demo, 'bundle'), { displayRoot: `demo:${opts.demo}` });
  }
  if (opts.from) return loadBundle(opts.from);
  // Live: imported lazily so file-only use never pays for loading the Kubernetes client.
  const { loadLive } = await import('../sources/live/index.js');
  const clientNs = typeof opts.client === 'string' ? /^pod\/([^/]+)\//.exec(opts.client)?.[1] : undefined;
  return loadLive({
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.allNamespaces ? { allNamespaces: true } : {}),
    ...(clientNs && clientNs !== opts.namespace ? { extraNamespaces: [clientNs] } : {}),
    env: io.env,
    ...(io.isTTY && opts.output !== 'json' && opts.output !== 'yaml'
      ? { onProgress: (line: string) => io.stderr(`\r${line}`) }
      : {}),
  });
}

export async function openSnapshot(opts: SourceOptions, io: CliIO): Promise<Snapshot> {
  return new Snapshot(await openSnapshotData(opts, io));
}
