// svcdoctor's own input formats (`kind: CloudInventory`, `kind: Observations`), validated with
// zod at the edge. A bad field becomes one line `file:line: field.path: expected …, got …`
// inside a SvcdoctorError (SVCDOCTOR_INPUT_INVALID); every section of an inventory is optional,
// because a partial inventory is still useful and what is missing is reported as unknown later.

import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { SvcdoctorError } from '../errors.js';
import type { CloudInventory, Observation, Origin } from '../model/types.js';
import { describe, formatPath, isObject } from './reader.js';

export type LineOf = (path: (string | number)[]) => number | undefined;

// ------------------------------------------------------------------ field schemas

function isCidrOrIp(s: string): boolean {
  if (ipaddr.isValid(s)) return true;
  try {
    ipaddr.parseCIDR(s);
    return true;
  } catch {
    return false;
  }
}

const cidrOrIp = z.string().refine(isCidrOrIp, { message: 'an IP address or CIDR (e.g. 10.0.0.0/16)' });
const ipAddress = z.string().refine((s) => ipaddr.isValid(s), { message: 'an IP address' });

/** "80", "30000-32767", "80,443", "all" or "*". */
export const PORTS_PATTERN = /^(all|\*|\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*)$/;
const portsText = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v).replace(/\s+/g, ''))
  .refine((s) => PORTS_PATTERN.test(s) && portsInRange(s), {
    message: 'a port, a range "30000-32767", a list "80,443" or "all"',
  });

function portsInRange(s: string): boolean {
  if (s === 'all' || s === '*') return true;
  return s.split(',').every((part) => {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const hi = b ?? a;
    return a >= 0 && hi <= 65535 && a <= hi;
  });
}

const port = z.number().int().min(0).max(65535);
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), {
  message: 'an RFC 3339 time such as "2026-01-01T00:00:00Z"',
});
/** Accept lower- or upper-case protocol names, normalise to lower case. */
const lowerEnum = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(values));
const upperEnum = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(values));

const sgRule = z.strictObject({
  protocol: lowerEnum(['tcp', 'udp', 'icmp', 'all', 'sctp'] as const).default('all'),
  ports: portsText.optional(),
  source: z.string().optional(),
  destination: z.string().optional(),
  action: lowerEnum(['allow', 'deny'] as const).default('allow'),
  priority: z.number().int().optional(),
  description: z.string().optional(),
});

const attachment = z.string().regex(/^(node|lb|eni)\/\S+$/, { message: 'node/NAME, lb/ID or eni/ID' });

const securityGroup = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  attachedTo: z.array(attachment).default([]),
  inbound: z.array(sgRule).default([]),
  outbound: z.array(sgRule).optional(),
  defaultInboundAction: lowerEnum(['allow', 'deny'] as const).optional(),
});

const backend = z.strictObject({
  target: z.string().min(1),
  address: ipAddress.optional(),
  port,
  health: lowerEnum(['healthy', 'unhealthy', 'unknown'] as const).optional(),
  weight: z.number().int().min(0).optional(),
});

const healthCheck = z.strictObject({
  enabled: z.boolean(),
  protocol: z.string().optional(),
  port: port.optional(),
  path: z.string().optional(),
  sourceIP: z.string().optional(),
});

const listener = z.strictObject({
  protocol: upperEnum(['TCP', 'UDP', 'HTTP', 'HTTPS', 'TLS'] as const),
  port,
  certificate: z
    .strictObject({
      id: z.string().optional(),
      notBefore: timestamp.optional(),
      notAfter: timestamp.optional(),
      domains: z.array(z.string()).optional(),
    })
    .optional(),
  healthCheck: healthCheck.optional(),
  backends: z.array(backend).optional(),
  rules: z
    .array(
      z.strictObject({
        host: z.string().optional(),
        path: z.string().optional(),
        backends: z.array(backend),
      }),
    )
    .optional(),
});

const loadBalancer = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  kind: z.string().optional(),
  scheme: lowerEnum(['public', 'private'] as const).optional(),
  addresses: z.array(ipAddress).default([]),
  hostnames: z
    .array(
      z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i, {
        message: 'a DNS name such as my-lb-123.elb.eu-west-1.amazonaws.com',
      }),
    )
    .optional(),
  owner: z
    .string()
    .regex(/^(service|ingress)\/[^/\s]+\/[^/\s]+$/, {
      message: 'service/NAMESPACE/NAME or ingress/NAMESPACE/NAME',
    })
    .optional(),
  listeners: z.array(listener).default([]),
  securityGroups: z.array(z.string()).optional(),
  snat: z.boolean().optional(),
  healthCheckSourceIP: z.string().optional(),
});

const natGateway = z.strictObject({
  id: z.string().min(1),
  dnatRules: z
    .array(
      z.strictObject({
        eip: ipAddress,
        protocol: lowerEnum(['tcp', 'udp', 'any', 'all'] as const).default('tcp'),
        externalPort: port,
        internalAddress: ipAddress,
        internalPort: port,
      }),
    )
    .default([]),
  snatRules: z.array(z.strictObject({ eip: ipAddress, source: cidrOrIp })).optional(),
});

const eip = z.strictObject({
  address: ipAddress,
  boundTo: z
    .string()
    .regex(/^(node|lb|nat|eni)\/\S+$/, { message: 'node/NAME, lb/ID, nat/ID or eni/ID (or null)' })
    .nullable()
    .default(null),
  bandwidthMbps: z.number().min(0).optional(),
});

const route = z.strictObject({
  table: z.string().default('default'),
  destination: cidrOrIp,
  nextHop: z.string().min(1),
  associatedWith: z.array(z.string()).optional(),
});

const change = z.strictObject({
  time: timestamp,
  resource: z.string().min(1),
  category: z.string().min(1),
  summary: z.string(),
});

const cloudInventory = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.literal('CloudInventory'),
  metadata: z.unknown().optional(),
  provider: lowerEnum(['cce', 'tke', 'eks', 'gke', 'aks', 'generic'] as const).default('generic'),
  cluster: z
    .strictObject({
      version: z.string().optional(),
      networkModel: lowerEnum(['tunnel', 'vpc', 'eni'] as const).optional(),
      kubeProxy: z
        .strictObject({
          mode: lowerEnum(['iptables', 'ipvs', 'nftables', 'kernelspace'] as const).optional(),
          version: z.string().optional(),
        })
        .optional(),
    })
    .default({}),
  securityGroups: z.array(securityGroup).optional(),
  loadBalancers: z.array(loadBalancer).optional(),
  natGateways: z.array(natGateway).optional(),
  eips: z.array(eip).optional(),
  routes: z.array(route).optional(),
  changes: z.array(change).optional(),
});

const RESULT_PATTERN =
  /^(ok|refused|timeout|reset|no-route|dns-nxdomain|dns-timeout|tls-error|http-[1-5]\d\d)$/;

const observation = z.strictObject({
  at: timestamp.optional(),
  from: z.string().min(1),
  to: z.string().min(1),
  result: z.string().regex(RESULT_PATTERN, {
    message: 'one of ok, refused, timeout, reset, no-route, dns-nxdomain, dns-timeout, tls-error, http-NNN',
  }),
  detail: z.string().optional(),
});

const observations = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.literal('Observations'),
  metadata: z.unknown().optional(),
  items: z.array(observation).default([]),
});

// ------------------------------------------------------------------ error rendering

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let cur = raw;
  for (const p of path) {
    if (Array.isArray(cur) && typeof p === 'number') cur = cur[p];
    else if (isObject(cur) && typeof p === 'string') cur = cur[p];
    else return undefined;
  }
  return cur;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  nonoptional: 'a value',
};

/** Turn one zod issue into (path, "expected …, got …"). */
function explain(issue: z.core.$ZodIssue, raw: unknown): { path: (string | number)[]; text: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const got = valueAt(raw, path);
  const gotText = got === undefined ? 'nothing' : describe(got);
  switch (issue.code) {
    case 'invalid_type':
      return { path, text: `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${gotText}` };
    case 'invalid_value':
      return {
        path,
        text: `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.join(', ')}`}, got ${gotText}`,
      };
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      return {
        path: [...path, key],
        text: `expected a known field, got unknown field ${JSON.stringify(key)}`,
      };
    }
    case 'too_small':
      return {
        path,
        text:
          issue.origin === 'string'
            ? `expected a non-empty string, got ${gotText}`
            : `expected at least ${String(issue.minimum)}, got ${gotText}`,
      };
    case 'too_big':
      return { path, text: `expected at most ${String(issue.maximum)}, got ${gotText}` };
    case 'invalid_union':
      return { path, text: `expected ${issue.message}, got ${gotText}` };
    default:
      // custom refinements and regex formats carry the expectation as their message
      return { path, text: `expected ${issue.message}, got ${gotText}` };
  }
}

function invalid(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  origin: Origin,
  lineOf: LineOf,
  what: string,
): SvcdoctorError {
  const problems = issues.map((issue) => {
    const { path, text } = explain(issue, raw);
    const line = lineOf(path) ?? lineOf(path.slice(0, -1)) ?? origin.line;
    const where = line === undefined ? origin.file : `${origin.file}:${line}`;
    return `${where}: ${formatPath(path) || what}: ${text}`;
  });
  return new SvcdoctorError('SVCDOCTOR_INPUT_INVALID', problems[0] ?? `${origin.file}: invalid ${what}`, {
    problems,
    hint: `fix the ${what} document (format: see DESIGN.md "Input bundle")`,
  });
}

// ------------------------------------------------------------------ public API

/**
 * Validate a `kind: CloudInventory` document and convert it to the model. Every section is
 * optional; absent sections stay undefined so checks can say "not checked" instead of "fine".
 * Throws SvcdoctorError SVCDOCTOR_INPUT_INVALID with one `file:line: path: expected …, got …`
 * line per problem.
 */
export function parseCloudInventory(
  raw: unknown,
  origin: Origin,
  lineOf: LineOf = () => undefined,
): CloudInventory {
  const result = cloudInventory.safeParse(raw);
  if (!result.success) throw invalid(result.error.issues, raw, origin, lineOf, 'CloudInventory');
  const d = result.data;
  const inv: CloudInventory = { provider: d.provider, cluster: {}, origin };
  if (d.cluster.version !== undefined) inv.cluster.version = d.cluster.version;
  if (d.cluster.networkModel !== undefined) inv.cluster.networkModel = d.cluster.networkModel;
  if (d.cluster.kubeProxy) inv.cluster.kubeProxy = stripUndefined(d.cluster.kubeProxy);
  if (d.securityGroups)
    inv.securityGroups = d.securityGroups.map(({ name: _name, ...sg }) =>
      stripUndefined({
        ...sg,
        inbound: sg.inbound.map((r) => stripUndefined(r)),
        outbound: sg.outbound?.map((r) => stripUndefined(r)),
      }),
    );
  if (d.loadBalancers)
    inv.loadBalancers = d.loadBalancers.map(({ name: _name, ...lb }) =>
      stripUndefined({
        ...lb,
        listeners: lb.listeners.map((l) =>
          stripUndefined({
            ...l,
            certificate: l.certificate && stripUndefined(l.certificate),
            healthCheck: l.healthCheck && stripUndefined(l.healthCheck),
            backends: l.backends?.map((b) => stripUndefined(b)),
            rules: l.rules?.map((r) =>
              stripUndefined({ ...r, backends: r.backends.map((b) => stripUndefined(b)) }),
            ),
          }),
        ),
      }),
    );
  if (d.natGateways) inv.natGateways = d.natGateways.map((n) => stripUndefined(n));
  if (d.eips) inv.eips = d.eips.map((e) => stripUndefined(e));
  if (d.routes) inv.routes = d.routes.map((r) => stripUndefined(r));
  if (d.changes) inv.changes = d.changes.map((c) => ({ ...c }));
  return inv;
}

/**
 * Validate a `kind: Observations` document (what the user already saw) and return its items,
 * each carrying its origin (with the item's line when known).
 */
export function parseObservations(
  raw: unknown,
  origin: Origin,
  lineOf: LineOf = () => undefined,
): Observation[] {
  const result = observations.safeParse(raw);
  if (!result.success) throw invalid(result.error.issues, raw, origin, lineOf, 'Observations');
  return result.data.items.map((item, i) => {
    const line = lineOf(['items', i]);
    const o: Observation = {
      from: item.from,
      to: item.to,
      result: item.result as Observation['result'],
      origin: line === undefined ? { ...origin } : { ...origin, line },
    };
    if (item.at !== undefined) o.at = item.at;
    if (item.detail !== undefined) o.detail = item.detail;
    return o;
  });
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
