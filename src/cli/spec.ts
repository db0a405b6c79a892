import type { OutputFormat } from '../report/format.js';

/** What a command may touch: its output streams and environment. Library code never prints. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal (colour and progress allowed). */
  isTTY: boolean;
  /** Root of the package (for examples/), resolved by main. */
  packageRoot: string;
  /** Called on SIGINT by main; commands holding resources register cleanup here. */
  onInterrupt?: (fn: () => Promise<void> | void) => void;
}

export interface OptionSpec {
  /** commander flags, e.g. '-n, --namespace <ns>' */
  flags: string;
  description: string;
  default?: string | boolean | string[];
  /** Option may be given several times (collected into an array). */
  repeatable?: boolean;
}

export interface CommandContext {
  args: string[];
  opts: Record<string, unknown>;
  io: CliIO;
  /** Colour decided from NO_COLOR, --no-color, TTY and output format. */
  color: boolean;
  format: OutputFormat;
}

/** One row of the command table: it drives parsing, --help and the README's usage section. */
export interface CommandSpec {
  name: string;
  /** commander argument syntax, e.g. '<service>' or '[service]' */
  args?: string;
  summary: string;
  description?: string;
  options: OptionSpec[];
  /** Takes --from/--demo/--kubeconfig/--context/-n/-A */
  usesSource: boolean;
  /** Output formats accepted by -o (first is the default). Empty: no -o. */
  formats: readonly OutputFormat[];
  examples: string[];
  /** Returns the exit code (0 ok, 1 problems found, 2 usage/input error). */
  run: (ctx: CommandContext) => Promise<number>;
}

export const SOURCE_OPTIONS: OptionSpec[] = [
  {
    flags: '--from <path>',
    description: 'read a collected bundle (file or directory) instead of a live cluster',
  },
  {
    flags: '--demo <name>',
    description: 'use an embedded example bundle (see `svcdoctor diagnose --demo list`)',
  },
  {
    flags: '--kubeconfig <file>',
    description: 'kubeconfig file for live reads (default: $KUBECONFIG or ~/.kube/config)',
  },
  { flags: '--context <name>', description: 'kubeconfig context for live reads' },
  {
    flags: '-n, --namespace <ns>',
    description: 'namespace of the Service (default: the context namespace or "default")',
  },
  { flags: '-A, --all-namespaces', description: 'every namespace' },
];

export const COMMON_OPTIONS: OptionSpec[] = [
  {
    flags: '--no-color',
    description: 'plain output (also when NO_COLOR is set or stdout is not a terminal)',
  },
  { flags: '--debug', description: 'print stack traces of unexpected errors' },
];
