// A small typed reader over raw JSON-ish values. Kubernetes objects arrive with every field
// optional and sometimes of the wrong type; the reader collects each type problem with its
// field path (so the file source can point at the line) instead of throwing on the first one.
//
// Every field read names where the value sits as (parent location, key). Locations are parent
// links, not arrays, and the array form of a path is built only when a problem is recorded:
// a 50,000-Pod bundle reads millions of fields and almost never records a problem.

export type Path = (string | number)[];

export interface FieldProblem {
  path: Path;
  message: string;
}

export type Raw = Record<string, unknown>;

/** A location inside an object: its parent location (none at the top) and its key there. */
export class At {
  constructor(
    readonly up: At | undefined,
    readonly key: string | number,
  ) {}
}

/** The array path of `key` under `where` (or of `where` itself when key is undefined). */
export function pathOf(where: At | undefined, key?: string | number): Path {
  const out: Path = key === undefined ? [] : [key];
  for (let w = where; w; w = w.up) out.push(w.key);
  return out.reverse();
}

const NONE: readonly unknown[] = Object.freeze([]);

export function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

export class Reader {
  readonly problems: FieldProblem[] = [];

  /** Records a problem at `key` under `where`. */
  problem(where: At | undefined, key: string | number | undefined, message: string): void {
    this.problems.push({ path: pathOf(where, key), message });
  }

  private bad(
    where: At | undefined,
    key: string | number | undefined,
    expected: string,
    got: unknown,
  ): undefined {
    this.problem(where, key, `expected ${expected}, got ${describe(got)}`);
    return undefined;
  }

  get(obj: unknown, key: string): unknown {
    return isObject(obj) ? obj[key] : undefined;
  }

  obj(v: unknown, where: At | undefined, key?: string | number): Raw | undefined {
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.bad(where, key, 'a mapping', v);
  }

  /** The list, or an empty (shared, read-only) one when absent or of the wrong type. */
  list(v: unknown, where: At | undefined, key?: string | number): readonly unknown[] {
    if (v === undefined || v === null) return NONE;
    if (Array.isArray(v)) return v;
    this.bad(where, key, 'a list', v);
    return NONE;
  }

  str(v: unknown, where: At | undefined, key?: string | number): string | undefined {
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.bad(where, key, 'a string', v);
  }

  /** Integers; Kubernetes also accepts none of "80" for int fields, so neither do we. */
  int(v: unknown, where: At | undefined, key?: string | number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return this.bad(where, key, 'an integer', v);
  }

  port(v: unknown, where: At | undefined, key?: string | number): number | undefined {
    const n = this.int(v, where, key);
    if (n === undefined) return undefined;
    if (n < 0 || n > 65535) {
      this.problem(where, key, `expected a port number 0-65535, got ${n}`);
      return undefined;
    }
    return n;
  }

  bool(v: unknown, where: At | undefined, key?: string | number): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.bad(where, key, 'true or false', v);
  }

  /** IntOrString (targetPort, probe ports, NetworkPolicy ports). */
  intOrString(v: unknown, where: At | undefined, key?: string | number): number | string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : v;
    return this.bad(where, key, 'an integer or a string', v);
  }

  strMap(v: unknown, where: At | undefined, key?: string | number): Record<string, string> {
    const o = this.obj(v, where, key);
    const out: Record<string, string> = {};
    if (!o) return out;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      const val = o[k];
      if (typeof val === 'string') out[k] = val;
      else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
      else if (val !== null && val !== undefined) {
        const path = pathOf(where, key);
        path.push(k);
        this.problems.push({ path, message: `expected a string, got ${describe(val)}` });
      }
    }
    return out;
  }

  strList(v: unknown, where: At | undefined, key?: string | number): string[] {
    const out: string[] = [];
    const items = this.list(v, where, key);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'string') out.push(item);
      else if (item !== undefined && item !== null) {
        const path = pathOf(where, key);
        path.push(i);
        this.problems.push({ path, message: `expected a string, got ${describe(item)}` });
      }
    }
    return out;
  }

  oneOf<T extends string>(
    v: unknown,
    where: At | undefined,
    key: string | number | undefined,
    allowed: readonly T[],
    fallback: T,
  ): T;
  oneOf<T extends string>(
    v: unknown,
    where: At | undefined,
    key: string | number | undefined,
    allowed: readonly T[],
  ): T | undefined;
  oneOf<T extends string>(
    v: unknown,
    where: At | undefined,
    key: string | number | undefined,
    allowed: readonly T[],
    fallback?: T,
  ): T | undefined {
    const s = this.str(v, where, key);
    if (s === undefined) return fallback;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    this.problem(where, key, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(s)}`);
    return fallback;
  }
}
