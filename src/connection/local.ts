/**
 * The `local` connection (ansible_connection=local): a long-lived `sh` on the
 * controller itself, with the same framing as over SSH, and files through fs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { InterruptedError, isSystemError, systemReason, TargetError } from '../errors.js';
import { localCommandEnv } from '../util/own-env.js';
import { BecomeCache, type BecomeParent, type BecomeProcess } from './become.js';
import { KILL_BOUND_MS, ownProcessGroup } from './kill-group.js';
import {
  ConnectionError,
  OutputLimitError,
  type BecomeOptions,
  type Connection,
  type ConnectionSpec,
  type ExecOptions,
  type ExecResult,
  type WriteSource,
} from './types.js';
import { SESSION_PRELUDE, ShellSession, sessionOptions } from './shell-session.js';

/** Runs commands on the controller through one persistent `sh`. */
export class LocalConnection implements BecomeParent {
  private readonly becomes = new BecomeCache();
  private child: ChildProcess | undefined;
  private session: ShellSession | undefined;
  /** Why the run was stopped, once interrupt() ran: no command starts after it. */
  private interruption: string | undefined;
  /** bosun's own process group: a privileged shell's kill must never end it. */
  readonly spareGroup = ownProcessGroup();

  constructor(readonly spec: ConnectionSpec) {}

  async connect(): Promise<void> {
    if (this.interruption !== undefined) throw new InterruptedError(`${this.interruption}; no new command starts`);
    if (this.session && !this.session.closed) return;
    // Its own process group, so a timed-out command is killed with the shell, children included.
    const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: localCommandEnv() });
    this.child = child;
    const session = new ShellSession(
      { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr },
      () => killGroupNow(child, 'SIGKILL'),
      sessionOptions(this.spec),
    );
    child.on('exit', (code, signal) => session.fail(`local shell exited (${signal ?? String(code)})`));
    child.on('error', (e) => session.fail(`local shell failed: ${e.message}`));
    this.session = session;
    try {
      await session.prepare(SESSION_PRELUDE);
    } catch (e) {
      throw new ConnectionError(this.spec.name, `cannot start /bin/sh: ${(e as Error).message}`, { cause: e });
    }
  }

  async exec(script: string, opts?: ExecOptions): Promise<ExecResult> {
    await this.connect();
    try {
      return await this.session!.exec(script, opts);
    } catch (e) {
      if (e instanceof OutputLimitError) throw e;
      if (e instanceof InterruptedError) throw e;
      throw new ConnectionError(this.spec.name, (e as Error).message, { cause: e });
    }
  }

  /**
   * The run was stopped: no command starts from now on, and the running one
   * is killed with the shell's process group (SIGTERM, SIGKILL after 1 s), a
   * privileged shell's through an escalation (see BecomeConnection.interrupt).
   */
  async interrupt(why: string): Promise<void> {
    if (this.interruption !== undefined) return;
    this.interruption = why;
    await this.becomes.interruptAll(why);
    const session = this.session;
    const child = this.child;
    if (!session?.busy || session.closed || child?.pid === undefined || child.exitCode !== null) return;
    session.interrupting(new InterruptedError(`${why}; the command was killed`));
    await endGroup(child.pid, KILL_BOUND_MS);
    session.fail(why);
  }

  become(opts: BecomeOptions): Promise<Connection> {
    return this.becomes.get(this, opts);
  }

  /** Start a command in a new local `sh -c` (a privileged shell through sudo or su), in a process group of its own. */
  spawnProcess(command: string): Promise<BecomeProcess> {
    // Its own group: killing the privileged shell's group must not reach bosun's.
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: localCommandEnv(),
    });
    const closed = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });
    child.stdin.on('error', () => undefined);
    return Promise.resolve({
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      stop: () => {
        child.stdin.end();
        if (child.exitCode === null) child.kill('SIGKILL');
      },
      onExit: (listener) => {
        void closed.then(() => listener('the privileged shell ended'));
      },
    });
  }

  async writeFile(path: string, data: WriteSource, mode?: number): Promise<void> {
    try {
      const modeOpt = mode === undefined ? {} : { mode };
      if (Buffer.isBuffer(data)) await fs.writeFile(path, data, modeOpt);
      else await pipeline(createReadStream(data.controllerPath), createWriteStream(path, modeOpt));
      if (mode !== undefined) await fs.chmod(path, mode);
    } catch (e) {
      throw this.refusal(`cannot write ${path}`, e);
    }
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw this.refusal(`cannot read ${path}`, e);
    }
  }

  /** The local "target" refused a file operation: a TargetError, as over SSH. */
  private refusal(what: string, e: unknown): unknown {
    if (!isSystemError(e)) return e;
    return new TargetError(`${what} on ${this.spec.name}: ${systemReason(e)}`, { host: this.spec.name, cause: e });
  }

  async close(): Promise<void> {
    await this.becomes.closeAll();
    const child = this.child;
    this.child = undefined;
    this.session?.fail('closed');
    this.session = undefined;
    if (child?.exitCode === null) {
      child.stdin?.end();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          // The whole group: a command left behind would hold the pipes open and keep bosun from exiting.
          killGroupNow(child, 'SIGKILL');
          child.stdout?.destroy();
          child.stderr?.destroy();
          resolve();
        }, 2000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Signal the process group `child` leads (the child alone when that fails). */
function killGroupNow(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** End the process group `pgid`: SIGTERM, then SIGKILL once it is gone or after 1 s (within `boundMs`). */
async function endGroup(pgid: number, boundMs: number): Promise<void> {
  const alive = (signal: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive('SIGTERM')) return;
  const until = Date.now() + Math.min(1000, boundMs);
  while (Date.now() < until && alive(0)) await new Promise((r) => setTimeout(r, 50));
  alive('SIGKILL');
}
