// `svcdoctor collect` and the promise behind it: `--from` on its output gives the same answer
// as reading the live cluster, for every example bundle served by the fake API server.

import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { run } from '../src/cli/run.js';
import type { CliIO } from '../src/cli/spec.js';
import { buildSnapshotData } from '../src/sources/convert.js';
import { parseDocuments } from '../src/sources/documents.js';
import { loadBundle } from '../src/sources/files.js';
import { compactManagedFields, REDACTED, redactObject } from '../src/sources/live/collect.js';
import { toBundleItems } from '../src/sources/live/index.js';
import { FAKE_RESOURCES, FakeApiServer, smallCluster } from './support/fake-apiserver.js';

const servers: FakeApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(s.requests.filter((r) => r.resource === 'secrets')).toEqual([]);
    await s.stop();
  }
});
async function start(objects: unknown[]): Promise<FakeApiServer> {
  const s = await FakeApiServer.start({ objects });
  servers.push(s);
  return s;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: { HOME: tmpdir() },
    isTTY: false,
    packageRoot: process.cwd(),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('redaction and compaction', () => {
  const counts = () => ({ envValues: 0, annotations: 0, args: 0 });
  it.each([
    { name: 'DB_PASSWORD', value: 'hunter2', redacted: true },
    { name: 'API_TOKEN', value: 'abc', redacted: true },
    { name: 'CONFIG', value: 'postgres://app:s3cret@db:5432/app', redacted: true },
    {
      name: 'JWT',
      value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop',
      redacted: true,
    },
    { name: 'AWS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE', redacted: true },
    { name: 'LISTEN_ADDR', value: '127.0.0.1:8080', redacted: false },
    { name: 'LOG_LEVEL', value: 'debug', redacted: false },
  ])('env $name', ({ name, value, redacted }) => {
    const pod = {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', env: [{ name, value }] }] },
    };
    redactObject(pod, counts());
    expect(pod.spec.containers[0]!.env[0]!.value === REDACTED).toBe(redacted);
  });

  it.each([
    { key: 'example.com/api-token', value: 'abc123', redacted: true },
    { key: 'note', value: '-----BEGIN RSA PRIVATE KEY-----\nMII...', redacted: true },
    { key: 'service.beta.kubernetes.io/aws-load-balancer-type', value: 'nlb', redacted: false },
    { key: 'kubernetes.io/elb.health-check-flag', value: 'off', redacted: false },
    { key: 'nginx.ingress.kubernetes.io/auth-url', value: 'https://auth.example.com/check', redacted: false },
  ])('annotation $key', ({ key, value, redacted }) => {
    const svc = { kind: 'Service', metadata: { name: 's', annotations: { [key]: value } } };
    redactObject(svc, counts());
    expect(svc.metadata.annotations[key] === REDACTED).toBe(redacted);
  });

  it('workload templates, flags and last-applied-configuration are redacted too', () => {
    const tmpl = {
      containers: [
        {
          name: 'c',
          args: ['--db-password=x1', '--token', 'y2', '--port=80'],
          env: [{ name: 'SECRET_KEY', value: 'z' }],
        },
      ],
    };
    const dep = {
      kind: 'Deployment',
      metadata: {
        name: 'd',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            kind: 'Deployment',
            spec: { template: { spec: structuredClone(tmpl) } },
          }),
        },
      },
      spec: { template: { spec: tmpl } },
    };
    const c = counts();
    redactObject(dep, c);
    expect(tmpl.containers[0]!.args).toEqual([`--db-password=${REDACTED}`, '--token', REDACTED, '--port=80']);
    expect(tmpl.containers[0]!.env[0]!.value).toBe(REDACTED);
    const last = dep.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    expect(last).not.toContain('x1');
    expect(last).not.toContain('"z"');
    expect(c).toEqual({ envValues: 2, annotations: 0, args: 4 });
  });

  it('compacted managedFields convert to the same model as the full ones', () => {
    const full = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'web',
        namespace: 'shop',
        managedFields: [
          {
            manager: 'kubectl-edit',
            operation: 'Update',
            time: '2026-11-22T09:41:00Z',
            fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80}': {} } } },
          },
          {
            manager: 'kube-controller-manager',
            operation: 'Update',
            subresource: 'status',
            time: '2026-11-01T00:00:00Z',
            fieldsV1: { 'f:status': { 'f:loadBalancer': {} } },
          },
        ],
      },
      spec: { ports: [{ port: 80 }] },
    };
    const compact = structuredClone(full);
    compactManagedFields(compact);
    expect(compact.metadata.managedFields[0]).toEqual({
      manager: 'kubectl-edit',
      operation: 'Update',
      time: '2026-11-22T09:41:00Z',
      fields: ['spec.ports'],
    });
    const model = (o: unknown) =>
      buildSnapshotData(toBundleItems([{ raw: o as Record<string, unknown>, origin: { file: 'x' } }]))
        .services[0]!.meta.managedFields;
    expect(model(compact)).toEqual(model(full));
  });
});

describe('collect -o DIR', () => {
  it('writes one List per kind and a manifest; forbidden kinds stay "not collected" when read back', async () => {
    const s = await start(smallCluster());
    s.forbid({ resource: 'nodes' });
    const dir = join(mkdtempSync(join(tmpdir(), 'svcdoctor-collect-')), 'out');
    const res = await cli(['collect', '-n', 'default', '-o', dir, '--kubeconfig', s.writeKubeconfig()]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('nodes');
    const files = readdirSync(dir).sort();
    expect(files).toContain('manifest.yaml');
    expect(files).toContain('services.yaml');
    expect(files).not.toContain('nodes.yaml');
    const services = parse(readFileSync(join(dir, 'services.yaml'), 'utf8')) as {
      kind: string;
      items: unknown[];
    };
    expect(services.kind).toBe('List');
    expect(services.items).toHaveLength(7);
    const manifest = parse(readFileSync(join(dir, 'manifest.yaml'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      apiVersion: 'svcdoctor/v1alpha1',
      kind: 'CollectManifest',
      namespaces: ['default'],
    });
    expect(manifest.forbidden).toEqual([
      expect.objectContaining({ kind: 'Node', resource: 'nodes', verb: 'list' }),
    ]);
    expect(manifest.collected).not.toContain('Node');
    expect(manifest.collected).toContain('Service');
    // Empty lists (no NetworkPolicies) are still known to be empty.
    expect(manifest.collected).toContain('NetworkPolicy');
    const data = await loadBundle(dir);
    expect(data.collected.Node).not.toBe(true);
    expect(data.collected.NetworkPolicy).toBe(true);
    expect(data.services).toHaveLength(7);
  });

  it('a kind forbidden in one namespace is not collected when read back, though some of it was written', async () => {
    const s = await start(smallCluster());
    s.forbid({ resource: 'pods', namespace: 'kube-system' });
    const dir = join(mkdtempSync(join(tmpdir(), 'svcdoctor-collect-')), 'out');
    expect(
      (await cli(['collect', '-n', 'default', '-o', dir, '--kubeconfig', s.writeKubeconfig()])).code,
    ).toBe(0);
    const data = await loadBundle(dir);
    expect(data.pods.map((p) => p.meta.name).sort()).toEqual(['web-0', 'web-1']);
    expect(data.collected.Pod).toBe(false);
    expect(data.collected.Service).toBe(true);
  });

  it('no credential reaches the bundle: no Secret, redacted env values and annotations', async () => {
    const objects = smallCluster();
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'api',
        namespace: 'default',
        annotations: { 'example.com/deploy-token': 'tok-hunter2-annotation' },
      },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            containers: [
              {
                name: 'api',
                env: [
                  { name: 'DB_PASSWORD', value: 'hunter2-env' },
                  { name: 'PORT', value: '8080' },
                ],
              },
            ],
          },
        },
      },
    });
    const s = await start(objects);
    const dir = join(mkdtempSync(join(tmpdir(), 'svcdoctor-collect-')), 'out');
    expect((await cli(['collect', '-A', '-o', dir, '--kubeconfig', s.writeKubeconfig()])).code).toBe(0);
    const all = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect(all).not.toContain('hunter2');
    expect(all).not.toMatch(/kind: Secret\b/);
    expect(all).toMatch(/value: ["']8080["']/);
    const manifest = parse(readFileSync(join(dir, 'manifest.yaml'), 'utf8')) as {
      redacted: Record<string, number>;
    };
    expect(manifest.redacted).toEqual({ envValues: 1, annotations: 1, args: 0 });
  });

  it('collecting again into the same directory leaves no stale file behind', async () => {
    const s = await start(smallCluster());
    const kc = s.writeKubeconfig();
    const dir = join(mkdtempSync(join(tmpdir(), 'svcdoctor-collect-')), 'out');
    expect((await cli(['collect', '-n', 'default', '-o', dir, '--kubeconfig', kc])).code).toBe(0);
    expect(readdirSync(dir)).toContain('nodes.yaml');
    s.forbid({ resource: 'nodes' });
    expect((await cli(['collect', '-n', 'default', '-o', dir, '--kubeconfig', kc])).code).toBe(0);
    expect(readdirSync(dir)).not.toContain('nodes.yaml');
    expect((await loadBundle(dir)).nodes).toEqual([]);
  });

  it('an object the converter refuses is left out and named in the manifest; --from still works', async () => {
    const objects = smallCluster();
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'odd', namespace: 'default' },
      spec: { ports: [{ port: 'eighty' }] },
    });
    const s = await start(objects);
    const dir = join(mkdtempSync(join(tmpdir(), 'svcdoctor-collect-')), 'out');
    expect(
      (await cli(['collect', '-n', 'default', '-o', dir, '--kubeconfig', s.writeKubeconfig()])).code,
    ).toBe(0);
    const manifest = parse(readFileSync(join(dir, 'manifest.yaml'), 'utf8')) as Record<string, unknown>;
    expect(manifest.skipped).toEqual([
      expect.objectContaining({ kind: 'Service', namespace: 'default', name: 'odd' }),
    ]);
    expect(manifest.incomplete).toEqual(['Service']);
    const data = await loadBundle(dir);
    expect(data.services).toHaveLength(7);
    expect(data.collected.Service).toBe(false);
  });

  it('refuses to write into a directory that is not its own', async () => {
    const s = await start(smallCluster());
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-collect-'));
    writeFileSync(join(dir, 'precious.txt'), 'x');
    // Somebody else's manifest.yaml does not make the directory ours.
    writeFileSync(join(dir, 'manifest.yaml'), 'kind: Deployment\n');
    const res = await cli(['collect', '-o', dir, '--kubeconfig', s.writeKubeconfig()]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^svcdoctor: SVCDOCTOR_USAGE:/);
    expect(s.requests).toEqual([]);
  });

  it('an unreachable cluster is one line on stderr and exit 2', async () => {
    const s = await start([]);
    const kc = s.writeKubeconfig();
    await s.stop();
    servers.splice(0);
    const res = await cli([
      'collect',
      '-o',
      join(tmpdir(), `svcdoctor-none-${process.pid}`),
      '--kubeconfig',
      kc,
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^svcdoctor: SVCDOCTOR_API_UNREACHABLE:/);
  });
});

// ---------------------------------------------------------------- every example bundle

const EXAMPLES = join(process.cwd(), 'examples');
const examples = readdirSync(EXAMPLES).filter((e) =>
  statSync(join(EXAMPLES, e, 'bundle'), { throwIfNoEntry: false })?.isDirectory(),
);
const served = new Set(FAKE_RESOURCES.map((r) => r.kind));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/**
 * Splits a bundle into what an API server holds (served by the fake) and what only files carry
 * (CloudInventory, Observations, node dumps, audit logs), copied into `extraDir`.
 */
function splitBundle(bundle: string, extraDir: string): unknown[] {
  const objects: unknown[] = [];
  mkdirSync(extraDir, { recursive: true });
  const extra: string[] = [];
  for (const file of walk(bundle)) {
    const ext = extname(file).toLowerCase();
    if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
      const target = join(extraDir, relative(bundle, file));
      mkdirSync(join(target, '..'), { recursive: true });
      copyFileSync(file, target);
      continue;
    }
    for (const item of parseDocuments(readFileSync(file, 'utf8'), file, ext === '.json' ? 'json' : 'yaml')) {
      const raw = item.raw as { kind?: string; apiVersion?: string } | null;
      if (
        raw &&
        typeof raw.kind === 'string' &&
        served.has(raw.kind) &&
        !String(raw.apiVersion).startsWith('svcdoctor/')
      )
        objects.push(raw);
      else if (raw) extra.push(JSON.stringify(raw));
    }
  }
  if (extra.length) writeFileSync(join(extraDir, 'extra.yaml'), extra.map((e) => `---\n${e}\n`).join(''));
  return objects;
}

function commandsOf(example: string): string[][] {
  const expect_ = parseAllDocuments(
    readFileSync(join(EXAMPLES, example, 'expect.yaml'), 'utf8'),
  )[0]!.toJS() as {
    args: string[];
    diagnose?: string[];
  };
  return [expect_.args, ...(expect_.diagnose ? [expect_.diagnose] : [])].map((a) => a.map(String));
}

/** The JSON answer with source locations (which differ by design: API path vs file) removed. */
function normalised(stdout: string, roots: string[]): unknown {
  let text = stdout;
  for (const r of roots) text = text.split(r).join('<src>');
  return JSON.parse(text);
}

describe('live and collected give the same answer', () => {
  it('there are example bundles to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  // One collect -A per example serves both promises: (1) --from on it answers exactly as the live
  // read does; (2) with the file-only inputs (CloudInventory, Observations, node dumps, audit)
  // added back, it answers as the original bundle does.
  it.each(examples)(
    '%s: live == --from collected, and collected + file-only inputs == original',
    async (example) => {
      const work = mkdtempSync(join(tmpdir(), `svcdoctor-eq-${example}-`));
      const bundle = join(EXAMPLES, example, 'bundle');
      const extra = join(work, 'extra');
      const s = await start(splitBundle(bundle, extra));
      const kc = s.writeKubeconfig();
      const dir = join(work, 'collected');
      // Without --at or observations, timeline dates the failure at the snapshot time: freeze the
      // clock so the live read and the collect run carry the same one.
      vi.useFakeTimers({ toFake: ['Date'], now: new Date() });
      try {
        expect((await cli(['collect', '-A', '-o', dir, '--kubeconfig', kc])).code).toBe(0);
        for (const args of commandsOf(example)) {
          const before = s.requests.length;
          const live = await cli([...args, '-A', '-o', 'json', '--kubeconfig', kc]);
          expect(s.requests.length).toBeGreaterThan(before);
          const offline = await cli([...args, '-A', '-o', 'json', '--from', dir]);
          expect(offline.stderr).toBe(live.stderr);
          expect(offline.code).toBe(live.code);
          expect(normalised(offline.stdout, [dir])).toEqual(normalised(live.stdout, []));
        }
      } finally {
        vi.useRealTimers();
      }
      for (const f of walk(extra)) {
        const target = join(dir, relative(extra, f));
        mkdirSync(join(target, '..'), { recursive: true });
        copyFileSync(f, target);
      }
      for (const args of commandsOf(example)) {
        const original = await cli([...args, '-o', 'json', '--from', bundle]);
        const fromCollect = await cli([...args, '-o', 'json', '--from', dir]);
        expect(fromCollect.code).toBe(original.code);
        type Answer = { findings?: { id: string }[]; verdict?: string; entries?: unknown[] };
        const a = normalised(fromCollect.stdout, [dir]) as Answer;
        const b = normalised(original.stdout, [bundle]) as Answer;
        expect(a.verdict).toBe(b.verdict);
        expect(a.findings?.map((f) => f.id)).toEqual(b.findings?.map((f) => f.id));
        expect(a.entries?.length).toBe(b.entries?.length);
      }
    },
  );
});
