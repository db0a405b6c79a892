import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NodeDumpTracer } from '../dataplane/kubeproxy/trace.js';
import { Snapshot } from '../model/snapshot.js';
import { GOLDEN_NODE, goldenData } from './fixtures/golden-cluster.js';
import { NodeDumpParseError, traceOnNodeDump } from './index.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

function snap(files: { iptables?: string; ipvs?: string; addr?: string }, mode?: 'ipvs'): Snapshot {
  const d = goldenData();
  if (mode) d.kubeProxy = { ...d.kubeProxy!, mode };
  d.nodeDumps = [
    {
      node: GOLDEN_NODE,
      ...(files.iptables ? { iptables: { text: files.iptables, file: 'test-node.iptables' } } : {}),
      ...(files.ipvs ? { ipvs: { text: files.ipvs, file: 'test-node.ipvs' } } : {}),
      ...(files.addr ? { addr: { text: files.addr, file: 'test-node.addr' } } : {}),
    },
  ];
  return new Snapshot(d);
}

describe('traceOnNodeDump', () => {
  it('fits the data-path seam (src/dataplane/kubeproxy/trace.ts)', () => {
    const seam: NodeDumpTracer = traceOnNodeDump;
    expect(typeof seam).toBe('function');
  });

  it('answers from the iptables dump with the Service named from kube-proxy comments', () => {
    const s = snap({ iptables: fixture('test-node.iptables'), addr: fixture('test-node.addr') });
    const t = traceOnNodeDump(s, GOLDEN_NODE, {
      src: '10.0.0.2',
      dst: '172.30.0.44',
      dport: 80,
      protocol: 'TCP',
      hook: 'prerouting',
    });
    expect(t).toMatchObject({
      verdict: 'delivered',
      endpoints: ['10.180.0.4:80', '10.180.0.5:80'],
      masquerade: false,
      mode: 'iptables',
      source: 'iptables',
      service: { namespace: 'ns4', name: 'svc4', port: 'p80' },
    });
    expect(t?.steps.length).toBe(t?.rules.length);
  });

  it('uses the Node addresses for addrtype LOCAL when no ip -o addr dump exists', () => {
    const s = snap({ iptables: fixture('test-node.iptables') });
    const t = traceOnNodeDump(s, GOLDEN_NODE, {
      src: '203.0.113.2',
      dst: '192.168.0.2',
      dport: 3003,
      protocol: 'TCP',
      hook: 'prerouting',
    });
    expect({ v: t?.verdict, e: t?.endpoints, m: t?.masquerade }).toEqual({
      v: 'delivered',
      e: ['10.180.0.3:80'],
      m: true,
    });
  });

  it('answers from the IPVS dump in IPVS mode', () => {
    const ipvs = ['-A -t 172.30.0.41:80 -s rr', '-a -t 172.30.0.41:80 -r 10.180.0.1:80 -m -w 1', ''].join(
      '\n',
    );
    const s = snap({ ipvs, iptables: fixture('test-node.iptables') }, 'ipvs');
    const t = traceOnNodeDump(s, GOLDEN_NODE, {
      src: '10.0.0.2',
      dst: '172.30.0.41',
      dport: 80,
      protocol: 'TCP',
      hook: 'prerouting',
    });
    expect(t).toMatchObject({
      verdict: 'delivered',
      endpoints: ['10.180.0.1:80'],
      mode: 'ipvs',
      source: 'ipvs',
    });
  });

  it('leaves IPVS mode to the simulator when only the iptables dump was collected', () => {
    const s = snap({ iptables: fixture('test-node.iptables') }, 'ipvs');
    expect(
      traceOnNodeDump(s, GOLDEN_NODE, { src: '10.0.0.2', dst: '172.30.0.41', dport: 80, hook: 'prerouting' }),
    ).toBeUndefined();
  });

  it('is undefined for a node without a dump', () => {
    const s = snap({ iptables: fixture('test-node.iptables') });
    expect(
      traceOnNodeDump(s, 'other-node', {
        src: '10.0.0.2',
        dst: '172.30.0.41',
        dport: 80,
        protocol: 'TCP',
        hook: 'prerouting',
      }),
    ).toBeUndefined();
  });

  it('throws the typed parse error for a broken dump', () => {
    const s = snap({ iptables: '*nat\n-A NOPE -j ACCEPT\nCOMMIT\n' });
    expect(() => traceOnNodeDump(s, GOLDEN_NODE, { src: '10.0.0.2', dst: '172.30.0.41', dport: 80 })).toThrow(
      NodeDumpParseError,
    );
  });
});
