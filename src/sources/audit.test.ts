import { describe, expect, it } from 'vitest';
import { SvcdoctorError } from '../errors.js';
import { looksLikeAuditLog, parseAuditLog } from './audit.js';

function line(over: Record<string, unknown>): string {
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'a1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/services/web',
    verb: 'patch',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    objectRef: { resource: 'services', namespace: 'default', name: 'web', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2026-11-22T09:50:00.100000Z',
    stageTimestamp: '2026-11-22T09:50:00.123456Z',
    ...over,
  });
}

function errorOf(f: () => unknown): SvcdoctorError {
  try {
    f();
  } catch (e) {
    if (e instanceof SvcdoctorError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('parseAuditLog', () => {
  it('a completed Service patch becomes one entry dated by stageTimestamp, in UTC', () => {
    const text = `${line({ stage: 'RequestReceived' })}\n${line({ stageTimestamp: '2026-11-22T17:50:00.123456+08:00' })}\n`;
    expect(parseAuditLog(text, 'audit.log')).toEqual([
      {
        time: '2026-11-22T09:50:00.123456Z',
        verb: 'patch',
        user: 'alice@example.com',
        objectRef: { kind: 'Service', resource: 'services', namespace: 'default', name: 'web' },
        origin: { file: 'audit.log', line: 2 },
      },
    ]);
  });

  const dropped: [string, Record<string, unknown>][] = [
    ['reads', { verb: 'get' }],
    ['watches', { verb: 'watch' }],
    ['refused requests (403)', { responseStatus: { code: 403 } }],
    ['conflicts (409)', { responseStatus: { code: 409 } }],
    [
      'status subresource writes',
      { objectRef: { resource: 'services', namespace: 'default', name: 'web', subresource: 'status' } },
    ],
    ['the ResponseStarted stage of a watch', { stage: 'ResponseStarted' }],
    ['events without an objectRef', { objectRef: undefined }],
  ];
  for (const [name, over] of dropped)
    it(`leaves out ${name}`, () => expect(parseAuditLog(line(over), 'a.log')).toEqual([]));

  it('keeps deletes and creates of other kinds, cluster-scoped ones without namespace', () => {
    const text = [
      line({
        verb: 'delete',
        objectRef: { resource: 'pods', namespace: 'kube-system', name: 'kube-proxy-x2' },
      }),
      line({ verb: 'create', objectRef: { resource: 'nodes', name: 'node-3' } }),
    ].join('\n');
    expect(parseAuditLog(text, 'a.log').map((e) => [e.verb, e.objectRef])).toEqual([
      ['delete', { kind: 'Pod', resource: 'pods', namespace: 'kube-system', name: 'kube-proxy-x2' }],
      ['create', { kind: 'Node', resource: 'nodes', name: 'node-3' }],
    ]);
  });

  it('reads an audit EventList document', () => {
    const list = JSON.stringify({
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [JSON.parse(line({}))],
    });
    expect(parseAuditLog(list, 'a.json').map((e) => e.origin)).toEqual([{ file: 'a.json', doc: 0 }]);
  });

  it('a bad timestamp is an error naming file:line and the field', () => {
    const e = errorOf(() =>
      parseAuditLog(`${line({})}\n${line({ stageTimestamp: '22/11/2026 09:50' })}`, 'audit.log'),
    );
    expect(e.code).toBe('SVCDOCTOR_INPUT_MALFORMED');
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]?.startsWith('audit.log:2: stageTimestamp: "22/11/2026 09:50"')).toBe(true);
  });

  it('every bad line is reported at once: broken JSON and a non-audit object', () => {
    const e = errorOf(() =>
      parseAuditLog(`{"kind":\n${JSON.stringify({ kind: 'Pod', apiVersion: 'v1' })}\n`, 'x.log'),
    );
    expect(e.problems.map((p) => p.split(':').slice(0, 2).join(':'))).toEqual(['x.log:1', 'x.log:2']);
  });
});

describe('looksLikeAuditLog', () => {
  it.each([
    [line({}), true],
    [`\n\n${line({})}`, true],
    [JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [] }), true],
    [JSON.stringify({ kind: 'Event', apiVersion: 'v1' }), false],
    ['I1122 10:00:00.000 1 server.go:1] starting', false],
    ['kind: Event\napiVersion: audit.k8s.io/v1', false],
  ])('%#', (text, expected) => expect(looksLikeAuditLog(text)).toBe(expected));
});
