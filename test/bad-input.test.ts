// Every kind of bad input from issue 3 item 5, through the whole CLI: exit 2, one line per
// problem on stderr naming the file (and line where there is one) and the problem's stable code,
// no stack trace, nothing on stdout.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'svcdoctor-bad-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A bundle directory holding the given files (name → content). */
function bundle(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

const service = (port: string | number, extra = '') =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\nspec:\n  selector:\n    app: web\n  ports:\n  - port: ${port}\n    targetPort: 8080\n${extra}`;

/** A YAML "billion laughs": nine levels of nine aliases each. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let prev = 'a';
  for (const n of 'bcdefghi') {
    lines.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
    prev = n;
  }
  return `${lines.join('\n')}\n`;
}

interface BadCase {
  name: string;
  /** The --from argument. */
  from: () => string;
  code: string;
  /** The file every problem line must name. */
  file: (from: string) => string;
  /** Line numbers expected in `file:LINE:` form, in order; undefined when the problem has no line. */
  lines?: number[];
  /** Field paths named in the problems (data, not prose). */
  fields?: string[];
}

const cases: BadCase[] = [
  {
    name: 'malformed YAML (an unclosed flow mapping)',
    from: () =>
      bundle('yaml', {
        'svc.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app: web\nspec:\n  ports:\n  - port: 80\n',
      }),
    code: 'SVCDOCTOR_INPUT_MALFORMED',
    file: (d) => path.join(d, 'svc.yaml'),
    lines: [6],
  },
  {
    name: 'malformed JSON (a doubled comma)',
    from: () =>
      bundle('json', {
        'svc.json':
          '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "web"},,\n  "spec": {}\n}\n',
      }),
    code: 'SVCDOCTOR_INPUT_MALFORMED',
    file: (d) => path.join(d, 'svc.json'),
    lines: [4],
  },
  {
    name: 'wrong field types: port "eighty" and a selector that is a list',
    from: () =>
      bundle('types', {
        'svc.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: [a]\n  ports:\n  - port: "eighty"\n    targetPort: 8080\n',
      }),
    code: 'SVCDOCTOR_INPUT_INVALID',
    file: (d) => path.join(d, 'svc.yaml'),
    lines: [8, 6],
    fields: ['spec.ports[0].port', 'spec.selector'],
  },
  {
    name: 'conflicting duplicate objects (same Service, different ports)',
    from: () => bundle('dup', { 'a.yaml': service(80), 'b.yaml': service(81) }),
    code: 'SVCDOCTOR_INPUT_DUPLICATE|SVCDOCTOR_INPUT_INVALID',
    file: (d) => path.join(d, 'b.yaml'),
    lines: [1],
  },
  {
    name: 'binary content in a .yaml file',
    from: () => bundle('binary', { 'dump.yaml': `\u0000\u0001PK\u0003\u0004${'\u00ff'.repeat(64)}` }),
    code: 'SVCDOCTOR_INPUT_MALFORMED',
    file: (d) => path.join(d, 'dump.yaml'),
    lines: [1],
  },
  {
    name: 'an empty directory',
    from: () => bundle('empty', {}),
    code: 'SVCDOCTOR_INPUT_EMPTY',
    file: (d) => d,
  },
  {
    name: 'a directory with no YAML or JSON in it',
    from: () => bundle('notes', { 'README.txt': 'kubectl output goes here\n' }),
    code: 'SVCDOCTOR_INPUT_EMPTY',
    file: (d) => d,
  },
  {
    name: 'a nonexistent path',
    from: () => path.join(root, 'does-not-exist'),
    code: 'SVCDOCTOR_INPUT_NOT_FOUND',
    file: (d) => d,
  },
  {
    name: 'a YAML alias bomb (billion laughs)',
    from: () => bundle('bomb', { 'bomb.yaml': aliasBomb() }),
    code: 'SVCDOCTOR_INPUT_MALFORMED',
    file: (d) => path.join(d, 'bomb.yaml'),
    lines: [1],
  },
  {
    name: 'a 1 GB file (sparse: never written)',
    from: () => {
      const dir = bundle('big', {});
      const file = path.join(dir, 'huge.yaml');
      writeFileSync(file, '');
      truncateSync(file, 1024 * 1024 * 1024);
      return dir;
    },
    code: 'SVCDOCTOR_INPUT_TOO_LARGE',
    file: (d) => path.join(d, 'huge.yaml'),
  },
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('bad input: exit 2, one line per problem naming file and problem, no stack trace', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const from = c.from();
      const { code, stdout, stderr } = await runCli(['diagnose', 'web', '--from', from, '-o', 'json']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).not.toMatch(/^\s+at /m);
      const problems = stderr.trimEnd().split('\n');
      expect(problems.length).toBeGreaterThan(0);
      const file = c.file(from);
      problems.forEach((line, i) => {
        expect(line).toMatch(new RegExp(`^svcdoctor: (${c.code}): `));
        const want = c.lines?.[i];
        if (want !== undefined) expect(line).toContain(`${file}:${want}:`);
        else expect(line).toMatch(new RegExp(`${escapeRe(file)}(:|\\s|$)`));
      });
      if (c.lines) expect(problems).toHaveLength(c.lines.length);
      for (const f of c.fields ?? []) expect(stderr).toContain(`: ${f}: `);
    });
  }

  it('terminal escape sequences quoted from a file are neutralised', async () => {
    const from = bundle('escape', {
      'svc.yaml':
        'apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    note: |\u001b[2J\u001b[31m\n      x\n',
    });
    const { code, stderr } = await runCli(['diagnose', 'web', '--from', from]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path.join(from, 'svc.yaml')}:5:`);
    expect(stderr).not.toContain('\u001b');
    expect(stderr).toContain('\\x1b');
  });

  it('identical duplicate objects are accepted (the same object collected twice)', async () => {
    const from = bundle('dup-identical', { 'a.yaml': service(80), 'b.yaml': service(80) });
    const { code, stderr } = await runCli(['diagnose', 'web', '--from', from, '-o', 'json']);
    expect(stderr).toBe('');
    expect(code).not.toBe(2);
  });

  it('one bad file among good ones: only the bad file is named', async () => {
    const from = bundle('mixed', {
      'good.yaml': service(80),
      'pods.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\nspec:\n  containers:\n  - name: app\n    ports:\n    - containerPort: http\n',
    });
    const { code, stdout, stderr } = await runCli(['diagnose', 'web', '--from', from]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const problems = stderr.trimEnd().split('\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${path.join(from, 'pods.yaml')}:9:`);
    expect(problems[0]).toContain(': spec.containers[0].ports[0].containerPort: ');
    expect(stderr).not.toContain('good.yaml');
  });
});
