import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyObservation, observationFromInline, parseObservedTarget } from './observations.js';

interface Case {
  name: string;
  text: string;
  result: string | undefined;
  address?: string;
  port?: number;
  curlExit?: number;
}

const cases: Case[] = [
  {
    name: 'curl (7) connection refused names the address and port',
    text: 'curl: (7) Failed to connect to 192.168.10.36 port 900: Connection refused',
    result: 'refused',
    address: '192.168.10.36',
    port: 900,
    curlExit: 7,
  },
  {
    name: 'curl 8.x (7) "Could not connect to server" is a refusal',
    text: "curl: (7) Failed to connect to 10.96.12.4 port 80 after 2 ms: Couldn't connect to server",
    result: 'refused',
    address: '10.96.12.4',
    port: 80,
  },
  {
    name: 'curl (7) no route to host',
    text: 'curl: (7) Failed to connect to 10.100.3.7 port 8080: No route to host',
    result: 'no-route',
    address: '10.100.3.7',
    port: 8080,
  },
  {
    name: 'curl (28) connect timeout',
    text: 'curl: (28) Failed to connect to 203.0.113.10 port 80 after 129401 ms: Connection timed out',
    result: 'timeout',
    address: '203.0.113.10',
    port: 80,
    curlExit: 28,
  },
  {
    name: 'curl (28) operation timeout without address',
    text: 'curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received',
    result: 'timeout',
  },
  {
    name: 'curl (6) could not resolve host',
    text: 'curl: (6) Could not resolve host: my-svc.prod.svc.cluster.local',
    result: 'dns-nxdomain',
    address: 'my-svc.prod.svc.cluster.local',
  },
  {
    name: 'curl (35) SSL connect error',
    text: 'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to 203.0.113.10:443',
    result: 'tls-error',
    address: '203.0.113.10',
    port: 443,
  },
  {
    name: 'curl (60) expired certificate',
    text: 'curl: (60) SSL certificate problem: certificate has expired',
    result: 'tls-error',
  },
  { name: 'curl (52) empty reply', text: 'curl: (52) Empty reply from server', result: 'reset' },
  {
    name: 'curl (56) reset by peer',
    text: 'curl: (56) Recv failure: Connection reset by peer',
    result: 'reset',
  },
  {
    name: 'curl (22) with --fail carries the HTTP code',
    text: 'curl: (22) The requested URL returned error: 503',
    result: 'http-503',
  },
  {
    name: 'Go dial refused (a readiness probe message)',
    text: 'Readiness probe failed: dial tcp 10.0.0.5:8080: connect: connection refused',
    result: 'refused',
    address: '10.0.0.5',
    port: 8080,
  },
  {
    name: 'Go HTTP probe with context deadline',
    text: 'Liveness probe failed: Get "http://10.244.1.7:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    result: 'timeout',
    address: '10.244.1.7',
    port: 8080,
  },
  {
    name: 'Go i/o timeout',
    text: 'dial tcp 10.96.0.20:5432: i/o timeout',
    result: 'timeout',
    address: '10.96.0.20',
    port: 5432,
  },
  {
    name: 'Go DNS lookup i/o timeout to port 53 is a DNS timeout',
    text: 'dial tcp: lookup db.prod.svc.cluster.local on 10.96.0.10:53: read udp 10.244.0.5:41234->10.96.0.10:53: i/o timeout',
    result: 'dns-timeout',
  },
  {
    name: 'Go lookup no such host',
    text: 'dial tcp: lookup redis-master on 10.96.0.10:53: no such host',
    result: 'dns-nxdomain',
  },
  {
    name: 'Go no route to host',
    text: 'dial tcp 10.1.2.3:443: connect: no route to host',
    result: 'no-route',
    address: '10.1.2.3',
    port: 443,
  },
  {
    name: 'envoy upstream connect error',
    text: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
    result: 'http-503',
  },
  {
    name: 'envoy with transport failure reason refused',
    text: 'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: delayed connect error: 111',
    result: 'http-503',
  },
  { name: 'envoy no healthy upstream', text: 'no healthy upstream', result: 'http-503' },
  {
    name: 'nginx 502 page',
    text: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
    result: 'http-502',
  },
  {
    name: 'nginx 503 page',
    text: '<title>503 Service Temporarily Unavailable</title> nginx',
    result: 'http-503',
  },
  {
    name: 'nginx 504 page',
    text: '<h1>504 Gateway Time-out</h1><hr><center>nginx/1.21.6</center>',
    result: 'http-504',
  },
  { name: 'ingress default backend 404', text: 'default backend - 404', result: 'http-404' },
  { name: 'an HTTP status line', text: 'HTTP/1.1 200 OK', result: 'ok' },
  {
    name: 'x509 expired certificate',
    text: 'x509: certificate has expired or is not yet valid: current time 2026-11-22T10:00:00Z is after 2026-01-01T00:00:00Z',
    result: 'tls-error',
  },
  {
    name: 'certificate not yet valid',
    text: 'SSL certificate problem: certificate is not yet valid',
    result: 'tls-error',
  },
  {
    name: 'wget connection refused',
    text: "Connecting to web (10.96.7.7:80)\nwget: can't connect to remote host (10.96.7.7): Connection refused",
    result: 'refused',
    address: '10.96.7.7',
    port: 80,
  },
  {
    name: 'busybox wget bad address',
    text: "wget: bad address 'nginx.default.svc.cluster.lcoal'",
    result: 'dns-nxdomain',
  },
  {
    name: 'nc refused',
    text: 'nc: connect to 10.244.2.9 port 6379 (tcp) failed: Connection refused',
    result: 'refused',
    address: '10.244.2.9',
    port: 6379,
  },
  {
    name: 'nc timed out',
    text: 'nc: connect to 10.244.2.9 port 6379 (tcp) timed out: Operation now in progress',
    result: 'timeout',
  },
  {
    name: 'nslookup NXDOMAIN',
    text: "** server can't find web.default.svc.cluster.local: NXDOMAIN",
    result: 'dns-nxdomain',
  },
  {
    name: 'busybox nslookup cannot resolve a short name',
    text: "nslookup: can't resolve 'rabbitmq-service'",
    result: 'dns-nxdomain',
  },
  {
    name: 'nslookup no servers',
    text: ';; connection timed out; no servers could be reached',
    result: 'dns-timeout',
  },
  {
    name: 'Python requests names host and port',
    text: "requests.exceptions.ConnectionError: HTTPConnectionPool(host='api.shop', port=8000): Max retries exceeded with url: / (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))",
    result: 'refused',
    address: 'api.shop',
    port: 8000,
  },
  {
    name: 'Python temporary failure in name resolution is a DNS timeout',
    text: '[Errno -3] Temporary failure in name resolution',
    result: 'dns-timeout',
  },
  {
    name: 'Java PKIX failure is TLS',
    text: 'javax.net.ssl.SSLHandshakeException: PKIX path building failed',
    result: 'tls-error',
  },
  {
    name: 'Java connect timeout',
    text: 'java.net.SocketTimeoutException: connect timed out',
    result: 'timeout',
  },
  {
    name: 'Node ECONNREFUSED with address',
    text: 'Error: connect ECONNREFUSED 10.96.12.7:5432',
    result: 'refused',
    address: '10.96.12.7',
    port: 5432,
  },
  {
    name: 'Chrome connection refused',
    text: 'This site can’t be reached. ERR_CONNECTION_REFUSED',
    result: 'refused',
  },
  { name: 'Chrome name not resolved', text: 'ERR_NAME_NOT_RESOLVED', result: 'dns-nxdomain' },
  { name: 'Chrome certificate date invalid', text: 'NET::ERR_CERT_DATE_INVALID', result: 'tls-error' },
  {
    name: 'gRPC unavailable with a refused dial',
    text: 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 10.244.3.4:50051: connect: connection refused"',
    result: 'refused',
    address: '10.244.3.4',
    port: 50051,
  },
  {
    name: 'gRPC deadline exceeded',
    text: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded',
    result: 'timeout',
  },
  {
    name: 'nginx error log: upstream refused',
    text: 'connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://10.244.1.5:8080/"',
    result: 'refused',
    address: '10.244.1.5',
    port: 8080,
  },
  {
    name: 'nginx no live upstreams',
    text: 'no live upstreams while connecting to upstream',
    result: 'http-502',
  },
  {
    name: 'API server proxy without endpoints',
    text: 'Error: no endpoints available for service "web"',
    result: 'http-503',
  },
  {
    name: 'istio connection termination',
    text: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
    result: 'http-503',
  },
  {
    name: 'telnet refused',
    text: 'telnet: Unable to connect to remote host: Connection refused',
    result: 'refused',
  },
  { name: 'a bare result word', text: 'refused', result: 'refused' },
  { name: 'text that means nothing', text: 'the weather is nice', result: undefined },
];

describe('classifyObservation', () => {
  it.each(cases)('$name', (c) => {
    const got = classifyObservation(c.text);
    expect(got.result).toBe(c.result);
    if (c.address !== undefined) expect(got.address).toBe(c.address);
    if (c.port !== undefined) expect(got.port).toBe(c.port);
    if (c.curlExit !== undefined) expect(got.curlExit).toBe(c.curlExit);
  });

  it('points a refusal at the container, endpoints and kube-proxy layers', () => {
    expect(classifyObservation('Connection refused').layers.slice(0, 2)).toEqual(['container', 'endpoints']);
  });

  it('never throws and always returns a hint, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const c = classifyObservation(s);
        return typeof c.hint === 'string' && Array.isArray(c.layers);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on text built from the known phrases', () => {
    const pieces = fc.constantFrom(
      'curl: (7) ',
      'Failed to connect to ',
      '10.0.0.1',
      ' port ',
      '65536',
      '80',
      ': Connection refused',
      'dial tcp ',
      ':',
      '[',
      ']',
      'HTTP/1.1 ',
      '999',
      'x509:',
      'upstream connect error or disconnect/reset before headers',
      '(',
      ')',
      '|',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), (parts) => {
        const c = classifyObservation(parts.join(''));
        return c.port === undefined || (c.port > 0 && c.port < 65536);
      }),
      { numRuns: 500 },
    );
  });
});

describe('observationFromInline', () => {
  it('builds an observation aimed at the address in the text', () => {
    const o = observationFromInline(
      'curl: (7) Failed to connect to 192.168.10.36 port 900: Connection refused',
      {
        from: 'internet',
      },
    );
    expect(o).toEqual({
      from: 'internet',
      to: '192.168.10.36:900/tcp',
      result: 'refused',
      detail: 'curl: (7) Failed to connect to 192.168.10.36 port 900: Connection refused',
    });
  });

  it('keeps the default target when the text names no address', () => {
    const o = observationFromInline('curl: (52) Empty reply from server', {
      from: 'pod/default/c',
      to: 'svc/default/web:80',
    });
    expect(o?.to).toBe('svc/default/web:80');
    expect(o?.result).toBe('reset');
  });

  it('returns undefined for unrecognised text', () => {
    expect(observationFromInline('hello', { from: 'internet' })).toBeUndefined();
  });
});

describe('parseObservedTarget', () => {
  it.each([
    ['203.0.113.10:80/tcp', { ip: '203.0.113.10', port: 80, protocol: 'TCP' }],
    ['svc/default/web:http', { ref: { kind: 'svc', namespace: 'default', name: 'web', port: 'http' } }],
    ['pod/shop/api-0:8080', { ref: { kind: 'pod', namespace: 'shop', name: 'api-0', port: 8080 } }],
    ['https://shop.example.com/cart', { host: 'shop.example.com', port: 443, protocol: 'TCP' }],
    ['[fd00::1]:443', { ip: 'fd00::1', port: 443 }],
  ])('%s', (to, want) => {
    expect(parseObservedTarget(to)).toEqual(want);
  });
});

describe('placeObservation', () => {
  it('never throws on arbitrary targets and details', async () => {
    const { placeObservation } = await import('./observations.js');
    const { snapshotOf, service, pod } = await import('../../test/support/builders.js');
    const snap = snapshotOf({ services: [service('web')], pods: [pod('web-1')] });
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.option(fc.string({ maxLength: 200 })), (to, detail) => {
        const placed = placeObservation(snap, {
          from: 'internet',
          to,
          result: 'refused',
          ...(detail ? { detail } : {}),
        });
        return typeof placed.hop.at === 'string' && Array.isArray(placed.layers);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a pod IP', (ip: string) => `${ip}:8080/tcp`, 'pod'],
    ['a ClusterIP', () => '10.96.0.1:80/tcp', 'cluster-ip'],
    ['a node IP with a nodePort', () => '192.168.0.11:30080/tcp', 'node-port'],
    ['a svc reference', () => 'svc/default/web:80', 'service-ref'],
    ['a host name', () => 'http://web.default:80/', 'dns'],
  ])('places %s', async (_n, to, kind) => {
    const { placeObservation } = await import('./observations.js');
    const { snapshotOf, service, pod, node } = await import('../../test/support/builders.js');
    const web = service('web', (s) => {
      s.clusterIP = '10.96.0.1';
      s.clusterIPs = ['10.96.0.1'];
      s.type = 'NodePort';
      s.ports = [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }];
    });
    const p = pod('web-1', (x) => {
      x.podIP = '10.244.1.77';
      x.podIPs = ['10.244.1.77'];
    });
    const snap = snapshotOf({ services: [web], pods: [p], nodes: [node('node-1')] });
    expect(
      placeObservation(snap, { from: 'internet', to: to('10.244.1.77'), result: 'refused' }).hop.kind,
    ).toBe(kind);
  });
});
