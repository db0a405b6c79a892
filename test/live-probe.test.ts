// Active probes against the fake API server: every way a probe ends deletes its pod.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { SvcdoctorError } from '../src/errors.js';
import { parseClient } from '../src/model/question.js';
import { Snapshot } from '../src/model/snapshot.js';
import { buildSnapshotData } from '../src/sources/convert.js';
import { toBundleItems } from '../src/sources/live/index.js';
import {
  type ProbeTarget,
  parseProbeOutput,
  planProbe,
  probeScript,
  probeTargets,
  runProbe,
} from '../src/sources/live/probe.js';
import { FakeApiServer, smallCluster } from './support/fake-apiserver.js';

const targets: ProbeTarget[] = [
  { to: '10.96.0.10:80/tcp', type: 'tcp', host: '10.96.0.10', port: 80, label: 'clusterip' },
  {
    to: 'svc-0.default.svc.cluster.local',
    type: 'dns',
    host: 'svc-0.default.svc.cluster.local',
    label: 'dns',
  },
];
const isProbe = (p: Record<string, unknown>) =>
  (p.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/managed-by'] ===
  'svcdoctor';

let server: FakeApiServer;
let kubeconfig: string;
beforeEach(async () => {
  server = await FakeApiServer.start({ objects: smallCluster() });
  kubeconfig = server.writeKubeconfig();
});
afterEach(async () => {
  // The probe writes nothing but its own pod, and reads no Secret.
  const writes = server.requests.filter((r) => r.method !== 'GET');
  expect(writes.every((r) => r.resource === 'pods' && (r.verb === 'create' || r.verb === 'delete'))).toBe(
    true,
  );
  expect(server.requests.filter((r) => r.resource === 'secrets')).toEqual([]);
  await server.stop();
});

const created = () => server.requests.filter((r) => r.verb === 'create').length;
const deleted = () =>
  server.requests.filter((r) => r.verb === 'delete' && r.status === 200).map((r) => r.name);
const probePodsLeft = () => server.objects('pods').filter(isProbe);

async function failure(p: Promise<unknown>): Promise<SvcdoctorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SvcdoctorError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('probe pod lifecycle', () => {
  it('success: results become observations and the pod is deleted', async () => {
    server.scriptPods(isProbe, {
      afterMs: 50,
      phase: 'Succeeded',
      terminationMessage:
        // Lines arrive in completion order; observations come back in the order asked.
        "svc-0.default.svc.cluster.local\tok\t\n10.96.0.10:80/tcp\trefused\tnc: can't connect to remote host (10.96.0.10): Connection refused\nbogus\tok\t\n",
    });
    const run = await runProbe({ kubeconfig, namespace: 'default', targets, pollMs: 20 });
    expect(run.observations.map((o) => [o.to, o.result])).toEqual([
      ['10.96.0.10:80/tcp', 'refused'],
      ['svc-0.default.svc.cluster.local', 'ok'],
    ]);
    expect(run.observations[0]!.from).toBe(`pod/default/${run.pod}`);
    expect(deleted()).toEqual([run.pod]);
    expect(probePodsLeft()).toEqual([]);
  });

  it('the pod is created with the label, a deadline and no service account token', async () => {
    server.scriptPods(isProbe, {
      afterMs: 10,
      phase: 'Succeeded',
      terminationMessage: '10.96.0.10:80/tcp\tok\t\n',
    });
    const before = server.requests.length;
    await runProbe({
      kubeconfig,
      namespace: 'default',
      targets,
      node: 'node-2',
      pollMs: 20,
      deadlineSeconds: 45,
      image: 'registry.local/tools:1',
    });
    const post = server.requests.slice(before).find((r) => r.verb === 'create')!;
    expect(post.path).toBe('/api/v1/namespaces/default/pods');
    const pod = post.body as {
      metadata: { labels: Record<string, string> };
      spec: {
        activeDeadlineSeconds: number;
        automountServiceAccountToken: boolean;
        nodeName: string;
        containers: { image: string }[];
      };
    };
    expect(pod.metadata.labels['app.kubernetes.io/managed-by']).toBe('svcdoctor');
    expect(pod.spec.activeDeadlineSeconds).toBe(45);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.nodeName).toBe('node-2');
    expect(pod.spec.containers[0]!.image).toBe('registry.local/tools:1');
    expect(created()).toBe(1);
    expect(probePodsLeft()).toEqual([]);
  });

  it('failure without results: PROBE_FAILED, and the pod is deleted', async () => {
    server.scriptPods(isProbe, { afterMs: 30, phase: 'Failed' });
    const e = await failure(runProbe({ kubeconfig, namespace: 'default', targets, pollMs: 20 }));
    expect(e.code).toBe('SVCDOCTOR_PROBE_FAILED');
    expect(deleted()).toHaveLength(1);
    expect(probePodsLeft()).toEqual([]);
  });

  it('timeout: a pod that never finishes is deleted when the deadline passes', async () => {
    const e = await failure(
      runProbe({ kubeconfig, namespace: 'default', targets, pollMs: 50, deadlineSeconds: 0.3 }),
    );
    expect(e.code).toBe('SVCDOCTOR_PROBE_FAILED');
    expect(deleted()).toHaveLength(1);
    expect(probePodsLeft()).toEqual([]);
  });

  it('abort (Ctrl-C in-process): the pod is deleted before runProbe rejects', async () => {
    const controller = new AbortController();
    const p = runProbe({ kubeconfig, namespace: 'default', targets, pollMs: 30, signal: controller.signal });
    const t0 = Date.now();
    while (created() === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const e = await failure(p);
    expect(e.code).toBe('SVCDOCTOR_PROBE_FAILED');
    expect(deleted()).toHaveLength(1);
    expect(probePodsLeft()).toEqual([]);
  });

  it('not allowed to create pods: PROBE_FAILED naming the probe role, nothing left behind', async () => {
    server.forbid({ resource: 'pods', verb: 'create' });
    const e = await failure(runProbe({ kubeconfig, namespace: 'default', targets }));
    expect(e.code).toBe('SVCDOCTOR_PROBE_FAILED');
    expect(e.hint).toContain('rbac-probe.yaml');
    expect(probePodsLeft()).toEqual([]);
  });

  it('a second run deletes finished and expired leftovers, not a concurrent run in progress', async () => {
    const leftover = (name: string, phase: string, expires: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'default',
        labels: { 'app.kubernetes.io/managed-by': 'svcdoctor', 'svcdoctor.io/probe-run': name },
        annotations: { 'svcdoctor.io/expires-at': expires },
      },
      spec: { containers: [{ name: 'probe', image: 'busybox' }] },
      status: { phase },
    });
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 600_000).toISOString();
    server.add(leftover('old-done', 'Succeeded', future));
    server.add(leftover('old-killed', 'Running', past));
    server.add(leftover('other-run', 'Running', future));
    server.scriptPods(isProbe, {
      afterMs: 10,
      phase: 'Succeeded',
      terminationMessage: '10.96.0.10:80/tcp\tok\t\n',
    });
    const run = await runProbe({ kubeconfig, namespace: 'default', targets, pollMs: 20 });
    expect(run.cleaned.sort()).toEqual(['old-done', 'old-killed']);
    expect(probePodsLeft().map((p) => (p.metadata as { name: string }).name)).toEqual(['other-run']);
    // Web pods that are not svcdoctor's are untouched.
    expect(server.objects('pods').filter((p) => !isProbe(p))).toHaveLength(3);
  });

  it('SIGINT to a process running a probe: the delete request arrives before it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-sigint-'));
    const script = join(dir, 'probe-child.ts');
    const probeModule = resolve('src/sources/live/probe.ts');
    writeFileSync(
      script,
      `import { abortOnSignals, runProbe } from ${JSON.stringify(probeModule)};
const [kubeconfig] = process.argv.slice(2);
const { signal, dispose } = abortOnSignals();
runProbe({ kubeconfig, namespace: 'default', targets: ${JSON.stringify(targets)}, pollMs: 50, deadlineSeconds: 60, signal })
  .then(() => { process.exitCode = 0; }, () => { process.exitCode = 130; })
  .finally(dispose);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, kubeconfig], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const t0 = Date.now();
    while (created() === 0 && Date.now() - t0 < 50_000) await new Promise((r) => setTimeout(r, 20));
    expect(created()).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(deleted()).toHaveLength(1);
    expect(probePodsLeft()).toEqual([]);
  }, 60_000);
});

describe('diagnose --probe', () => {
  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: { HOME: tmpdir() },
      isTTY: false,
      packageRoot: process.cwd(),
    });
    return { code, stdout, stderr };
  }

  it('probe results reach the diagnosis as observations (refused at Pod IP:targetPort → container-not-listening)', async () => {
    // The fake pod answers what a real one would if nothing listened on the pods' port 8080.
    server.scriptPods(isProbe, {
      afterMs: 20,
      phase: 'Succeeded',
      terminationMessage: (pod) => {
        const env = (pod.spec as { containers: { env: { value: string }[] }[] }).containers[0]!.env[0]!.value;
        return env
          .split('\n')
          .map((line) => {
            const [type, host, , to] = line.split(' ');
            const result = type === 'dns' ? 'ok' : host!.startsWith('10.244.') ? 'refused' : 'timeout';
            return `${to}\t${result}\t`;
          })
          .join('\n');
      },
    });
    const res = await cli([
      'diagnose',
      'svc-0',
      '-n',
      'default',
      '-o',
      'json',
      '--probe',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(res.code).toBe(1);
    const out = JSON.parse(res.stdout) as {
      findings: { id: string; data: { refusals?: { pod: string; source: string }[] } }[];
    };
    const f = out.findings.find((x) => x.id === 'container-not-listening');
    expect(f?.data.refusals?.map((r) => [r.pod, r.source])).toEqual([
      ['web-0', 'observation'],
      ['web-1', 'observation'],
    ]);
    expect(created()).toBe(1);
    expect(probePodsLeft()).toEqual([]);
  });

  it('Ctrl-C (SIGINT) to `svcdoctor diagnose --probe`: the pod is deleted, exit 130', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('src/cli/main.ts'),
        'diagnose',
        'svc-0',
        '-n',
        'default',
        '--probe',
        '--kubeconfig',
        kubeconfig,
      ],
      { stdio: 'ignore', env: { ...process.env, HOME: tmpdir(), KUBECONFIG: '' } },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const t0 = Date.now();
    while (created() === 0 && Date.now() - t0 < 50_000) await new Promise((r) => setTimeout(r, 20));
    expect(created()).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(deleted()).toHaveLength(1);
    expect(probePodsLeft()).toEqual([]);
  }, 60_000);

  it('--probe with --from is a usage error, and nothing is created', async () => {
    const res = await cli([
      'diagnose',
      'web',
      '--probe',
      '--from',
      'examples/selector-typo/bundle',
      '-n',
      'shop',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^svcdoctor: SVCDOCTOR_USAGE:/);
    expect(server.requests).toEqual([]);
  });
});

describe('where a probe stands', () => {
  const snap = () => {
    const objs = smallCluster(1).filter((o) => (o as { kind: string }).kind !== 'Secret');
    // A third node without backends.
    objs.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-3' },
      status: {
        addresses: [{ type: 'InternalIP', address: '192.168.0.12' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
    const items = toBundleItems(
      objs.map((raw, doc) => ({ raw: raw as Record<string, unknown>, origin: { file: 't', doc } })),
    );
    return new Snapshot(buildSnapshotData(items));
  };
  it.each([
    { client: 'same-node-as-backend', node: 'node-1', hostNetwork: true, from: 'same-node-as-backend' },
    { client: 'pod-on-backend-node', node: 'node-1', hostNetwork: false, from: 'pod-on-backend-node' },
    { client: 'other-node', node: 'node-3', hostNetwork: true, from: 'other-node' },
    { client: 'pod-on-other-node', node: 'node-3', hostNetwork: false, from: 'pod-on-other-node' },
    { client: 'node/node-2', node: 'node-2', hostNetwork: true, from: 'node/node-2' },
    { client: 'pod/default/web-1', node: 'node-2', hostNetwork: false, from: undefined },
    { client: 'internet', node: undefined, hostNetwork: false, from: undefined },
  ])('client $client → node $node, hostNetwork $hostNetwork', ({ client, node, hostNetwork, from }) => {
    const s = snap();
    const svc = s.data.services.find((x) => x.meta.name === 'svc-0')!;
    const plan = planProbe(s, svc, {
      target: { kind: 'Service', namespace: 'default', name: 'svc-0' },
      client: parseClient(client)!,
      inferred: [],
    });
    expect([plan.node, plan.hostNetwork, plan.from]).toEqual([node, hostNetwork, from]);
    expect(plan.caveat !== undefined).toBe(client.startsWith('pod/') || client === 'internet');
  });
});

describe('the probe script', () => {
  // Runs the pod's script under the local sh with stub nc/nslookup that print what busybox
  // prints, so the classification is tested without a cluster or any network traffic.
  it('classifies ok, refused, timeout, no route, NXDOMAIN and SERVFAIL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcdoctor-script-'));
    const stub = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    stub(
      'nc',
      [
        'case "$4" in',
        '  1) echo "nc: can\'t connect to remote host ($3): Connection refused" >&2; exit 1;;',
        '  2) sleep 5;;',
        '  3) echo "nc: can\'t connect to remote host ($3): No route to host" >&2; exit 1;;',
        '  *) exit 0;;',
        'esac',
      ].join('\n'),
    );
    stub(
      'nslookup',
      [
        'case "$1" in',
        '  nx.*) echo "** server can\'t find $1: NXDOMAIN"; exit 1;;',
        '  sf.*) echo "** server can\'t find $1: SERVFAIL"; exit 1;;',
        '  *) echo "Name: $1"; exit 0;;',
        'esac',
      ].join('\n'),
    );
    const out = join(dir, 'termination-log');
    const targets = [
      'tcp 127.0.0.1 80 127.0.0.1:80/tcp',
      'tcp 127.0.0.1 1 127.0.0.1:1/tcp',
      'tcp 127.0.0.1 2 127.0.0.1:2/tcp',
      'tcp 127.0.0.1 3 127.0.0.1:3/tcp',
      'dns web.default.svc.cluster.local 0 web.default.svc.cluster.local',
      'dns nx.default.svc.cluster.local 0 nx.default.svc.cluster.local',
      'dns sf.default.svc.cluster.local 0 sf.default.svc.cluster.local',
    ].join('\n');
    execFileSync('sh', ['-c', probeScript(1)], {
      env: { PATH: `${dir}:/usr/bin:/bin`, PROBE_OUT: out, TARGETS: targets },
      stdio: 'ignore',
    });
    const results = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 2).join(' '))
      .sort();
    expect(results).toEqual(
      [
        '127.0.0.1:80/tcp ok',
        '127.0.0.1:1/tcp refused',
        '127.0.0.1:2/tcp timeout',
        '127.0.0.1:3/tcp no-route',
        'web.default.svc.cluster.local ok',
        'nx.default.svc.cluster.local dns-nxdomain',
        'sf.default.svc.cluster.local dns-timeout',
      ].sort(),
    );
  });
});

describe('what a probe tries', () => {
  it('ClusterIP, DNS, LB address, NodePort on own and other node, and pod IP:targetPort', () => {
    const objs = smallCluster(1).map((o) => {
      const obj = o as {
        kind: string;
        metadata: { name: string };
        spec: Record<string, unknown>;
        status?: unknown;
      };
      if (obj.kind === 'Service' && obj.metadata.name === 'svc-0')
        return {
          ...obj,
          spec: {
            ...obj.spec,
            type: 'LoadBalancer',
            ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }],
          },
          status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
        };
      return obj;
    });
    const items = toBundleItems(
      objs
        .filter((o) => (o as { kind: string }).kind !== 'Secret')
        .map((raw, doc) => ({ raw: raw as Record<string, unknown>, origin: { file: 't', doc } })),
    );
    const snap = new Snapshot(buildSnapshotData(items));
    const svc = snap.data.services.find((s) => s.meta.name === 'svc-0')!;
    const got = probeTargets(snap, svc, { node: 'node-1' }).map((t) => `${t.label} ${t.to}`);
    expect(got).toEqual([
      'dns svc-0.default.svc.cluster.local',
      'clusterip 10.96.0.10:80/tcp',
      'loadbalancer 203.0.113.10:80/tcp',
      'nodeport-own-node 192.168.0.10:30080/tcp',
      'nodeport-other-node 192.168.0.11:30080/tcp',
      'pod/default/web-0 10.244.0.5:8080/tcp',
      'pod/default/web-1 10.244.1.5:8080/tcp',
    ]);
  });

  it.each([
    { line: '1.2.3.4:80/tcp\ttimeout\tnc: timed out', result: 'timeout' },
    { line: '1.2.3.4:80/tcp\tno-route\tnc: No route to host', result: 'no-route' },
    { line: '1.2.3.4:80/tcp\tmaybe\t', result: undefined },
    { line: '9.9.9.9:80/tcp\tok\t', result: undefined },
  ])('probe output $line → $result', ({ line, result }) => {
    const obs = parseProbeOutput(line, 'pod/default/p', 't', new Map([['1.2.3.4:80/tcp', 'clusterip']]));
    expect(obs[0]?.result).toBe(result);
  });
});
