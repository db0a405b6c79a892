#!/usr/bin/env node
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

// dist/cli/main.js and src/cli/main.ts both sit two levels below the package root.
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];

process.on('SIGINT', () => {
  void Promise.allSettled(cleanups.map((fn) => fn())).then(() => process.exit(130));
});

const code = await run(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  packageRoot,
  onInterrupt: (fn) => cleanups.push(fn),
});
process.exitCode = code;
