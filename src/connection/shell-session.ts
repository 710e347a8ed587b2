/**
 * A long-lived POSIX `sh` on the target that runs one script after another.
 *
 * Each script is sent on the shell's stdin as
 *   ( eval 'SCRIPT' ) </dev/null; printf '\nB:%d\n' $?; printf '\nB\n' >&2
 * where B is a random boundary, so exit code, stdout and stderr of every
 * command are framed without opening a new channel. The subshell keeps a
 * syntax error or an `exit` in SCRIPT from ending the session, and
 * </dev/null keeps SCRIPT from reading the next command.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { ShellClosedError } from '../errors.js';
import { shq } from '../util/shell.js';
import type { ExecOptions, ExecResult } from './types.js';

interface Pending {
  marker: string;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  stdoutDone: boolean;
  stderrDone: boolean;
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
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
  private out: Buffer = Buffer.alloc(0);
  private err: Buffer = Buffer.alloc(0);
  private current: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closedReason: string | undefined;
  /** What the running command fails with when the session ends (set by `interrupting`). */
  private failure: Error | undefined;

  constructor(
    private readonly streams: ShellStreams,
    /** Called when a timeout leaves the shell unusable, so the transport can be torn down. */
    private readonly onBroken: (reason: string) => void = () => {},
  ) {
    streams.stdout.on('data', (chunk: Buffer) => {
      this.out = this.out.length === 0 ? chunk : Buffer.concat([this.out, chunk]);
      this.pump();
    });
    streams.stderr.on('data', (chunk: Buffer) => {
      this.err = this.err.length === 0 ? chunk : Buffer.concat([this.err, chunk]);
      this.pump();
    });
    streams.stdin.on('error', (e: Error) => this.fail(`shell input failed: ${e.message}`));
  }

  /** Mark the session ended (the transport closed); pending and later commands fail. */
  fail(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
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
        resolve,
        reject,
        timer: undefined,
        stdoutDone: false,
        stderrDone: false,
        rc: -1,
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
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
      const head = Buffer.from(`\n${cur.marker}:`);
      const at = this.out.indexOf(head);
      if (at >= 0) {
        const end = this.out.indexOf(0x0a, at + head.length);
        if (end >= 0) {
          cur.rc = Number(this.out.subarray(at + head.length, end).toString());
          cur.stdoutDone = true;
          cur.stdout = this.out.subarray(0, at);
          this.out = this.out.subarray(end + 1);
        }
      }
    }
    if (!cur.stderrDone) {
      const tail = Buffer.from(`\n${cur.marker}\n`);
      const at = this.err.indexOf(tail);
      if (at >= 0) {
        cur.stderrDone = true;
        cur.stderr = this.err.subarray(0, at);
        this.err = this.err.subarray(at + tail.length);
      }
    }
    if (cur.stdoutDone && cur.stderrDone) {
      clearTimeout(cur.timer);
      this.current = undefined;
      cur.resolve({ rc: cur.rc, stdout: cur.stdout.toString('utf8'), stderr: cur.stderr.toString('utf8') });
    }
  }
}

/**
 * The first script every session runs: a predictable locale, like Ansible's module environment, and
 * the target's clock when the session began (`bosun_started`, seconds), so a temp file older than the
 * session is known to be left over from an earlier run (see `atomicWrite`).
 */
export const SESSION_PRELUDE = 'export LC_ALL=C LANG=C; bosun_started=$(date +%s)';
