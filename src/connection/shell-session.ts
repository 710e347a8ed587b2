/**
 * A long-lived POSIX `sh` on the target that runs one script after another.
 *
 * Each script is sent on the shell's stdin as
 *   ( eval 'SCRIPT' ) </dev/null; printf '\nB:%d\n' $?; printf '\nB\n' >&2
 * where B is a random boundary, so exit code, stdout and stderr of every
 * command are framed without opening a new channel. The subshell keeps a
 * syntax error or an `exit` in SCRIPT from ending the session, and
 * </dev/null keeps SCRIPT from reading the next command. Each stream is cut
 * into frames in linear time (output-frames.ts), and a command's output on
 * either is held to a limit (`maxOutputBytes`): past it the command fails
 * with an OutputLimitError, and one still writing is stopped with the shell.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { OutputLimitError, ShellClosedError } from '../errors.js';
import { shq } from '../util/shell.js';
import { FrameReader } from './output-frames.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type ConnectionSpec, type ExecOptions, type ExecResult } from './types.js';

interface Pending {
  marker: string;
  /** The end of stdout's frame (`\nMARKER:`, then the exit code and a newline) and of stderr's (`\nMARKER\n`). */
  stdoutEnd: Buffer;
  stderrEnd: Buffer;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  stdoutDone: boolean;
  stderrDone: boolean;
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
  /** The command finished, but one stream's output was over the limit: the command fails with this. */
  overLimit: OutputLimitError | undefined;
}

/** Settings of a session. */
export interface ShellSessionOptions {
  /** The most output one command may give on stdout or on stderr (bytes); default DEFAULT_MAX_OUTPUT_BYTES. */
  maxOutputBytes?: number;
}

/** A connection's session settings from its spec. */
export function sessionOptions(spec: ConnectionSpec): ShellSessionOptions {
  return spec.maxOutputBytes === undefined ? {} : { maxOutputBytes: spec.maxOutputBytes };
}

/** The streams of a running `sh`: whatever transport carries them. */
export interface ShellStreams {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
}

/** Raised when the shell ended, broke, or a command timed out (a ConnectionError of the error family). */
export { ShellClosedError } from '../errors.js';

/** Runs scripts one at a time through one shell process. */
export class ShellSession {
  private readonly boundary = `__BOSUN_${randomBytes(12).toString('hex')}`;
  private counter = 0;
  private readonly out = new FrameReader();
  private readonly err = new FrameReader();
  private readonly maxOutputBytes: number;
  private current: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closedReason: string | undefined;
  /** What the running command fails with when the session ends (set by `interrupting`). */
  private failure: Error | undefined;

  constructor(
    private readonly streams: ShellStreams,
    /** Called when a timeout leaves the shell unusable, so the transport can be torn down. */
    private readonly onBroken: (reason: string) => void = () => {},
    opts: ShellSessionOptions = {},
  ) {
    this.maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    // Once the session has ended, what still comes (a command stopped for too much output) is not kept.
    streams.stdout.on('data', (chunk: Buffer) => {
      if (this.closedReason !== undefined) return;
      this.out.push(chunk);
      this.pump();
    });
    streams.stderr.on('data', (chunk: Buffer) => {
      if (this.closedReason !== undefined) return;
      this.err.push(chunk);
      this.pump();
    });
    streams.stdin.on('error', (e: Error) => this.fail(`shell input failed: ${e.message}`));
  }

  /** Mark the session ended (the transport closed); pending and later commands fail. */
  fail(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.out.clear();
    this.err.clear();
    const cur = this.current;
    this.current = undefined;
    if (cur) {
      clearTimeout(cur.timer);
      cur.reject(this.failure ?? new ShellClosedError(reason));
    }
  }

  /**
   * The running command is about to be killed on purpose: however the session
   * ends from now on (its shell killed with it, or `fail`), the command fails
   * with `error` rather than as a lost connection.
   */
  interrupting(error: Error): void {
    this.failure ??= error;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** A command is running now (sent, its end not yet read). */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Run one script; resolves with its exit code and output. */
  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const run = this.queue.then(() => this.execNow(script, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Run a script in the shell itself rather than a subshell, so its exports
   * and `cd` last for every later command (the session prelude).
   */
  prepare(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const run = this.queue.then(() => this.execNow(script, opts, true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private execNow(script: string, opts: ExecOptions, inShell = false): Promise<ExecResult> {
    if (this.closedReason !== undefined) return Promise.reject(new ShellClosedError(this.closedReason));
    const marker = `${this.boundary}_${++this.counter}`;
    return new Promise<ExecResult>((resolve, reject) => {
      const pending: Pending = {
        marker,
        stdoutEnd: Buffer.from(`\n${marker}:`),
        stderrEnd: Buffer.from(`\n${marker}\n`),
        resolve,
        reject,
        timer: undefined,
        stdoutDone: false,
        stderrDone: false,
        rc: -1,
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
        overLimit: undefined,
      };
      this.current = pending;
      const timeoutMs = opts.timeoutMs;
      if (timeoutMs !== undefined && timeoutMs > 0) {
        pending.timer = setTimeout(() => {
          const reason = `command timed out after ${timeoutMs} ms`;
          this.fail(reason);
          this.onBroken(reason);
        }, timeoutMs);
      }
      const ends = `printf '\\n%s\\n' ${marker} >&2\n`;
      const framed = inShell
        ? `eval ${shq(script)} </dev/null; printf '\\n%s:%d\\n' ${marker} "$?"; ${ends}`
        : opts.readOnly
          ? // In the shell itself (no fork); "$@" is emptied afterwards, as a later subshell expects.
            `eval ${shq(script)} </dev/null; set -- "$?"; printf '\\n%s:%d\\n' ${marker} "$1"; set --; ${ends}`
          : `( eval ${shq(script)} ) </dev/null; printf '\\n%s:%d\\n' ${marker} "$?"; ${ends}`;
      this.streams.stdin.write(framed);
    });
  }

  private pump(): void {
    const cur = this.current;
    if (!cur) return;
    if (!cur.stdoutDone) {
      const frame = this.out.take(cur.stdoutEnd, true);
      if (frame) {
        cur.rc = Number(frame.trailer);
        cur.stdoutDone = true;
        cur.stdout = this.keep(cur, 'stdout', frame.body);
      } else if (this.overLimit(cur, 'stdout', this.out, cur.stdoutEnd)) return;
    }
    if (!cur.stderrDone) {
      const frame = this.err.take(cur.stderrEnd, false);
      if (frame) {
        cur.stderrDone = true;
        cur.stderr = this.keep(cur, 'stderr', frame.body);
      } else if (this.overLimit(cur, 'stderr', this.err, cur.stderrEnd)) return;
    }
    if (cur.stdoutDone && cur.stderrDone) {
      clearTimeout(cur.timer);
      this.current = undefined;
      if (cur.overLimit) cur.reject(cur.overLimit);
      else cur.resolve({ rc: cur.rc, stdout: cur.stdout.toString('utf8'), stderr: cur.stderr.toString('utf8') });
    }
  }

  /** A finished stream's output, or nothing when it is over the limit (the command then fails with the limit's error). */
  private keep(cur: Pending, stream: 'stdout' | 'stderr', body: Buffer): Buffer {
    if (body.length <= this.maxOutputBytes) return body;
    cur.overLimit ??= new OutputLimitError({ stream, limit: this.maxOutputBytes, seen: body.length, finished: true });
    return Buffer.alloc(0);
  }

  /**
   * The running command has written more than the limit to `stream` and is still writing: it fails
   * with the limit's error and is stopped with the shell, as a timed-out command is (the transport
   * is torn down, the next command opens a new session), rather than left to run on with its output
   * thrown away, which for a command that never ends (`yes`) would be for ever.
   */
  private overLimit(cur: Pending, stream: 'stdout' | 'stderr', reader: FrameReader, end: Buffer): boolean {
    // The held bytes may end with a part of the end marker (and the exit code after it).
    if (reader.size <= this.maxOutputBytes + end.length + 16) return false;
    const error = new OutputLimitError({ stream, limit: this.maxOutputBytes, seen: reader.size, finished: false });
    clearTimeout(cur.timer);
    this.current = undefined;
    cur.reject(error);
    this.fail(error.message);
    this.onBroken(error.message);
    return true;
  }
}

/**
 * The first script every session runs: a predictable locale, like Ansible's module environment, and
 * the target's clock when the session began (`bosun_started`, seconds), so a temp file older than the
 * session is known to be left over from an earlier run (see `atomicWrite`).
 */
export const SESSION_PRELUDE = 'export LC_ALL=C LANG=C; bosun_started=$(date +%s)';
