import path from 'node:path';
import { run } from '../../src/cli/run.js';

/** Run the CLI in-process with captured output (no TTY, so no colour). */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
    isTTY: false,
    packageRoot: path.resolve(import.meta.dirname, '..', '..'),
  });
  return { code, stdout, stderr };
}
