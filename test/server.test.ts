// The local server: loopback by default, escaped HTML, JSON API, webhook and metrics.
// Traffic goes to 127.0.0.1 only.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSvcdoctorServer, listen } from '../src/server/server.js';
import { pod, service, snapshotOf } from './support/builders.js';

const evil = '<script>alert(1)</script>';
const snapshot = snapshotOf({
  services: [
    service('web'),
    service('api', (s) => {
      s.selector = { app: 'apx' };
      s.meta.labels = { note: evil };
    }),
  ],
  pods: [pod('web-1'), pod('api-1')],
});

let server: Server;
let base = '';

beforeAll(async () => {
  server = createSvcdoctorServer({ snapshot: () => snapshot });
  const addr = await listen(server, undefined, 0);
  base = `http://127.0.0.1:${addr.port}`;
  expect(addr.address).toBe('127.0.0.1');
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('svcdoctor serve', () => {
  it('binds loopback by default', () => {
    const a = server.address();
    expect(typeof a === 'object' && a?.address).toBe('127.0.0.1');
  });

  it('diagnoses over the JSON API', async () => {
    const r = await fetch(`${base}/api/v1/diagnose?namespace=default&service=api`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { verdict: string; findings: { id: string }[] };
    expect(body.findings[0]?.id).toBe('selector-matches-no-pods');
    expect(body.verdict).toBe('unreachable');
  });

  it('rejects a bad question with 400', async () => {
    const r = await fetch(`${base}/api/v1/diagnose?service=web&client=martian`);
    expect(r.status).toBe(400);
  });

  it('escapes everything it renders into HTML', async () => {
    const r = await fetch(`${base}/?service=${encodeURIComponent(evil)}`);
    const html = await r.text();
    expect(html).not.toContain(evil);
    expect(html).toContain('&lt;script&gt;');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers an Alertmanager webhook with one diagnosis per alert naming a Service', async () => {
    const r = await fetch(`${base}/api/v1/alertmanager`, {
      method: 'POST',
      body: JSON.stringify({
        alerts: [
          {
            labels: { alertname: 'KubeServiceNotReady', namespace: 'default', service: 'api' },
            startsAt: '2026-11-22T10:00:00Z',
          },
          { labels: { alertname: 'Other' } },
        ],
      }),
    });
    const body = (await r.json()) as {
      results: { alert: string; skipped?: string; result?: { findings: { id: string }[] } }[];
    };
    expect(body.results[0]?.result?.findings[0]?.id).toBe('selector-matches-no-pods');
    expect(body.results[1]?.skipped).toBe('no service label');
  });

  it('rejects a webhook body that is not an Alertmanager payload', async () => {
    const r = await fetch(`${base}/api/v1/alertmanager`, { method: 'POST', body: '{"nope":1}' });
    expect(r.status).toBe(400);
  });

  it('exports Prometheus metrics with findings by check', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^svcdoctor_services 2$/m);
    expect(text).toMatch(/^svcdoctor_findings\{check="selector-matches-no-pods",severity="error"\} 1$/m);
  });
});
