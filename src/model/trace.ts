// Traces are data, in the manner of Batfish: a closed set of outcomes, hops with steps,
// each step naming the rule or fact that decided it.

export type Outcome = 'delivered' | 'rejected' | 'dropped' | 'local' | 'unhandled' | 'insufficient-info';

export type HopAction =
  | 'resolve' // DNS
  | 'forward'
  | 'dnat'
  | 'snat'
  | 'masquerade'
  | 'accept'
  | 'deliver'
  | 'drop'
  | 'reject'
  | 'unknown';

export interface Step {
  /** What decided this step: a rule id, chain, listener, security group rule, policy... */
  rule?: string;
  detail: string;
}

export interface Hop {
  /** Where the packet is: lb/ID, node/NAME, pod/NS/NAME, sg/ID, dns, client... */
  at: string;
  action: HopAction;
  /** Next address or object, e.g. node/node-1:30637 or 10.0.1.5:8080. */
  to?: string;
  steps?: Step[];
  /** Check ids this hop's failure points at. */
  findingIds?: string[];
}

export interface Trace {
  hops: Hop[];
  outcome: Outcome;
  reason: string;
  /** Check ids that explain a non-delivered outcome. */
  findingIds?: string[];
  /** For multi-path answers (several backends / several nodes): what this path represents. */
  label?: string;
}
