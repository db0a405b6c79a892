import { describe, expect, it } from 'vitest';
import type { CloudInventory, SecurityGroup } from '../../model/types.js';
import { anyRuleOpens, evaluateSecurityGroups, portsMatch, type SgQuery } from './securityGroups.js';

function inv(groups: SecurityGroup[]): CloudInventory {
  return { provider: 'generic', cluster: {}, securityGroups: groups };
}

const nodes: SecurityGroup = {
  id: 'sg-nodes',
  attachedTo: ['node/node-1', 'node/node-2'],
  inbound: [
    { protocol: 'tcp', ports: '30000-32767', source: '0.0.0.0/0', action: 'allow' },
    { protocol: 'udp', ports: '30000-32767', source: '10.0.0.0/8', action: 'allow' },
    { protocol: 'tcp', ports: '22', source: 'sg-bastion', action: 'allow' },
  ],
  outbound: [{ protocol: 'all', destination: '0.0.0.0/0', action: 'allow' }],
};
const lbGroup: SecurityGroup = {
  id: 'sg-lb',
  attachedTo: ['lb/elb-1'],
  inbound: [
    { protocol: 'tcp', ports: '443', source: '0.0.0.0/0', action: 'allow' },
    { protocol: 'tcp', ports: '80', source: '0.0.0.0/0', action: 'deny', priority: 1 },
    { protocol: 'tcp', ports: '80', source: '0.0.0.0/0', action: 'allow', priority: 50 },
  ],
};
const bastion: SecurityGroup = { id: 'sg-bastion', attachedTo: ['node/bastion'], inbound: [] };
const strictNodes: SecurityGroup = {
  id: 'sg-strict',
  attachedTo: ['node/node-3'],
  inbound: [{ protocol: 'icmp', source: '0.0.0.0/0', action: 'allow' }],
};
const denyFirst: SecurityGroup = {
  id: 'sg-deny',
  attachedTo: ['node/node-4'],
  inbound: [
    { protocol: 'all', source: '203.0.113.0/24', action: 'deny', priority: 1 },
    { protocol: 'tcp', ports: '30000-32767', action: 'allow', priority: 100 },
  ],
};
const world = inv([nodes, lbGroup, bastion, strictNodes, denyFirst]);

const q = (
  target: string,
  protocol: SgQuery['protocol'],
  port: number | undefined,
  peer: SgQuery['peer'],
): SgQuery => ({
  target,
  direction: 'inbound',
  protocol,
  ...(port !== undefined ? { port } : {}),
  peer,
});

describe('evaluateSecurityGroups: packet-flow table', () => {
  const cases: { name: string; query: SgQuery; verdict: string; group?: string; ruleIndex?: number }[] = [
    {
      name: 'an internet client reaches a NodePort opened to 0.0.0.0/0',
      query: q('node/node-1', 'tcp', 30637, { internet: true }),
      verdict: 'allow',
      group: 'sg-nodes',
      ruleIndex: 0,
    },
    {
      name: 'a NodePort outside the opened range is denied by the implicit deny',
      query: q('node/node-1', 'tcp', 8080, { internet: true }),
      verdict: 'deny',
    },
    {
      name: 'UDP from inside 10.0.0.0/8 is allowed',
      query: q('node/node-2', 'udp', 31000, { address: '10.1.2.3' }),
      verdict: 'allow',
      group: 'sg-nodes',
      ruleIndex: 1,
    },
    {
      name: 'UDP from the internet is denied because 10.0.0.0/8 cannot contain a public address',
      query: q('node/node-2', 'udp', 31000, { internet: true }),
      verdict: 'deny',
    },
    {
      name: 'UDP from a VPC client of unknown address is unknown, not assumed',
      query: q('node/node-2', 'udp', 31000, {}),
      verdict: 'unknown',
      group: 'sg-nodes',
    },
    {
      name: 'SSH from a node in the referenced bastion group is allowed',
      query: q('node/node-1', 'tcp', 22, { target: 'node/bastion', address: '10.9.9.9' }),
      verdict: 'allow',
      group: 'sg-nodes',
      ruleIndex: 2,
    },
    {
      name: 'an internet client is in no security group, so a group reference never admits it',
      query: q('node/node-1', 'tcp', 22, { internet: true }),
      verdict: 'deny',
    },
    {
      name: 'a VPC client of unknown group may be in the referenced group: unknown',
      query: q('node/node-1', 'tcp', 22, {}),
      verdict: 'unknown',
      group: 'sg-nodes',
    },
    {
      name: 'SSH from a node outside the referenced group is denied',
      query: q('node/node-1', 'tcp', 22, { target: 'node/node-2', address: '10.9.9.8' }),
      verdict: 'deny',
    },
    {
      name: 'a priority-1 deny on port 80 wins over a later allow',
      query: q('lb/elb-1', 'tcp', 80, { internet: true }),
      verdict: 'deny',
      group: 'sg-lb',
      ruleIndex: 1,
    },
    {
      name: 'an unnumbered allow on 443 applies after numbered rules that do not match',
      query: q('lb/elb-1', 'tcp', 443, { internet: true }),
      verdict: 'allow',
      group: 'sg-lb',
      ruleIndex: 0,
    },
    {
      name: 'ICMP is allowed by an ICMP rule regardless of port',
      query: q('node/node-3', 'icmp', undefined, { internet: true }),
      verdict: 'allow',
      group: 'sg-strict',
    },
    {
      name: 'an ICMP-only group denies TCP',
      query: q('node/node-3', 'tcp', 30637, { internet: true }),
      verdict: 'deny',
    },
    {
      name: 'a denied client range is dropped before the NodePort allow',
      query: q('node/node-4', 'tcp', 30637, { address: '203.0.113.9' }),
      verdict: 'deny',
      group: 'sg-deny',
      ruleIndex: 0,
    },
    {
      name: 'a client outside the denied range passes the NodePort allow',
      query: q('node/node-4', 'tcp', 30637, { address: '198.51.100.9' }),
      verdict: 'allow',
      group: 'sg-deny',
      ruleIndex: 1,
    },
    {
      name: 'an internet client of unknown address may hit the deny first: unknown',
      query: q('node/node-4', 'tcp', 30637, { internet: true }),
      verdict: 'unknown',
      group: 'sg-deny',
      ruleIndex: 0,
    },
    {
      name: 'a target without any group is unknown',
      query: q('node/node-9', 'tcp', 30637, { internet: true }),
      verdict: 'unknown',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = evaluateSecurityGroups(world, c.query);
      expect(d.verdict, d.reason).toBe(c.verdict);
      if (c.group) expect(d.group).toBe(c.group);
      if (c.ruleIndex !== undefined) expect(d.ruleIndex).toBe(c.ruleIndex);
    });
  }

  it('is unknown without a securityGroups section', () => {
    const d = evaluateSecurityGroups({ provider: 'cce', cluster: {} }, q('node/node-1', 'tcp', 80, {}));
    expect(d.verdict).toBe('unknown');
  });

  it('evaluates outbound rules, and is unknown when they were not captured', () => {
    const out = { ...q('node/node-1', 'tcp', 443, { address: '8.8.8.8' }), direction: 'outbound' as const };
    expect(evaluateSecurityGroups(world, out).verdict).toBe('allow');
    expect(evaluateSecurityGroups(world, { ...out, target: 'node/node-3' }).verdict).toBe('unknown');
  });

  it('uses a group default of allow when nothing matches', () => {
    const open = inv([
      { id: 'sg-open', attachedTo: ['eni/eni-1'], inbound: [], defaultInboundAction: 'allow' },
    ]);
    expect(evaluateSecurityGroups(open, q('eni/eni-1', 'tcp', 8080, { internet: true })).verdict).toBe(
      'allow',
    );
  });
});

describe('portsMatch', () => {
  const table: [string | undefined, number | undefined, boolean | 'maybe'][] = [
    [undefined, 80, true],
    ['all', 80, true],
    ['80', 80, true],
    ['80', 81, false],
    ['30000-32767', 30000, true],
    ['30000-32767', 32767, true],
    ['30000-32767', 32768, false],
    ['80,443', 443, true],
    ['80,443', 8443, false],
    ['80', undefined, 'maybe'],
  ];
  for (const [ports, port, want] of table) {
    it(`${ports ?? '(absent)'} vs ${port ?? '(unknown)'} → ${want}`, () =>
      expect(portsMatch(ports, port)).toBe(want));
  }
});

describe('anyRuleOpens', () => {
  it('says whether any source at all may reach a port', () => {
    expect(anyRuleOpens(world, 'node/node-1', 'tcp', 30637)).toBe('allow');
    expect(anyRuleOpens(world, 'node/node-3', 'tcp', 30637)).toBe('deny');
    expect(anyRuleOpens(world, 'node/node-9', 'tcp', 30637)).toBe('unknown');
  });
});
