// Bundles taken from peers' fixtures and public failure reports (test/peer-cases/<source>-<case>/:
// bundle/ + expect.yaml), run through the whole CLI like the example bundles. `audit` bundles
// may also state per-Service expectations; a case svcdoctor is known to get wrong carries
// `skip: <reason>` and stays visible as skipped rather than weakened.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

interface ServiceExpectation {
  present?: string[];
  absent?: string[];
  /** No finding of severity error for this Service. */
  clean?: boolean;
}

interface Expectation {
  description: string;
  source: string;
  args: string[];
  exit: number;
  verdict?: string;
  top?: string;
  present?: string[];
  absent?: string[];
  services?: Record<string, ServiceExpectation>;
  skip?: string;
}

interface Finding {
  id: string;
  severity: string;
}

const root = path.resolve(import.meta.dirname, 'peer-cases');
const dirs = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'expect.yaml')))
      .map((d) => path.join(root, d.name))
      .sort()
  : [];

describe('peer and public-report bundles', () => {
  it('there are peer bundles', () => expect(dirs.length).toBeGreaterThan(0));
  for (const dir of dirs) {
    const exp = parse(readFileSync(path.join(dir, 'expect.yaml'), 'utf8')) as Expectation;
    const title = `${path.basename(dir)}: ${exp.description}`;
    if (exp.skip) {
      it.skip(`${title} — ${exp.skip}`, () => {});
      continue;
    }
    it(title, async () => {
      expect(exp.source, 'each case cites where it comes from').toBeTruthy();
      const { code, stdout, stderr } = await runCli([
        ...exp.args,
        '--from',
        path.join(dir, 'bundle'),
        '-o',
        'json',
      ]);
      expect(stderr, 'no error output').toBe('');
      if (exp.args[0] === 'audit') {
        const result = JSON.parse(stdout) as {
          services: { target: { namespace: string; name: string }; findings: Finding[] }[];
        };
        for (const [key, want] of Object.entries(exp.services ?? {})) {
          const entry = result.services.find((s) => `${s.target.namespace}/${s.target.name}` === key);
          expect(entry, `audit lists ${key}`).toBeDefined();
          const ids = entry?.findings.map((f) => f.id) ?? [];
          const summary = entry?.findings.map((f) => `${f.id}(${f.severity})`).join(', ');
          for (const id of want.present ?? []) expect(ids, `${key}: ${summary}`).toContain(id);
          for (const id of want.absent ?? []) expect(ids, `${key}: ${summary}`).not.toContain(id);
          if (want.clean)
            expect(
              entry?.findings.filter((f) => f.severity === 'error').map((f) => f.id),
              `${key}: ${summary}`,
            ).toEqual([]);
        }
        expect(code).toBe(exp.exit);
        return;
      }
      const result = JSON.parse(stdout) as { verdict: string; findings: Finding[] };
      const ids = result.findings.map((f) => f.id);
      const summary = result.findings.map((f) => `${f.id}(${f.severity})`).join(', ');
      if (exp.verdict) expect(result.verdict, summary).toBe(exp.verdict);
      if (exp.top) expect(ids[0], summary).toBe(exp.top);
      else expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual([]);
      // A failing path must be explained: unreachable with no error or warning is a silent gap.
      if (result.verdict === 'unreachable')
        expect(
          result.findings.filter((f) => f.severity !== 'info').length,
          'unreachable is explained',
        ).toBeGreaterThan(0);
      for (const id of exp.present ?? []) expect(ids, summary).toContain(id);
      for (const id of exp.absent ?? []) expect(ids, summary).not.toContain(id);
      expect(code, summary).toBe(exp.exit);
    });
  }
});
