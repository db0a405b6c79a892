// The live source against a real HTTPS API (the fake server), through the unmodified
// @kubernetes/client-node and a generated kubeconfig.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run } from '../src/cli/run.js';
import { SvcdoctorError } from '../src/errors.js';
import { contextNamespace, type LoadLiveOptions, loadLive } from '../src/sources/live/index.js';
import { loadKubeconfig } from '../src/sources/live/kubeconfig.js';
import { runProbe } from '../src/sources/live/probe.js';
import { type LiveProgress, type LiveReadResult, readLive } from '../src/sources/live/read.js';
import { FakeApiServer, type RecordedRequest, smallCluster } from './support/fake-apiserver.js';

let server: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  server = await FakeApiServer.start({ objects: smallCluster() });
  kubeconfig = server.writeKubeconfig();
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  // Whatever a test did, nothing may ever have asked for a Secret.
  expect(server.requests.filter((r) => r.resource === 'secrets')).toEqual([]);
});

/** Runs fn against fresh per-test server behaviour, and returns the requests it caused. */
async function isolated<T>(
  objects: unknown[],
  setup: (s: FakeApiServer) => void,
  fn: (kubeconfig: string, s: FakeApiServer) => Promise<T>,
): Promise<{ value: T; s: FakeApiServer }> {
  const s = await FakeApiServer.start({ objects });
  try {
    setup(s);
    const value = await fn(s.writeKubeconfig(), s);
    expect(s.requests.filter((r) => r.resource === 'secrets')).toEqual([]);
    return { value, s };
  } finally {
    await s.stop();
  }
}

/** loadLive as the CLI calls it, keeping the raw read for assertions. */
async function live(options: LoadLiveOptions) {
  let read: LiveReadResult | undefined;
  const data = await loadLive({ ...options, onRead: (r) => (read = r) });
  return { data, read: read! };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SvcdoctorError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('reading a cluster', () => {
  it('reads every kind in one paged list per resource and namespace scope', async () => {
    const before = server.requests.length;
    const { data, read } = await live({ kubeconfig, namespace: 'default', pageSize: 3 });
    const reqs = server.requests.slice(before);
    // 7 + kube-system's 0 services: pages of 3 → 3 requests in default, 1 in kube-system.
    expect(reqs.filter((r) => r.resource === 'services').map((r) => r.namespace)).toEqual([
      'default',
      'kube-system',
      'default',
      'default',
    ]);
    expect(data.services.map((s) => s.meta.name).sort()).toEqual(
      ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5', 'svc-6'].sort(),
    );
    expect(data.pods.map((p) => `${p.meta.namespace}/${p.meta.name}`).sort()).toEqual([
      'default/web-0',
      'default/web-1',
      'kube-system/kube-proxy-a',
    ]);
    expect(data.nodes.map((n) => n.meta.name).sort()).toEqual(['node-1', 'node-2']);
    expect(data.kubeProxy?.mode).toBe('ipvs');
    // Only the named ConfigMaps are fetched; aws-auth is never read.
    expect(data.configMaps.map((c) => c.meta.name)).toEqual(['kube-proxy']);
    // GETs are only the fixed ConfigMap names; everything else is a list.
    expect(reqs.filter((r) => r.verb === 'get').map((r) => r.name)).toEqual([
      'kube-proxy',
      'kube-proxy-config',
      'coredns',
      'kubelet-config',
    ]);
    expect(reqs.filter((r) => r.verb === 'list').every((r) => r.query.limit === '3')).toBe(true);
    expect(read.requestCount).toBe(reqs.length);
    expect(data.collected).toMatchObject({
      Service: true,
      Pod: true,
      Node: true,
      Namespace: true,
      Workload: true,
    });
    expect(data.warnings).toEqual([]);
  });

  it('reads only the namespaces asked for with -n, and all-namespace lists with -A', async () => {
    let before = server.requests.length;
    await readLive({ kubeconfig, namespaces: ['prod'], resources: ['services', 'networkpolicies', 'nodes'] });
    let reqs = server.requests.slice(before);
    expect(reqs.map((r) => `${r.resource}:${r.namespace ?? '*'}`).sort()).toEqual(
      ['networkpolicies:prod', 'nodes:*', 'services:kube-system', 'services:prod'].sort(),
    );
    before = server.requests.length;
    const all = await readLive({ kubeconfig, namespaces: 'all', resources: ['services', 'networkpolicies'] });
    reqs = server.requests.slice(before);
    expect(reqs.map((r) => r.path).sort()).toEqual([
      '/api/v1/services',
      '/apis/networking.k8s.io/v1/networkpolicies',
    ]);
    expect(all.items.filter((i) => i.raw.kind === 'Service')).toHaveLength(8);
  });

  it('defaults to the namespace of the kubeconfig context', async () => {
    const kc = server.writeKubeconfig({ namespace: 'prod' });
    expect(contextNamespace({ kubeconfig: kc })).toBe('prod');
    const before = server.requests.length;
    await readLive({ kubeconfig: kc, resources: ['ingresses'] });
    expect(server.requests.slice(before).map((r) => r.namespace)).toEqual(['prod']);
  });

  it('the CLI without -n diagnoses in the context namespace, as kubectl would', async () => {
    let out = '';
    const code = await run(
      ['diagnose', 'api', '-o', 'json', '--kubeconfig', server.writeKubeconfig({ namespace: 'prod' })],
      {
        stdout: (t) => {
          out += t;
        },
        stderr: () => {},
        env: { HOME: tmpdir() },
        isTTY: false,
        packageRoot: process.cwd(),
      },
    );
    expect([0, 1]).toContain(code);
    const result = JSON.parse(out) as { target: { namespace: string }; findings: { id: string }[] };
    expect(result.target.namespace).toBe('prod');
    expect(result.findings.map((f) => f.id)).not.toContain('service-not-found');
  });

  it('--client pod/NS/NAME adds the client namespace to the read', async () => {
    const before = server.requests.length;
    await run(
      [
        'diagnose',
        'svc-0',
        '-n',
        'default',
        '--client',
        'pod/prod/client-a',
        '-o',
        'json',
        '--kubeconfig',
        kubeconfig,
      ],
      {
        stdout: () => {},
        stderr: () => {},
        env: { HOME: tmpdir() },
        isTTY: false,
        packageRoot: process.cwd(),
      },
    );
    const podLists = server.requests.slice(before).filter((r) => r.resource === 'pods' && r.verb === 'list');
    expect(podLists.map((r) => r.namespace).sort()).toEqual(['default', 'kube-system', 'prod']);
    const policyLists = server.requests.slice(before).filter((r) => r.resource === 'networkpolicies');
    expect(policyLists.map((r) => r.namespace).sort()).toEqual(['default', 'prod']);
  });

  it('keeps at most `concurrency` lists in flight', async () => {
    const { s } = await isolated(
      smallCluster(),
      (s) => s.delay({}, 40),
      (kc) => readLive({ kubeconfig: kc, namespaces: ['default'], concurrency: 2 }),
    );
    expect(s.maxInFlight).toBe(2);
  });

  it('reports progress up to done == total', async () => {
    const seen: LiveProgress[] = [];
    await readLive({ kubeconfig, namespaces: ['default'], onProgress: (p) => seen.push(p) });
    const last = seen.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(last.objects).toBeGreaterThanOrEqual(7);
    expect(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done)).toBe(true);
  });
});

describe('paging, expiry and broken connections', () => {
  it('restarts a list whose continue token expired (410 Gone), without duplicates', async () => {
    const { value, s } = await isolated(
      smallCluster(),
      (s) => s.expireContinue({ resource: 'services', namespace: 'default' }),
      (kc) => readLive({ kubeconfig: kc, namespaces: ['default'], resources: ['services'], pageSize: 3 }),
    );
    const names = value.items.map((i) => (i.raw.metadata as { name: string }).name);
    expect(names).toHaveLength(7);
    expect(new Set(names).size).toBe(7);
    const statuses = s.requests.filter((r) => r.namespace === 'default').map((r) => r.status);
    expect(statuses).toEqual([200, 410, 200, 200, 200]);
  });

  it('a continue token made stale by compaction (410) restarts the list, which then sees the new object', async () => {
    const { value, s } = await isolated(
      smallCluster(),
      (s) => {
        let done = false;
        s.onRequest = (r) => {
          // Between the first and second page: a Service is created and etcd compacts.
          if (!done && r.resource === 'services' && r.namespace === 'default' && r.query.continue) {
            done = true;
            s.add({
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'svc-new', namespace: 'default' },
              spec: { ports: [{ port: 80 }] },
            });
            s.compact();
          }
        };
      },
      (kc) => readLive({ kubeconfig: kc, namespaces: ['default'], resources: ['services'], pageSize: 3 }),
    );
    const names = value.items
      .map((i) => (i.raw.metadata as { name: string }).name)
      .filter((n) => n.startsWith('svc'));
    expect(names).toHaveLength(8);
    expect(names).toContain('svc-new');
    expect(s.requests.filter((r) => r.namespace === 'default').map((r) => r.status)).toEqual([
      200, 410, 200, 200, 200,
    ]);
  });

  it('reads in one unpaged request after repeated expiries', async () => {
    const { value, s } = await isolated(
      smallCluster(),
      (s) => s.expireContinue({ resource: 'services', namespace: 'default' }, 100),
      (kc) => readLive({ kubeconfig: kc, namespaces: ['default'], resources: ['services'], pageSize: 3 }),
    );
    expect(
      value.items.filter((i) => (i.raw.metadata as { namespace: string }).namespace === 'default'),
    ).toHaveLength(7);
    const last = s.requests.filter((r) => r.namespace === 'default').at(-1)!;
    expect(last.query.limit).toBeUndefined();
    expect(last.status).toBe(200);
  });

  it('retries a dropped connection and still reads everything', async () => {
    const { value, s } = await isolated(
      smallCluster(),
      (s) => s.drop({ resource: 'pods', namespace: 'default' }, 2),
      (kc) => readLive({ kubeconfig: kc, namespaces: ['default'], resources: ['pods'] }),
    );
    expect(value.items).toHaveLength(3);
    expect(s.requests.filter((r) => r.dropped)).toHaveLength(2);
  });

  it('waits and retries when the API server sheds load (429 Too Many Requests)', async () => {
    const { value, s } = await isolated(
      smallCluster(),
      (s) => s.throttle({ resource: 'nodes' }, 2),
      (kc) => readLive({ kubeconfig: kc, resources: ['nodes'] }),
    );
    expect(value.items).toHaveLength(2);
    expect(s.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('waits for slow answers within the deadline', async () => {
    const { value } = await isolated(
      smallCluster(),
      (s) => s.delay({ resource: 'nodes' }, 300),
      (kc) => readLive({ kubeconfig: kc, resources: ['nodes'], timeoutMs: 5_000 }),
    );
    expect(value.items).toHaveLength(2);
  });

  it('gives up with API_UNREACHABLE when answers never come in time', async () => {
    const { value } = await isolated(
      smallCluster(),
      (s) => s.delay({ resource: 'nodes' }, 2_000),
      (kc) => codeOf(readLive({ kubeconfig: kc, resources: ['nodes'], timeoutMs: 150, retries: 1 })),
    );
    expect(value).toBe('SVCDOCTOR_API_UNREACHABLE');
  });
});

describe('permissions', () => {
  it('a user without list nodes still gets a snapshot, with Node not collected and the RBAC rule', async () => {
    const { value } = await isolated(
      smallCluster(),
      (s) => s.forbid({ resource: 'nodes' }),
      (kc) => live({ kubeconfig: kc, namespace: 'default' }),
    );
    const { data, read } = value;
    expect(data.collected.Node).toBe(false);
    expect(data.collected.Service).toBe(true);
    expect(data.nodes).toEqual([]);
    expect(data.pods).toHaveLength(3);
    expect(read.forbidden).toEqual([
      expect.objectContaining({ resource: 'nodes', group: '', verb: 'list', namespace: undefined }),
    ]);
    expect(data.warnings.map((w) => w.code)).toEqual(['SVCDOCTOR_FORBIDDEN']);
    expect(data.warnings[0]!.hint).toContain('resources: ["nodes"]');
  });

  it('diagnose without list nodes: a diagnosis (exit 0/1), the node layer in unknowns with the RBAC rule', async () => {
    const { value } = await isolated(
      smallCluster(),
      (s) => s.forbid({ resource: 'nodes' }),
      async (kc) => {
        let out = '';
        let err = '';
        const code = await run(['diagnose', 'svc-0', '-n', 'default', '-o', 'json', '--kubeconfig', kc], {
          stdout: (t) => {
            out += t;
          },
          stderr: (t) => {
            err += t;
          },
          env: { HOME: tmpdir() },
          isTTY: false,
          packageRoot: process.cwd(),
        });
        return { code, out, err };
      },
    );
    expect(value.err).toBe('');
    expect([0, 1]).toContain(value.code);
    const result = JSON.parse(value.out) as { target: { name: string }; unknowns: string[] };
    expect(result.target.name).toBe('svc-0');
    const nodeUnknowns = result.unknowns.filter((u) => u.includes('resources: ["nodes"]'));
    expect(nodeUnknowns).toHaveLength(1);
  });

  it('an object the converter refuses is skipped with a warning; its kind counts as not collected', async () => {
    const objects = smallCluster();
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'odd', namespace: 'default' },
      spec: { ports: [{ port: 'eighty' }] },
    });
    const { value } = await isolated(
      objects,
      () => {},
      (kc) => live({ kubeconfig: kc, namespace: 'default' }),
    );
    expect(value.data.services.map((s) => s.meta.name)).not.toContain('odd');
    expect(value.data.services).toHaveLength(7);
    expect(value.data.collected.Service).toBe(false);
    expect(value.data.collected.Pod).toBe(true);
    expect(value.data.warnings.map((w) => w.code)).toEqual(['SVCDOCTOR_OBJECT_SKIPPED']);
  });

  it('a kind forbidden in one namespace is incomplete, hence not collected', async () => {
    const { value } = await isolated(
      smallCluster(),
      (s) => s.forbid({ resource: 'pods', namespace: 'kube-system' }),
      (kc) => live({ kubeconfig: kc, namespace: 'default' }),
    );
    expect(value.data.collected.Pod).toBe(false);
    expect(value.read.forbidden.map((f) => `${f.resource}/${f.namespace}`)).toEqual(['pods/kube-system']);
  });

  it('a resource the server does not serve is reported, not fatal', async () => {
    const { value } = await isolated(
      smallCluster(),
      // An API server before 1.33 has no networking.k8s.io/v1 servicecidrs.
      (s) => s.unserve('servicecidrs'),
      (kc) => live({ kubeconfig: kc, namespace: 'default', resources: ['services', 'servicecidrs'] }),
    );
    expect(value.data.collected.ServiceCIDR).toBe(false);
    expect(value.data.collected.Service).toBe(true);
    expect(value.read.notServed).toEqual(['servicecidrs']);
    expect(value.data.warnings.map((w) => w.code)).toEqual(['SVCDOCTOR_NOT_SERVED']);
  });
});

describe('errors that stop the read', () => {
  it.each([
    {
      name: 'rejected token → API_UNAUTHORIZED',
      code: 'SVCDOCTOR_API_UNAUTHORIZED',
      kc: () => server.writeKubeconfig({ token: 'expired' }),
      context: undefined,
    },
    {
      name: 'unknown --context → CONTEXT_NOT_FOUND',
      code: 'SVCDOCTOR_CONTEXT_NOT_FOUND',
      kc: () => kubeconfig,
      context: 'nope',
    },
    {
      name: 'missing --kubeconfig file → KUBECONFIG_NOT_FOUND',
      code: 'SVCDOCTOR_KUBECONFIG_NOT_FOUND',
      kc: () => join(tmpdir(), 'svcdoctor-no-such-kubeconfig'),
      context: undefined,
    },
  ])('$name', async ({ code, kc, context }) => {
    expect(await codeOf(readLive({ kubeconfig: kc(), context, resources: ['nodes'] }))).toBe(code);
  });

  it.each([
    {
      name: 'expired token',
      args: () => ['--kubeconfig', server.writeKubeconfig({ token: 'expired' })],
      code: 'SVCDOCTOR_API_UNAUTHORIZED',
    },
    {
      name: 'wrong context',
      args: () => ['--kubeconfig', kubeconfig, '--context', 'staging'],
      code: 'SVCDOCTOR_CONTEXT_NOT_FOUND',
    },
  ])('CLI: $name → one line on stderr, exit 2', async ({ args, code }) => {
    let err = '';
    let out = '';
    const exit = await run(['diagnose', 'svc-0', '-n', 'default', ...args()], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      env: { HOME: tmpdir() },
      isTTY: false,
      packageRoot: process.cwd(),
    });
    expect(exit).toBe(2);
    expect(out).toBe('');
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err.startsWith(`svcdoctor: ${code}: `)).toBe(true);
  });

  it('an API server nobody listens on → API_UNREACHABLE', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-kc-'));
    const file = join(dir, 'config');
    writeFileSync(file, server.kubeconfig().replace(server.url, `https://127.0.0.1:${port}`));
    expect(await codeOf(readLive({ kubeconfig: file, resources: ['nodes'], retries: 0 }))).toBe(
      'SVCDOCTOR_API_UNREACHABLE',
    );
  });

  it('no kubeconfig anywhere and not in a cluster → KUBECONFIG_NOT_FOUND', () => {
    const home = mkdtempSync(join(tmpdir(), 'svcdoctor-home-'));
    expect(() => loadKubeconfig({ env: { HOME: home } })).toThrowError(
      expect.objectContaining({ code: 'SVCDOCTOR_KUBECONFIG_NOT_FOUND' }),
    );
  });
});

describe('kubeconfig like kubectl', () => {
  it('KUBECONFIG with several files: the first file wins for current-context and duplicate names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-multi-'));
    const good = JSON.parse(server.kubeconfig({ context: 'a' })) as Record<string, unknown>;
    const bad = JSON.parse(server.kubeconfig({ context: 'a', token: 'wrong' })) as Record<string, unknown>;
    bad['current-context'] = 'b';
    (bad.contexts as { name: string }[]).push({
      name: 'b',
      context: { cluster: 'a-cluster', user: 'a-user' },
    } as never);
    const f1 = join(dir, 'one');
    const f2 = join(dir, 'two');
    writeFileSync(f1, JSON.stringify(good));
    writeFileSync(f2, JSON.stringify(bad));
    const env = { KUBECONFIG: [f1, join(dir, 'missing'), f2].join(delimiter) };
    const loaded = loadKubeconfig({ env });
    expect(loaded.contextName).toBe('a');
    expect(loaded.kc.getContexts().map((c) => c.name)).toEqual(['a', 'b']);
    // Context b exists only in the second file, but user a-user comes from the first: a good token.
    const viaB = await readLive({ loaded: loadKubeconfig({ env, context: 'b' }), resources: ['nodes'] });
    expect(viaB.items).toHaveLength(2);
  });

  it('--kubeconfig overrides KUBECONFIG', () => {
    const loaded = loadKubeconfig({ kubeconfig, env: { KUBECONFIG: '/nonexistent' } });
    expect(loaded.sources).toEqual([kubeconfig]);
  });

  it('in-cluster: service account token and CA when no kubeconfig exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'svcdoctor-incluster-'));
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), server.token);
    writeFileSync(join(sa, 'ca.crt'), server.ca);
    writeFileSync(join(sa, 'namespace'), 'prod');
    const port = new URL(server.url).port;
    const home = mkdtempSync(join(tmpdir(), 'svcdoctor-home-'));
    const loaded = loadKubeconfig({
      env: { HOME: home, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
      inClusterRoot: root,
    });
    expect(loaded.sources).toEqual(['in-cluster']);
    expect(loaded.namespace).toBe('prod');
    const read = await readLive({ loaded, resources: ['services'] });
    expect(read.items.map((i) => (i.raw.metadata as { name: string }).name)).toContain('api');
  });

  it('client certificate auth (client-certificate-data / client-key-data)', async () => {
    const read = await readLive({
      kubeconfig: server.writeKubeconfig({ clientCert: true }),
      resources: ['nodes'],
    });
    expect(read.items).toHaveLength(2);
  });

  it('a failing exec plugin → API_UNAUTHORIZED (cannot obtain credentials)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-exec-'));
    const cfg = JSON.parse(server.kubeconfig()) as { users: { user: Record<string, unknown> }[] };
    cfg.users[0]!.user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', 'process.stderr.write("token expired, run login"); process.exit(1)'],
        interactiveMode: 'Never',
      },
    };
    const file = join(dir, 'config');
    writeFileSync(file, JSON.stringify(cfg));
    expect(await codeOf(readLive({ kubeconfig: file, resources: ['nodes'] }))).toBe(
      'SVCDOCTOR_API_UNAUTHORIZED',
    );
  });

  it('exec credential plugins, as the library runs them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-exec-'));
    const cfg = JSON.parse(server.kubeconfig()) as { users: { user: Record<string, unknown> }[] };
    const script = `process.stdout.write(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1',kind:'ExecCredential',status:{token:'${server.token}'}}))`;
    cfg.users[0]!.user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', script],
        interactiveMode: 'Never',
      },
    };
    const file = join(dir, 'config');
    writeFileSync(file, JSON.stringify(cfg));
    const read = await readLive({ kubeconfig: file, resources: ['nodes'] });
    expect(read.items).toHaveLength(2);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

describe('least privilege (deploy/rbac.yaml)', () => {
  interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
  }
  interface Grant {
    namespace?: string;
    rules: Rule[];
  }
  function grants(file: string): Grant[] {
    const docs = parseAllDocuments(readFileSync(file, 'utf8')).map(
      (d) => d.toJS() as Record<string, unknown>,
    );
    const roles = docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
    const bindings = docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding');
    return roles
      .filter((r) =>
        bindings.some(
          (b) =>
            (b.roleRef as { name: string; kind: string }).name === (r.metadata as { name: string }).name &&
            (b.roleRef as { kind: string }).kind === r.kind,
        ),
      )
      .map((r) => ({
        namespace: r.kind === 'Role' ? (r.metadata as { namespace: string }).namespace : undefined,
        rules: r.rules as Rule[],
      }));
  }
  const allowed = (g: Grant[], r: RecordedRequest): boolean =>
    g.some(
      (grant) =>
        (grant.namespace === undefined || grant.namespace === r.namespace) &&
        grant.rules.some(
          (rule) =>
            rule.apiGroups.includes(r.group ?? '') &&
            rule.resources.includes(r.resource ?? '') &&
            rule.verbs.includes(r.verb ?? '') &&
            (!rule.resourceNames || (r.name !== undefined && rule.resourceNames.includes(r.name))),
        ),
    );

  it('every request of a read (-n and -A) is allowed by the reader role, and it grants no secrets or writes', async () => {
    const g = grants('deploy/rbac.yaml');
    const before = server.requests.length;
    await readLive({ kubeconfig, namespaces: ['default', 'prod'] });
    await readLive({ kubeconfig, namespaces: 'all' });
    const reqs = server.requests.slice(before);
    expect(reqs.length).toBeGreaterThan(20);
    expect(reqs.filter((r) => !allowed(g, r)).map((r) => `${r.verb} ${r.path}`)).toEqual([]);
    const everything = g.flatMap((x) => x.rules);
    expect(everything.flatMap((r) => r.resources)).not.toContain('secrets');
    expect([...new Set(everything.flatMap((r) => r.verbs))].sort()).toEqual(['get', 'list']);
  });

  it('a probe run needs only the reader role plus deploy/rbac-probe.yaml in its namespace', async () => {
    const g = [...grants('deploy/rbac.yaml'), ...grants('deploy/rbac-probe.yaml')];
    const { s: srv } = await isolated(
      smallCluster(),
      (s) =>
        s.scriptPods(
          (p) =>
            (p.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/managed-by'] ===
            'svcdoctor',
          { afterMs: 10, phase: 'Succeeded', terminationMessage: '10.96.0.10:80/tcp\tok\t\n' },
        ),
      (kc) =>
        runProbe({
          kubeconfig: kc,
          namespace: 'default',
          pollMs: 20,
          targets: [
            { to: '10.96.0.10:80/tcp', type: 'tcp', host: '10.96.0.10', port: 80, label: 'clusterip' },
          ],
        }),
    );
    const verbs = srv.requests.map((r) => r.verb);
    expect(verbs).toContain('create');
    expect(verbs).toContain('delete');
    expect(srv.requests.filter((r) => !allowed(g, r)).map((r) => `${r.verb} ${r.path}`)).toEqual([]);
    // Without the probe role, creating the pod would be refused.
    expect(
      srv.requests.filter((r) => r.verb === 'create').every((r) => !allowed(grants('deploy/rbac.yaml'), r)),
    ).toBe(true);
  });
});

describe('progress for a terminal', () => {
  it('the CLI shows it on a terminal, and not with -o json', async () => {
    const { value } = await isolated(
      smallCluster(),
      (s) => s.delay({}, 150),
      async (kc) => {
        const runOnce = async (format: string) => {
          let err = '';
          await run(['diagnose', 'svc-0', '-n', 'default', '-o', format, '--kubeconfig', kc], {
            stdout: () => {},
            stderr: (t) => {
              err += t;
            },
            env: { HOME: tmpdir() },
            isTTY: true,
            packageRoot: process.cwd(),
          });
          return err;
        };
        return { table: await runOnce('table'), json: await runOnce('json') };
      },
    );
    expect(value.table).toMatch(/^\rreading cluster: \d+\/\d+ lists/);
    expect(value.json).toBe('');
  });

  it('stays silent for quick reads and erases its line after a long one', async () => {
    const quick: string[] = [];
    await loadLive({
      kubeconfig,
      namespace: 'default',
      resources: ['nodes'],
      // A read shorter than the threshold (generous: the machine may be busy) prints nothing.
      progressAfterMs: 10_000,
      onProgress: (l) => quick.push(l),
    });
    expect(quick).toEqual([]);
    const slow: string[] = [];
    const { value } = await isolated(
      smallCluster(),
      (s) => s.delay({}, 60),
      (kc) =>
        loadLive({
          kubeconfig: kc,
          namespace: 'default',
          progressAfterMs: 50,
          concurrency: 1,
          onProgress: (l) => slow.push(l),
        }),
    );
    expect(value.services).toHaveLength(7);
    expect(slow.length).toBeGreaterThan(1);
    expect(slow.at(-1)!.trim()).toBe('');
    expect(slow.at(-2)).toMatch(/^reading cluster: \d+\/\d+ lists/);
  });
});
