/**
 * The `local` connection (ansible_connection=local): a long-lived `sh` on the
 * controller itself, with the same framing as over SSH, and files through fs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { ConnectionError, type Connection, type ConnectionSpec, type ExecOptions, type ExecResult } from './types.js';
import { SESSION_PRELUDE, ShellSession } from './shell-session.js';

/** Runs commands on the controller through one persistent `sh`. */
export class LocalConnection implements Connection {
  private child: ChildProcess | undefined;
  private session: ShellSession | undefined;

  constructor(readonly spec: ConnectionSpec) {}

  async connect(): Promise<void> {
    if (this.session && !this.session.closed) return;
    const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    const session = new ShellSession(
      { stdin: child.stdin!, stdout: child.stdout!, stderr: child.stderr! },
      () => child.kill('SIGKILL'),
    );
    child.on('exit', (code, signal) => session.fail(`local shell exited (${signal ?? code})`));
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
      throw new ConnectionError(this.spec.name, (e as Error).message, { cause: e });
    }
  }

  async writeFile(path: string, data: Buffer, mode?: number): Promise<void> {
    await fs.writeFile(path, data, mode === undefined ? {} : { mode });
    if (mode !== undefined) await fs.chmod(path, mode);
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.session?.fail('closed');
    this.session = undefined;
    if (child && child.exitCode === null) {
      child.stdin?.end();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 2000);
        child.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
  }
}
