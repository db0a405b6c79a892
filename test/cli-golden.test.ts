// The whole pipeline, frozen: example bundles through the CLI in every report format, compared
// with reference files in test/golden/. Only the package root path is normalised. After an
// intended change, regenerate with UPDATE_GOLDEN=1 and review the diff like code.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandSpecs, packageVersion, run } from '../src/cli/run.js';
import { runCli } from './support/cli.js';

const packageRoot = path.resolve(import.meta.dirname, '..');
const goldenDir = path.join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting ANSI colour codes
const ANSI = /\u001b\[[0-9;]*m/;

const normalise = (text: string) => text.split(packageRoot).join('<root>');

function golden(name: string, actual: string): void {
  const file = path.join(goldenDir, name);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`${name}: no golden file; run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual, `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`).toBe(
    readFileSync(file, 'utf8'),
  );
}

interface GoldenCase {
  example: string;
  args: string[];
  exit: number;
}

// One failing Service per layer the foundation checks cover, and a healthy one.
const CASES: GoldenCase[] = [
  {
    example: 'wrong-target-port',
    args: ['diagnose', 'api', '-n', 'shop', '--client', 'pod/shop/frontend-6d4b9c7f5-q2wzx', '--port', '80'],
    exit: 1,
  },
  { example: 'pods-not-ready', args: ['diagnose', 'checkout', '-n', 'payments', '--port', '80'], exit: 1 },
  {
    example: 'nodeport-vs-port-confusion',
    args: ['diagnose', 'nginx', '-n', 'default', '--client', 'internet', '--address', '192.168.0.137:123'],
    exit: 1,
  },
  {
    example: 'healthy-web',
    args: ['diagnose', 'web', '-n', 'default', '--client', 'pod/default/toolbox', '--port', '80'],
    exit: 0,
  },
];

const FORMATS = [
  ['table', 'txt'],
  ['markdown', 'md'],
  ['html', 'html'],
  ['json', 'json'],
] as const;

describe('golden output of example bundles', () => {
  for (const c of CASES) {
    for (const [format, ext] of FORMATS) {
      it(`${c.example} -o ${format}`, async () => {
        const bundle = path.join(packageRoot, 'examples', c.example, 'bundle');
        const { code, stdout, stderr } = await runCli([...c.args, '--from', bundle, '-o', format]);
        expect(stderr).toBe('');
        expect(code).toBe(c.exit);
        golden(`${c.example}.${ext}`, normalise(stdout));
      });
    }
  }

  it('explain of a check -o markdown', async () => {
    const { code, stdout, stderr } = await runCli(['explain', 'service-port-mismatch', '-o', 'markdown']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    golden('explain-service-port-mismatch.md', normalise(stdout));
  });

  it('audit of an example bundle -o markdown', async () => {
    const bundle = path.join(packageRoot, 'examples', 'wrong-target-port', 'bundle');
    const { code, stdout, stderr } = await runCli(['audit', '--from', bundle, '-o', 'markdown']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    golden('audit-wrong-target-port.md', normalise(stdout));
  });
});

describe('exit codes', () => {
  it('0 when nothing is wrong', async () => {
    const { code } = await runCli([
      'diagnose',
      'web',
      '-n',
      'default',
      '--demo',
      'healthy-web',
      '--client',
      'pod/default/toolbox',
      '-o',
      'json',
    ]);
    expect(code).toBe(0);
  });
  it('1 when problems are found', async () => {
    const { code } = await runCli([
      'diagnose',
      'checkout',
      '-n',
      'payments',
      '--demo',
      'pods-not-ready',
      '-o',
      'json',
    ]);
    expect(code).toBe(1);
  });
  it('2 on an unknown option, with one line on stderr and nothing on stdout', async () => {
    const { code, stdout, stderr } = await runCli(['diagnose', 'web', '--no-such-flag']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
  it('2 on a bad --client value', async () => {
    const { code, stderr } = await runCli([
      'diagnose',
      'web',
      '--demo',
      'healthy-web',
      '--client',
      'satellite',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^svcdoctor: SVCDOCTOR_USAGE: /);
  });
  it('2 on an unknown demo', async () => {
    const { code, stderr } = await runCli(['diagnose', 'web', '--demo', 'no-such-demo']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^svcdoctor: SVCDOCTOR_DEMO_NOT_FOUND: /);
  });
  it('2 with no arguments at all', async () => {
    const { code } = await runCli([]);
    expect(code).toBe(2);
  });
});

describe('--help and --version', () => {
  for (const spec of commandSpecs()) {
    it(`${spec.name} --help lists its examples`, async () => {
      const { code, stdout } = await runCli([spec.name, '--help']);
      expect(code).toBe(0);
      expect(spec.examples.length).toBeGreaterThan(0);
      expect(stdout).toContain('Examples:');
      for (const e of spec.examples) expect(stdout).toContain(`$ ${e}`);
    });
  }
  it('--version prints the package version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(packageVersion(packageRoot));
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('colour', () => {
  const args = ['diagnose', 'checkout', '-n', 'payments', '--demo', 'pods-not-ready'];
  async function onTerminal(env: NodeJS.ProcessEnv): Promise<string> {
    let out = '';
    await run(args, {
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
      env,
      isTTY: true,
      packageRoot,
    });
    return out;
  }
  it('a terminal gets colour (so the checks below can fail)', async () => {
    expect(await onTerminal({})).toMatch(ANSI);
  });
  it('NO_COLOR turns it off on a terminal', async () => {
    expect(await onTerminal({ NO_COLOR: '1' })).not.toMatch(ANSI);
  });
  it('--no-color turns it off on a terminal', async () => {
    let out = '';
    await run([...args, '--no-color'], {
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
      env: {},
      isTTY: true,
      packageRoot,
    });
    expect(out).not.toMatch(ANSI);
  });
  it('not a terminal: no colour, in every format', async () => {
    for (const [format] of FORMATS) {
      const { stdout } = await runCli([...args, '-o', format]);
      expect(stdout, format).not.toMatch(ANSI);
    }
  });
});

describe('HTML and Markdown escape names taken from the input', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'svcdoctor-escape-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const evil = '<script>alert(1)</script>';
  writeFileSync(
    path.join(root, 'objects.yaml'),
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      '  namespace: default',
      '  annotations:',
      `    note: "${evil}"`,
      'spec:',
      '  selector:',
      `    app: "${evil}"`,
      '  ports:',
      '  - port: 80',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web-1',
      '  namespace: default',
      '  labels:',
      '    app: web',
      'spec:',
      '  containers:',
      '  - name: app',
      'status:',
      '  phase: Running',
      '',
    ].join('\n'),
  );

  it('a label value with <script> in a finding title comes out escaped in HTML', async () => {
    const { stdout, code } = await runCli(['diagnose', 'web', '--from', root, '-o', 'html']);
    expect(code).toBe(1);
    expect(stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(stdout).not.toContain(evil);
  });

  it('a Service name with markup (service-not-found) comes out escaped in HTML', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const { stdout } = await runCli(['diagnose', name, '--from', root, '-o', 'html']);
    expect(stdout).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(stdout).not.toContain(name);
  });

  it('the same label value in Markdown cannot open an HTML tag', async () => {
    const { stdout } = await runCli(['diagnose', 'web', '--from', root, '-o', 'markdown']);
    expect(stdout).toContain('app=&lt;script>');
    expect(stdout).not.toContain('<script>');
  });
});
