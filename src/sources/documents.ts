// Turning file text into documents with line information. YAML goes through the `yaml`
// library (positions, alias limits); JSON goes through JSON.parse for speed, and is only
// re-read for positions when a problem needs a line number.
import { LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { SvcdoctorError } from '../errors.js';
import type { Origin } from '../model/types.js';
import type { Path } from './reader.js';

/** One raw document (or List item) with a way to find the line of any field inside it. */
export interface BundleItem {
  raw: unknown;
  origin: Origin;
  lineOf: (path: Path) => number | undefined;
}

/** Aliases allowed per document; `yaml` refuses more (the "billion laughs" guard). */
const MAX_ALIASES = 200;

/**
 * Parser messages quote the offending text; from a hostile or binary file that text must not
 * drive the terminal, so control characters become \xNN escapes and long quotes are cut.
 */
function quoteSafe(message: string, max = 200): string {
  const clean = message.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what gets escaped
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** NUL bytes or many undecodable bytes at the start: not YAML or JSON text at all. */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 8192);
  if (head.includes('\u0000')) return true;
  let bad = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0xfffd) bad++;
  return bad > 8;
}

function malformed(problems: string[], hint?: string): SvcdoctorError {
  return new SvcdoctorError('SVCDOCTOR_INPUT_MALFORMED', problems[0] ?? 'malformed input', {
    problems,
    hint: hint ?? 'fix the file (or leave it out) and run again',
  });
}

function yamlItems(text: string, file: string): BundleItem[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: false });
  const list = Array.isArray(docs) ? docs : [];
  const problems: string[] = [];
  for (const d of list) {
    for (const e of d.errors) {
      const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
      problems.push(`${file}:${line}: ${quoteSafe(e.message.split('\n')[0] ?? '')}`);
    }
  }
  if (problems.length) throw malformed(problems);
  const items: BundleItem[] = [];
  list.forEach((doc, docIndex) => {
    if (doc.contents === null) return; // empty document (a trailing ---)
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1;
      const msg = e instanceof Error ? e.message : String(e);
      throw malformed([
        `${file}:${line}: ${/alias/i.test(msg) ? `too many YAML aliases (more than ${MAX_ALIASES}): refusing a possible alias bomb` : msg}`,
      ]);
    }
    const startLine = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1;
    const lineOf = (p: Path): number | undefined => {
      for (let n = p.length; n >= 0; n--) {
        const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return startLine;
    };
    pushWithLists(items, js, { file, line: startLine, doc: docIndex }, lineOf, true);
  });
  return items;
}

/** An item of a List: its lines are the list's lines under `items[index]`. */
class ListItem implements BundleItem {
  constructor(
    readonly raw: unknown,
    readonly origin: Origin,
    private readonly listLineOf: (p: Path) => number | undefined,
    private readonly index: number,
  ) {}

  // A method, not a closure per item: a 60,000-item List would otherwise allocate one each.
  lineOf(p: Path): number | undefined {
    return this.listLineOf(['items', this.index, ...p]);
  }
}

/** Expand `kind: List` / `*List` into their items, keeping a line function per item. */
function pushWithLists(
  items: BundleItem[],
  js: unknown,
  origin: Origin,
  lineOf: (p: Path) => number | undefined,
  /** YAML has positions at hand; JSON computes them only when a problem needs one. */
  eagerLines: boolean,
): void {
  if (js && typeof js === 'object' && !Array.isArray(js)) {
    const o = js as Record<string, unknown>;
    const kind = typeof o.kind === 'string' ? o.kind : '';
    if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(o.items)) {
      const list = o.items;
      for (let i = 0; i < list.length; i++) {
        const item: unknown = list[i];
        // Items of a typed list (ServiceList) often omit kind/apiVersion.
        const withKind =
          kind !== 'List' && item && typeof item === 'object' && !(item as Record<string, unknown>).kind
            ? {
                ...(item as Record<string, unknown>),
                kind: kind.slice(0, -'List'.length),
                apiVersion: o.apiVersion,
              }
            : item;
        const line = eagerLines ? (lineOf(['items', i]) ?? origin.line) : undefined;
        items.push(new ListItem(withKind, line === undefined ? origin : { ...origin, line }, lineOf, i));
      }
      return;
    }
  }
  items.push({ raw: js, origin, lineOf });
}

function lineFromJsonError(text: string, message: string): number {
  const lc = /line (\d+)/.exec(message);
  if (lc) return Number(lc[1]);
  const pos = /position (\d+)/.exec(message);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  return 1;
}

/**
 * Split concatenated top-level JSON values (kubectl cluster-info dump to stdout, JSON lines).
 * Text between values is allowed only for cluster-info dump's log sections.
 */
function splitJsonValues(text: string): { text: string; start: number }[] | undefined {
  const out: { text: string; start: number }[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
      continue;
    }
    if (c !== '{' && c !== '[') {
      if (text.startsWith('==== START logs', i)) {
        const end = text.indexOf('==== END logs', i);
        if (end < 0) return undefined;
        const eol = text.indexOf('\n', end);
        i = eol < 0 ? n : eol + 1;
        continue;
      }
      return undefined;
    }
    const start = i;
    let depth = 0;
    let inStr = false;
    for (; i < n; i++) {
      const ch = text[i];
      if (inStr) {
        if (ch === '\\') i++;
        else if (ch === '"') inStr = false;
      } else if (ch === '"') inStr = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return undefined;
    out.push({ text: text.slice(start, i), start });
  }
  return out;
}

function jsonItems(text: string, file: string): BundleItem[] {
  let located: ReturnType<typeof parseDocument> | undefined;
  const lineCounter = new LineCounter();
  const makeLineOf = (base: number, segment: string) => (p: Path) => {
    // Only parsed again when a problem needs a position.
    located ??= parseDocument(segment, { lineCounter });
    for (let k = p.length; k >= 0; k--) {
      const node = located.getIn(p.slice(0, k), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return base + lineCounter.linePos(node.range[0]).line - 1;
    }
    return base;
  };
  if (text.trim() === '') return [];
  try {
    const js = JSON.parse(text);
    const items: BundleItem[] = [];
    pushWithLists(items, js, { file, doc: 0 }, makeLineOf(1, text), false);
    return items;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const parts = splitJsonValues(text);
    if (parts && parts.length > 1) {
      const items: BundleItem[] = [];
      parts.forEach((part, idx) => {
        const base = text.slice(0, part.start).split('\n').length;
        let js: unknown;
        try {
          js = JSON.parse(part.text);
        } catch (pe) {
          const pm = pe instanceof Error ? pe.message : String(pe);
          throw malformed([
            `${file}:${base + lineFromJsonError(part.text, pm) - 1}: invalid JSON: ${quoteSafe(pm.split('\n')[0] ?? '')}`,
          ]);
        }
        let segLocated: ReturnType<typeof parseDocument> | undefined;
        const segCounter = new LineCounter();
        const lineOf = (p: Path) => {
          segLocated ??= parseDocument(part.text, { lineCounter: segCounter });
          for (let k = p.length; k >= 0; k--) {
            const node = segLocated.getIn(p.slice(0, k), true) as
              | { range?: [number, number, number] }
              | undefined;
            if (node?.range) return base + segCounter.linePos(node.range[0]).line - 1;
          }
          return base;
        };
        pushWithLists(items, js, { file, line: base, doc: idx }, lineOf, false);
      });
      return items;
    }
    throw malformed([
      `${file}:${lineFromJsonError(text, msg)}: invalid JSON: ${quoteSafe(msg.split('\n')[0] ?? '')}`,
    ]);
  }
}

/** Kubernetes objects nest a few dozen levels at most; far deeper input is hostile or broken. */
const MAX_DEPTH = 256;

/**
 * Deepest nesting in the text, counted without parsing: flow brackets outside quotes and
 * comments, plus block indentation levels and "- " markers. An estimate that can only
 * undercount (an unclosed quote hides what follows), so it never refuses a sane file.
 * Parsers recurse per level, and a stack overflow inside V8's regexp compiler kills the
 * process instead of throwing, so depth is refused before any parser sees the text.
 */
function tooDeepAt(text: string, yaml: boolean, limit: number): number | undefined {
  let flow = 0;
  let line = 1;
  let quote = 0; // 0, or the char code of the open quote
  const indents: number[] = [];
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      atLineStart = true;
      continue;
    }
    if (atLineStart && yaml && flow === 0 && quote === 0) {
      atLineStart = false;
      let indent = 0;
      while (text.charCodeAt(i) === 32) {
        indent++;
        i++;
      }
      c = text.charCodeAt(i);
      if (c === 10 || c === 35 || Number.isNaN(c)) {
        i--; // blank or comment-only line: let the loop see the newline
        continue;
      }
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      let dashes = 0;
      while (text.charCodeAt(i) === 45 && text.charCodeAt(i + 1) === 32) {
        dashes++;
        i += 2;
      }
      if (indents.length + dashes > limit) return line;
      c = text.charCodeAt(i);
      if (c === 10) {
        i--;
        continue;
      }
    }
    atLineStart = false;
    if (quote !== 0) {
      if (c === 92 && quote === 34)
        i++; // backslash escape in a double-quoted string
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 34 || (yaml && c === 39)) quote = c;
    else if (c === 91 || c === 123) {
      flow++;
      if (flow + indents.length > limit) return line;
    } else if ((c === 93 || c === 125) && flow > 0) flow--;
    else if (yaml && c === 35) {
      const prev = text.charCodeAt(i - 1);
      if (i === 0 || prev === 32 || prev === 9) {
        const eol = text.indexOf('\n', i);
        if (eol < 0) break;
        i = eol - 1;
      }
    }
  }
  return undefined;
}

/**
 * tooDeepAt for JSON text, with the same answer: JSON has no block indentation or comments, so
 * only brackets outside strings count, and a string is skipped with indexOf rather than char
 * by char. Lines are counted only when the limit is crossed; a newline right after a backslash
 * inside a string is not counted, as tooDeepAt skips the escaped character whole.
 */
function jsonTooDeepAt(text: string, limit: number): number | undefined {
  const n = text.length;
  let depth = 0;
  let nextBackslash = text.indexOf('\\');
  if (nextBackslash < 0) nextBackslash = n;
  let escapedNewlines = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let from = i + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close < 0) return undefined; // an unclosed quote hides the rest
        if (nextBackslash < from) {
          nextBackslash = text.indexOf('\\', from);
          if (nextBackslash < 0) nextBackslash = n;
        }
        if (nextBackslash > close) {
          i = close;
          break;
        }
        if (text.charCodeAt(nextBackslash + 1) === 10) escapedNewlines++;
        from = nextBackslash + 2;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return lineAt(text, i) - escapedNewlines;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < pos; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

export function parseDocuments(text: string, file: string, format: 'yaml' | 'json'): BundleItem[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (looksBinary(text)) throw malformed([`${file}:1: binary content, not YAML or JSON text`]);
  const deep = format === 'json' ? jsonTooDeepAt(text, MAX_DEPTH) : tooDeepAt(text, true, MAX_DEPTH);
  if (deep !== undefined)
    throw malformed([`${file}:${deep}: nested more than ${MAX_DEPTH} levels deep: refusing it`]);
  if (format === 'json' || /^\s*[{[]/.test(text.slice(0, 64))) {
    // A .yaml file holding JSON is still JSON; a .json file that is not JSON is reported as JSON.
    if (format === 'json') return jsonItems(text, file);
    try {
      return jsonItems(text, file);
    } catch {
      return yamlItems(text, file);
    }
  }
  return yamlItems(text, file);
}
