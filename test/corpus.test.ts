// The acceptance corpus: realistic bundles drawn from public failure reports, each with its
// expected top cause. Scored as a whole: top-1 accuracy >= 90%, the expected cause within the
// first three = 100%, and no error finding on a healthy bundle. A case whose expected check is
// not registered yet is reported as pending (the catalogue test guards that every id lands).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findCheck } from '../src/checks/registry.js';
import { runCli } from './support/cli.js';

interface Expectation {
  description: string;
  source: string;
  args: string[];
  exit: number;
  verdict?: string;
  top?: string;
  present?: string[];
  absent?: string[];
}

interface Outcome {
  name: string;
  expected: string;
  got: string[];
  pending: boolean;
  top1: boolean;
  top3: boolean;
  healthyClean?: boolean;
  notes: string[];
}

const root = path.resolve(import.meta.dirname, 'corpus');
const dirs = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'expect.yaml')))
      .map((d) => d.name)
      .sort()
  : [];

const outcomes: Outcome[] = [];

async function run(name: string): Promise<Outcome> {
  const exp = parse(readFileSync(path.join(root, name, 'expect.yaml'), 'utf8')) as Expectation;
  const { code, stdout, stderr } = await runCli([
    ...exp.args,
    '--from',
    path.join(root, name, 'bundle'),
    '-o',
    'json',
  ]);
  const notes: string[] = [];
  if (stderr) notes.push(`stderr: ${stderr.trim()}`);
  let findings: { id: string; severity: string }[] = [];
  let verdict = '';
  try {
    const result = JSON.parse(stdout) as { verdict: string; findings: { id: string; severity: string }[] };
    findings = result.findings;
    verdict = result.verdict;
  } catch {
    notes.push('output is not JSON');
  }
  const got = findings.map((f) => f.id);
  if (code !== exp.exit) notes.push(`exit ${code}, expected ${exp.exit}`);
  if (exp.verdict && verdict !== exp.verdict) notes.push(`verdict ${verdict}, expected ${exp.verdict}`);
  for (const id of exp.present ?? []) if (!got.includes(id)) notes.push(`missing ${id}`);
  for (const id of exp.absent ?? []) if (got.includes(id)) notes.push(`unexpected ${id}`);
  if (!exp.top) {
    // A healthy bundle must also pass the cluster-wide lint: no error on any of its Services.
    const audit = await runCli(['audit', '-A', '--from', path.join(root, name, 'bundle'), '-o', 'json']);
    const auditErrors = (
      JSON.parse(audit.stdout) as {
        services: { target: { name: string }; findings: { id: string; severity: string }[] }[];
      }
    ).services.flatMap((s) =>
      s.findings.filter((f) => f.severity === 'error').map((f) => `audit ${s.target.name}: ${f.id}`),
    );
    const errors = [...findings.filter((f) => f.severity === 'error').map((f) => f.id), ...auditErrors];
    if (errors.length > 0) notes.push(`errors on a healthy bundle: ${errors.join(', ')}`);
    return {
      name,
      expected: '(healthy)',
      got,
      pending: false,
      top1: errors.length === 0,
      top3: errors.length === 0,
      healthyClean: errors.length === 0,
      notes,
    };
  }
  const pending = findCheck(exp.top) === undefined;
  return {
    name,
    expected: exp.top,
    got,
    pending,
    top1: got[0] === exp.top,
    top3: got.slice(0, 3).includes(exp.top),
    notes,
  };
}

describe('diagnosis corpus', () => {
  it('has at least 30 bundles', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of dirs) {
    it(`runs ${name}`, async () => {
      const o = await run(name);
      outcomes.push(o);
      expect(o.notes.filter((n) => n.startsWith('stderr') || n === 'output is not JSON')).toEqual([]);
    });
  }

  it('no error finding on a healthy bundle', () => {
    const healthy = outcomes.filter((o) => o.healthyClean !== undefined);
    expect(healthy.length).toBeGreaterThan(0);
    expect(healthy.filter((o) => !o.healthyClean).map((o) => `${o.name}: ${o.notes.join('; ')}`)).toEqual([]);
  });

  it('top-1 accuracy >= 90% and top-3 = 100% over the scored cases', () => {
    const scored = outcomes.filter((o) => !o.pending && o.healthyClean === undefined);
    const top1 = scored.filter((o) => o.top1).length;
    const top3 = scored.filter((o) => o.top3).length;
    expect(scored.length).toBeGreaterThan(0);
    expect(top3).toBe(scored.length);
    expect(
      scored
        .filter((o) => !o.top3)
        .map((o) => `${o.name}: expected ${o.expected}, got ${o.got.slice(0, 3).join(', ') || '(none)'}`),
    ).toEqual([]);
    expect(top1 / scored.length).toBeGreaterThanOrEqual(0.9);
  });

  afterAll(() => {
    const scored = outcomes.filter((o) => !o.pending && o.healthyClean === undefined);
    const healthy = outcomes.filter((o) => o.healthyClean !== undefined);
    const pending = outcomes.filter((o) => o.pending);
    const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
    const lines = [
      `corpus: ${outcomes.length} bundles (${scored.length} scored, ${healthy.length} healthy, ${pending.length} pending on unregistered checks)`,
      `  top-1 ${scored.filter((o) => o.top1).length}/${scored.length} = ${pct(scored.filter((o) => o.top1).length, scored.length)}`,
      `  top-3 ${scored.filter((o) => o.top3).length}/${scored.length} = ${pct(scored.filter((o) => o.top3).length, scored.length)}`,
      `  healthy without error findings ${healthy.filter((o) => o.healthyClean).length}/${healthy.length}`,
      ...outcomes
        .filter((o) => !o.top1 || o.pending || o.notes.length > 0)
        .map(
          (o) =>
            `  ${o.pending ? 'PENDING' : o.top1 ? 'note   ' : o.top3 ? 'TOP-3  ' : 'MISS   '} ${o.name}: expected ${o.expected}, got ${o.got.slice(0, 3).join(', ') || '(none)'}${o.notes.length ? ` [${o.notes.join('; ')}]` : ''}`,
        ),
    ];
    console.log(lines.join('\n'));
  });
});
