// Security-group evaluation: which group and rule let a packet in (or out) of a node, LB or ENI.
//
// Model (a simplification of the clouds, stated so a reviewer can judge it):
// - every group attached to the target contributes its rules to one list;
// - numbered rules (priority, lower first) are evaluated before unnumbered ones, which keep
//   the order of the inventory (groups in listed order, rules in listed order);
// - the first rule that matches decides (allow or deny); with no match the group's
//   `defaultInboundAction` applies, else the implicit deny every cloud SG has.
// With allow-only rules (AWS, GCP firewall allow rules) "first match" gives the same answer as
// the union semantics those clouds use. Stateful return traffic is always allowed (all clouds).

import type { CloudInventory, SecurityGroup, SecurityGroupRule } from '../../model/types.js';
import { cidrContains, isAnyCidr, isPrivateRange, parseCidr, parseIp } from './addr.js';

export type SgProtocol = 'tcp' | 'udp' | 'icmp' | 'sctp';

/** The other end of the packet: who sends it (inbound) or receives it (outbound). */
export interface SgPeer {
  /** Its address, when known. */
  address?: string;
  /** Its cloud object (node/NAME, lb/ID, eni/ID), so rules that reference a security group can match. */
  target?: string;
  /** Somewhere on the internet (public address not known): only rules open to the internet match for sure. */
  internet?: boolean;
  /** Human label for evidence (e.g. "the internet", "lb/elb-1"). */
  label?: string;
}

export interface SgQuery {
  /** What the groups are attached to: node/NAME, lb/ID or eni/ID. */
  target: string;
  direction: 'inbound' | 'outbound';
  protocol: SgProtocol;
  /** Destination port (inbound) / remote port (outbound); ignored for ICMP. */
  port?: number;
  peer: SgPeer;
}

export type SgVerdict = 'allow' | 'deny' | 'unknown';

export interface SgDecision {
  verdict: SgVerdict;
  target: string;
  direction: 'inbound' | 'outbound';
  /** The group whose rule decided (absent for the implicit deny of all groups, or unknown). */
  group?: string;
  rule?: SecurityGroupRule;
  /** Index of the rule in its group's inbound/outbound list. */
  ruleIndex?: number;
  /** Groups attached to the target, in evaluation order. */
  groups: string[];
  /** Why, in one sentence fragment, e.g. "sg-nodes inbound rule 2 allows tcp 30000-32767 from 0.0.0.0/0". */
  reason: string;
}

/** Port set of a rule: "80", "30000-32767", "80,443", "all"; undefined means all ports. */
export function portsMatch(ports: string | undefined, port: number | undefined): boolean | 'maybe' {
  if (ports === undefined || ports === 'all' || ports === '*' || ports === '') return true;
  if (port === undefined) return 'maybe';
  return ports.split(',').some((part) => {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    if (a === undefined || Number.isNaN(a)) return false;
    return port >= a && port <= (b ?? a);
  });
}

function protocolMatches(rule: SecurityGroupRule, protocol: SgProtocol): boolean {
  return rule.protocol === 'all' || rule.protocol === protocol;
}

/** Groups attached to a cloud object, in inventory order. */
export function groupsAttachedTo(inv: CloudInventory | undefined, target: string): SecurityGroup[] {
  return (inv?.securityGroups ?? []).filter((g) => g.attachedTo.includes(target));
}

type Tri = true | false | 'maybe';

function peerMatches(inv: CloudInventory | undefined, spec: string | undefined, peer: SgPeer): Tri {
  if (spec === undefined || isAnyCidr(spec)) {
    if (spec && peer.address && spec !== 'any' && spec !== '*' && spec !== 'all') {
      const c = parseCidr(spec);
      const a = parseIp(peer.address);
      if (c && a && c[0].kind() !== a.kind()) return false;
    }
    return true;
  }
  const group = inv?.securityGroups?.find((g) => g.id === spec);
  if (group || /^sg-/.test(spec)) {
    // Internet clients are in no security group.
    if (!peer.target) return peer.internet ? false : 'maybe';
    return (group?.attachedTo ?? []).includes(peer.target);
  }
  if (!parseCidr(spec)) return 'maybe'; // a prefix list or tag we do not model
  if (peer.address) return cidrContains(spec, peer.address);
  // An internet client has a public address, so a private range can never contain it.
  if (peer.internet && isPrivateRange(spec)) return false;
  return 'maybe';
}

interface Candidate {
  group: SecurityGroup;
  rule: SecurityGroupRule;
  index: number;
  order: number;
}

function describeRule(r: SecurityGroupRule, direction: 'inbound' | 'outbound'): string {
  const peer = direction === 'inbound' ? (r.source ?? 'anywhere') : (r.destination ?? 'anywhere');
  const ports = r.protocol === 'icmp' || r.protocol === 'all' ? '' : ` ${r.ports ?? 'all ports'}`;
  return `${r.action}s ${r.protocol}${ports} ${direction === 'inbound' ? 'from' : 'to'} ${peer}`;
}

export function formatRule(
  group: string,
  index: number,
  r: SecurityGroupRule,
  direction: 'inbound' | 'outbound',
): string {
  return `${group} ${direction} rule ${index + 1} (${describeRule(r, direction).replace(/^(allow|deny)s/, '$1')})`;
}

/**
 * Evaluate the security groups attached to `q.target` for one packet. Returns which group and
 * rule allowed or denied it, or `unknown` when no group is known for the target (no inventory,
 * no securityGroups section, or nothing attached) or when the answer depends on an address we
 * do not know (e.g. a rule for 10.0.0.0/8 and a client whose address is unknown).
 */
export function evaluateSecurityGroups(inv: CloudInventory | undefined, q: SgQuery): SgDecision {
  const base = { target: q.target, direction: q.direction };
  if (!inv?.securityGroups) {
    return { ...base, verdict: 'unknown', groups: [], reason: 'no security groups in the cloud inventory' };
  }
  const groups = groupsAttachedTo(inv, q.target);
  const ids = groups.map((g) => g.id);
  if (groups.length === 0) {
    return { ...base, verdict: 'unknown', groups: ids, reason: `no security group is known for ${q.target}` };
  }
  const candidates: Candidate[] = [];
  let order = 0;
  for (const g of groups) {
    const rules = q.direction === 'inbound' ? g.inbound : g.outbound;
    if (rules === undefined) {
      return {
        ...base,
        verdict: 'unknown',
        groups: ids,
        reason: `${g.id} ${q.direction} rules were not captured`,
      };
    }
    rules.forEach((rule, index) => {
      candidates.push({ group: g, rule, index, order: order++ });
    });
  }
  candidates.sort((a, b) => {
    const pa = a.rule.priority ?? Number.POSITIVE_INFINITY;
    const pb = b.rule.priority ?? Number.POSITIVE_INFINITY;
    return pa === pb ? a.order - b.order : pa - pb;
  });
  // Rules that might match (the peer's address is unknown) and would decide differently.
  let undecided: Candidate | undefined;
  for (const c of candidates) {
    if (!protocolMatches(c.rule, q.protocol)) continue;
    const portOk = q.protocol === 'icmp' ? true : portsMatch(c.rule.ports, q.port);
    if (portOk === false) continue;
    const peerOk = peerMatches(inv, q.direction === 'inbound' ? c.rule.source : c.rule.destination, q.peer);
    if (peerOk === false) continue;
    if (peerOk === 'maybe' || portOk === 'maybe') {
      undecided ??= c;
      continue;
    }
    const reason = `${formatRule(c.group.id, c.index, c.rule, q.direction)}`;
    if (undecided && undecided.rule.action !== c.rule.action) {
      return {
        ...base,
        verdict: 'unknown',
        groups: ids,
        group: undecided.group.id,
        rule: undecided.rule,
        ruleIndex: undecided.index,
        reason: `${formatRule(undecided.group.id, undecided.index, undecided.rule, q.direction)} may apply first; the ${peerLabel(q.peer)} address is not known`,
      };
    }
    return {
      ...base,
      verdict: c.rule.action,
      groups: ids,
      group: c.group.id,
      rule: c.rule,
      ruleIndex: c.index,
      reason,
    };
  }
  const fallback =
    q.direction === 'inbound' ? groups.find((g) => g.defaultInboundAction)?.defaultInboundAction : undefined;
  const verdict = fallback ?? 'deny';
  if (undecided && undecided.rule.action !== verdict) {
    return {
      ...base,
      verdict: 'unknown',
      groups: ids,
      group: undecided.group.id,
      rule: undecided.rule,
      ruleIndex: undecided.index,
      reason: `only ${formatRule(undecided.group.id, undecided.index, undecided.rule, q.direction)} could match; the ${peerLabel(q.peer)} address is not known`,
    };
  }
  const what = `${q.protocol}${q.protocol === 'icmp' || q.port === undefined ? '' : `/${q.port}`}`;
  return {
    ...base,
    verdict,
    groups: ids,
    reason:
      verdict === 'deny'
        ? `no ${q.direction} rule of ${ids.join(', ')} allows ${what} ${q.direction === 'inbound' ? 'from' : 'to'} ${peerLabel(q.peer)}`
        : `no rule matched; ${ids.join(', ')} allows ${q.direction} traffic by default`,
  };
}

function peerLabel(p: SgPeer): string {
  return p.label ?? p.address ?? p.target ?? (p.internet ? 'the internet' : 'the client');
}

/**
 * Which ports of `wanted` (e.g. a NodePort) are opened to anyone at all by the target's groups:
 * used when the client is unknown (audit) — only a port that no rule opens from any source is a
 * definite finding.
 */
export function anyRuleOpens(
  inv: CloudInventory | undefined,
  target: string,
  protocol: SgProtocol,
  port: number,
): SgVerdict {
  const groups = groupsAttachedTo(inv, target);
  if (!inv?.securityGroups || groups.length === 0) return 'unknown';
  if (groups.some((g) => g.defaultInboundAction === 'allow')) return 'allow';
  const opens = groups.some((g) =>
    g.inbound.some(
      (r) =>
        r.action === 'allow' &&
        protocolMatches(r, protocol) &&
        (protocol === 'icmp' || portsMatch(r.ports, port) === true),
    ),
  );
  return opens ? 'allow' : 'deny';
}
