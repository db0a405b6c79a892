// Every example bundle (examples/<name>/bundle + expect.yaml) through the whole CLI pipeline.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

interface Expectation {
  description: string;
  args: string[];
  exit: number;
  verdict?: string;
  top?: string;
  present?: string[];
  absent?: string[];
}

function exampleDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'expect.yaml')))
    .map((d) => path.join(root, d.name))
    .sort();
}

const root = path.resolve(import.meta.dirname, '..', 'examples');

describe('example bundles', () => {
  const dirs = exampleDirs(root);
  it('there are examples', () => expect(dirs.length).toBeGreaterThan(0));
  for (const dir of dirs) {
    const exp = parse(readFileSync(path.join(dir, 'expect.yaml'), 'utf8')) as Expectation;
    it(`${path.basename(dir)}: ${exp.description}`, async () => {
      const { code, stdout, stderr } = await runCli([
        ...exp.args,
        '--from',
        path.join(dir, 'bundle'),
        '-o',
        'json',
      ]);
      expect(stderr, 'no error output').toBe('');
      expect(code).toBe(exp.exit);
      if (exp.args[0] !== 'diagnose') return;
      const result = JSON.parse(stdout) as { verdict: string; findings: { id: string }[] };
      const ids = result.findings.map((f) => f.id);
      if (exp.verdict) expect(result.verdict).toBe(exp.verdict);
      if (exp.top) expect(ids[0], `findings: ${ids.join(', ')}`).toBe(exp.top);
      else
        expect(result.findings.filter((f) => (f as { severity?: string }).severity === 'error')).toEqual([]);
      for (const id of exp.present ?? []) expect(ids).toContain(id);
      for (const id of exp.absent ?? []) expect(ids).not.toContain(id);
    });
  }
});
