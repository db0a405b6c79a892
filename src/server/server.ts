// svcdoctor serve: a local web UI, a JSON API, an Alertmanager webhook and Prometheus metrics
// over one snapshot. Binds 127.0.0.1 unless told otherwise; never writes to the cluster.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { audit, type DiagnoseResult, diagnose } from '../diagnose/diagnose.js';
import { parseClient, type Question, VIAS, type Via } from '../model/question.js';
import type { Snapshot } from '../model/snapshot.js';
import { renderDiagnoseHtml } from '../report/diagnose.js';
import { htmlPage } from '../report/format.js';
import { escapeHtml } from '../report/style.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Returns the current snapshot (reloaded by the caller as it sees fit). */
  snapshot: () => Promise<Snapshot> | Snapshot;
  /** Largest accepted request body (webhook). */
  maxBodyBytes?: number;
}

interface Metrics {
  requests: Map<string, number>;
  webhookAlerts: number;
  lastFindings: Map<string, number>;
}

const MAX_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The UI is self-contained: no scripts, no remote resources.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value, null, 2)}\n`);

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A Question from query parameters; returns an error message for bad input. */
export function questionFromParams(p: URLSearchParams): Question | string {
  const name = p.get('service');
  if (!name) return 'service is required';
  const clientText = p.get('client') ?? 'pod-on-other-node';
  const client = parseClient(clientText);
  if (!client) return `client ${clientText}: not a client`;
  const viaText = p.get('via');
  if (viaText && !(VIAS as readonly string[]).includes(viaText)) return `via ${viaText}: not an access path`;
  const portText = p.get('port');
  const port = portText ? (/^\d+$/.test(portText) ? Number(portText) : portText) : undefined;
  return {
    target: { kind: 'Service', namespace: p.get('namespace') || 'default', name },
    client,
    ...(viaText ? { via: viaText as Via } : {}),
    ...(port !== undefined ? { port } : {}),
    inferred: [],
  };
}

function metricsText(m: Metrics, snapshot: Snapshot): string {
  const lines = [
    '# HELP svcdoctor_http_requests_total HTTP requests served, by route.',
    '# TYPE svcdoctor_http_requests_total counter',
  ];
  for (const [route, n] of m.requests) lines.push(`svcdoctor_http_requests_total{route="${route}"} ${n}`);
  lines.push(
    '# HELP svcdoctor_alerts_received_total Alerts received on the Alertmanager webhook.',
    '# TYPE svcdoctor_alerts_received_total counter',
    `svcdoctor_alerts_received_total ${m.webhookAlerts}`,
    '# HELP svcdoctor_services Services in the snapshot.',
    '# TYPE svcdoctor_services gauge',
    `svcdoctor_services ${snapshot.services.length}`,
    '# HELP svcdoctor_findings Findings of the last audit, by check and severity.',
    '# TYPE svcdoctor_findings gauge',
  );
  for (const [key, n] of m.lastFindings) {
    const [check, severity] = key.split('|');
    lines.push(`svcdoctor_findings{check="${check}",severity="${severity}"} ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

function indexPage(snapshot: Snapshot, params: URLSearchParams): string {
  const result = audit(snapshot, {});
  const rows = result.services
    .map((s) => {
      const worst = s.findings[0];
      const q = new URLSearchParams({ namespace: s.target.namespace ?? 'default', service: s.target.name });
      return `<tr><td><a href="/diagnose?${escapeHtml(q.toString())}">${escapeHtml(`${s.target.namespace}/${s.target.name}`)}</a></td><td class="${s.verdict === 'reachable' ? 'ok' : 'fail'}">${escapeHtml(s.verdict)}</td><td>${worst ? `<code>${escapeHtml(worst.id)}</code> ${escapeHtml(worst.title)}` : ''}</td></tr>`;
    })
    .join('\n');
  const sel = params.get('service') ?? '';
  return htmlPage(
    'svcdoctor',
    `<h1>svcdoctor</h1>
<form action="/diagnose" method="get">
<label>Namespace <input name="namespace" value="default"></label>
<label>Service <input name="service" value="${escapeHtml(sel)}" required></label>
<label>Client <input name="client" value="pod-on-other-node"></label>
<label>Via <select name="via"><option value="">(infer)</option>${VIAS.map((v) => `<option>${v}</option>`).join('')}</select></label>
<label>Port <input name="port" size="6"></label>
<button type="submit">Diagnose</button>
</form>
<h2>Services (${result.summary.services}: ${result.summary.error} errors, ${result.summary.warning} warnings)</h2>
<table><tr><th>Service</th><th>Verdict</th><th>Top finding</th></tr>${rows}</table>
<p>API: <code>/api/v1/diagnose?namespace=&amp;service=&amp;client=&amp;via=&amp;port=</code>, <code>/api/v1/audit</code>, <code>POST /api/v1/alertmanager</code>, <code>/metrics</code></p>`,
  );
}

/** Alertmanager webhook payload → one diagnosis per alert that names a Service. */
export function diagnoseAlerts(
  snapshot: Snapshot,
  payload: unknown,
): { alert: string; result?: DiagnoseResult; skipped?: string }[] {
  const alerts = (payload as { alerts?: unknown })?.alerts;
  if (!Array.isArray(alerts)) throw new Error('expected an Alertmanager webhook payload with "alerts"');
  return alerts.map((a) => {
    const labels = ((a as { labels?: Record<string, unknown> })?.labels ?? {}) as Record<string, unknown>;
    const alertname = String(labels.alertname ?? 'alert');
    const service = labels.service ?? labels.service_name ?? labels.exported_service;
    const namespace = labels.namespace ?? labels.exported_namespace ?? 'default';
    if (typeof service !== 'string' || !service) return { alert: alertname, skipped: 'no service label' };
    const startsAt = (a as { startsAt?: unknown }).startsAt;
    // The alert may say who failed (a `client` label); otherwise outside clients for Services
    // exposed outside the cluster, an in-cluster pod for the rest.
    const svc = snapshot.service(String(namespace), service);
    const exposed = svc?.type === 'NodePort' || svc?.type === 'LoadBalancer';
    const client = (typeof labels.client === 'string' && parseClient(labels.client)) || {
      kind: exposed ? ('internet' as const) : ('pod-on-other-node' as const),
    };
    return {
      alert: alertname,
      result: diagnose(snapshot, {
        target: { kind: 'Service', namespace: String(namespace), name: service },
        client,
        ...(typeof startsAt === 'string' && !Number.isNaN(Date.parse(startsAt)) ? { at: startsAt } : {}),
        inferred: [],
      }),
    };
  });
}

export function createSvcdoctorServer(options: ServeOptions): Server {
  const metrics: Metrics = { requests: new Map(), webhookAlerts: 0, lastFindings: new Map() };
  const count = (route: string) => metrics.requests.set(route, (metrics.requests.get(route) ?? 0) + 1);
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const snapshot = await options.snapshot();
        if (req.method === 'GET' && url.pathname === '/') {
          count('/');
          return send(res, 200, 'text/html; charset=utf-8', indexPage(snapshot, url.searchParams));
        }
        if (req.method === 'GET' && url.pathname === '/healthz') {
          count('/healthz');
          return send(res, 200, 'text/plain', 'ok\n');
        }
        if (req.method === 'GET' && (url.pathname === '/diagnose' || url.pathname === '/api/v1/diagnose')) {
          count(url.pathname);
          const q = questionFromParams(url.searchParams);
          if (typeof q === 'string') return json(res, 400, { error: q });
          const result = diagnose(snapshot, q);
          return url.pathname === '/diagnose'
            ? send(res, 200, 'text/html; charset=utf-8', renderDiagnoseHtml(result))
            : json(res, 200, result);
        }
        if (req.method === 'GET' && url.pathname === '/api/v1/audit') {
          count(url.pathname);
          const ns = url.searchParams.get('namespace');
          return json(res, 200, audit(snapshot, ns ? { namespace: ns } : {}));
        }
        if (req.method === 'POST' && url.pathname === '/api/v1/alertmanager') {
          count(url.pathname);
          let payload: unknown;
          try {
            payload = JSON.parse(await readBody(req, options.maxBodyBytes ?? MAX_BODY));
          } catch (e) {
            return json(res, 400, { error: e instanceof Error ? e.message : 'bad body' });
          }
          try {
            const results = diagnoseAlerts(snapshot, payload);
            metrics.webhookAlerts += results.length;
            return json(res, 200, { results });
          } catch (e) {
            return json(res, 400, { error: e instanceof Error ? e.message : 'bad payload' });
          }
        }
        if (req.method === 'GET' && url.pathname === '/metrics') {
          count('/metrics');
          metrics.lastFindings.clear();
          for (const s of audit(snapshot, {}).services)
            for (const f of s.findings) {
              const key = `${f.id}|${f.severity}`;
              metrics.lastFindings.set(key, (metrics.lastFindings.get(key) ?? 0) + 1);
            }
          return send(res, 200, 'text/plain; version=0.0.4', metricsText(metrics, snapshot));
        }
        count('404');
        return json(res, 404, { error: 'not found' });
      } catch (e) {
        return json(res, 500, { error: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}

/** Start listening; resolves with the bound address. Default host is loopback only. */
export function listen(server: Server, host = '127.0.0.1', port = 8080): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
