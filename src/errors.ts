/** Stable error codes: each is part of the CLI contract (exit 2, one line on stderr). */
export type ErrorCode =
  | 'SVCDOCTOR_USAGE'
  | 'SVCDOCTOR_INPUT_NOT_FOUND'
  | 'SVCDOCTOR_INPUT_EMPTY'
  | 'SVCDOCTOR_INPUT_TOO_LARGE'
  | 'SVCDOCTOR_INPUT_MALFORMED'
  | 'SVCDOCTOR_INPUT_INVALID'
  | 'SVCDOCTOR_INPUT_DUPLICATE'
  | 'SVCDOCTOR_DEMO_NOT_FOUND'
  | 'SVCDOCTOR_KUBECONFIG_NOT_FOUND'
  | 'SVCDOCTOR_CONTEXT_NOT_FOUND'
  | 'SVCDOCTOR_API_UNREACHABLE'
  | 'SVCDOCTOR_API_UNAUTHORIZED'
  | 'SVCDOCTOR_API_ERROR'
  | 'SVCDOCTOR_BAD_TIME'
  | 'SVCDOCTOR_UNKNOWN_CHECK'
  | 'SVCDOCTOR_PROBE_FAILED'
  | 'SVCDOCTOR_INTERNAL';

/** An error svcdoctor expects and explains. The CLI prints `code: message — hint` and exits 2. */
export class SvcdoctorError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  /** One line per problem, when several inputs were bad at once. */
  readonly problems: string[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; problems?: string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SvcdoctorError';
    this.code = code;
    this.hint = options.hint;
    this.problems = options.problems ?? [message];
  }
}

export function isSvcdoctorError(e: unknown): e is SvcdoctorError {
  return e instanceof SvcdoctorError;
}
