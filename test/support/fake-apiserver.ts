// A small Kubernetes API server for tests: HTTPS on 127.0.0.1 with a certificate made at test
// time, bearer-token auth, and list/get/create/delete over a fixture set of raw objects. It is
// spoken to by the unmodified @kubernetes/client-node through a generated kubeconfig, so the
// live source is tested over a real TLS connection, never through a mocked library.
//
// Simplifications (a test server, not an apiserver): one global resourceVersion counter; a
// continue token is the offset into a list sorted by namespace/name; label selectors support
// only `k=v`, `k!=v`, `k` and `!k`; field selectors only `metadata.name=` and `metadata.namespace=`.

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

export interface ResourceInfo {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** The resources this server knows; any other path is a 404 like an unserved API. */
export const FAKE_RESOURCES: readonly ResourceInfo[] = [
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  // Served so that a test can prove nobody ever asks for them.
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
  },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ingressclasses',
    kind: 'IngressClass',
    namespaced: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'servicecidrs',
    kind: 'ServiceCIDR',
    namespaced: false,
  },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true },
];

const byKind = new Map(FAKE_RESOURCES.map((r) => [r.kind, r]));

export type Verb = 'list' | 'get' | 'create' | 'delete' | 'deletecollection' | 'watch' | 'patch' | 'update';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** undefined for non-resource paths (/version, /api). */
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  verb?: Verb;
  status: number;
  /** Parsed JSON body of a create. */
  body?: unknown;
  /** True when the server dropped the connection instead of answering. */
  dropped?: boolean;
}

/** Which requests a rule applies to; every given field must match. */
export interface RequestMatch {
  resource?: string;
  namespace?: string;
  verb?: Verb;
  /** Only requests carrying a continue token. */
  withContinue?: boolean;
}

/** What a created pod turns into, for probe tests. */
export interface PodScript {
  /** Milliseconds after creation until the pod reaches `phase`. */
  afterMs: number;
  phase: 'Running' | 'Succeeded' | 'Failed';
  /** Written to the first container's terminated state (the termination message). */
  terminationMessage?: string | ((pod: Record<string, unknown>) => string);
  exitCode?: number;
}

export interface FakeApiServerOptions {
  objects?: unknown[];
  /** Largest page the server returns, whatever `limit` asks (0: honour `limit` only). */
  maxPage?: number;
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Cert {
  key: string;
  cert: string;
}

let certCache: Cert | undefined;
let clientCertCache: Cert | undefined;

/** A self-signed client certificate (CN=svcdoctor-test) the server accepts in place of a token. */
export function testClientCertificate(): Cert {
  clientCertCache ??= selfSigned('svcdoctor-test', { clientAuth: true });
  return clientCertCache;
}

/** A self-signed certificate for 127.0.0.1, made once per test process. */
export function testCertificate(): Cert {
  certCache ??= selfSigned('127.0.0.1', { ips: ['127.0.0.1'], dns: ['localhost'] });
  return certCache;
}

// ---------------------------------------------------------------- X.509 in a few lines of DER
// A minimal self-signed v3 certificate (P-256, ECDSA-SHA256, CA:TRUE so it is its own trust
// anchor), built with node:crypto alone so the tests need no openssl binary.

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...c: Buffer[]) => der(0x30, ...c);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
const utf8 = (t: string) => der(0x0c, Buffer.from(t, 'utf8'));
const utcTime = (d: Date) => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const name = (cn: string) => seq(der(0x31, seq(oid('2.5.4.3'), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) =>
  seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));

function selfSigned(cn: string, opts: { ips?: string[]; dns?: string[]; clientAuth?: boolean }): Cert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(8);
  serial[0]! &= 0x7f;
  const now = Date.now();
  const exts = [extension('2.5.29.19', true, seq(der(0x01, Buffer.from([0xff]))))];
  const alt = [
    ...(opts.ips ?? []).map((ip) => der(0x87, Buffer.from(ip.split('.').map(Number)))),
    ...(opts.dns ?? []).map((d) => der(0x82, Buffer.from(d))),
  ];
  if (alt.length) exts.push(extension('2.5.29.17', false, seq(...alt)));
  if (opts.clientAuth) exts.push(extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.2'))));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaSha256,
    name(cn),
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 2 * 86_400_000))),
    name(cn),
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certDer = seq(tbs, ecdsaSha256, der(0x03, Buffer.from([0]), signature));
  const b64 = certDer.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
  };
}

function metaOf(o: Raw): Raw {
  return isObj(o.metadata) ? o.metadata : {};
}

function matchLabels(selector: string, labels: Record<string, unknown>): boolean {
  for (const term of selector.split(',').map((s) => s.trim())) {
    if (!term) continue;
    const ne = term.split('!=');
    if (ne.length === 2) {
      if (labels[ne[0]!.trim()] === ne[1]!.trim()) return false;
      continue;
    }
    const eq = term.split(/==?/);
    if (eq.length === 2) {
      if (labels[eq[0]!.trim()] !== eq[1]!.trim()) return false;
      continue;
    }
    if (term.startsWith('!')) {
      if (term.slice(1) in labels) return false;
    } else if (!(term in labels)) return false;
  }
  return true;
}

function matchFields(selector: string, o: Raw): boolean {
  const meta = metaOf(o);
  for (const term of selector.split(',')) {
    const [k, v] = term.split('=');
    if (k === 'metadata.name' && meta.name !== v) return false;
    if (k === 'metadata.namespace' && meta.namespace !== v) return false;
  }
  return true;
}

export class FakeApiServer {
  readonly token = randomBytes(16).toString('hex');
  readonly requests: RecordedRequest[] = [];
  /** Most requests ever being handled at the same time. */
  maxInFlight = 0;
  private inFlight = 0;
  url = '';
  readonly ca: string;
  private server: Server;
  private readonly sockets = new Set<Socket>();
  /** resource -> "ns/name" -> object */
  private readonly store = new Map<string, Map<string, Raw>>();
  private rv = 1000;
  private readonly maxPage: number;
  private forbidRules: RequestMatch[] = [];
  private readonly unserved = new Set<string>();
  private readonly sortCache = new Map<string, { rv: number; size: number; items: Raw[] }>();
  private delays: { match: RequestMatch; ms: number }[] = [];
  private drops: { match: RequestMatch; remaining: number }[] = [];
  private expiries: { match: RequestMatch; remaining: number }[] = [];
  private throttles: { match: RequestMatch; remaining: number }[] = [];
  private compactedRV = 0;
  /** Called for every request as it arrives (tests change the store between pages with it). */
  onRequest?: (rec: RecordedRequest) => void;
  private podScripts: { match: (pod: Raw) => boolean; script: PodScript }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private uidCounter = 0;

  private constructor(options: FakeApiServerOptions) {
    const { key, cert } = testCertificate();
    this.ca = cert;
    this.maxPage = options.maxPage ?? 0;
    for (const r of FAKE_RESOURCES) this.store.set(r.resource, new Map());
    for (const o of options.objects ?? []) this.add(o);
    // Client certificates are asked for but optional: a request authenticates with either.
    const clientCa = testClientCertificate().cert;
    this.server = createServer(
      { key, cert, requestCert: true, rejectUnauthorized: false, ca: [clientCa] },
      (req, res) => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        this.handle(req, res)
          .catch((e: unknown) => {
            if (!res.headersSent) this.send(res, 500, this.status(500, 'InternalError', String(e)));
          })
          .finally(() => this.inFlight--);
      },
    );
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(options);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    const addr = s.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    s.url = `https://127.0.0.1:${addr.port}`;
    return s;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------ fixtures and behaviour

  /** Adds a raw object (or every item of a `kind: List`). Unknown kinds are ignored. */
  add(o: unknown): void {
    if (!isObj(o)) return;
    if (Array.isArray(o.items) && typeof o.kind === 'string' && o.kind.endsWith('List')) {
      for (const item of o.items) this.add(item);
      return;
    }
    const info = typeof o.kind === 'string' ? byKind.get(o.kind) : undefined;
    if (!info) return;
    const meta = { ...metaOf(o) };
    if (info.namespaced && !meta.namespace) meta.namespace = 'default';
    if (!info.namespaced) delete meta.namespace;
    this.rv++;
    meta.resourceVersion ??= String(this.rv);
    const obj = { ...o, metadata: meta };
    this.store.get(info.resource)!.set(`${meta.namespace ?? ''}/${String(meta.name)}`, obj);
  }

  objects(resource: string): Raw[] {
    return [...(this.store.get(resource)?.values() ?? [])];
  }

  /** Answer 404 for this resource, like an API server too old to serve it. */
  unserve(resource: string): void {
    this.unserved.add(resource);
  }

  /** Answer 403 to every request matching. */
  forbid(match: RequestMatch): void {
    this.forbidRules.push(match);
  }

  /** Delay the answer to every request matching. */
  delay(match: RequestMatch, ms: number): void {
    this.delays.push({ match, ms });
  }

  /** Destroy the connection of the next `count` requests matching, without an answer. */
  drop(match: RequestMatch, count = 1): void {
    this.drops.push({ match, remaining: count });
  }

  /** Answer 429 Too Many Requests (Retry-After: 0) to the next `count` requests matching. */
  throttle(match: RequestMatch, count = 1): void {
    this.throttles.push({ match, remaining: count });
  }

  /**
   * Like etcd compaction: continue tokens issued before now are too old, so continuing such a
   * list answers 410 Gone (a fresh list is fine).
   */
  compact(): void {
    this.compactedRV = this.rv;
  }

  /** Answer 410 Gone (expired continue token) to the next `count` continued lists matching. */
  expireContinue(match: RequestMatch = {}, count = 1): void {
    this.expiries.push({ match: { ...match, withContinue: true }, remaining: count });
  }

  /** What a pod created later becomes (first matching script wins). */
  scriptPods(match: (pod: Raw) => boolean, script: PodScript): void {
    this.podScripts.push({ match, script });
  }

  count(match: RequestMatch & { method?: string } = {}): number {
    return this.requests.filter(
      (r) => (match.method === undefined || r.method === match.method) && this.matches(match, r),
    ).length;
  }

  /** A kubeconfig for this server, written into a fresh directory; returns its path. */
  writeKubeconfig(
    options: {
      token?: string;
      context?: string;
      namespace?: string;
      clientCert?: boolean;
      dir?: string;
    } = {},
  ): string {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'svcdoctor-kube-'));
    const file = join(dir, `kubeconfig-${randomBytes(4).toString('hex')}`);
    writeFileSync(file, this.kubeconfig(options));
    return file;
  }

  kubeconfig(
    options: { token?: string; context?: string; namespace?: string; clientCert?: boolean } = {},
  ): string {
    const ctx = options.context ?? 'fake';
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': ctx,
      clusters: [
        {
          name: `${ctx}-cluster`,
          cluster: {
            server: this.url,
            'certificate-authority-data': Buffer.from(this.ca).toString('base64'),
          },
        },
      ],
      users: [
        {
          name: `${ctx}-user`,
          user: options.clientCert
            ? {
                'client-certificate-data': Buffer.from(testClientCertificate().cert).toString('base64'),
                'client-key-data': Buffer.from(testClientCertificate().key).toString('base64'),
              }
            : { token: options.token ?? this.token },
        },
      ],
      contexts: [
        {
          name: ctx,
          context: {
            cluster: `${ctx}-cluster`,
            user: `${ctx}-user`,
            namespace: options.namespace ?? 'default',
          },
        },
      ],
    });
  }

  // ------------------------------------------------------------ HTTP

  private matches(
    m: RequestMatch,
    r: Pick<RecordedRequest, 'resource' | 'namespace' | 'verb' | 'query'>,
  ): boolean {
    if (m.resource !== undefined && m.resource !== r.resource) return false;
    if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
    if (m.verb !== undefined && m.verb !== r.verb) return false;
    if (m.withContinue && !r.query.continue) return false;
    return true;
  }

  private status(code: number, reason: string, message: string, details?: Raw): Raw {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
      details,
    };
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private parse(
    method: string,
    url: URL,
  ): Omit<RecordedRequest, 'status' | 'method' | 'path' | 'query'> & { info?: ResourceInfo } {
    const parts = url.pathname.split('/').filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      group = '';
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!;
      version = parts[2]!;
      rest = parts.slice(3);
    } else return {};
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, subresource] = rest;
    if (!resource) return {};
    const info = FAKE_RESOURCES.find(
      (r) => r.group === group && r.version === version && r.resource === resource,
    );
    let verb: Verb | undefined;
    if (method === 'GET') verb = name ? 'get' : url.searchParams.get('watch') === 'true' ? 'watch' : 'list';
    else if (method === 'POST') verb = 'create';
    else if (method === 'DELETE') verb = name ? 'delete' : 'deletecollection';
    else if (method === 'PATCH') verb = 'patch';
    else if (method === 'PUT') verb = 'update';
    return { group, resource, namespace, name, subresource, verb, info };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const parsed = this.parse(method, url);
    const { info, ...fields } = parsed;
    const rec: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...fields,
      status: 0,
    };
    this.requests.push(rec);
    this.onRequest?.(rec);
    const body = await readBody(req);

    const delay = this.delays.find((d) => this.matches(d.match, rec));
    if (delay) await this.sleep(delay.ms);

    const drop = this.drops.find((d) => d.remaining > 0 && this.matches(d.match, rec));
    if (drop) {
      drop.remaining--;
      rec.dropped = true;
      req.socket.destroy();
      return;
    }

    const reply = (code: number, payload: unknown) => {
      rec.status = code;
      this.send(res, code, payload);
    };

    const certOk = (req.socket as TLSSocket).authorized === true;
    if (req.headers.authorization !== `Bearer ${this.token}` && !certOk) {
      reply(401, this.status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (url.pathname === '/version') {
      reply(200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' });
      return;
    }
    if (!info || !rec.verb || this.unserved.has(info.resource)) {
      reply(404, this.status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    if (this.forbidRules.some((m) => this.matches(m, rec))) {
      const where = rec.namespace ? ` in the namespace "${rec.namespace}"` : ' at the cluster scope';
      reply(
        403,
        this.status(
          403,
          'Forbidden',
          `${info.resource} is forbidden: User "svcdoctor-test" cannot ${rec.verb} resource "${info.resource}" in API group "${info.group}"${where}`,
          { kind: info.resource, group: info.group || undefined },
        ),
      );
      return;
    }
    const throttle = this.throttles.find((t) => t.remaining > 0 && this.matches(t.match, rec));
    if (throttle) {
      throttle.remaining--;
      rec.status = 429;
      const text = JSON.stringify(
        this.status(429, 'TooManyRequests', 'Too many requests, please try again later.'),
      );
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': '0',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const staleToken =
      rec.verb === 'list' &&
      rec.query.continue !== undefined &&
      continueToken(rec.query.continue).rv < this.compactedRV;
    const expiry = staleToken
      ? { remaining: 1 }
      : this.expiries.find((e) => e.remaining > 0 && this.matches(e.match, rec));
    if (expiry) {
      expiry.remaining--;
      reply(
        410,
        this.status(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        ),
      );
      return;
    }
    if (!info.namespaced && rec.namespace) {
      reply(404, this.status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }

    const store = this.store.get(info.resource)!;
    switch (rec.verb) {
      case 'list':
        reply(200, this.list(info, store, rec, url));
        return;
      case 'get': {
        const o = store.get(`${rec.namespace ?? ''}/${rec.name}`);
        if (!o || rec.subresource) reply(404, this.notFound(info, rec.name!));
        else reply(200, o);
        return;
      }
      case 'create': {
        let obj: unknown;
        try {
          obj = JSON.parse(body);
        } catch {
          reply(400, this.status(400, 'BadRequest', 'body is not JSON'));
          return;
        }
        rec.body = obj;
        if (!isObj(obj) || obj.kind !== info.kind) {
          reply(400, this.status(400, 'BadRequest', `expected a ${info.kind}`));
          return;
        }
        const created = this.create(info, obj, rec.namespace);
        if (!created) {
          reply(409, this.status(409, 'AlreadyExists', `${info.resource} already exists`));
          return;
        }
        reply(201, created);
        return;
      }
      case 'delete': {
        const key = `${rec.namespace ?? ''}/${rec.name}`;
        const o = store.get(key);
        if (!o) {
          reply(404, this.notFound(info, rec.name!));
          return;
        }
        store.delete(key);
        this.rv++;
        reply(200, o);
        return;
      }
      default:
        reply(
          405,
          this.status(405, 'MethodNotAllowed', `${rec.verb} is not supported by the fake API server`),
        );
    }
  }

  private notFound(info: ResourceInfo, name: string): Raw {
    return this.status(404, 'NotFound', `${info.resource} "${name}" not found`, {
      name,
      kind: info.resource,
    });
  }

  private list(info: ResourceInfo, store: Map<string, Raw>, rec: RecordedRequest, url: URL): Raw {
    const q = url.searchParams;
    let items = this.sorted(info.resource, store);
    if (rec.namespace) items = items.filter((o) => metaOf(o).namespace === rec.namespace);
    const ls = q.get('labelSelector');
    if (ls)
      items = items.filter((o) => matchLabels(ls, isObj(metaOf(o).labels) ? (metaOf(o).labels as Raw) : {}));
    const fs = q.get('fieldSelector');
    if (fs) items = items.filter((o) => matchFields(fs, o));

    let start = 0;
    let listRV = String(this.rv);
    const cont = q.get('continue');
    if (cont) {
      const token = continueToken(cont);
      start = token.start;
      listRV = String(token.rv);
    }
    let limit = Number(q.get('limit') ?? 0);
    if (this.maxPage > 0 && (limit <= 0 || limit > this.maxPage)) limit = this.maxPage;
    const end = limit > 0 ? Math.min(items.length, start + limit) : items.length;
    // Like the real server, items in a typed list carry no apiVersion/kind.
    const page = items.slice(start, end).map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    const metadata: Raw = { resourceVersion: listRV };
    if (end < items.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: listRV, start: end })).toString('base64url');
      metadata.remainingItemCount = items.length - end;
    }
    return {
      kind: `${info.kind}List`,
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      metadata,
      items: page,
    };
  }

  /** Objects of a resource in namespace/name order, cached until the store changes. */
  private sorted(resource: string, store: Map<string, Raw>): Raw[] {
    const cached = this.sortCache.get(resource);
    if (cached && cached.rv === this.rv && cached.size === store.size) return cached.items;
    const items = [...store.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, o]) => o);
    this.sortCache.set(resource, { rv: this.rv, size: store.size, items });
    return items;
  }

  private create(info: ResourceInfo, obj: Raw, namespace: string | undefined): Raw | undefined {
    const meta = { ...metaOf(obj) };
    if (!meta.name && typeof meta.generateName === 'string')
      meta.name = `${meta.generateName}${randomBytes(3).toString('hex')}`;
    if (namespace) meta.namespace = namespace;
    const key = `${namespace ?? ''}/${String(meta.name)}`;
    const store = this.store.get(info.resource)!;
    if (store.has(key)) return undefined;
    meta.uid = `fake-uid-${++this.uidCounter}`;
    meta.resourceVersion = String(++this.rv);
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const created: Raw = { ...obj, metadata: meta };
    if (info.kind === 'Pod') {
      created.status = { phase: 'Pending' };
      const script = this.podScripts.find((p) => p.match(created))?.script;
      if (script) {
        const t = setTimeout(() => {
          this.timers.delete(t);
          const current = store.get(key);
          if (current !== created) return;
          const spec = isObj(created.spec) ? created.spec : {};
          const first = Array.isArray(spec.containers) && isObj(spec.containers[0]) ? spec.containers[0] : {};
          const state =
            script.phase === 'Running'
              ? { running: { startedAt: new Date().toISOString() } }
              : {
                  terminated: {
                    exitCode: script.exitCode ?? (script.phase === 'Succeeded' ? 0 : 1),
                    reason: script.phase === 'Succeeded' ? 'Completed' : 'Error',
                    message:
                      typeof script.terminationMessage === 'function'
                        ? script.terminationMessage(created)
                        : script.terminationMessage,
                  },
                };
          created.status = {
            phase: script.phase,
            podIP: '10.244.9.9',
            containerStatuses: [{ name: first.name ?? 'probe', ready: false, restartCount: 0, state }],
          };
          this.rv++;
        }, script.afterMs);
        this.timers.add(t);
      }
    }
    store.set(key, created);
    return created;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

function continueToken(text: string): { rv: number; start: number } {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString()) as { rv: string; start: number };
    return { rv: Number(t.rv), start: Number(t.start) };
  } catch {
    return { rv: -1, start: 0 };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ------------------------------------------------------------ fixtures

const fixtureMeta = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: `uid-${namespace ?? ''}-${name}`,
  creationTimestamp: '2026-11-01T00:00:00Z',
  ...extra,
});

/** A small cluster: a web Service with two pods on two nodes, a system namespace, a secret. */
export function smallCluster(services = 7): unknown[] {
  const objs: unknown[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: fixtureMeta('default') },
    { apiVersion: 'v1', kind: 'Namespace', metadata: fixtureMeta('kube-system') },
    { apiVersion: 'v1', kind: 'Namespace', metadata: fixtureMeta('prod') },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: fixtureMeta('db-password', 'default'),
      data: { password: Buffer.from('hunter2').toString('base64') },
    },
  ];
  for (const n of ['node-1', 'node-2'])
    objs.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: fixtureMeta(n),
      status: {
        addresses: [{ type: 'InternalIP', address: n === 'node-1' ? '192.168.0.10' : '192.168.0.11' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  for (let i = 0; i < services; i++)
    objs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: fixtureMeta(`svc-${i}`, 'default'),
      spec: {
        selector: { app: 'web' },
        clusterIP: `10.96.0.${10 + i}`,
        ports: [{ port: 80, targetPort: 8080 }],
      },
    });
  objs.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: fixtureMeta('api', 'prod'),
    spec: { selector: { app: 'api' }, clusterIP: '10.96.1.1', ports: [{ port: 80 }] },
  });
  for (const [i, node] of ['node-1', 'node-2'].entries())
    objs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: fixtureMeta(`web-${i}`, 'default', { labels: { app: 'web' } }),
      spec: {
        nodeName: node,
        containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }] }],
      },
      status: { phase: 'Running', podIP: `10.244.${i}.5`, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  objs.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: fixtureMeta('kube-proxy-a', 'kube-system', { labels: { 'k8s-app': 'kube-proxy' } }),
    spec: {
      nodeName: 'node-1',
      hostNetwork: true,
      containers: [{ name: 'kube-proxy', image: 'kube-proxy' }],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  objs.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: fixtureMeta('kube-proxy', 'kube-system'),
    data: { 'config.conf': 'mode: ipvs\nclusterCIDR: 10.244.0.0/16\n' },
  });
  objs.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: fixtureMeta('aws-auth', 'kube-system'),
    data: { mapRoles: 'sensitive' },
  });
  return objs;
}
