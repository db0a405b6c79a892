// A small typed reader over raw JSON-ish values. Kubernetes objects arrive with every field
// optional and sometimes of the wrong type; the reader collects each type problem with its
// field path (so the file source can point at the line) instead of throwing on the first one.

export type Path = (string | number)[];

export interface FieldProblem {
  path: Path;
  message: string;
}

export type Raw = Record<string, unknown>;

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

  private bad(path: Path, expected: string, got: unknown): undefined {
    this.problems.push({ path, message: `expected ${expected}, got ${describe(got)}` });
    return undefined;
  }

  get(obj: unknown, key: string): unknown {
    return isObject(obj) ? obj[key] : undefined;
  }

  obj(v: unknown, path: Path): Raw | undefined {
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.bad(path, 'a mapping', v);
  }

  list(v: unknown, path: Path): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.bad(path, 'a list', v);
    return [];
  }

  str(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.bad(path, 'a string', v);
  }

  /** Integers; Kubernetes also accepts none of "80" for int fields, so neither do we. */
  int(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return this.bad(path, 'an integer', v);
  }

  port(v: unknown, path: Path): number | undefined {
    const n = this.int(v, path);
    if (n === undefined) return undefined;
    if (n < 0 || n > 65535) {
      this.problems.push({ path, message: `expected a port number 0-65535, got ${n}` });
      return undefined;
    }
    return n;
  }

  bool(v: unknown, path: Path): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.bad(path, 'true or false', v);
  }

  /** IntOrString (targetPort, probe ports, NetworkPolicy ports). */
  intOrString(v: unknown, path: Path): number | string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : v;
    return this.bad(path, 'an integer or a string', v);
  }

  strMap(v: unknown, path: Path): Record<string, string> {
    const o = this.obj(v, path);
    const out: Record<string, string> = {};
    if (!o) return out;
    for (const [k, val] of Object.entries(o)) {
      if (typeof val === 'string') out[k] = val;
      else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
      else if (val !== null && val !== undefined) this.bad([...path, k], 'a string', val);
    }
    return out;
  }

  strList(v: unknown, path: Path): string[] {
    const out: string[] = [];
    this.list(v, path).forEach((item, i) => {
      const s = this.str(item, [...path, i]);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T | undefined;
  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[], fallback?: T): T | undefined {
    const s = this.str(v, path);
    if (s === undefined) return fallback;
    if ((allowed as readonly string[]).includes(s)) return s as T;
    this.problems.push({ path, message: `expected one of ${allowed.join(', ')}, got ${JSON.stringify(s)}` });
    return fallback;
  }
}
