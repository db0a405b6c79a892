import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const demo = [
  '--demo',
  'etp-local-lb-in-cluster',
  '--client',
  'pod/default/frontend-7d4b9c8f6-q8w2n',
  '-o',
  'json',
];

describe('diagnose --observed', () => {
  it('takes the address the client used from the pasted error and infers the path from it', async () => {
    const r = await runCli([
      'diagnose',
      'nginx',
      ...demo,
      '--observed',
      'curl: (7) Failed to connect to 192.168.10.36 port 900: Connection refused',
    ]);
    const out = JSON.parse(r.stdout) as {
      question: { via: string; address: string };
      findings: { id: string }[];
    };
    expect(out.question.address).toBe('192.168.10.36:900');
    expect(out.question.via).toBe('loadbalancer');
    expect(out.findings[0]?.id).toBe('etp-local-in-cluster-lb-access');
  });

  it('an explicit --via wins over the address in the message', async () => {
    const r = await runCli([
      'diagnose',
      'nginx',
      ...demo,
      '--via',
      'clusterip',
      '--observed',
      'curl: (7) Failed to connect to 192.168.10.36 port 900: Connection refused',
    ]);
    const out = JSON.parse(r.stdout) as { question: { via: string; address?: string } };
    expect(out.question.via).toBe('clusterip');
    expect(out.question.address).toBeUndefined();
  });

  it('an unrecognised message is a usage error, exit 2', async () => {
    const r = await runCli(['diagnose', 'nginx', ...demo, '--observed', 'it is broken']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SVCDOCTOR_USAGE/);
    expect(r.stdout).toBe('');
  });
});

describe('diagnose --observed with a DNS error', () => {
  it('does not take the resolver address in the message for the address the client used', async () => {
    const r = await runCli([
      'diagnose',
      'nginx',
      ...demo,
      '--observed',
      'dial tcp: lookup nginx.default on 10.96.0.10:53: no such host',
    ]);
    const out = JSON.parse(r.stdout) as { question: { address?: string } };
    expect(out.question.address).toBeUndefined();
  });
});
