/**
 * The error family. A BosunError is something the user can fix (a typo, a
 * bad file, a target that refuses, an unreachable host): it carries a stable
 * `code`, a position in the user's file when there is one, and a hint.
 * Subclasses say where the trouble is: TargetError (and RemoteCommandError)
 * on a target, ConnectionError on the way to it, BecomeError while
 * escalating, ModuleArgError and VaultFormatError in what the user gave.
 * Anything else is an internal bug, and only a bug shows a stack trace (with
 * -vvv). Errors from the controller's own operating system (a file that
 * cannot be read, a symlink loop) are the user's to fix too: toBosunError
 * turns them into one.
 */
import { isUtf8 } from 'node:buffer';
import { constants as osConstants } from 'node:os';
import { MASK, maskAssignments } from './util/secret-names.js';

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
  | 'INTERRUPTED'
  /** The target refused or failed while a module acted on it. */
  | 'TARGET'
  /** A command on the target exited non-zero (RemoteCommandError). */
  | 'REMOTE_COMMAND'
  /** A file or folder on the controller could not be read or written (other than "not found"). */
  | 'CONTROLLER_FILE'
  /** A text file (a template) is not UTF-8. */
  | 'ENCODING'
  /** A file imports itself, directly or through others (import_tasks, import_role, import_playbook, role dependencies). */
  | 'IMPORT_CYCLE'
  /** include_tasks / include_role nest deeper than the limit at run time (a recursion that does not stop). */
  | 'INCLUDE_DEPTH'
  /** A command's output on stdout or stderr passed the limit (--max-output, BOSUN_MAX_OUTPUT). */
  | 'OUTPUT_LIMIT';

/** What every BosunError may carry besides its code and message. */
export interface BosunErrorOptions {
  source?: SourcePos;
  hint?: string;
  cause?: unknown;
}

/** An error the user can fix, with a position in their file when there is one. */
export class BosunError extends Error {
  readonly code: ErrorCode;
  readonly source: SourcePos | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, opts: BosunErrorOptions = {}) {
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

/** A bad argument value a module found (after the schema passed): the task fails with the message. */
export class ModuleArgError extends BosunError {
  constructor(message: string, opts: BosunErrorOptions = {}) {
    super('MODULE_ARGS', message, opts);
    this.name = 'ModuleArgError';
  }
}

/** Why a vault text could not be opened: a malformed envelope, or no password that fits. */
export class VaultFormatError extends BosunError {
  /** 'format': not a well-formed vault; 'secret': well-formed but no password fits. */
  readonly kind: 'format' | 'secret';

  constructor(kind: 'format' | 'secret', message: string) {
    super('VAULT', message);
    this.name = 'VaultFormatError';
    this.kind = kind;
  }
}

/** Where a target failure happened, besides the BosunError options. */
export interface TargetErrorOptions extends BosunErrorOptions {
  host?: string;
  task?: string;
}

/**
 * The target refused or failed while acting (a file it cannot write, a tool
 * it lacks). The task fails on that host with the message; the host stays
 * reachable.
 */
export class TargetError extends BosunError {
  readonly host: string | undefined;
  readonly task: string | undefined;

  constructor(message: string, opts: TargetErrorOptions = {}, code: ErrorCode = 'TARGET') {
    super(code, message, opts);
    this.name = 'TargetError';
    this.host = opts.host;
    this.task = opts.task;
  }
}

/** What a finished command on a target gave back. */
export interface CommandOutcome {
  command: string;
  rc: number;
  /** The signal that ended it, when the transport says so (e.g. 'SIGKILL'). */
  signal?: string;
  stdout: string;
  stderr: string;
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(osConstants.signals).map(([name, n]) => [n, name]));

/** Common exit codes in words; 128+N is "ended by signal N" as the shell reports it. */
const EXIT_CODES: Record<number, { what: string; hint?: string }> = {
  124: { what: 'timed out (timeout(1) ended it)' },
  126: {
    what: 'the command is not executable',
    hint: 'check its execute permission, its #! line and that it is built for the target',
  },
  127: {
    what: 'command not found on the target',
    hint: 'install it on the target, or give its full path (a non-interactive shell has a short PATH)',
  },
  130: { what: 'interrupted (SIGINT)' },
  137: {
    what: 'killed (SIGKILL: out of memory, or a timeout that killed it)',
    hint: 'check the target for the OOM killer (dmesg) or a timeout',
  },
  139: { what: 'crashed (SIGSEGV)' },
  141: { what: 'its output was closed (SIGPIPE)' },
  143: { what: 'terminated (SIGTERM)' },
};

/** The common meaning of an exit code (or of the signal that ended a command), or undefined for an ordinary failure. */
export function explainExitCode(rc: number, signal?: string): string | undefined {
  if (signal) return `ended by ${signal}`;
  const known = EXIT_CODES[rc];
  if (known) return known.what;
  const name = rc > 128 && rc < 128 + 65 ? SIGNAL_NAMES.get(rc - 128) : undefined;
  return name ? `ended by ${name}` : undefined;
}

/**
 * A command on a target that failed: host, task, the command, its exit code
 * (or signal), stdout and stderr, with the common codes explained (127:
 * command not found on the target).
 */
export class RemoteCommandError extends TargetError {
  readonly command: string;
  readonly rc: number;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** The words for a common exit code, when it is one. */
  readonly explanation: string | undefined;

  /** `what` says what was being done ("cannot write /etc/x"); the reason is taken from stderr and the exit code. */
  constructor(what: string, outcome: CommandOutcome, opts: TargetErrorOptions = {}) {
    const explanation = explainExitCode(outcome.rc, outcome.signal);
    const said = outcome.stderr.trim().split('\n').slice(-3).map(withoutShellPrefix).join(' / ');
    const code = outcome.signal ?? `rc ${outcome.rc}`;
    const reason =
      said && explanation
        ? `${said} (${code}: ${explanation})`
        : said || (explanation ? `${code}: ${explanation}` : code);
    const hint = opts.hint ?? (outcome.signal ? undefined : EXIT_CODES[outcome.rc]?.hint);
    super(`${what}: ${reason}`, { ...opts, ...(hint !== undefined ? { hint } : {}) }, 'REMOTE_COMMAND');
    this.name = 'RemoteCommandError';
    this.command = outcome.command;
    this.rc = outcome.rc;
    this.signal = outcome.signal;
    this.stdout = outcome.stdout;
    this.stderr = outcome.stderr;
    this.explanation = explanation;
  }
}

/** A shell's line without its "sh: 1: eval: " prefix (dash, bash and busybox spell it differently). */
function withoutShellPrefix(line: string): string {
  return line.replace(/^(?:\/bin\/)?(?:ba|da|a)?sh: (?:line )?\d+: (?:eval: )?/, '');
}

/**
 * The host could not be reached or the session broke: the executor reports
 * the host `unreachable` and goes on with the others.
 */
export class ConnectionError extends BosunError {
  readonly host: string;
  constructor(host: string, message: string, opts: BosunErrorOptions & { code?: ErrorCode } = {}) {
    super(opts.code ?? 'CONNECTION', message, opts);
    this.name = 'ConnectionError';
    this.host = host;
  }
}

/** Why a host key was refused: the known_hosts verdict and the key presented. */
export class HostKeyError extends ConnectionError {
  constructor(
    host: string,
    message: string,
    readonly verdict: 'mismatch' | 'unknown' | 'revoked',
    readonly fingerprint: string,
  ) {
    super(host, message, { code: 'HOST_KEY' });
    this.name = 'HostKeyError';
  }
}

/**
 * The framed shell ended, broke, or gave up on a timed-out command. The
 * session does not know its host: connections rethrow it as a
 * ConnectionError naming the host.
 */
export class ShellClosedError extends ConnectionError {
  constructor(message: string) {
    super('', message);
    this.name = 'ShellClosedError';
  }
}

/** Where and how far a command's output passed the output limit. */
export interface OutputLimitDetails {
  stream: 'stdout' | 'stderr';
  /** The limit, in bytes. */
  limit: number;
  /** The bytes of output seen: all of it when `finished`, else as far as it was read. */
  seen: number;
  /** The command had ended (its output was read to the end); false: it was stopped. */
  finished: boolean;
}

/** MiB with one decimal: `64.0 MiB`. */
function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/**
 * A command gave more output on one stream than a command may (the host is failed, not
 * unreachable). The session does not know the task: the task's result gives the position.
 */
export class OutputLimitError extends TargetError {
  readonly details: OutputLimitDetails;
  constructor(details: OutputLimitDetails, source?: SourcePos) {
    const { stream, limit, seen, finished } = details;
    super(
      finished
        ? `the command wrote ${seen} bytes (${mib(seen)}) to ${stream}, more than the ${mib(limit)} a command's output may have; the output was dropped`
        : `the command wrote more than the ${mib(limit)} a command's output may have to ${stream} (${seen} bytes read so far): it was stopped and its output dropped`,
      {
        ...(source ? { source } : {}),
        hint: `raise the limit with --max-output MIB (or BOSUN_MAX_OUTPUT=MIB; default ${mib(DEFAULT_MAX_OUTPUT_MIB * 1048576)}, at most ${MAX_OUTPUT_MIB} MiB), or send the output to a file on the target (command > /tmp/out.log) and read it from there`,
      },
      'OUTPUT_LIMIT',
    );
    this.name = 'OutputLimitError';
    this.details = details;
  }

  /** The same error placed at the task whose command it was. */
  at(source: SourcePos): OutputLimitError {
    return new OutputLimitError(this.details, source);
  }
}

/** The output limit when nothing sets one, in MiB. */
export const DEFAULT_MAX_OUTPUT_MIB = 64;
/** The highest output limit that may be set, in MiB (a JavaScript string holds at most 512 MiB). */
export const MAX_OUTPUT_MIB = 500;

/**
 * The run was stopped (Ctrl-C, SIGTERM) while a command or a transfer ran on
 * the host: the command was killed there. The host is failed, not
 * unreachable: its connection was fine, bosun ended it.
 */
export class InterruptedError extends BosunError {
  constructor(message: string) {
    super('INTERRUPTED', message);
    this.name = 'InterruptedError';
  }
}

/** Escalation failed: no or a wrong password, no sudo rights, no sudo. The host is failed, not unreachable. */
export class BecomeError extends BosunError {
  readonly host: string;
  constructor(host: string, message: string, hint?: string) {
    super('BECOME', message, hint === undefined ? {} : { hint });
    this.name = 'BecomeError';
    this.host = host;
  }
}

/** An error from the operating system (node's fs, child_process): it has an `E...` code and a syscall. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z0-9]+$/.test((e as NodeJS.ErrnoException).code!) &&
    typeof (e as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** The common errno codes in words, with what to do. */
const ERRNO: Record<string, { what: string; hint?: string }> = {
  ENOENT: { what: 'no such file or folder' },
  EACCES: {
    what: 'permission denied',
    hint: 'check the permissions of the file and of the folders above it for the user running bosun',
  },
  EPERM: { what: 'operation not permitted', hint: 'check the permissions for the user running bosun' },
  EISDIR: { what: 'it is a folder, not a file', hint: 'give a file here' },
  ENOTDIR: {
    what: 'a part of the path is not a folder',
    hint: 'check the path: a file stands where a folder is expected',
  },
  ELOOP: {
    what: 'too many levels of symbolic links (a symlink loop)',
    hint: 'a symbolic link points, directly or through others, at itself or at a folder above it: remove or fix the link',
  },
  EEXIST: {
    what: 'it already exists',
    hint: 'something of that name is in the way: a file where a folder is expected, or the reverse',
  },
  ENOTEMPTY: { what: 'the folder is not empty' },
  ENAMETOOLONG: { what: 'the file name is too long' },
  ENOSPC: { what: 'no space left on the device' },
  EROFS: { what: 'read-only file system' },
  EMFILE: { what: 'too many open files', hint: 'raise the open-file limit (ulimit -n) or lower --forks' },
  ENFILE: { what: 'too many open files in the system', hint: 'lower --forks' },
  EBUSY: { what: 'the resource is busy' },
  ETXTBSY: { what: 'the file is a running program' },
};

const SYSCALL_VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  stat: 'stat',
  lstat: 'stat',
  fstat: 'stat',
  readdir: 'list',
  scandir: 'list',
  opendir: 'list',
  mkdir: 'create the folder',
  rmdir: 'remove the folder',
  unlink: 'remove',
  rm: 'remove',
  rename: 'rename',
  copyfile: 'copy',
  chmod: 'change the mode of',
  chown: 'change the owner of',
  readlink: 'read the link',
  realpath: 'resolve',
  access: 'access',
  symlink: 'create the link',
  link: 'create the link',
  utime: 'set the times of',
  spawn: 'run',
};

/** An operating-system error in words, with its code: "permission denied (EACCES)". */
export function systemReason(e: NodeJS.ErrnoException & { code: string }): string {
  return `${ERRNO[e.code]?.what ?? e.message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, '')} (${e.code})`;
}

/**
 * A controller-side operating-system error as a BosunError: `what` says what
 * was being done ("cannot read templates/x.j2"); without it the syscall and
 * path say. ENOENT is FILE_NOT_FOUND, the rest CONTROLLER_FILE.
 */
export function controllerFileError(
  e: NodeJS.ErrnoException & { code: string },
  what?: string,
  opts: BosunErrorOptions = {},
): BosunError {
  const known = ERRNO[e.code];
  const reason = systemReason(e);
  const doing = what ?? `cannot ${SYSCALL_VERBS[e.syscall ?? ''] ?? e.syscall ?? 'use'}${e.path ? ` ${e.path}` : ''}`;
  const hint = opts.hint ?? known?.hint;
  return new BosunError(
    e.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'CONTROLLER_FILE',
    `${doing} on the controller: ${reason}`,
    {
      ...opts,
      cause: e,
      ...(hint !== undefined ? { hint } : {}),
    },
  );
}

/**
 * A `.catch` handler for a controller fs call: an operating-system error
 * becomes a BosunError saying what was being done; anything else goes on as is.
 */
export function failOnController(what: string, opts: BosunErrorOptions = {}): (e: unknown) => never {
  return (e) => {
    throw isSystemError(e) ? controllerFileError(e, what, opts) : e;
  };
}

/**
 * The BosunError an error stands for: itself, or an operating-system error
 * turned into one; undefined for anything else (an internal bug).
 */
export function toBosunError(e: unknown): BosunError | undefined {
  if (e instanceof BosunError) return e;
  if (isSystemError(e)) return controllerFileError(e);
  return undefined;
}

/** Where the first byte that is not UTF-8 is in `data` (1-based line and column, in characters), or undefined when all is UTF-8. */
export function firstNonUtf8(data: Buffer): { line: number; col: number; byte: number } | undefined {
  if (isUtf8(data)) return undefined;
  let line = 1;
  let col = 1;
  for (let i = 0; i < data.length;) {
    const b = data[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > data.length || !isUtf8(data.subarray(i, i + len))) return { line, col, byte: b };
    if (b === 0x0a) {
      line++;
      col = 1;
    } else col++;
    i += len;
  }
  return undefined;
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
  return formatErrorParts(err).join('\n');
}

/**
 * What formatError prints after its first line: the quoted source line with
 * its caret, and the hint (a task's failure line already says the message).
 */
export function formatErrorDetail(err: BosunError): string[] {
  return formatErrorParts(err).slice(1);
}

function formatErrorParts(err: BosunError): string[] {
  const lines: string[] = [];
  const where = err.source ? `${err.source.file}:${err.source.line}:${err.source.col}: ` : '';
  // The quoted line may set a secret (`ansible_password=...`), also in a load error raised before any secret is
  // known: its value is masked by name, in the line and wherever the message or hint repeats it.
  const srcLine = err.source ? sourceTexts.get(err.source.file)?.split(/\r?\n/)[err.source.line - 1] : undefined;
  const excerpt = srcLine === undefined ? undefined : maskAssignments(srcLine);
  const hide = (s: string): string =>
    (excerpt?.values ?? []).reduce((acc, v) => (v.length >= 3 ? acc.split(v).join(MASK) : acc), s);
  lines.push(`ERROR [${err.code}] ${where}${hide(err.message)}`);
  if (err.source && excerpt) {
    const num = String(err.source.line);
    lines.push(`  ${num} | ${excerpt.text}`);
    lines.push(`  ${' '.repeat(num.length)} | ${' '.repeat(Math.max(0, excerpt.column(err.source.col) - 1))}^`);
  }
  if (err.hint) lines.push(`hint: ${hide(err.hint)}`);
  return lines;
}

/** How an internal bug is told: one line, and the stack only when asked for (-vvv). */
export function formatInternalError(e: unknown, showStack: boolean): string {
  const err = e instanceof Error ? e : undefined;
  const first = `internal error: ${err?.message ?? String(e)}`;
  if (showStack) return `${first}\n${err?.stack ?? '(no stack)'}`;
  return `${first}\nthis is a bug in bosun; run with -vvv for the stack trace`;
}
