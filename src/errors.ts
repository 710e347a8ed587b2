/**
 * User-facing errors. A BosunError is something the user can fix (a typo, a
 * bad file, an unreachable host); anything else is an internal bug and is the
 * only kind that shows a stack trace (with -vvv).
 */

/** Where in a user's file something is: 1-based line and column. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** Stable error codes: tests and --json consumers match on these. */
export type ErrorCode =
  | 'YAML_SYNTAX'
  | 'SCHEMA'
  | 'UNDEFINED_VAR'
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_RENDER'
  | 'UNKNOWN_MODULE'
  | 'MODULE_ARGS'
  | 'BAD_OPTION'
  | 'FILE_NOT_FOUND'
  | 'INVENTORY'
  | 'HOST_PATTERN'
  | 'ROLE_NOT_FOUND'
  | 'HOST_KEY'
  | 'CONNECTION'
  | 'BECOME'
  | 'SANDBOX'
  | 'EXTRA_VARS'
  | 'VAULT'
  | 'UNSUPPORTED'
  | 'TIMEOUT'
  | 'INTERRUPTED';

/** An error the user can fix, with a position in their file when there is one. */
export class BosunError extends Error {
  readonly code: ErrorCode;
  readonly source: SourcePos | undefined;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { source?: SourcePos; hint?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BosunError';
    this.code = code;
    this.source = opts.source;
    this.hint = opts.hint;
  }
}

/** True for errors the user caused and can fix. */
export function isBosunError(err: unknown): err is BosunError {
  return err instanceof BosunError;
}

/** Texts of files the user gave, so an error can quote its offending line. */
const sourceTexts = new Map<string, string>();

/** Remember a loaded file's text for error excerpts. */
export function rememberSource(file: string, text: string): void {
  sourceTexts.set(file, text);
}

/**
 * Format an error the way a person wants to read it:
 *   ERROR [UNDEFINED_VAR] file.yml:3:12: undefined variable 'foo'
 *       3 |     msg: "{{ foo }}"
 *         |            ^
 *   hint: ...
 */
export function formatError(err: BosunError): string {
  const lines: string[] = [];
  const where = err.source ? `${err.source.file}:${err.source.line}:${err.source.col}: ` : '';
  lines.push(`ERROR [${err.code}] ${where}${err.message}`);
  if (err.source) {
    const text = sourceTexts.get(err.source.file);
    const srcLine = text?.split(/\r?\n/)[err.source.line - 1];
    if (srcLine !== undefined) {
      const num = String(err.source.line);
      lines.push(`  ${num} | ${srcLine}`);
      lines.push(`  ${' '.repeat(num.length)} | ${' '.repeat(Math.max(0, err.source.col - 1))}^`);
    }
  }
  if (err.hint) lines.push(`hint: ${err.hint}`);
  return lines.join('\n');
}
