// The file source: a file or a directory of what a user collected. It does all the I/O and
// conversion; it never decides anything about the cluster.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SvcdoctorError } from '../errors.js';
import type { SnapshotData } from '../model/types.js';
import { type BundleItem, buildSnapshotData } from './convert.js';
import { parseDocuments } from './documents.js';

/** Larger files are refused before reading: a collected bundle is never this big per file. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
const MAX_FILES = 100_000;

const DOC_EXT = new Set(['.yaml', '.yml', '.json']);
const DUMP_EXT: Record<string, 'iptables' | 'ipvs' | 'addr' | 'nft'> = {
  '.iptables': 'iptables',
  '.ipvs': 'ipvs',
  '.addr': 'addr',
  '.nft': 'nft',
};
/** Names accepted inside a nodes/<node>/ directory. */
const NODE_DIR_FILES: Record<string, 'iptables' | 'ipvs' | 'addr' | 'nft'> = {
  iptables: 'iptables',
  'iptables-save': 'iptables',
  ipvs: 'ipvs',
  ipvsadm: 'ipvs',
  addr: 'addr',
  'ip-addr': 'addr',
  nft: 'nft',
  nftables: 'nft',
  'nft-ruleset': 'nft',
};

export interface FileSourceOptions {
  /** Shown instead of absolute paths (demo bundles show their name). */
  displayRoot?: string;
}

async function walk(root: string, out: string[]): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(root, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile()) out.push(full);
    if (out.length > MAX_FILES)
      throw new SvcdoctorError('SVCDOCTOR_INPUT_TOO_LARGE', `${root}: more than ${MAX_FILES} files`, {
        hint: 'point --from at the bundle directory itself',
      });
  }
}

function dumpKind(file: string): { node: string; kind: 'iptables' | 'ipvs' | 'addr' | 'nft' } | undefined {
  const base = path.basename(file);
  const ext = path.extname(base);
  const byExt = DUMP_EXT[ext];
  if (byExt) return { node: base.slice(0, -ext.length), kind: byExt };
  const parent = path.basename(path.dirname(file));
  const grand = path.basename(path.dirname(path.dirname(file)));
  const stem = base.replace(/\.(txt|out|log)$/, '');
  const inNodeDir = NODE_DIR_FILES[stem];
  if (grand === 'nodes' && inNodeDir) return { node: parent, kind: inNodeDir };
  return undefined;
}

/** Read a bundle from disk into SnapshotData. Throws SvcdoctorError (exit 2) on bad input. */
export async function loadBundle(input: string, options: FileSourceOptions = {}): Promise<SnapshotData> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(input);
  } catch {
    throw new SvcdoctorError('SVCDOCTOR_INPUT_NOT_FOUND', `${input}: no such file or directory`, {
      hint: 'pass --from a file or directory of collected objects',
    });
  }
  const files: string[] = [];
  if (st.isDirectory()) await walk(input, files);
  else files.push(input);
  const display = (f: string) => {
    const rel = st.isDirectory() ? path.relative(input, f) : path.basename(f);
    return options.displayRoot
      ? path.join(options.displayRoot, rel)
      : st.isDirectory()
        ? path.join(input, rel)
        : f;
  };

  const items: BundleItem[] = [];
  const dumps: { node: string; kind: 'iptables' | 'ipvs' | 'addr' | 'nft'; text: string; file: string }[] =
    [];
  let considered = 0;
  for (const file of files) {
    const ext = path.extname(file).toLowerCase();
    const dk = dumpKind(file);
    // Audit logs (.log/.jsonl) are JSON lines; their entries are recognised by apiVersion.
    const jsonLines = ext === '.jsonl' || ext === '.log';
    if (!DOC_EXT.has(ext) && !dk && !jsonLines) continue; // logs.txt of cluster-info dump, READMEs...
    const fst = await stat(file);
    if (fst.size > MAX_FILE_BYTES)
      throw new SvcdoctorError(
        'SVCDOCTOR_INPUT_TOO_LARGE',
        `${display(file)}: ${Math.round(fst.size / 1024 / 1024)} MiB is over the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit for one file`,
        { hint: 'collect only the namespaces you need, or split the file' },
      );
    considered++;
    const text = await readFile(file, 'utf8');
    const shown = display(file);
    if (dk) {
      dumps.push({ ...dk, text, file: shown });
      continue;
    }
    for (const doc of parseDocuments(text, shown, ext === '.json' || jsonLines ? 'json' : 'yaml'))
      items.push(doc);
  }
  if (considered === 0)
    throw new SvcdoctorError('SVCDOCTOR_INPUT_EMPTY', `${input}: no YAML, JSON or node dump files found`, {
      hint: 'collect objects with `kubectl get svc,endpointslices,pods,nodes -o yaml > bundle.yaml` or `svcdoctor collect -o DIR`',
    });
  return buildSnapshotData(items, { nodeDumps: dumps });
}
