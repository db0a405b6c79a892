import type { ObjectRef, Protocol } from './types.js';

/** Where the client sits. Concrete clients name an object; abstract ones are the rows of seed 001/004's table. */
export type ClientSpec =
  | { kind: 'internet' }
  | { kind: 'vpc' }
  | { kind: 'node'; node: string }
  | { kind: 'pod'; namespace: string; name: string }
  | { kind: 'same-node-as-backend' }
  | { kind: 'pod-on-backend-node' }
  | { kind: 'other-node' }
  | { kind: 'pod-on-other-node' };

export type Via = 'clusterip' | 'dns' | 'nodeport' | 'loadbalancer' | 'externalip' | 'ingress' | 'pod';

export const VIAS: readonly Via[] = [
  'clusterip',
  'dns',
  'nodeport',
  'loadbalancer',
  'externalip',
  'ingress',
  'pod',
];

/** "C cannot reach SERVICE via V": the question every diagnosis answers. */
export interface Question {
  target: ObjectRef; // kind Service
  client: ClientSpec;
  /** undefined: svcdoctor infers it (and says so in `inferred`). */
  via?: Via;
  /** Port as the client used it: a number (port, nodePort, listener port) or a Service port name. */
  port?: number | string;
  protocol?: Protocol;
  /** Exact address used (node IP + nodePort, EIP...). */
  address?: { ip: string; port: number };
  /** For Ingress: the Host header and path of the request. */
  host?: string;
  path?: string;
  /** DNS name the client resolved, if it used one. */
  dnsName?: string;
  /** The namespace the client pod lives in, for DNS search paths. */
  /** Time the failure was seen (observations, --at). */
  at?: string;
  /** What svcdoctor filled in itself, said back to the user. */
  inferred: string[];
}

export function parseClient(text: string): ClientSpec | undefined {
  const t = text.trim();
  switch (t) {
    case 'internet':
    case 'vpc':
    case 'same-node-as-backend':
    case 'pod-on-backend-node':
    case 'other-node':
    case 'pod-on-other-node':
      return { kind: t };
  }
  const parts = t.split('/');
  if (parts[0] === 'node' && parts.length === 2 && parts[1]) return { kind: 'node', node: parts[1] };
  if (parts[0] === 'pod' && parts.length === 3 && parts[1] && parts[2])
    return { kind: 'pod', namespace: parts[1], name: parts[2] };
  return undefined;
}

export function formatClient(c: ClientSpec): string {
  switch (c.kind) {
    case 'node':
      return `node/${c.node}`;
    case 'pod':
      return `pod/${c.namespace}/${c.name}`;
    default:
      return c.kind;
  }
}

export function isInClusterClient(c: ClientSpec): boolean {
  return c.kind !== 'internet' && c.kind !== 'vpc';
}
