// Load speed: reading a collected bundle ÷ bare JSON.parse of the same bytes, and the cost of
// one diagnosis and of a whole-cluster audit on it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diagnose } from '../src/diagnose/diagnose.js';
import { Snapshot } from '../src/model/snapshot.js';
import { loadBundle } from '../src/sources/files.js';
import { interleaved, median, ms, ratio } from './util.js';

export function syntheticCluster(services: number, podsPerService: number): Record<string, unknown> {
  const items: unknown[] = [];
  for (let n = 1; n <= 20; n++)
    items.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${n}` },
      status: {
        addresses: [{ type: 'InternalIP', address: `192.168.1.${n}` }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  for (let s = 0; s < services; s++) {
    const ns = `ns-${s % 50}`;
    const name = `svc-${s}`;
    const a = Math.floor(s / 250);
    const b = s % 250;
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: {
        selector: { app: name },
        clusterIP: `10.96.${a}.${b + 1}`,
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    const endpoints: unknown[] = [];
    for (let p = 0; p < podsPerService; p++) {
      const ip = `10.${100 + (s % 100)}.${Math.floor(s / 100) % 250}.${p + 1}`;
      const node = `node-${((s + p) % 20) + 1}`;
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${name}-${p}`, namespace: ns, labels: { app: name } },
        spec: {
          nodeName: node,
          containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
        status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
      });
      endpoints.push({ addresses: [ip], conditions: { ready: true }, nodeName: node });
    }
    items.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints,
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

export async function run(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'svcdoctor-bench-'));
  try {
    const file = path.join(dir, 'cluster.json');
    writeFileSync(file, JSON.stringify(syntheticCluster(10_000, 5)));
    const bytes = readFileSync(file);
    // In turns, so load from elsewhere on the machine hits the bare parse and the load alike.
    const [parseOnly, load] = (await interleaved(
      [() => JSON.parse(readFileSync(file, 'utf8')), () => loadBundle(file)],
      3,
    )) as [number, number];
    const snapshot = new Snapshot(await loadBundle(file));
    const build = await median(() => new Snapshot(snapshot.data), 3);
    const one = await median(
      () =>
        diagnose(snapshot, {
          target: { kind: 'Service', namespace: 'ns-7', name: 'svc-4257' },
          client: { kind: 'pod-on-other-node' },
          inferred: [],
        }),
      20,
    );
    return [
      `bundle: 10,000 Services, 50,000 Pods, ${(bytes.length / 1024 / 1024).toFixed(1)} MiB JSON`,
      `load (read + parse + convert): ${ms(load)} = ${ratio(load, parseOnly)} bare read+JSON.parse (${ms(parseOnly)})`,
      `index build (new Snapshot): ${ms(build)} = ${ratio(build, parseOnly)} JSON.parse`,
      `one diagnose on it: ${ms(one)} = ${ratio(one, parseOnly)} JSON.parse (must not grow with cluster size)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
