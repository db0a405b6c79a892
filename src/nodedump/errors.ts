import { SvcdoctorError } from '../errors.js';

/**
 * A node dump (iptables-save, ipvsadm, ip -o addr) that cannot be read. It names the file and
 * the 1-based line, so the user can open the dump at the offending place.
 */
export class NodeDumpParseError extends SvcdoctorError {
  readonly file: string;
  readonly line: number;
  readonly reason: string;

  constructor(file: string, line: number, reason: string) {
    super('SVCDOCTOR_INPUT_MALFORMED', `${file}:${line}: ${reason}`, {
      hint: 'pass the unmodified output of iptables-save, ipvsadm -S -n / -Ln or ip -o addr',
    });
    this.name = 'NodeDumpParseError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

export function isNodeDumpParseError(e: unknown): e is NodeDumpParseError {
  return e instanceof NodeDumpParseError;
}
