// Guard: an `unreachable` verdict always comes with an error or warning finding that explains
// it. A path that fails without naming a check leaves the user with a verdict and no reason.
// Runs every example bundle's own question, then a sweep of clients over each bundle's Service.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

interface Expectation {
  args: string[];
}

interface Result {
  verdict: string;
  findings: { id: string; severity: string }[];
  paths: { outcome: string; reason: string }[];
}

const repo = path.resolve(import.meta.dirname, '..');
const bundleDirs = (rel: string): string[] => {
  const root = path.join(repo, rel);
  return existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'expect.yaml')))
        .map((d) => path.join(root, d.name))
        .sort()
    : [];
};
const dirs = bundleDirs('examples');
const peerDirs = bundleDirs('test/peer-cases');

/** The diagnose argv without its --client/--via, so the sweep can ask its own. */
function target(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (['--client', '--via', '--port', '--address', '--host', '--path', '--dns-name'].includes(a)) {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

async function explained(argv: string[], bundle: string): Promise<void> {
  const { stdout, stderr } = await runCli([...argv, '--from', bundle, '-o', 'json']);
  expect(stderr, argv.join(' ')).toBe('');
  const r = JSON.parse(stdout) as Result;
  if (r.verdict !== 'unreachable') return;
  const why = r.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => f.id);
  const paths = r.paths.map((p) => `${p.outcome}: ${p.reason}`).join('; ');
  expect(why, `${argv.join(' ')} is unreachable (${paths}) with no error/warning finding`).not.toEqual([]);
}

const SWEEP = ['internet', 'pod-on-other-node', 'pod-on-backend-node'];

describe('peer bundles: an unreachable verdict is explained by a finding', () => {
  for (const dir of peerDirs) {
    const exp = parse(readFileSync(path.join(dir, 'expect.yaml'), 'utf8')) as Expectation & { skip?: string };
    if (exp.args[0] !== 'diagnose' || exp.skip) continue;
    it(`${path.basename(dir)}: its own question`, () => explained(exp.args, path.join(dir, 'bundle')));
  }
});

describe('an unreachable verdict is always explained by a finding', () => {
  it('there are examples', () => expect(dirs.length).toBeGreaterThan(0));
  for (const dir of dirs) {
    const exp = parse(readFileSync(path.join(dir, 'expect.yaml'), 'utf8')) as Expectation;
    if (exp.args[0] !== 'diagnose') continue;
    const bundle = path.join(dir, 'bundle');
    it(`${path.basename(dir)}: its own question`, () => explained(exp.args, bundle));
    it(`${path.basename(dir)}: clients ${SWEEP.join(', ')} on the default path`, async () => {
      for (const client of SWEEP) await explained([...target(exp.args), '--client', client], bundle);
    });
  }
});
