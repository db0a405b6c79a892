// Reads the raw objects a command needs from a live cluster: one paged list per resource and
// namespace scope (never one request per object), several lists at a time with a bound. A
// 403 on one resource is not fatal: the resource is marked not collected and a SourceProblem
// names the RBAC rule that would allow it. The output is raw objects, as `kubectl get -o json`
// shows them, for the same converter the file source uses.

import { SvcdoctorError } from '../../errors.js';
import type { CollectableKind, Origin, SourceProblem } from '../../model/types.js';
import { KubeClient, type KubeClientOptions, statusMessage } from './client.js';
import { type KubeconfigOptions, type LoadedKubeconfig, loadKubeconfig } from './kubeconfig.js';
import { apiVersionOf, LIVE_RESOURCES, type LiveResource, rbacRuleFor, resourcePath } from './resources.js';

type Raw = Record<string, unknown>;

export interface LiveProgress {
  /** Lists finished so far, out of `total`. */
  done: number;
  total: number;
  /** Objects received so far, all lists together. */
  objects: number;
  resource: string;
  namespace?: string;
}

export interface LiveReadOptions extends KubeconfigOptions, KubeClientOptions {
  /** Namespaces of namespaced resources; 'all' for -A. Default: the context's namespace. */
  namespaces?: string[] | 'all';
  /** Plural resource names to read (default: every entry of LIVE_RESOURCES). */
  resources?: string[];
  /** `limit` of each page (kubectl uses 500). */
  pageSize?: number;
  /** Lists in flight at once. */
  concurrency?: number;
  onProgress?: (p: LiveProgress) => void;
  /** An already loaded kubeconfig (the probe and collect reuse one). */
  loaded?: LoadedKubeconfig;
}

export interface LiveItem {
  raw: Raw;
  origin: Origin;
}

export interface ForbiddenRead {
  resource: string;
  group: string;
  namespace?: string;
  verb: 'list' | 'get';
  /** The RBAC rule that would allow the read. */
  rule: string;
}

export interface ReadScope {
  resource: string;
  group: string;
  /** undefined: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  names?: string[];
}

export interface LiveReadResult {
  items: LiveItem[];
  collected: Partial<Record<CollectableKind, boolean>>;
  problems: SourceProblem[];
  /** What was read completely. */
  read: ReadScope[];
  forbidden: ForbiddenRead[];
  /** Resources this API server does not serve (e.g. ServiceCIDR before 1.33). */
  notServed: string[];
  requestCount: number;
  /** Namespaces read for namespaced resources ('all' for -A), before system namespaces are added. */
  namespaces: string[] | 'all';
  context: string;
  server: string;
  takenAt: string;
}

interface Task {
  r: LiveResource;
  namespace?: string;
}

const MAX_RESTARTS = 2;

class Forbidden extends Error {}
class NotServed extends Error {}

/** Runs fn over items with at most `limit` in flight; rejects on the first fatal error. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export function planTasks(namespaces: string[] | 'all', resources: readonly LiveResource[]): Task[] {
  const tasks: Task[] = [];
  for (const r of resources) {
    if (!r.namespaced) tasks.push({ r });
    else if (r.fixed) for (const ns of r.fixed) tasks.push({ r, namespace: ns });
    else if (namespaces === 'all') tasks.push({ r });
    else for (const ns of new Set([...namespaces, ...(r.alsoIn ?? [])])) tasks.push({ r, namespace: ns });
  }
  return tasks;
}

export async function readLive(options: LiveReadOptions = {}): Promise<LiveReadResult> {
  const loaded = options.loaded ?? loadKubeconfig(options);
  const client = new KubeClient(loaded, options);
  const wanted = options.resources;
  if (wanted) {
    const unknown = wanted.filter((w) => !LIVE_RESOURCES.some((r) => r.resource === w));
    if (unknown.length)
      throw new SvcdoctorError('SVCDOCTOR_INTERNAL', `unknown live resources: ${unknown.join(', ')}`);
  }
  const resources = LIVE_RESOURCES.filter((r) => !wanted || wanted.includes(r.resource));
  const namespaces = options.namespaces ?? [loaded.namespace];
  const tasks = planTasks(namespaces, resources);
  const pageSize = options.pageSize ?? 500;
  const takenAt = new Date().toISOString();

  const perTask: { items: Raw[]; forbidden?: ForbiddenRead; notServed?: boolean }[] = [];
  let done = 0;
  let objects = 0;
  const progress = (t: Task) =>
    options.onProgress?.({
      done,
      total: tasks.length,
      objects,
      resource: t.r.resource,
      namespace: t.namespace,
    });

  try {
    await mapLimit(tasks, options.concurrency ?? 4, async (t) => {
      const idx = tasks.indexOf(t);
      try {
        const items = t.r.names
          ? await getNamed(client, t.r, t.namespace)
          : await listAll(client, t.r, t.namespace, pageSize, (n) => {
              objects += n;
              progress(t);
            });
        perTask[idx] = { items };
      } catch (e) {
        if (e instanceof Forbidden) {
          const verb = t.r.names ? 'get' : 'list';
          perTask[idx] = {
            items: [],
            forbidden: {
              resource: t.r.resource,
              group: t.r.group,
              namespace: t.namespace,
              verb,
              rule: rbacRuleFor(t.r, verb, t.namespace),
            },
          };
        } else if (e instanceof NotServed) perTask[idx] = { items: [], notServed: true };
        else throw e;
      }
      done++;
      progress(t);
    });
  } finally {
    await client.close();
  }

  const items: LiveItem[] = [];
  const collected: Partial<Record<CollectableKind, boolean>> = {};
  const problems: SourceProblem[] = [];
  const forbidden: ForbiddenRead[] = [];
  const notServed = new Set<string>();
  const read: ReadScope[] = [];
  tasks.forEach((t, i) => {
    const res = perTask[i]!;
    const source = `${loaded.contextName}:${resourcePath(t.r, t.namespace)}`;
    res.items.forEach((raw, doc) => {
      items.push({ raw, origin: { file: source, doc } });
    });
    const ok = !res.forbidden && !res.notServed;
    collected[t.r.model] = (collected[t.r.model] ?? true) && ok;
    if (ok) read.push({ resource: t.r.resource, group: t.r.group, namespace: t.namespace, names: t.r.names });
    if (res.forbidden) {
      forbidden.push(res.forbidden);
      const where =
        t.namespace !== undefined
          ? ` in namespace ${t.namespace}`
          : t.r.namespaced
            ? ' in all namespaces'
            : '';
      problems.push({
        code: 'SVCDOCTOR_FORBIDDEN',
        message: `not allowed to ${res.forbidden.verb} ${t.r.resource}${where}: ${t.r.model} not collected`,
        origin: { file: source },
        hint: res.forbidden.rule,
      });
    }
    if (res.notServed && !notServed.has(t.r.resource)) {
      notServed.add(t.r.resource);
      problems.push({
        code: 'SVCDOCTOR_NOT_SERVED',
        message: `the API server does not serve ${apiVersionOf(t.r)} ${t.r.resource}: ${t.r.model} not collected`,
        origin: { file: source },
      });
    }
  });

  return {
    items,
    collected,
    problems,
    read,
    forbidden,
    notServed: [...notServed],
    requestCount: client.requestCount,
    namespaces,
    context: loaded.contextName,
    server: client.server,
    takenAt,
  };
}

function withKind(r: LiveResource, o: unknown): Raw {
  const obj = (typeof o === 'object' && o !== null ? o : {}) as Raw;
  // Items of a typed list arrive without apiVersion/kind; the converter needs them.
  return { apiVersion: apiVersionOf(r), kind: r.kind, ...obj };
}

function failure(r: LiveResource, what: string, status: number, body: unknown): never {
  if (status === 403) throw new Forbidden();
  if (status === 404) throw new NotServed();
  throw new SvcdoctorError(
    'SVCDOCTOR_API_ERROR',
    `${what} ${r.resource} failed: HTTP ${status}${statusMessage(body) ? ` ${statusMessage(body)}` : ''}`,
    {
      hint: 'retry, or collect with `svcdoctor collect` later and use --from',
    },
  );
}

/**
 * One paged list. A 410 Gone means the continue token outlived etcd's compaction: like
 * client-go's pager we start over, and after repeated expiries read the list in one page.
 */
async function listAll(
  client: KubeClient,
  r: LiveResource,
  namespace: string | undefined,
  pageSize: number,
  onPage: (n: number) => void,
): Promise<Raw[]> {
  const path = resourcePath(r, namespace);
  for (let restarts = 0; ; restarts++) {
    const unpaged = restarts > MAX_RESTARTS;
    const out: Raw[] = [];
    let cont: string | undefined;
    let expired = false;
    do {
      const resp = await client.request('GET', path, {
        query: { limit: unpaged ? undefined : pageSize, continue: cont },
      });
      if (resp.status === 410 && cont) {
        expired = true;
        break;
      }
      if (resp.status !== 200) failure(r, 'list', resp.status, resp.body);
      const body = (resp.body ?? {}) as { items?: unknown; metadata?: { continue?: unknown } };
      const items = Array.isArray(body.items) ? body.items : [];
      for (const it of items) out.push(withKind(r, it));
      onPage(items.length);
      cont =
        typeof body.metadata?.continue === 'string' && body.metadata.continue
          ? body.metadata.continue
          : undefined;
    } while (cont);
    if (!expired) return out;
  }
}

async function getNamed(client: KubeClient, r: LiveResource, namespace: string | undefined): Promise<Raw[]> {
  const out: Raw[] = [];
  let forbidden = 0;
  for (const name of r.names ?? []) {
    const resp = await client.request('GET', resourcePath(r, namespace, name));
    if (resp.status === 200) out.push(withKind(r, resp.body));
    else if (resp.status === 403) forbidden++;
    else if (resp.status !== 404) failure(r, 'get', resp.status, resp.body);
  }
  if (forbidden > 0 && out.length === 0) throw new Forbidden();
  return out;
}
