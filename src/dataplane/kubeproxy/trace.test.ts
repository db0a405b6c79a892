import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { node, service, snapshotOf } from '../../../test/support/builders.js';
import { runCli } from '../../../test/support/cli.js';
import { slice, TEST_NODE, withUpstreamAddresses } from './testing.js';
import { tracePacket } from './trace.js';
import type { Packet, ProxyResult } from './types.js';

const bundle = `
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec:
    type: NodePort
    selector: {app: web}
    clusterIP: 10.96.0.20
    clusterIPs: [10.96.0.20]
    ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}]
- apiVersion: v1
  kind: Service
  metadata: {name: empty, namespace: shop}
  spec:
    selector: {app: nothing}
    clusterIP: 10.96.0.21
    clusterIPs: [10.96.0.21]
    ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: web-abcde
    namespace: shop
    labels: {kubernetes.io/service-name: web}
  addressType: IPv4
  endpoints:
  - addresses: [10.244.1.5]
    conditions: {ready: true}
    nodeName: node-1
  ports: [{name: http, port: 8080, protocol: TCP}]
- apiVersion: v1
  kind: Pod
  metadata: {name: client-0, namespace: shop, labels: {app: client}}
  spec: {nodeName: node-1, containers: [{name: c, image: busybox}]}
  status: {phase: Running, podIP: 10.244.1.9, podIPs: [{ip: 10.244.1.9}], conditions: [{type: Ready, status: "True"}]}
- apiVersion: v1
  kind: Node
  metadata: {name: node-1}
  spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24]}
  status:
    addresses: [{type: InternalIP, address: 192.168.0.11}]
    conditions: [{type: Ready, status: "True"}]
`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'svcdoctor-trace-'));
  writeFileSync(path.join(dir, 'objects.yaml'), bundle);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (extra: string[]) => ['trace', '--from', dir, '--node', 'node-1', ...extra];

describe('svcdoctor trace', () => {
  test('-o json follows the DESIGN.md contract', async () => {
    const r = await runCli(
      base(['--src', '203.0.113.9', '--dst', '192.168.0.11', '--port', '30080', '-o', 'json']),
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      verdict: 'delivered',
      endpoints: ['10.244.1.5:8080'],
      masquerade: true,
      service: { namespace: 'shop', name: 'web', port: 'http' },
      source: 'simulated',
      mode: 'iptables',
    });
    expect(doc.rules.map((x: { rule?: string }) => x.rule)).toContain('KUBE-NODEPORTS');
  });

  test('a refused packet exits 1 and names the REJECT rule', async () => {
    const r = await runCli(
      base(['--src', '10.244.1.9', '--dst', '10.96.0.21', '--port', '80', '-o', 'json']),
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe('rejected');
    expect(doc.rules.at(-1).rule).toBe('filter/FORWARD/KUBE-SERVICES');
  });

  test('table and markdown renderings show the verdict and each rule', async () => {
    const args = ['--src', '10.244.1.9', '--dst', '10.96.0.20', '--port', '80'];
    const table = await runCli(base(args));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^verdict\s+delivered$/m);
    const md = await runCli(base([...args, '-o', 'markdown']));
    expect(md.stdout).toContain('| verdict | **delivered** |');
    expect(md.stdout).toContain('`KUBE-SERVICES`');
  });

  test('pod/, node/ and svc/ names resolve to addresses, and the node and hook are inferred', async () => {
    const fromPod = await runCli([
      'trace',
      '--from',
      dir,
      '--src',
      'pod/shop/client-0',
      '--dst',
      'svc/shop/web',
      '--port',
      '80',
      '-o',
      'json',
    ]);
    expect(fromPod.code).toBe(0);
    expect(JSON.parse(fromPod.stdout)).toMatchObject({
      node: 'node-1',
      packet: { src: '10.244.1.9', dst: '10.96.0.20', dport: 80, hook: 'prerouting' },
      endpoints: ['10.244.1.5:8080'],
    });
    const fromNode = await runCli([
      'trace',
      '--from',
      dir,
      '--src',
      'node/node-1',
      '--dst',
      'svc/shop/empty',
      '--port',
      '80',
      '-o',
      'json',
    ]);
    expect(fromNode.code).toBe(1);
    expect(JSON.parse(fromNode.stdout)).toMatchObject({
      verdict: 'rejected',
      packet: { src: '192.168.0.11', hook: 'output' },
    });
  });

  test('without --node, an IP source is a usage error', async () => {
    const r = await runCli([
      'trace',
      '--from',
      dir,
      '--src',
      '10.0.0.1',
      '--dst',
      '10.96.0.20',
      '--port',
      '80',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--node is required');
  });

  test.each([
    { name: 'a missing --src', args: ['--dst', '10.96.0.20', '--port', '80'] },
    { name: 'a bad address', args: ['--src', 'ten', '--dst', '10.96.0.20', '--port', '80'] },
    { name: 'an unknown pod', args: ['--src', 'pod/shop/nope', '--dst', '10.96.0.20', '--port', '80'] },
    { name: 'a bad port', args: ['--src', '10.0.0.1', '--dst', '10.96.0.20', '--port', '70000'] },
    {
      name: 'a bad hook',
      args: ['--src', '10.0.0.1', '--dst', '10.96.0.20', '--port', '80', '--hook', 'input'],
    },
  ])('$name is a usage error (exit 2, one line on stderr)', async ({ args }) => {
    const r = await runCli(base(args));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('SVCDOCTOR_USAGE');
  });

  test('an unknown node is a usage error', async () => {
    const r = await runCli([
      'trace',
      '--from',
      dir,
      '--node',
      'node-9',
      '--src',
      '1.1.1.1',
      '--dst',
      '10.96.0.20',
      '--port',
      '80',
    ]);
    expect(r.code).toBe(2);
  });
});

describe('svcdoctor trace with a node dump in the bundle', () => {
  let dumpDir = '';
  beforeAll(() => {
    dumpDir = mkdtempSync(path.join(tmpdir(), 'svcdoctor-trace-dump-'));
    const dump = readFileSync(
      path.join(import.meta.dirname, '../../nodedump/fixtures/test-node.iptables'),
      'utf8',
    );
    writeFileSync(path.join(dumpDir, 'test-node.iptables'), dump);
    writeFileSync(
      path.join(dumpDir, 'node.yaml'),
      'apiVersion: v1\nkind: Node\nmetadata: {name: test-node}\nstatus:\n  addresses: [{type: InternalIP, address: 192.168.0.2}]\n',
    );
  });
  afterAll(() => rmSync(dumpDir, { recursive: true, force: true }));

  test("the node's own rules answer, and say so", async () => {
    const r = await runCli([
      'trace',
      '--from',
      dumpDir,
      '--node',
      'test-node',
      '--src',
      '10.0.0.2',
      '--dst',
      '172.30.0.41',
      '--port',
      '80',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      source: 'node-dump',
      verdict: 'delivered',
      endpoints: ['10.180.0.1:80'],
      masquerade: false,
    });
  });
});

describe('node-dump seam', () => {
  const s = service('web', (x) => {
    x.clusterIP = '172.30.0.41';
    x.clusterIPs = ['172.30.0.41'];
    x.ports = [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80 }];
  });
  const pkt: Packet = { src: '10.0.0.2', dst: '172.30.0.41', dport: 80, protocol: 'TCP', hook: 'prerouting' };
  const fromDump: ProxyResult = {
    verdict: 'dropped',
    endpoints: [],
    masquerade: false,
    steps: [{ rule: 'KUBE-SERVICES', detail: 'from the dump' }],
    mode: 'iptables',
    notes: [],
  };
  const withDump = (dump: boolean) =>
    snapshotOf({
      services: [s],
      endpointSlices: [slice('default', 'web', [{ ip: '10.180.0.1' }], [{ name: 'p80', port: 80 }])],
      nodes: [node(TEST_NODE, withUpstreamAddresses)],
      nodeDumps: dump
        ? [{ node: TEST_NODE, iptables: { text: '*nat\nCOMMIT\n', file: 'test-node.iptables' } }]
        : [],
      autoSlices: false,
    });

  test('a node with a rule dump is traced by the dump evaluator', async () => {
    const a = await tracePacket(withDump(true), TEST_NODE, pkt, { dumpTracer: () => fromDump });
    expect(a).toEqual({ source: 'node-dump', result: fromDump });
  });

  test('a node without a dump, or without an evaluator, is simulated', async () => {
    const none = await tracePacket(withDump(false), TEST_NODE, pkt, { dumpTracer: () => fromDump });
    expect(none.source).toBe('simulated');
    expect(none.result.endpoints).toEqual(['10.180.0.1:80']);
    const noEvaluator = await tracePacket(withDump(true), TEST_NODE, pkt, { dumpTracer: null });
    expect(noEvaluator.source).toBe('simulated');
    expect(noEvaluator.result.notes.some((n) => n.includes('could not be evaluated'))).toBe(true);
  });
});
