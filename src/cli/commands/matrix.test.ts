import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import type { MatrixResult } from '../../diagnose/matrix.js';

const bundle = path.resolve(import.meta.dirname, '../../../examples/etp-local-lb-in-cluster/bundle');
const cell = (r: MatrixResult, row: string, column: string) =>
  r.cells.find((c) => c.clientLocation === row && c.column === column);

describe('svcdoctor matrix', () => {
  it("-o json follows the DESIGN.md shape and holds the demo's failing cell", async () => {
    const { code, stdout, stderr } = await runCli([
      'matrix',
      'nginx',
      '-n',
      'default',
      '--from',
      bundle,
      '-o',
      'json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const r = JSON.parse(stdout) as MatrixResult;
    expect(r.target).toEqual({ kind: 'Service', namespace: 'default', name: 'nginx' });
    for (const c of r.cells)
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining(['client', 'clientLocation', 'via', 'address', 'verdict', 'reason']),
      );
    expect(cell(r, 'pod-on-other-node', 'lb-private')).toMatchObject({
      via: 'loadbalancer',
      address: '192.168.10.36:900',
      verdict: 'unreachable',
      findingId: 'etp-local-in-cluster-lb-access',
    });
    expect(cell(r, 'pod-on-other-node', 'clusterip')?.verdict).toBe('reachable');
  });

  it('table output has one line per client location and numbered reasons', async () => {
    const { stdout } = await runCli(['matrix', 'nginx', '--from', bundle]);
    const lines = stdout.split('\n');
    for (const row of [
      'same-node-as-backend',
      'pod-on-backend-node',
      'other-node',
      'pod-on-other-node',
      'vpc',
      'internet',
    ])
      expect(lines.filter((l) => l.startsWith(row)).length).toBe(1);
    expect(lines.some((l) => /^\[1\] /.test(l))).toBe(true);
  });

  it('markdown output is a table', async () => {
    const { stdout } = await runCli(['matrix', 'nginx', '--from', bundle, '-o', 'markdown']);
    expect(stdout.split('\n').filter((l) => l.startsWith('| ')).length).toBe(7);
  });

  it('--port picks the Service port the columns use; an unknown one is a usage error', async () => {
    const ok = await runCli(['matrix', 'nginx', '--from', bundle, '--port', '900', '-o', 'json']);
    expect(ok.code).toBe(1);
    expect(cell(JSON.parse(ok.stdout) as MatrixResult, 'other-node', 'lb-private')?.address).toBe(
      '192.168.10.36:900',
    );
    const bad = await runCli(['matrix', 'nginx', '--from', bundle, '--port', '81']);
    expect(bad.code).toBe(2);
  });

  it('an unknown Service is a usage error', async () => {
    const { code, stderr } = await runCli(['matrix', 'nosuch', '--from', bundle]);
    expect(code).toBe(2);
    expect(stderr.split('\n').filter(Boolean).length).toBe(1);
  });
});

describe('svcdoctor whatif', () => {
  const base = [
    'whatif',
    'nginx',
    '--from',
    bundle,
    '--client',
    'pod/default/frontend-7d4b9c8f6-q8w2n',
    '--via',
    'loadbalancer',
  ];
  it('externalTrafficPolicy Cluster: the findings that disappear and the cells that change (json)', async () => {
    const { code, stdout } = await runCli([
      ...base,
      '--set',
      'spec.externalTrafficPolicy=Cluster',
      '-o',
      'json',
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as {
      before: { verdict: string };
      after: { verdict: string };
      changes: {
        disappeared: string[];
        appeared: string[];
        cells: { clientLocation: string; column: string; after: string }[];
      };
    };
    expect([r.before.verdict, r.after.verdict]).toEqual(['unreachable', 'reachable']);
    expect(r.changes.disappeared).toEqual(
      expect.arrayContaining(['etp-local-in-cluster-lb-access', 'etp-local-no-local-endpoint']),
    );
    expect(r.changes.appeared).toEqual([]);
    expect(r.changes.cells).toContainEqual(
      expect.objectContaining({
        clientLocation: 'pod-on-other-node',
        column: 'lb-private',
        after: 'reachable',
      }),
    );
  });

  it('pass-through on a v1.15 cluster changes nothing but adds lb-pass-through-unsupported', async () => {
    const { code, stdout } = await runCli([
      ...base,
      '--annotate',
      'kubernetes.io/elb.pass-through=true',
      '-o',
      'json',
    ]);
    expect(code).toBe(1);
    const r = JSON.parse(stdout) as { changes: { appeared: string[]; cells: unknown[] } };
    expect(r.changes.appeared).toContain('lb-pass-through-unsupported');
    expect(r.changes.cells).toEqual([]);
  });

  it('without a patch it is a usage error', async () => {
    const { code } = await runCli(base);
    expect(code).toBe(2);
  });
});
