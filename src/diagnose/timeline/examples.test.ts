// The timeline examples (examples/timeline-*) through the whole CLI: `timeline` must mark
// exactly the expected suspects, and `diagnose` on the same bundle must carry the check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../../test/support/cli.js';
import type { TimelineReport } from '../../report/timeline.js';

interface TimelineExpectation {
  description: string;
  args: string[];
  exit: number;
  present?: string[];
  absent?: string[];
  /** The matching diagnose invocation (without --from). */
  diagnose: string[];
  timeline: {
    at: string;
    widened: boolean;
    suspects: { category: string; object: string }[];
  };
}

const root = path.resolve(import.meta.dirname, '..', '..', '..', 'examples');
const dirs = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name.startsWith('timeline-'))
      .map((d) => path.join(root, d.name))
      .sort()
  : [];

const key = (s: { category: string; object: string }) => `${s.category} ${s.object}`;

describe('timeline examples', () => {
  it('cover every kind of change and the widening', () => {
    const kinds = dirs.map((d) => path.basename(d).replace(/^timeline-/, '')).sort();
    expect(kinds).toEqual([
      'cloud-security',
      'cni-restart',
      'firewall',
      'kube-proxy-restart',
      'node-network',
      'service-port-change',
      'widened',
    ]);
  });

  for (const dir of dirs) {
    const exp = parse(readFileSync(path.join(dir, 'expect.yaml'), 'utf8')) as TimelineExpectation;
    const bundle = path.join(dir, 'bundle');

    it(`${path.basename(dir)}: timeline marks the expected suspects`, async () => {
      const { code, stdout, stderr } = await runCli([...exp.args, '--from', bundle, '-o', 'json']);
      expect(stderr).toBe('');
      expect(code).toBe(exp.exit);
      const t = JSON.parse(stdout) as TimelineReport;
      expect(t.at).toBe(exp.timeline.at);
      expect(t.widened).toBe(exp.timeline.widened);
      const suspects = [
        ...new Set(t.entries.filter((e) => e.suspect && e.category !== 'event').map(key)),
      ].sort();
      expect(suspects).toEqual(exp.timeline.suspects.map(key).sort());
    });

    it(`${path.basename(dir)}: diagnose reports ${(exp.present ?? []).join(', ')}`, async () => {
      const { stdout, stderr } = await runCli([...exp.diagnose, '--from', bundle, '-o', 'json']);
      expect(stderr).toBe('');
      const r = JSON.parse(stdout) as { findings: { id: string; data: Record<string, unknown> }[] };
      const ids = r.findings.map((f) => f.id);
      for (const id of exp.present ?? []) expect(ids).toContain(id);
      for (const id of exp.absent ?? []) expect(ids).not.toContain(id);
      const f = r.findings.find((x) => x.id === 'recent-change-correlated');
      const changes = (f?.data.changes ?? []) as { category: string; object: string }[];
      expect([...new Set(changes.map(key))].sort()).toEqual(exp.timeline.suspects.map(key).sort());
      expect(f?.data.widened).toBe(exp.timeline.widened);
    });
  }

  it('the audit log of timeline-service-port-change gives one entry per completed write, in µs', async () => {
    const bundle = path.join(root, 'timeline-service-port-change', 'bundle');
    const { stdout } = await runCli(['timeline', 'web', '-n', 'shop', '--from', bundle, '-o', 'json']);
    const t = JSON.parse(stdout) as TimelineReport;
    expect(t.entries.filter((e) => e.source === 'audit').map((e) => [e.time, e.object, e.suspect])).toEqual([
      ['2026-11-22T09:41:12.231504Z', 'service/shop/web', true],
    ]);
  });

  it('explain nodeport-not-accessible prints the playbook, each step linked to checks', async () => {
    const { code, stdout } = await runCli(['explain', 'nodeport-not-accessible', '-o', 'json']);
    expect(code).toBe(0);
    const p = JSON.parse(stdout) as { id: string; steps: { checks: string[] }[] };
    expect(p.id).toBe('nodeport-not-accessible');
    expect(p.steps.length).toBe(7);
    expect(p.steps.every((s) => s.checks.length > 0)).toBe(true);
    expect(p.steps.at(-1)?.checks).toEqual(['recent-change-correlated']);
  });

  it('a bad --at is one clear line on stderr and exit 2', async () => {
    const dir = dirs[0] as string;
    const { code, stdout, stderr } = await runCli([
      'timeline',
      'web',
      '--at',
      'yesterday',
      '--from',
      path.join(dir, 'bundle'),
    ]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.startsWith('svcdoctor: SVCDOCTOR_BAD_TIME: --at: "yesterday"')).toBe(true);
  });
});
