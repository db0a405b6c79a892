// NAT gateways (DNAT rules exposing a node or pod port on an EIP) and EIPs with bandwidth.
import { backendsOf } from '../../model/endpoints.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { CloudInventory, Eip, NatGateway, Service } from '../../model/types.js';

export interface DnatRuleRef {
  nat: NatGateway;
  rule: NatGateway['dnatRules'][number];
  index: number;
}

export function eipByAddress(inv: CloudInventory | undefined, address: string): Eip | undefined {
  return (inv?.eips ?? []).find((e) => e.address === address);
}

/** EIPs bound to an object (node/NAME, lb/ID, nat/ID, eni/ID). */
export function eipsBoundTo(inv: CloudInventory | undefined, target: string): Eip[] {
  return (inv?.eips ?? []).filter((e) => e.boundTo === target);
}

export function dnatRules(inv: CloudInventory | undefined): DnatRuleRef[] {
  return (inv?.natGateways ?? []).flatMap((nat) =>
    nat.dnatRules.map((rule, index) => ({ nat, rule, index })),
  );
}

/** The DNAT rule answering EIP:port (protocol any/all matches both). */
export function dnatFor(
  inv: CloudInventory | undefined,
  eip: string,
  port: number,
  protocol: 'tcp' | 'udp' = 'tcp',
): DnatRuleRef | undefined {
  return dnatRules(inv).find(
    (r) =>
      r.rule.eip === eip &&
      r.rule.externalPort === port &&
      (r.rule.protocol === protocol || r.rule.protocol === 'any' || r.rule.protocol === 'all'),
  );
}

export type EipBinding =
  | { state: 'bound'; eip: Eip }
  | { state: 'unbound'; eip: Eip }
  | { state: 'bound-elsewhere'; eip: Eip }
  | { state: 'missing' }
  | { state: 'unknown' };

/** Whether a DNAT rule's EIP exists and is bound to that NAT gateway. */
export function dnatEipBinding(inv: CloudInventory | undefined, ref: DnatRuleRef): EipBinding {
  if (!inv?.eips) return { state: 'unknown' };
  const eip = eipByAddress(inv, ref.rule.eip);
  if (!eip) return { state: 'missing' };
  if (eip.boundTo === null) return { state: 'unbound', eip };
  return eip.boundTo === `nat/${ref.nat.id}` ? { state: 'bound', eip } : { state: 'bound-elsewhere', eip };
}

/** A public address carries no traffic without bandwidth: 0 Mbps is "none"; undefined is unknown. */
export function hasNoBandwidth(eip: Eip): boolean {
  return eip.bandwidthMbps === 0;
}

/**
 * DNAT rules that expose a Service: to a node at one of its nodePorts, or to one of its pods at
 * a targetPort. (A rule pointing elsewhere is found through the address the client used.)
 */
export function dnatRulesForService(
  snapshot: Snapshot,
  inv: CloudInventory | undefined,
  svc: Service,
): DnatRuleRef[] {
  const nodePorts = new Set(svc.ports.map((p) => p.nodePort).filter((p): p is number => p !== undefined));
  const podIPs = new Set(backendsOf(snapshot, svc).backends.map((b) => b.ip));
  return dnatRules(inv).filter(
    (r) =>
      (snapshot.nodeByAddress(r.rule.internalAddress) !== undefined && nodePorts.has(r.rule.internalPort)) ||
      podIPs.has(r.rule.internalAddress),
  );
}
