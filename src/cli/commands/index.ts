import type { CommandSpec } from '../spec.js';
import { auditCommand } from './audit.js';
import { collectCommand } from './collect.js';
import { diagnoseCommand } from './diagnose.js';
import { explainCommand } from './explain.js';
import { matrixCommand } from './matrix.js';
import { serveCommand } from './serve.js';
import { timelineCommand } from './timeline.js';
import { traceCommand } from './trace.js';
import { whatifCommand } from './whatif.js';

/** The command table: parsing, --help and the README usage all come from it. One line per command. */
export const COMMANDS: CommandSpec[] = [
  diagnoseCommand,
  auditCommand,
  explainCommand,
  timelineCommand,
  traceCommand,
  collectCommand,
  serveCommand,
  matrixCommand,
  whatifCommand,
];
