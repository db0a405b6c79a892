import { describe, expect, it } from 'vitest';
import { isSvcdoctorError, type SvcdoctorError } from '../errors.js';
import { parseCloudInventory, parseObservations } from './formats.js';

const origin = { file: 'bundle/cloud.yaml', doc: 0 };
/** A fake line lookup: line = 10 + depth of the path, so tests can see which node was blamed. */
const lineOf = (path: (string | number)[]) => 10 + path.length;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (isSvcdoctorError(e)) {
      expect((e as SvcdoctorError).code).toBe('SVCDOCTOR_INPUT_INVALID');
      return e.problems;
    }
    throw e;
  }
  throw new Error('expected the parser to reject the document');
}

describe('parseCloudInventory', () => {
  it('accepts the DESIGN.md example and normalises case', () => {
    const inv = parseCloudInventory(
      {
        apiVersion: 'svcdoctor/v1alpha1',
        kind: 'CloudInventory',
        provider: 'CCE',
        cluster: {
          version: 'v1.25.5',
          networkModel: 'vpc',
          kubeProxy: { mode: 'ipvs', version: 'v1.20.6-tke.12' },
        },
        securityGroups: [
          {
            id: 'sg-nodes',
            attachedTo: ['node/node-1', 'node/node-2'],
            inbound: [
              { protocol: 'TCP', ports: '30000-32767', source: '0.0.0.0/0', action: 'allow' },
              { protocol: 'icmp', source: '0.0.0.0/0', action: 'allow' },
            ],
          },
        ],
        loadBalancers: [
          {
            id: 'elb-1',
            kind: 'dedicated',
            scheme: 'public',
            addresses: ['203.0.113.10'],
            owner: 'service/default/nginx',
            listeners: [
              {
                protocol: 'tcp',
                port: 80,
                healthCheck: { enabled: true, protocol: 'TCP', port: 30637 },
                backends: [
                  { target: 'node/node-1', address: '192.168.0.10', port: 30637, health: 'healthy' },
                ],
              },
            ],
          },
        ],
        natGateways: [
          {
            id: 'nat-1',
            dnatRules: [
              {
                eip: '198.51.100.7',
                protocol: 'tcp',
                externalPort: 80,
                internalAddress: '192.168.0.10',
                internalPort: 30637,
              },
            ],
          },
        ],
        eips: [{ address: '198.51.100.7', boundTo: 'nat/nat-1', bandwidthMbps: 5 }],
        routes: [
          { table: 'rtb-1', destination: '10.0.0.0/16', nextHop: 'eni-2', associatedWith: ['subnet-1'] },
        ],
        changes: [
          {
            time: '2026-11-22T09:55:00Z',
            resource: 'sg/sg-nodes',
            category: 'cloud-security',
            summary: 'inbound rule removed',
          },
        ],
      },
      origin,
      lineOf,
    );
    expect(inv.provider).toBe('cce');
    expect(inv.cluster).toEqual({
      version: 'v1.25.5',
      networkModel: 'vpc',
      kubeProxy: { mode: 'ipvs', version: 'v1.20.6-tke.12' },
    });
    expect(inv.securityGroups?.[0]?.inbound[0]).toEqual({
      protocol: 'tcp',
      ports: '30000-32767',
      source: '0.0.0.0/0',
      action: 'allow',
    });
    expect(inv.loadBalancers?.[0]?.listeners[0]?.protocol).toBe('TCP');
    expect(inv.natGateways?.[0]?.dnatRules[0]?.internalPort).toBe(30637);
    expect(inv.eips).toEqual([{ address: '198.51.100.7', boundTo: 'nat/nat-1', bandwidthMbps: 5 }]);
    expect(inv.routes?.[0]?.nextHop).toBe('eni-2');
    expect(inv.changes?.[0]?.resource).toBe('sg/sg-nodes');
    expect(inv.origin).toEqual(origin);
  });

  it('keeps absent sections absent (a partial inventory is not a healthy one)', () => {
    const inv = parseCloudInventory({ kind: 'CloudInventory', provider: 'tke' }, origin);
    expect(inv.securityGroups).toBeUndefined();
    expect(inv.loadBalancers).toBeUndefined();
    expect(inv.natGateways).toBeUndefined();
    expect(inv.eips).toBeUndefined();
    expect(inv.routes).toBeUndefined();
    expect(inv.cluster).toEqual({});
  });

  it('defaults an EIP without boundTo to unbound and a rule without action to allow', () => {
    const inv = parseCloudInventory(
      {
        kind: 'CloudInventory',
        eips: [{ address: '198.51.100.7' }],
        securityGroups: [{ id: 'sg-1', inbound: [{ protocol: 'udp', ports: 53 }] }],
      },
      origin,
    );
    expect(inv.provider).toBe('generic');
    expect(inv.eips?.[0]?.boundTo).toBeNull();
    expect(inv.securityGroups?.[0]?.inbound[0]).toEqual({ protocol: 'udp', ports: '53', action: 'allow' });
  });

  const bad: { name: string; doc: Record<string, unknown>; problem: string }[] = [
    {
      name: 'a misspelt protocol',
      doc: { securityGroups: [{ id: 'sg', inbound: [{ protocol: 'tcpp' }] }] },
      problem:
        'bundle/cloud.yaml:15: securityGroups[0].inbound[0].protocol: expected one of tcp, udp, icmp, all, sctp, got string "tcpp"',
    },
    {
      name: 'a port range above 65535',
      doc: { securityGroups: [{ id: 'sg', inbound: [{ protocol: 'tcp', ports: '30000-70000' }] }] },
      problem:
        'bundle/cloud.yaml:15: securityGroups[0].inbound[0].ports: expected a port, a range "30000-32767", a list "80,443" or "all", got string "30000-70000"',
    },
    {
      name: 'a listener port given as a string',
      doc: { loadBalancers: [{ id: 'lb', listeners: [{ protocol: 'TCP', port: '80' }] }] },
      problem: 'bundle/cloud.yaml:15: loadBalancers[0].listeners[0].port: expected a number, got string "80"',
    },
    {
      name: 'an unknown field',
      doc: { eips: [{ address: '198.51.100.7', bandwith: 5 }] },
      problem: 'bundle/cloud.yaml:13: eips[0].bandwith: expected a known field, got unknown field "bandwith"',
    },
    {
      name: 'an attachment without a kind prefix',
      doc: { securityGroups: [{ id: 'sg', attachedTo: ['node-1'] }] },
      problem:
        'bundle/cloud.yaml:14: securityGroups[0].attachedTo[0]: expected node/NAME, lb/ID or eni/ID, got string "node-1"',
    },
    {
      name: 'a route destination that is not a CIDR',
      doc: { routes: [{ destination: '10.0.0.0/33', nextHop: 'blackhole' }] },
      problem:
        'bundle/cloud.yaml:13: routes[0].destination: expected an IP address or CIDR (e.g. 10.0.0.0/16), got string "10.0.0.0/33"',
    },
    {
      name: 'a certificate time that is not a time',
      doc: {
        loadBalancers: [
          { id: 'lb', listeners: [{ protocol: 'HTTPS', port: 443, certificate: { notAfter: 'soon' } }] },
        ],
      },
      problem:
        'bundle/cloud.yaml:16: loadBalancers[0].listeners[0].certificate.notAfter: expected an RFC 3339 time such as "2026-01-01T00:00:00Z", got string "soon"',
    },
    {
      name: 'a list where a mapping belongs',
      doc: { cluster: [] },
      problem: 'bundle/cloud.yaml:11: cluster: expected a mapping, got a list',
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name} with file:line and field path`, () => {
      const problems = problemsOf(() =>
        parseCloudInventory({ kind: 'CloudInventory', ...c.doc }, origin, lineOf),
      );
      expect(problems).toEqual([c.problem]);
    });
  }

  it('reports every problem, not only the first', () => {
    const problems = problemsOf(() =>
      parseCloudInventory(
        { kind: 'CloudInventory', provider: 'azure', eips: [{ address: 'not-an-ip', bandwidthMbps: -1 }] },
        origin,
        lineOf,
      ),
    );
    expect(problems).toHaveLength(3);
  });

  it('falls back to the document line when the field has no line', () => {
    const problems = problemsOf(() =>
      parseCloudInventory(
        { kind: 'CloudInventory', provider: 7 },
        { file: 'c.yaml', line: 4 },
        () => undefined,
      ),
    );
    expect(problems).toEqual(['c.yaml:4: provider: expected a string, got number 7']);
  });
});

describe('parseObservations', () => {
  it('returns items with their line', () => {
    const items = parseObservations(
      {
        kind: 'Observations',
        items: [
          { at: '2026-11-22T10:00:00Z', from: 'internet', to: '203.0.113.10:80/tcp', result: 'timeout' },
          {
            from: 'pod/default/client',
            to: 'http://shop.example.com/cart',
            result: 'http-404',
            detail: 'nginx 404',
          },
        ],
      },
      origin,
      lineOf,
    );
    expect(items.map((o) => o.result)).toEqual(['timeout', 'http-404']);
    expect(items[0]?.origin).toEqual({ ...origin, line: 12 });
    expect(items[1]?.detail).toBe('nginx 404');
  });

  it('rejects an unknown result', () => {
    const problems = problemsOf(() =>
      parseObservations(
        { kind: 'Observations', items: [{ from: 'internet', to: 'x', result: 'broken' }] },
        origin,
        lineOf,
      ),
    );
    expect(problems).toEqual([
      'bundle/cloud.yaml:13: items[0].result: expected one of ok, refused, timeout, reset, no-route, dns-nxdomain, dns-timeout, tls-error, http-NNN, got string "broken"',
    ]);
  });
});
