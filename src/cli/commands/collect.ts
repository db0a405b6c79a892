import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SvcdoctorError } from '../../errors.js';
import { writeBundle } from '../../sources/live/collect.js';
import { readLiveWithProgress } from '../../sources/live/index.js';
import { type CommandSpec, SOURCE_OPTIONS } from '../spec.js';

const LIVE_FLAGS = new Set([
  '--kubeconfig <file>',
  '--context <name>',
  '-n, --namespace <ns>',
  '-A, --all-namespaces',
]);

/** A directory is only written if it is new, empty, or an earlier collect (it has our manifest). */
async function checkTarget(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined || entries.length === 0) return;
  const manifest = await readFile(join(dir, 'manifest.yaml'), 'utf8').catch(() => '');
  if (/^kind: CollectManifest$/m.test(manifest)) return;
  throw new SvcdoctorError(
    'SVCDOCTOR_USAGE',
    `${dir} is not empty and was not written by svcdoctor collect`,
    {
      hint: 'pass -o with a new or empty directory',
    },
  );
}

export const collectCommand: CommandSpec = {
  name: 'collect',
  summary: 'read-only dump of what svcdoctor needs from a live cluster (never Secrets), for --from',
  description:
    'Lists Services, EndpointSlices, Endpoints, Pods, Nodes, Namespaces, Events, NetworkPolicies, Ingresses, IngressClasses, ServiceCIDRs, workloads, node Leases and the kube-proxy/CoreDNS/kubelet ConfigMaps, and writes one YAML List per kind plus manifest.yaml (what was collected and what was forbidden). managedFields are compacted and values that look like credentials are redacted.',
  options: [
    { flags: '-o, --output-dir <dir>', description: 'directory to write the bundle to (created if missing)' },
    ...SOURCE_OPTIONS.filter((o) => LIVE_FLAGS.has(o.flags)),
  ],
  usesSource: false,
  formats: [],
  examples: [
    'svcdoctor collect -n shop -o ./bundle && svcdoctor diagnose web -n shop --from ./bundle',
    'svcdoctor collect -A -o ./cluster-bundle --context prod',
  ],
  async run({ opts, io }) {
    const dir = opts.outputDir === undefined ? undefined : String(opts.outputDir);
    if (!dir)
      throw new SvcdoctorError('SVCDOCTOR_USAGE', 'collect needs -o DIR', {
        hint: 'e.g. svcdoctor collect -n default -o ./bundle',
      });
    await checkTarget(dir);
    const live = {
      kubeconfig: opts.kubeconfig === undefined ? undefined : String(opts.kubeconfig),
      context: opts.context === undefined ? undefined : String(opts.context),
      namespace: opts.namespace === undefined ? undefined : String(opts.namespace),
      allNamespaces: opts.allNamespaces === true,
      env: io.env,
    };
    const read = await readLiveWithProgress({
      ...live,
      onProgress: io.isTTY ? (line: string) => io.stderr(`\r${line}`) : undefined,
    });
    const manifest = await writeBundle(read, dir);
    for (const f of manifest.forbidden)
      io.stderr(
        `svcdoctor: not allowed to ${f.verb} ${f.resource}${f.namespace ? ` in ${f.namespace}` : ''}: ${f.kind} marked not collected — grant ${f.rule}\n`,
      );
    const objects = manifest.files.reduce((n, f) => n + f.count, 0);
    io.stdout(
      `wrote ${objects} objects in ${manifest.files.length} files and manifest.yaml to ${dir} (context ${read.context}, ${read.requestCount} API requests)\n`,
    );
    return 0;
  },
};
