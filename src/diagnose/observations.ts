// What the user already saw, turned into data. Clients print the same few failures in many
// dialects (curl exit codes, Go's net errors, wget, nc, envoy and nginx error pages); each is
// mapped to one ObservationResult plus the address it names, so ranking can line the symptom up
// with the hop that produces it.

import type { Layer } from '../checks/define.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Observation, ObservationResult, Pod, Service } from '../model/types.js';

export interface Classification {
  /** undefined when the text matches nothing known. */
  result: ObservationResult | undefined;
  /** The IP or host name the message names, if any. */
  address?: string;
  port?: number;
  /** Which client/proxy printed it, for evidence. */
  tool?:
    | 'curl'
    | 'wget'
    | 'nc'
    | 'go'
    | 'envoy'
    | 'nginx'
    | 'kubelet-probe'
    | 'openssl'
    | 'java'
    | 'python'
    | 'generic';
  /** curl's exit code when the text carries one. */
  curlExit?: number;
  /** Why this result was chosen and what it usually points at (one sentence, for evidence). */
  hint: string;
  /** The layers (src/checks/define.ts LAYERS) this symptom is produced at, most likely first. */
  layers: Layer[];
}

/** Layers each result is produced at, most likely first. Used by ranking for agreement. */
export const RESULT_LAYERS: Record<string, Layer[]> = {
  ok: [],
  // A RST: nothing listens (container), kube-proxy REJECTs a Service without endpoints, or a policy rejects.
  refused: ['container', 'endpoints', 'kube-proxy', 'service', 'network-policy'],
  // Silently dropped: security groups, NetworkPolicy, routes, health-check-less LBs, eTP Local nodes.
  timeout: [
    'security-group',
    'network-policy',
    'client-policy',
    'cloud',
    'route',
    'kube-proxy',
    'node',
    'container',
  ],
  reset: ['container', 'cloud', 'kube-proxy'],
  'no-route': ['route', 'node', 'kube-proxy', 'endpoints'],
  'dns-nxdomain': ['dns', 'service'],
  'dns-timeout': ['dns', 'client-policy', 'network-policy'],
  'tls-error': ['cloud', 'container'],
  'http-404': ['cloud', 'container'],
  'http-502': ['endpoints', 'container', 'cloud'],
  'http-503': ['endpoints', 'container', 'cloud'],
  'http-504': ['security-group', 'cloud', 'network-policy', 'container'],
};

export function layersForResult(result: ObservationResult): Layer[] {
  const known = RESULT_LAYERS[result];
  if (known) return known;
  if (/^http-5\d\d$/.test(result)) return ['container', 'endpoints'];
  if (/^http-4\d\d$/.test(result)) return ['container', 'cloud'];
  return [];
}

// ---------------------------------------------------------------- address extraction

const IPV4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
// Loose on purpose: an IPv6 literal inside brackets or followed by a port separator.
const IPV6 = '[0-9a-fA-F:]{0,39}:[0-9a-fA-F:.]{1,45}';
const HOST = '[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?';

interface Addr {
  address?: string;
  port?: number;
}

function toPort(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** Pulls "address port" out of the shapes clients print, most specific first. */
export function extractAddress(text: string): Addr {
  const patterns: RegExp[] = [
    // curl: Failed to connect to 192.168.10.36 port 900 / connect to 10.0.0.1 port 80 failed
    new RegExp(String.raw`(?:connect|Connected) to (${IPV4}|\[?${IPV6}\]?|${HOST}) port (\d+)`, 'i'),
    // Go: dial tcp 10.0.0.5:8080: / dial tcp [fd00::1]:80:
    new RegExp(String.raw`dial (?:tcp|udp)[46]? (${IPV4}|\[${IPV6}\]|${HOST}):(\d+)`, 'i'),
    // envoy / grpc: upstream ... remote address 10.0.0.1:8080 / delayed connect error: 111
    new RegExp(String.raw`(?:remote|upstream)(?: address)?[ =:]+(${IPV4}):(\d+)`, 'i'),
    // nginx error log: upstream: "http://10.0.0.5:8080/"
    new RegExp(String.raw`upstream: "?[a-z]+://(${IPV4}|\[${IPV6}\]|${HOST}):(\d+)`, 'i'),
    // nc: connect to 10.0.0.1 port 80 (tcp) failed / nc: 10.0.0.1 (10.0.0.1:80): Connection refused
    new RegExp(String.raw`\((${IPV4}):(\d+)\)`),
    // wget: Connecting to web (web)|10.96.0.10|:80... failed
    new RegExp(String.raw`\|(${IPV4}|${IPV6})\|:(\d+)`),
    // URLs: http://host:port/...
    new RegExp(String.raw`[a-z][a-z0-9+.-]{0,15}://(${IPV4}|\[${IPV6}\]|${HOST}):(\d+)`, 'i'),
    // Python urllib3: HTTPConnectionPool(host='api.shop', port=80)
    new RegExp(String.raw`host='(${IPV4}|${HOST})', port=(\d+)`),
    // bare ip:port
    new RegExp(String.raw`(?:^|[\s"'(=])(${IPV4}):(\d+)\b`),
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    if (m?.[1]) {
      const port = toPort(m[2]);
      return { address: m[1].replace(/^\[|\]$/g, ''), ...(port !== undefined ? { port } : {}) };
    }
  }
  const resolve = /(?:resolve host|resolve(?: host)?:|lookup|resolving) ['"]?([A-Za-z0-9_.-]+)/i.exec(text);
  if (resolve?.[1]) return { address: resolve[1].replace(/\.$/, '') };
  const url = new RegExp(String.raw`[a-z][a-z0-9+.-]{0,15}://(${IPV4}|\[${IPV6}\]|${HOST})`, 'i').exec(text);
  if (url?.[1]) return { address: url[1].replace(/^\[|\]$/g, '') };
  const ip = new RegExp(String.raw`\b(${IPV4})\b`).exec(text);
  if (ip?.[1]) return { address: ip[1] };
  return {};
}

// ---------------------------------------------------------------- classification

interface Rule {
  re: RegExp;
  result: ObservationResult;
  tool?: Classification['tool'];
  hint: string;
}

const CURL_EXIT: Record<number, { result: ObservationResult; hint: string }> = {
  6: {
    result: 'dns-nxdomain',
    hint: 'curl could not resolve the host name: the DNS name, namespace or cluster domain is wrong, or DNS is down',
  },
  7: { result: 'refused', hint: 'curl could not connect' },
  28: {
    result: 'timeout',
    hint: 'the connection timed out: something dropped the packets silently (security group, NetworkPolicy, route, node)',
  },
  35: { result: 'tls-error', hint: 'the TLS handshake failed' },
  51: { result: 'tls-error', hint: "the server's certificate did not match the name" },
  52: {
    result: 'reset',
    hint: 'the server closed the connection without replying: often a plain-HTTP client on a TLS port, or an app that crashed',
  },
  56: { result: 'reset', hint: 'the connection was reset while receiving' },
  58: { result: 'tls-error', hint: 'the client certificate was not accepted' },
  60: {
    result: 'tls-error',
    hint: 'the server certificate could not be verified (expired, not yet valid, or untrusted)',
  },
  77: { result: 'tls-error', hint: 'the CA bundle could not be read' },
  90: { result: 'tls-error', hint: 'the certificate pin did not match' },
  91: { result: 'tls-error', hint: 'the certificate status was invalid' },
};

// Answers a proxy gives in place of the backend; they win over status lines and transport errors
// quoted inside them. Order matters: the most specific phrase wins.
const PROXY_RULES: Rule[] = [
  {
    re: /upstream connect error or disconnect\/reset before headers[\s\S]*reset reason: (?:connection failure|remote connection failure)[\s\S]*(?:refused|111)/i,
    result: 'http-503',
    tool: 'envoy',
    hint: 'envoy could not connect to the upstream: the backend refused (nothing listening on the target port)',
  },
  {
    re: /upstream connect error or disconnect\/reset before headers[\s\S]*reset reason: (?:connection failure|remote connection failure|overflow|connection timeout)/i,
    result: 'http-503',
    tool: 'envoy',
    hint: 'envoy could not connect to the upstream endpoint: no ready backend, the backend is not listening, or a policy blocks the sidecar-to-app hop',
  },
  {
    re: /upstream connect error or disconnect\/reset before headers/i,
    result: 'http-503',
    tool: 'envoy',
    hint: 'envoy reached no healthy upstream before headers',
  },
  {
    re: /no healthy upstream/i,
    result: 'http-503',
    tool: 'envoy',
    hint: 'envoy has no healthy endpoint for the cluster',
  },
  {
    re: /no endpoints available for service/i,
    result: 'http-503',
    hint: 'the API server proxy found no ready endpoint for the Service',
  },
  {
    re: /no live upstreams/i,
    result: 'http-502',
    tool: 'nginx',
    hint: 'nginx marked every upstream (endpoint) down after failed connections',
  },
];

// Transport-level failures, most specific first.
const RULES: Rule[] = [
  {
    re: /x509: certificate has expired|certificate has expired|certificate expired|CERT_HAS_EXPIRED/i,
    result: 'tls-error',
    hint: 'the certificate presented has expired',
  },
  {
    re: /certificate is not yet valid|not yet valid|CERT_NOT_YET_VALID/i,
    result: 'tls-error',
    hint: 'the certificate presented is not yet valid (clock skew or a certificate issued for the future)',
  },
  {
    re: /x509:|certificate signed by unknown authority|self[- ]signed certificate|SSL certificate problem|certificate verify failed|tls: handshake failure|tls: first record does not look like|SSL_ERROR|SSL routines|wrong version number|ssl_handshake|SSL connect error|TLS handshake timeout|unable to verify the first certificate|ERR_TLS|ERR_SSL|ERR_CERT_|SSLHandshakeException|PKIX path building failed/i,
    result: 'tls-error',
    hint: 'the TLS handshake failed (certificate, protocol or plain-HTTP-on-TLS mismatch)',
  },
  {
    re: /Could not resolve host|Name or service not known|nodename nor servname|no such host|NXDOMAIN|server can'?t find|can'?t resolve|bad address|getaddrinfo ENOTFOUND|UnknownHostException|Name does not resolve|unable to resolve host|ERR_NAME_NOT_RESOLVED|NoSuchHost/i,
    result: 'dns-nxdomain',
    hint: 'the name did not resolve: wrong Service name, namespace or cluster domain, or DNS itself is failing',
  },
  {
    re: /connection timed out; no servers could be reached|i\/o timeout[^\n]*:53\b|:53: i\/o timeout|read udp [^\n]*:53|EAI_AGAIN|getaddrinfo EAI_AGAIN|communications error to [^\n]*#53|dns[^\n]*timed? ?out|server misbehaving|Temporary failure in name resolution|\[Errno -3\]|SERVFAIL/i,
    result: 'dns-timeout',
    hint: 'the DNS server did not answer: CoreDNS down, or an egress NetworkPolicy blocks port 53',
  },
  {
    re: /No route to host|EHOSTUNREACH|Host is unreachable|Network is unreachable|ENETUNREACH|host unreachable/i,
    result: 'no-route',
    hint: 'an ICMP unreachable came back: no route, a node down, or a Service with no endpoints rejected it',
  },
  {
    re: /Connection refused|ECONNREFUSED|connect: connection refused|actively refused|Couldn't connect to server|Connection refused by peer|ConnectException: Connection refused|errno 111|\[Errno 111\]|ERR_CONNECTION_REFUSED|\(111: Connection refused\)/i,
    result: 'refused',
    hint: 'the connection was refused: nothing listens on that address and port, or kube-proxy rejected a Service without endpoints',
  },
  {
    re: /Connection reset by peer|ECONNRESET|connection reset|Recv failure|Empty reply from server|unexpected EOF|socket hang up|broken pipe|Connection closed by foreign host|Connection aborted|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|connection termination/i,
    result: 'reset',
    hint: 'the connection was reset or closed without a reply',
  },
  {
    re: /context deadline exceeded|i\/o timeout|timed out|timeout|ETIMEDOUT|Operation timed out|deadline exceeded|Client.Timeout exceeded|SocketTimeoutException|took too long to respond|ERR_CONNECTION_TIMED_OUT|DeadlineExceeded/i,
    result: 'timeout',
    hint: 'no answer in time: packets dropped silently (security group, NetworkPolicy, route, unhealthy LB backend) or the app hangs',
  },
];

const HTTP_STATUS_TEXT: [RegExp, number][] = [
  [/502 Bad Gateway/i, 502],
  [/503 Service (?:Temporarily )?Unavailable/i, 503],
  [/504 Gateway Time-?out/i, 504],
  [/404 Not Found/i, 404],
  [/default backend - 404/i, 404],
  [/500 Internal Server Error/i, 500],
  [/403 Forbidden/i, 403],
  [/401 Unauthorized/i, 401],
];

function httpHint(code: number, text: string): string {
  const nginx = /nginx/i.test(text);
  switch (code) {
    case 502:
      return `${nginx ? 'nginx' : 'a proxy'} got no valid response from the backend: no ready endpoints, wrong targetPort, or the app is not listening`;
    case 503:
      return `${nginx ? 'nginx' : 'a proxy'} has no available backend: the Service has no ready endpoints`;
    case 504:
      return `${nginx ? 'nginx' : 'a proxy'} timed out reaching the backend: a security group or policy drops the proxy-to-node/pod hop, or the app hangs`;
    case 404:
      return /default backend/i.test(text)
        ? 'the ingress controller default backend answered: no Ingress rule matches the host/path'
        : 'not found: an Ingress rule or the application has no such path';
    default:
      return `the server answered HTTP ${code}`;
  }
}

function toolOf(text: string): Classification['tool'] {
  if (/^\s*curl:|\bcurl\b/i.test(text)) return 'curl';
  if (/\bwget\b|Connecting to .*\|/i.test(text)) return 'wget';
  if (/^\s*nc:|\bncat?\b|netcat/i.test(text)) return 'nc';
  if (/Readiness probe failed|Liveness probe failed|Startup probe failed/i.test(text)) return 'kubelet-probe';
  if (/dial tcp|dial udp|context deadline exceeded|x509:/i.test(text)) return 'go';
  if (/upstream connect error|no healthy upstream/i.test(text)) return 'envoy';
  if (/nginx/i.test(text)) return 'nginx';
  if (/openssl|SSL routines/i.test(text)) return 'openssl';
  if (/java\.|Exception/.test(text)) return 'java';
  if (/Errno|urllib|requests\.exceptions/.test(text)) return 'python';
  return undefined;
}

function done(
  result: ObservationResult | undefined,
  text: string,
  hint: string,
  extra: Partial<Classification> = {},
): Classification {
  const addr = extractAddress(text);
  const tool = extra.tool ?? toolOf(text);
  return {
    result,
    ...addr,
    ...(tool ? { tool } : {}),
    ...extra,
    hint,
    layers: result ? layersForResult(result) : [],
  };
}

/**
 * Classifies one message a user saw. Never throws: unknown text yields `result: undefined`.
 * Bare results ("refused", "timeout", "http-503") and bare status codes are accepted too.
 */
export function classifyObservation(input: string): Classification {
  // Client error messages are short; the cap keeps every pattern below linear in practice.
  const text = typeof input === 'string' ? input.slice(0, 4_000) : '';
  const trimmed = text.trim();
  const bare = /^(ok|refused|timeout|reset|no-route|dns-nxdomain|dns-timeout|tls-error|http-(\d{3}))$/.exec(
    trimmed,
  );
  if (bare)
    return {
      result: trimmed as ObservationResult,
      hint: 'result given directly',
      layers: layersForResult(trimmed as ObservationResult),
    };

  // curl prints "curl: (N) ..." – the exit code is the most reliable signal, refined by the text.
  const curl = /curl: \((\d+)\)/i.exec(text);
  if (curl) {
    const exit = Number(curl[1]);
    const base = CURL_EXIT[exit];
    if (exit === 7) {
      if (/No route to host|Host is unreachable|Network is unreachable/i.test(text))
        return done('no-route', text, RULES.find((r) => r.result === 'no-route')!.hint, {
          tool: 'curl',
          curlExit: 7,
        });
      if (/timed out/i.test(text))
        return done('timeout', text, CURL_EXIT[28]!.hint, { tool: 'curl', curlExit: 7 });
      return done('refused', text, RULES.find((r) => r.result === 'refused')!.hint, {
        tool: 'curl',
        curlExit: 7,
      });
    }
    if (exit === 22) {
      const code = /error: (\d{3})|returned error: (\d{3})/i.exec(text);
      const n = Number(code?.[1] ?? code?.[2]);
      if (n >= 100 && n < 600)
        return done(`http-${n}`, text, httpHint(n, text), { tool: 'curl', curlExit: 22 });
    }
    if (base) {
      // (35) with an expiry message is still a TLS error, but the hint should name the expiry.
      const specific =
        base.result === 'tls-error'
          ? RULES.find((r) => r.result === 'tls-error' && r.re.test(text))
          : undefined;
      return done(base.result, text, specific?.hint ?? base.hint, { tool: 'curl', curlExit: exit });
    }
  }

  // HTTP status lines and error pages (nginx, ingress controllers, load balancers).
  const status = /\bHTTP\/[0-9.]+ (\d{3})\b/.exec(text) ?? /\bstatus ?(?:code)?[ :=]+(\d{3})\b/i.exec(text);
  const envoyish = PROXY_RULES.find((r) => r.re.test(text));
  if (envoyish)
    return done(envoyish.result, text, envoyish.hint, envoyish.tool ? { tool: envoyish.tool } : {});
  for (const [re, code] of HTTP_STATUS_TEXT) {
    if (re.test(text)) return done(`http-${code}`, text, httpHint(code, text));
  }
  if (status?.[1]) {
    const n = Number(status[1]);
    if (n >= 200 && n < 400) return done('ok', text, `the server answered HTTP ${n}`);
    if (n >= 400 && n < 600) return done(`http-${n}`, text, httpHint(n, text));
  }
  for (const rule of RULES) {
    if (rule.re.test(text)) return done(rule.result, text, rule.hint, rule.tool ? { tool: rule.tool } : {});
  }
  if (/^\s*(?:200 OK|HTTP 200|success|succeeded|open)\s*$/i.test(text) || /\bsucceeded!|\bopen$/m.test(text))
    return done('ok', text, 'the connection succeeded');
  return done(undefined, text, 'message not recognised');
}

// ---------------------------------------------------------------- inline observations

export interface InlineDefaults {
  /** internet | vpc | node/NAME | pod/NS/NAME; defaults to the question's client. */
  from: string;
  /** Where the user aimed; the address found in the text wins when present. */
  to?: string;
  at?: string;
}

/**
 * An Observation from one line the user pasted (`diagnose --observed "curl: (7) ..."`).
 * Returns undefined when the text is not recognised, so the CLI can say so instead of guessing.
 */
export function observationFromInline(text: string, defaults: InlineDefaults): Observation | undefined {
  const c = classifyObservation(text);
  if (!c.result) return undefined;
  let to = defaults.to ?? '';
  if (c.address && c.port !== undefined) {
    to = c.address.includes(':') ? `[${c.address}]:${c.port}/tcp` : `${c.address}:${c.port}/tcp`;
  } else if (c.address && !to) {
    to = c.address;
  }
  return {
    ...(defaults.at ? { at: defaults.at } : {}),
    from: defaults.from,
    to,
    result: c.result,
    detail: text.trim(),
  };
}

// ---------------------------------------------------------------- placing on a hop

export interface ObservedTarget {
  ip?: string;
  host?: string;
  port?: number;
  protocol?: string;
  /** svc/NS/NAME[:PORT] or pod/NS/NAME:PORT references. */
  ref?: { kind: 'svc' | 'pod'; namespace: string; name: string; port?: number | string };
}

/** Parses the `to` field: IP:PORT/PROTO, [v6]:PORT, svc/NS/NAME[:PORT], pod/NS/NAME:PORT, or a URL. */
export function parseObservedTarget(to: string): ObservedTarget {
  const t = to.trim();
  const ref = /^(svc|service|pod)\/([^/\s]+)\/([^/:\s]+)(?::([^/\s]+))?(?:\/(tcp|udp|sctp))?$/i.exec(t);
  if (ref) {
    const portText = ref[4];
    const port = portText === undefined ? undefined : /^\d+$/.test(portText) ? Number(portText) : portText;
    return {
      ref: {
        kind: ref[1]!.toLowerCase() === 'pod' ? 'pod' : 'svc',
        namespace: ref[2]!,
        name: ref[3]!,
        ...(port !== undefined ? { port } : {}),
      },
      ...(ref[5] ? { protocol: ref[5].toUpperCase() } : {}),
    };
  }
  const url = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i.exec(t);
  if (url) {
    const scheme = url[1]!.toLowerCase();
    const host = url[2]!.replace(/^\[|\]$/g, '');
    const port = url[3] ? Number(url[3]) : scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
    const isIP = /^[\d.]+$/.test(host) || host.includes(':');
    return { ...(isIP ? { ip: host } : { host }), ...(port !== undefined ? { port } : {}), protocol: 'TCP' };
  }
  const hp = /^(\[[^\]]+\]|[^\s:/]+)(?::(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(t);
  if (hp) {
    const host = hp[1]!.replace(/^\[|\]$/g, '');
    const isIP = /^[\d.]+$/.test(host) || host.includes(':');
    return {
      ...(isIP ? { ip: host } : { host }),
      ...(hp[2] ? { port: Number(hp[2]) } : {}),
      ...(hp[3] ? { protocol: hp[3].toUpperCase() } : {}),
    };
  }
  return {};
}

/** The hop an observation implicates, found by what its address belongs to. */
export type ObservedHop =
  | { kind: 'pod'; pod: Pod; port?: number; at: string }
  | { kind: 'cluster-ip'; service: Service; port?: number; at: string }
  | { kind: 'node-port'; node: string; service?: Service; port?: number; at: string }
  | { kind: 'lb'; service?: Service; lbId?: string; port?: number; at: string }
  | { kind: 'external-ip'; service: Service; port?: number; at: string }
  | { kind: 'dns'; name: string; at: string }
  | { kind: 'service-ref'; namespace: string; name: string; port?: number | string; at: string }
  | { kind: 'unknown'; at: string };

export interface PlacedObservation {
  observation: Observation;
  classification: Classification;
  hop: ObservedHop;
  /** Layers the symptom points at, narrowed by the hop when the hop tells more than the result. */
  layers: Layer[];
}

function serviceByNodePort(snapshot: Snapshot, port: number | undefined): Service | undefined {
  if (port === undefined) return undefined;
  return snapshot.services.find((s) => s.ports.some((p) => p.nodePort === port));
}

/** Locates where an observation's address lives (pod IP, ClusterIP, node, LB) in the snapshot. */
export function placeObservation(snapshot: Snapshot, observation: Observation): PlacedObservation {
  const classification = observation.detail
    ? classifyObservation(observation.detail)
    : {
        result: observation.result,
        hint: 'result given directly',
        layers: layersForResult(observation.result),
      };
  const target = parseObservedTarget(observation.to);
  const ip =
    target.ip ??
    (classification.address && /^[\d.]+$|:/.test(classification.address)
      ? classification.address
      : undefined);
  const port =
    target.port ??
    (target.ref?.port !== undefined && typeof target.ref.port === 'number'
      ? target.ref.port
      : classification.port);
  let hop: ObservedHop = { kind: 'unknown', at: observation.to || 'unknown' };
  if (target.ref?.kind === 'pod') {
    const pod = snapshot.pod(target.ref.namespace, target.ref.name);
    hop = pod
      ? {
          kind: 'pod',
          pod,
          ...(port !== undefined ? { port } : {}),
          at: `pod/${pod.meta.namespace}/${pod.meta.name}`,
        }
      : { kind: 'unknown', at: observation.to };
  } else if (target.ref?.kind === 'svc') {
    hop = {
      kind: 'service-ref',
      namespace: target.ref.namespace,
      name: target.ref.name,
      ...(target.ref.port !== undefined ? { port: target.ref.port } : {}),
      at: `svc/${target.ref.namespace}/${target.ref.name}`,
    };
  } else if (ip) {
    hop = placeIP(snapshot, ip, port);
  } else if (target.host ?? classification.address) {
    hop = { kind: 'dns', name: (target.host ?? classification.address)!, at: 'dns' };
  }
  const result = observation.result;
  let layers = layersForResult(result);
  // A refusal at a pod IP cannot come from kube-proxy or a Service: only the container (or a policy that rejects).
  if (hop.kind === 'pod' && result === 'refused') layers = ['container', 'network-policy'];
  if (hop.kind === 'dns' && (result === 'dns-nxdomain' || result === 'dns-timeout'))
    layers = layersForResult(result);
  return { observation, classification: { ...classification }, hop, layers };
}

function placeIP(snapshot: Snapshot, ip: string, port: number | undefined): ObservedHop {
  const withPort = port !== undefined ? { port } : {};
  const pods = snapshot.podsByAddress(ip).filter((p) => !p.hostNetwork);
  if (pods[0])
    return {
      kind: 'pod',
      pod: pods[0],
      ...withPort,
      at: `pod/${pods[0].meta.namespace}/${pods[0].meta.name}`,
    };
  for (const s of snapshot.services) {
    if (s.clusterIPs.includes(ip) || s.clusterIP === ip)
      return { kind: 'cluster-ip', service: s, ...withPort, at: `svc/${s.meta.namespace}/${s.meta.name}` };
    if (s.loadBalancerIngress.some((i) => i.ip === ip))
      return { kind: 'lb', service: s, ...withPort, at: `svc/${s.meta.namespace}/${s.meta.name}` };
    if (s.externalIPs.includes(ip))
      return { kind: 'external-ip', service: s, ...withPort, at: `svc/${s.meta.namespace}/${s.meta.name}` };
  }
  const lb = snapshot.data.cloud?.loadBalancers?.find((l) => l.addresses.includes(ip));
  if (lb) {
    const owner = lb.owner?.startsWith('service/') ? lb.owner.split('/') : undefined;
    const service = owner && owner.length === 3 ? snapshot.service(owner[1]!, owner[2]!) : undefined;
    return { kind: 'lb', lbId: lb.id, ...(service ? { service } : {}), ...withPort, at: `lb/${lb.id}` };
  }
  const node = snapshot.nodeByAddress(ip);
  if (node) {
    const service = serviceByNodePort(snapshot, port);
    return {
      kind: 'node-port',
      node: node.meta.name,
      ...(service ? { service } : {}),
      ...withPort,
      at: `node/${node.meta.name}`,
    };
  }
  // Host-network pods answer on the node IP, which nodeByAddress already covered; an unknown IP stays unknown.
  return { kind: 'unknown', at: port !== undefined ? `${ip}:${port}` : ip };
}

// ---------------------------------------------------------------- probe failures from Events

export interface ProbeFailure {
  probe: 'readiness' | 'liveness' | 'startup';
  classification: Classification;
  message: string;
  count: number;
  lastSeen?: string;
}

/** Kubelet `Unhealthy` events for a pod ("Readiness probe failed: dial tcp ...: connection refused"), classified. */
export function probeFailures(snapshot: Snapshot, pod: Pod): ProbeFailure[] {
  const out: ProbeFailure[] = [];
  const events = snapshot.eventsFor({ kind: 'Pod', namespace: pod.meta.namespace, name: pod.meta.name });
  for (const e of events) {
    const m = /^(Readiness|Liveness|Startup) probe failed:\s*([\s\S]*)$/i.exec(e.message.trim());
    if (!m) continue;
    const probe = m[1]!.toLowerCase() as ProbeFailure['probe'];
    const body = m[2] ?? '';
    const classification = classifyObservation(body);
    // "HTTP probe failed with statuscode: 503" means something answered: the port is open.
    out.push({
      probe,
      classification: { ...classification, tool: 'kubelet-probe' },
      message: e.message.trim(),
      count: e.count,
      ...((e.lastTimestamp ?? e.eventTime) ? { lastSeen: (e.lastTimestamp ?? e.eventTime)! } : {}),
    });
  }
  return out;
}
