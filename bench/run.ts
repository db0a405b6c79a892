// `npm run bench`: every bench/*.bench.ts exports run(): Promise<string[]>; each prints ratios
// measured in this one run (never absolute thresholds), so results compare across machines.
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
// Absolute times below depend on this machine and its load; the ratios are what compare.
const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
console.log(
  `svcdoctor bench: node ${process.version} ${process.platform}/${process.arch}, ${availableParallelism()} CPUs (${model}), load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const started = performance.now();
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run?: () => Promise<string[]> };
  if (!mod.run) continue;
  console.log(`# ${f.replace('.bench.ts', '')}`);
  try {
    for (const line of await mod.run()) console.log(`  ${line}`);
  } catch (e) {
    console.log(`  failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
console.log(`# done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
