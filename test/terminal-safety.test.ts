// Object names, labels and messages come from the cluster: they must not reach a terminal
// as escape sequences, in colour or not.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const ESC = '\u001b';
const dir = mkdtempSync(path.join(tmpdir(), 'svcdoctor-esc-'));
writeFileSync(
  path.join(dir, 'objects.json'),
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { selector: { app: `x${ESC}]0;pwned${ESC}\\` }, clusterIP: '10.96.0.5', ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
        spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
        status: { phase: 'Running', podIP: '10.244.0.5', conditions: [{ type: 'Ready', status: 'True' }] },
      },
    ],
  }),
);

describe('terminal safety', () => {
  for (const format of ['table', 'wide', 'markdown']) {
    it(`diagnose -o ${format} prints no escape character from the cluster`, async () => {
      const r = await runCli(['diagnose', 'web', '--from', dir, '-o', format]);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain(ESC);
      expect(r.stdout).toContain('\\x1b');
    });
  }
  it('with colour forced, only our own colour codes are escapes', async () => {
    const r = await runCli(['diagnose', 'web', '--from', dir], { FORCE_COLOR: '1' });
    expect(r.stdout).toContain(ESC); // our colours
    expect(r.stdout).not.toContain(`${ESC}]0;pwned`);
  });
  it('audit escapes too', async () => {
    const r = await runCli(['audit', '--from', dir]);
    expect(r.stdout).not.toContain(ESC);
  });
  it('JSON keeps the exact value, escaped by JSON itself', async () => {
    const r = await runCli(['diagnose', 'web', '--from', dir, '-o', 'json']);
    expect(r.stdout).not.toContain(ESC);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('\\u001b]0;pwned');
  });
});
