import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { isSvcdoctorError } from '../errors.js';
import type { OutputFormat } from '../report/format.js';
import { terminalSafe } from '../report/style.js';
import { COMMANDS } from './commands/index.js';
import { type CliIO, COMMON_OPTIONS, type CommandSpec, SOURCE_OPTIONS } from './spec.js';

export function packageVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function useColor(io: CliIO, opts: Record<string, unknown>, format: OutputFormat): boolean {
  if (opts.color === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR) return true;
  return io.isTTY && (format === 'table' || format === 'wide');
}

function addOption(
  cmd: Command,
  flags: string,
  description: string,
  def?: unknown,
  repeatable?: boolean,
): void {
  const o = new Option(flags, description);
  if (repeatable) o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  if (def !== undefined) o.default(def);
  cmd.addOption(o);
}

/** Like kubectl, a live read without -n uses the kubeconfig context's namespace. */
async function defaultLiveNamespace(opts: Record<string, unknown>, io: CliIO): Promise<void> {
  if (
    opts.namespace !== undefined ||
    opts.allNamespaces ||
    opts.from !== undefined ||
    opts.demo !== undefined
  )
    return;
  const { contextNamespace } = await import('../sources/live/index.js');
  try {
    opts.namespace = contextNamespace({
      ...(opts.kubeconfig !== undefined ? { kubeconfig: String(opts.kubeconfig) } : {}),
      ...(opts.context !== undefined ? { context: String(opts.context) } : {}),
      env: io.env,
    });
  } catch {
    // No usable kubeconfig: the live read itself reports why, with its own error code.
  }
}

function build(io: CliIO, exit: { code: number }): Command {
  const program = new Command('svcdoctor')
    .description('Why can this client not reach this Service, and what exactly do I change?')
    .version(packageVersion(io.packageRoot), '-v, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const spec of COMMANDS) {
    const cmd = program.command(spec.args ? `${spec.name} ${spec.args}` : spec.name).summary(spec.summary);
    cmd.description(spec.description ?? spec.summary);
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride();
    for (const o of spec.options) addOption(cmd, o.flags, o.description, o.default, o.repeatable);
    if (spec.usesSource) for (const o of SOURCE_OPTIONS) addOption(cmd, o.flags, o.description, o.default);
    if (spec.formats.length)
      cmd.addOption(
        new Option('-o, --output <format>', 'output format')
          .choices([...spec.formats])
          .default(spec.formats[0]),
      );
    for (const o of COMMON_OPTIONS) addOption(cmd, o.flags, o.description, o.default);
    if (spec.examples.length)
      cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    cmd.action(async (...actionArgs: unknown[]) => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const opts = command.opts() as Record<string, unknown>;
      const args = command.args;
      const format = (opts.output as OutputFormat | undefined) ?? 'table';
      if (spec.usesSource) await defaultLiveNamespace(opts, io);
      const color = useColor(io, opts, format);
      // Without colour no escape sequence is ours: text from the cluster cannot steer the terminal.
      const textOut = format === 'table' || format === 'wide' || format === 'markdown';
      const safeIo = !color && textOut ? { ...io, stdout: (t: string) => io.stdout(terminalSafe(t)) } : io;
      exit.code = await spec.run({ args, opts, io: safeIo, format, color });
    });
  }
  program.addHelpText(
    'after',
    `\nExit codes: 0 nothing wrong found, 1 problems found, 2 usage or input error.\nRun 'svcdoctor <command> --help' for a command's options and examples.\n`,
  );
  return program;
}

/** Run the CLI; returns the exit code. Never throws for expected errors; never calls process.exit. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const exit = { code: 0 };
  const debug = argv.includes('--debug');
  const program = build(io, exit);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors.
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      return 2; // commander already printed one line
    }
    if (isSvcdoctorError(e)) {
      const [first, ...rest] = e.problems;
      io.stderr(`${terminalSafe(`svcdoctor: ${e.code}: ${first}${e.hint ? ` — ${e.hint}` : ''}`)}\n`);
      for (const p of rest.slice(0, 50)) io.stderr(`${terminalSafe(`svcdoctor: ${e.code}: ${p}`)}\n`);
      if (rest.length > 50) io.stderr(`svcdoctor: … and ${rest.length - 50} more problems\n`);
      if (debug && e.stack) io.stderr(`${e.stack}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(
      `${terminalSafe(`svcdoctor: SVCDOCTOR_INTERNAL: ${msg}`)} — this is a bug; rerun with --debug and report it\n`,
    );
    if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 2;
  }
}

export function commandSpecs(): readonly CommandSpec[] {
  return COMMANDS;
}
