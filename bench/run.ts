// `npm run bench`: every bench/*.bench.ts exports run(): Promise<string[]>; each prints ratios
// measured in this one run (never absolute thresholds), so results compare across machines.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = import.meta.dirname;
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
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
