// A thin raw-JSON client over @kubernetes/client-node's transport. The library supplies
// authentication (KubeConfig.applySecurityAuthentication: bearer tokens, client certificates,
// exec plugins, OIDC...), TLS settings and its undici-based HTTP library; we only build paths
// and keep the response body as raw JSON. We do not use the generated typed APIs because
// their deserializer turns timestamps into Date objects and drops fields it does not know, and
// the live source must hand the converter exactly what `kubectl get -o json` would have shown.

import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node';
import { SvcdoctorError } from '../../errors.js';
import type { LoadedKubeconfig } from './kubeconfig.js';

export interface KubeResponse {
  status: number;
  body: unknown;
  /** The Retry-After header, if any. */
  retryAfter?: string;
}

export interface KubeClientOptions {
  /** Per-request deadline; a slower answer counts as a dropped connection. */
  timeoutMs?: number;
  /** Extra attempts after a dropped connection or timeout (GET and DELETE only: they are idempotent). */
  retries?: number;
}

/** Transport errors worth one more try: the connection broke, the answer never came. */
const TRANSIENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ABORT_ERR',
]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
]);

function errorCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const c = cur as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (c.name === 'AbortError' || c.name === 'TimeoutError') return 'ABORT_ERR';
    cur = c.cause;
  }
  return 'UNKNOWN';
}

function errorText(e: unknown): string {
  let cur: unknown = e;
  let text = '';
  for (let i = 0; i < 5 && cur; i++) {
    const m = (cur as { message?: unknown }).message;
    if (typeof m === 'string' && m && m !== 'fetch failed') text = m;
    cur = (cur as { cause?: unknown }).cause;
  }
  return text || String(e);
}

export class KubeClient {
  readonly server: string;
  readonly contextName: string;
  /** Every HTTP request sent, including retries. */
  requestCount = 0;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private dispatcher: ReturnType<RequestContext['getDispatcher']>;
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(
    private readonly loaded: LoadedKubeconfig,
    options: KubeClientOptions = {},
  ) {
    this.server = loaded.cluster.server.replace(/\/+$/, '');
    this.contextName = loaded.contextName;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
  }

  /**
   * Sends one request and returns status + parsed body. Throws SvcdoctorError for what makes
   * the whole read pointless: unreachable server, bad TLS, rejected or unobtainable credentials.
   */
  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { query?: Record<string, string | number | undefined>; body?: unknown } = {},
  ): Promise<KubeResponse> {
    const idempotent = method !== 'POST';
    for (let attempt = 0; ; attempt++) {
      try {
        const resp = await this.once(method, path, options);
        // API Priority and Fairness sheds load with 429 + Retry-After; 503/504 are overloaded
        // or restarting API servers. The read is worth waiting for, briefly.
        const busy = resp.status === 429 || resp.status === 503 || resp.status === 504;
        if (busy && (idempotent || resp.status === 429) && attempt < this.retries) {
          const after = Number(resp.retryAfter);
          const wait = Number.isFinite(after) && after >= 0 ? Math.min(after, 5) * 1000 : 200 * 2 ** attempt;
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        return resp;
      } catch (e) {
        if (e instanceof SvcdoctorError) throw e;
        const code = errorCode(e);
        if (idempotent && TRANSIENT.has(code) && attempt < this.retries) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        throw this.transportError(e, code);
      }
    }
  }

  private async once(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { query?: Record<string, string | number | undefined>; body?: unknown },
  ): Promise<KubeResponse> {
    const ctx = new RequestContext(
      `${this.server}${path}`,
      method === 'GET' ? HttpMethod.GET : method === 'POST' ? HttpMethod.POST : HttpMethod.DELETE,
    );
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined && v !== '') ctx.setQueryParam(k, String(v));
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', 'svcdoctor');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    try {
      await this.loaded.kc.applySecurityAuthentication(ctx);
    } catch (e) {
      throw new SvcdoctorError(
        'SVCDOCTOR_API_UNAUTHORIZED',
        `cannot obtain credentials for context "${this.contextName}": ${errorText(e)}`,
        {
          hint: 'log in again with your cluster provider (the kubeconfig exec plugin or token failed)',
          cause: e,
        },
      );
    }
    // The library builds a new undici Agent on every call, so no connection would ever be
    // reused (one TLS handshake per page). Keep the first one for the whole read.
    const fresh = ctx.getDispatcher();
    if (fresh) {
      if (this.dispatcher) {
        ctx.setDispatcher(this.dispatcher);
        void fresh.close().catch(() => {});
      } else this.dispatcher = fresh;
    }
    const controller = new AbortController();
    ctx.setSignal(controller.signal);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    this.requestCount++;
    try {
      const resp = await this.http.send(ctx).toPromise();
      const text = await resp.body.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      if (resp.httpStatusCode === 401) {
        throw new SvcdoctorError(
          'SVCDOCTOR_API_UNAUTHORIZED',
          `the API server at ${this.server} rejected the credentials of context "${this.contextName}" (401 Unauthorized)`,
          {
            hint: 'the token or certificate has expired or is wrong: refresh your credentials or pick another --context',
          },
        );
      }
      const retryAfter = resp.headers['retry-after'];
      return { status: resp.httpStatusCode, body, ...(retryAfter !== undefined ? { retryAfter } : {}) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the kept connections (idle keep-alive sockets would otherwise hold the process open). */
  async close(): Promise<void> {
    const d = this.dispatcher;
    this.dispatcher = undefined;
    await d?.close().catch(() => {});
  }

  private transportError(e: unknown, code: string): SvcdoctorError {
    if (TLS_CODES.has(code)) {
      return new SvcdoctorError(
        'SVCDOCTOR_API_UNREACHABLE',
        `TLS handshake with ${this.server} failed (${code}): ${errorText(e)}`,
        { hint: 'check certificate-authority in the kubeconfig for this context', cause: e },
      );
    }
    const what =
      code === 'ABORT_ERR' ? `no answer within ${this.timeoutMs / 1000}s` : `${code}: ${errorText(e)}`;
    return new SvcdoctorError(
      'SVCDOCTOR_API_UNREACHABLE',
      `cannot reach the API server ${this.server} of context "${this.contextName}" (${what})`,
      {
        hint: 'check the network/VPN and that --context names the right cluster, or use --from DIR',
        cause: e,
      },
    );
  }
}

/** The message of a Kubernetes Status body, if it is one. */
export function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status') {
    const m = (body as { message?: unknown }).message;
    return typeof m === 'string' ? m : undefined;
  }
  return undefined;
}
