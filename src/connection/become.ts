/**
 * Privilege escalation (`become`): one persistent privileged `sh` per host
 * and become-user, opened as a second process on the target (`sudo ... --
 * /bin/sh`, or `su`), wrapped in the same ShellSession framing as the login
 * shell. The password answers sudo's random prompt once, on stdin; it never
 * appears in a message. Files go through the login user's SFTP into a
 * private temp file that the privileged shell copies into place.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BecomeError, InterruptedError, RemoteCommandError, TargetError } from '../errors.js';
import { sh } from '../util/shell.js';
import { KILL_BOUND_MS, killGroupScript, withinBound } from './kill-group.js';
import { SESSION_PRELUDE, ShellSession, sessionOptions, type ShellStreams } from './shell-session.js';
import {
  ConnectionError,
  OutputLimitError,
  type BecomeOptions,
  type Connection,
  type ConnectionSpec,
  type ExecOptions,
  type ExecResult,
  type TransferOptions,
  type WriteSource,
} from './types.js';

/** How long an escalation may take when no timeout is given (Ansible's `timeout`). */
export const DEFAULT_BECOME_TIMEOUT_MS = 10_000;

/** The bytes of a controller file sent inline per command (to a become user other than root). */
const INLINE_PIECE_BYTES = 1024 * 1024;

/** A process started on the target for a privileged shell. */
export interface BecomeProcess extends ShellStreams {
  /** End the process (close the channel, kill the child). */
  stop(): void;
  /** Called once when the process has ended. */
  onExit(listener: (reason: string) => void): void;
}

/** What a parent connection lends its privileged shells. */
export interface BecomeParent extends Connection {
  /** Start `command` (a sh command line) on the target as the login user, without a pty. */
  spawnProcess(command: string): Promise<BecomeProcess>;
  /** A process group a kill on this target must never end (the controller's own, for the local connection). */
  readonly spareGroup?: number | undefined;
}

export { BecomeError } from '../errors.js';

/** The become connections of one parent, one per method and user (closed with the parent). */
export class BecomeCache {
  private readonly byKey = new Map<string, BecomeConnection>();
  private interruption: string | undefined;

  /** The privileged connection for `opts.user`, escalated; the same object for the same user. */
  async get(parent: BecomeParent, opts: BecomeOptions): Promise<Connection> {
    if (opts.user === parent.spec.user) return parent;
    if (this.interruption !== undefined) throw new InterruptedError(`${this.interruption}; no new command starts`);
    const key = `${opts.method}\0${opts.user}`;
    let conn = this.byKey.get(key);
    if (!conn) {
      conn = new BecomeConnection(parent, opts);
      this.byKey.set(key, conn);
    } else {
      conn.update(opts);
    }
    await conn.connect();
    return conn;
  }

  /** The run was stopped: the command running in a privileged shell is killed (see BecomeConnection.interrupt). */
  async interruptAll(why: string): Promise<void> {
    this.interruption ??= why;
    await Promise.all([...this.byKey.values()].map((c) => c.interrupt(why)));
  }

  /** Close every privileged shell (idempotent). */
  async closeAll(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}

/** A Connection whose commands run in one privileged shell on the parent's host. */
export class BecomeConnection implements Connection {
  readonly spec: ConnectionSpec;
  private opts: BecomeOptions;
  private session: ShellSession | undefined;
  private process: BecomeProcess | undefined;
  private connecting: Promise<void> | undefined;
  private uid: number | undefined;
  /** The privileged shell's pid on the target (what a kill looks its process group up from). */
  private pid: number | undefined;
  private interruption: string | undefined;
  /** Kills of timed-out commands under way; close() waits for them (each is bounded). */
  private readonly kills = new Set<Promise<void>>();

  constructor(
    readonly parent: BecomeParent,
    opts: BecomeOptions,
  ) {
    this.opts = { ...opts };
    this.spec = { ...parent.spec, user: opts.user };
  }

  /** Take a newer password or timeout for the next escalation (the user and method stay). */
  update(opts: BecomeOptions): void {
    this.opts = { ...this.opts, password: opts.password, timeoutMs: opts.timeoutMs };
  }

  async connect(): Promise<void> {
    if (this.interruption !== undefined) throw new InterruptedError(`${this.interruption}; no new command starts`);
    if (this.session && !this.session.closed) return;
    this.connecting ??= this.escalate().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  become(opts: BecomeOptions): Promise<Connection> {
    return this.parent.become!(opts);
  }

  async exec(script: string, opts?: ExecOptions): Promise<ExecResult> {
    await this.connect();
    try {
      return await this.session!.exec(script, opts);
    } catch (e) {
      if (e instanceof OutputLimitError) throw e;
      if (e instanceof InterruptedError) throw e;
      throw new ConnectionError(
        this.spec.name,
        `${this.spec.address} (become ${this.opts.user}): ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  /** Write through a private temp file of the login user, copied into place by the privileged shell. */
  async writeFile(path: string, data: WriteSource, mode?: number, opts: TransferOptions = {}): Promise<void> {
    await this.connect();
    const modeText = mode === undefined ? undefined : (mode & 0o7777).toString(8);
    if (this.uid !== 0) {
      // Another unprivileged user cannot read the login user's private file: the bytes go inline.
      if (!Buffer.isBuffer(data)) return this.writeInlinePieces(path, data.controllerPath, modeText);
      const write = sh`printf %s ${data.toString('base64')} | base64 -d > ${path}`;
      // The command shown in an error leaves the file's bytes out.
      await this.mustRun(
        modeText === undefined ? write : `umask 077 && ${write} && ${sh`chmod ${modeText} ${path}`}`,
        `cannot write ${path}`,
        sh`base64 -d > ${path}`,
      );
      return;
    }
    const mktemp = 'umask 077 && mktemp -d "${TMPDIR:-/tmp}/bosun-become.XXXXXXXX"';
    const made = await this.parent.exec(mktemp);
    const dir = made.stdout.trim();
    if (made.rc !== 0 || dir === '')
      throw new RemoteCommandError(
        `cannot write ${path} (mktemp failed)`,
        { command: mktemp, ...made },
        { host: this.spec.name },
      );
    const tmp = `${dir}/data`;
    try {
      await this.parent.writeFile(tmp, data, 0o600, opts);
      // cat keeps an existing file's owner and mode, and gives a new one to the become user, as a write by that user would.
      const script =
        modeText === undefined
          ? sh`cat ${tmp} > ${path}`
          : sh`umask 077 && cat ${tmp} > ${path} && chmod ${modeText} ${path}`;
      await this.mustRun(script, `cannot write ${path}`);
    } finally {
      await this.exec(sh`rm -rf ${dir}`).catch(() => undefined);
    }
  }

  /** Write a controller file inline, a piece per command, so it is never whole in memory. */
  private async writeInlinePieces(path: string, file: string, modeText: string | undefined): Promise<void> {
    await this.mustRun(modeText === undefined ? sh`: > ${path}` : sh`umask 077 && : > ${path}`, `cannot write ${path}`);
    for await (const piece of createReadStream(file, { highWaterMark: INLINE_PIECE_BYTES }))
      await this.mustRun(
        sh`printf %s ${(piece as Buffer).toString('base64')} | base64 -d >> ${path}`,
        `cannot write ${path}`,
        // The command shown in an error leaves the file's bytes out.
        sh`base64 -d >> ${path}`,
      );
    if (modeText !== undefined) await this.mustRun(sh`chmod ${modeText} ${path}`, `cannot write ${path}`);
  }

  /** Read through the privileged shell (base64 out), so root-only files can be read. */
  async readFile(path: string, opts: TransferOptions = {}): Promise<Buffer | null> {
    const script = sh`if [ -e ${path} ]; then base64 < ${path}; else printf -; fi`;
    const r = await this.exec(script, opts).catch((e: unknown) => {
      // The file comes as base64 on the shell's stdout, so the output limit bounds what may be read.
      if (e instanceof OutputLimitError)
        throw new TargetError(
          `cannot read ${path} as ${this.opts.user}: it is larger than the output limit lets through the privileged shell (its base64 passed ${(e.details.limit / 1048576).toFixed(1)} MiB)`,
          { host: this.spec.name, cause: e, ...(e.hint !== undefined ? { hint: e.hint } : {}) },
          'OUTPUT_LIMIT',
        );
      throw e;
    });
    if (r.rc !== 0) throw this.refused(`cannot read ${path} as ${this.opts.user}`, script, r);
    if (r.stdout === '-') return null;
    return Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
  }

  /**
   * The run was stopped: no command starts from now on, and the one running
   * is killed with its process group on the target. The privileged shell's
   * processes are the become user's, so the kill runs as that user too,
   * through an escalation of its own (the parent's connection still lives).
   */
  async interrupt(why: string): Promise<void> {
    if (this.interruption !== undefined) return;
    this.interruption = why;
    const session = this.session;
    if (!session?.busy || session.closed) return;
    session.interrupting(new InterruptedError(`${why}; the command was killed on the target`));
    await this.killGroup(this.pid);
    session.fail(why);
    await this.close();
  }

  /** End the process group of the privileged shell `pid` as the become user; bounded, never throws. */
  private async killGroup(pid: number | undefined): Promise<void> {
    if (pid === undefined || pid <= 1) return;
    // Its own escalation, given the time the kill may take; no timeout on its command (that would kill again).
    const killer = new BecomeConnection(this.parent, {
      ...this.opts,
      timeoutMs: Math.min(this.opts.timeoutMs ?? DEFAULT_BECOME_TIMEOUT_MS, KILL_BOUND_MS),
    });
    try {
      await withinBound(
        killer.connect().then(() => killer.exec(killGroupScript(pid, this.parent.spareGroup))),
        KILL_BOUND_MS + 500,
      );
    } finally {
      await killer.close();
    }
  }

  async close(): Promise<void> {
    const proc = this.process;
    this.process = undefined;
    this.session?.fail('closed');
    this.session = undefined;
    proc?.stop();
    // A timed-out command's kill needs the parent's connection: it finishes before that closes.
    if (this.kills.size > 0) await Promise.allSettled([...this.kills]);
  }

  private async mustRun(script: string, what: string, shown = script): Promise<void> {
    const r = await this.exec(script);
    if (r.rc !== 0) throw this.refused(`${what} as ${this.opts.user}`, shown, r);
  }

  /** A command of the privileged shell failed: a target error, with what to do when the become user may not. */
  private refused(what: string, command: string, r: ExecResult): RemoteCommandError {
    const hint = /permission denied|operation not permitted/i.test(r.stderr)
      ? `the become user '${this.opts.user}' may not do this: become a user who may (become_user), or change the owner or mode of the file or folder`
      : undefined;
    return new RemoteCommandError(
      what,
      { command, ...r },
      { host: this.spec.name, ...(hint !== undefined ? { hint } : {}) },
    );
  }

  private async escalate(): Promise<void> {
    await this.close();
    const { command, prompt, marker } = escalationCommand(this.opts);
    const proc = await this.parent.spawnProcess(command);
    this.process = proc;
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_BECOME_TIMEOUT_MS;
    let uid: number;
    let pid: number;
    try {
      ({ uid, pid } = await awaitEscalation(proc, {
        marker,
        prompt,
        password: this.opts.password,
        timeoutMs,
        what: this.describe(),
      }));
    } catch (e) {
      this.process = undefined;
      proc.stop();
      throw e;
    }
    this.uid = uid;
    this.pid = pid;
    // A timed-out command is killed on the target (as the become user), then the shell is given up.
    const session = new ShellSession(
      proc,
      () => {
        const kill = this.killGroup(pid).finally(() => {
          proc.stop();
          this.kills.delete(kill);
        });
        this.kills.add(kill);
      },
      sessionOptions(this.spec),
    );
    proc.onExit((reason) => session.fail(reason));
    this.session = session;
    try {
      await session.prepare(SESSION_PRELUDE, { timeoutMs });
    } catch (e) {
      await this.close();
      throw new ConnectionError(
        this.spec.name,
        `the privileged shell on ${this.spec.address} did not start: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  private describe(): Failure {
    return {
      host: this.spec.name,
      login: this.parent.spec.user,
      method: this.opts.method,
      user: this.opts.user,
      password: this.opts.password,
    };
  }
}

/** The command line that escalates, the prompt sudo will print, and the marker the privileged shell prints first. */
export function escalationCommand(opts: BecomeOptions): { command: string; prompt: string; marker: string } {
  const token = randomBytes(10).toString('hex');
  const prompt = `[bosun-become-${token}] password:`;
  const marker = `BOSUN-BECOME-OK-${token}`;
  const inner = `echo ${marker}:$(id -u):$$; exec /bin/sh`;
  if (opts.method === 'su') {
    return { command: sh`LC_ALL=C su - ${opts.user} -s /bin/sh -c ${inner}`, prompt, marker };
  }
  const auth = opts.password === undefined ? ['-n'] : ['-p', prompt];
  return { command: sh`LC_ALL=C sudo -H -S ${auth} -u ${opts.user} -- /bin/sh -c ${inner}`, prompt, marker };
}

/** Who escalates where: the parts of every message. */
interface Failure {
  host: string;
  login: string;
  method: 'sudo' | 'su';
  user: string;
  password: string | undefined;
}

/** Answer the prompt once and wait for the marker; resolves with the privileged shell's uid and pid. */
function awaitEscalation(
  proc: BecomeProcess,
  o: { marker: string; prompt: string; password: string | undefined; timeoutMs: number; what: Failure },
): Promise<{ uid: number; pid: number }> {
  return new Promise<{ uid: number; pid: number }>((resolve, reject) => {
    let out = '';
    let err = '';
    let answered = false;
    let settled = false;
    const finish = (error: Error | undefined, uid = -1, pid = -1): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.stdout.off('data', onOut);
      proc.stderr.off('data', onErr);
      if (error) reject(error);
      else resolve({ uid, pid });
    };
    const checkPrompt = (): void => {
      const text = stripAnswered(err + out, o.prompt, answered);
      const prompted =
        o.what.method === 'sudo' ? text.includes(o.prompt) : /(assword|Passwort|密码)\s*[:：]\s*$/.test(text);
      if (!prompted) return;
      if (o.password === undefined) return finish(becomeFailure(o.what, 'needs-password'));
      if (answered) return finish(becomeFailure(o.what, 'wrong-password'));
      answered = true;
      proc.stdin.write(`${o.password}\n`);
    };
    const onOut = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = new RegExp(`${o.marker}:(\\d+):(\\d+)\\n`).exec(out);
      if (m) return finish(undefined, Number(m[1]), Number(m[2]));
      checkPrompt();
    };
    const onErr = (chunk: Buffer): void => {
      err += chunk.toString('utf8');
      checkPrompt();
    };
    const timer = setTimeout(() => finish(becomeFailure(o.what, 'timeout', `${o.timeoutMs} ms`, err)), o.timeoutMs);
    proc.stdout.on('data', onOut);
    proc.stderr.on('data', onErr);
    proc.onExit(() => setImmediate(() => finish(becomeFailure(o.what, 'exited', '', err + out))));
  });
}

/** The text after the last answered prompt (so a second prompt is seen as a new one). */
function stripAnswered(text: string, prompt: string, answered: boolean): string {
  if (!answered) return text;
  const first = text.indexOf(prompt);
  if (first >= 0) return text.slice(first + prompt.length);
  // su: everything after the first password prompt
  const m = /(assword|Passwort|密码)\s*[:：]/.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

/** A clear error for a failed escalation; the password is masked out of anything quoted. */
export function becomeFailure(
  f: Failure,
  kind: 'needs-password' | 'wrong-password' | 'timeout' | 'exited',
  detail = '',
  output = '',
): BecomeError {
  const who = `${f.login}@${f.host}`;
  const quoted = (f.password ? output.split(f.password).join('********') : output)
    .trim()
    .split('\n')
    .filter((l) => !l.includes('bosun-become-'))
    .slice(-3)
    .join(' / ');
  const passHint = 'give it with --ask-become-pass, BOSUN_BECOME_PASSWORD or ansible_become_password';
  if (kind === 'needs-password' || output.includes('a password is required')) {
    return new BecomeError(f.host, `${f.method} needs a password for ${who}: ${passHint}`);
  }
  if (kind === 'wrong-password' || /incorrect password|Sorry, try again|Authentication failure/i.test(output)) {
    return new BecomeError(
      f.host,
      `incorrect ${f.method} password for ${who}`,
      `check ansible_become_password (or --ask-become-pass) for ${f.host}`,
    );
  }
  if (output.includes('not in the sudoers file')) {
    return new BecomeError(
      f.host,
      `sudo: ${f.login} is not in the sudoers file on ${f.host}`,
      `allow ${f.login} in /etc/sudoers.d/ or connect as a user that may become ${f.user}`,
    );
  }
  if (/is not allowed to (run|execute)|may not run sudo/.test(output)) {
    return new BecomeError(
      f.host,
      `sudo: ${f.login} may not run a shell as ${f.user} on ${f.host}`,
      'become needs a sudoers rule that allows /bin/sh (for example ALL)',
    );
  }
  if (
    /(sudo|su): (not found|command not found)|No such file or directory/.test(output) &&
    !/unknown user|does not exist/i.test(output)
  ) {
    return new BecomeError(
      f.host,
      `${f.method} is not installed on ${f.host}`,
      f.method === 'sudo' ? 'install sudo on the host, or use become_method: su' : undefined,
    );
  }
  if (/unknown user|user .* does not exist|No passwd entry/i.test(output)) {
    return new BecomeError(f.host, `${f.method}: no user '${f.user}' on ${f.host}`);
  }
  if (kind === 'timeout') {
    return new BecomeError(
      f.host,
      `${f.method} to ${f.user} for ${who} timed out after ${detail}${quoted ? `: ${quoted}` : ''}`,
      `check that ${f.method} does not wait for input (a password, a tty: requiretty)`,
    );
  }
  return new BecomeError(f.host, `${f.method} to ${f.user} failed for ${who}${quoted ? `: ${quoted}` : ''}`);
}
