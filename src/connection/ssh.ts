/**
 * The `ssh` connection: one ssh2 connection per host for the whole run, one
 * exec channel running a long-lived `/bin/sh` that every command goes
 * through, and one lazily opened SFTP channel for files. Two channels at
 * most, well within OpenSSH's MaxSessions.
 */
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { InterruptedError, TargetError } from '../errors.js';
import { sh, shq } from '../util/shell.js';
import { BecomeCache, type BecomeParent, type BecomeProcess } from './become.js';
import { GaveUp, raceGiveUp, type GiveUpKind } from './give-up.js';
import { jumpPool, type Tunnel } from './jump-pool.js';
import { KILL_BOUND_MS, killGroupScript } from './kill-group.js';
import {
  SFTP_FAILURE,
  SFTP_PERMISSION_DENIED,
  SFTP_STATUS,
  readProbe,
  shellNoiseOf,
  writeProbe,
} from './sftp-refusal.js';
import { paced } from './handshake-gate.js';
import { openClient, stalledAfterConnect } from './ssh-client.js';
import { SESSION_PRELUDE, ShellSession, sessionOptions } from './shell-session.js';
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

/** How long removing the partial file of a transfer that was given up may hold up closing the connection. */
const PARTIAL_CLEANUP_MS = 3000;

/** Other handshakes overlapping one that timed out from which its timeout is put down to load, and it is tried again. */
const BUSY_HANDSHAKES = 8;

/**
 * Whether a failure to connect ran out of time with the host answering: the SSH handshake stalled
 * after the TCP connection was made, or the remote shell did not start in time. (A host that does
 * not answer at all times out in the TCP connect and is not retried.)
 */
function stalledHandshake(e: unknown): boolean {
  if (stalledAfterConnect(e)) return true;
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (/^cannot start the shell on .*command timed out after/.test(c.message)) return true;
  }
  return false;
}

/** The SFTP channel and a signal aborted when it ends. */
interface SftpHandle {
  sftp: SFTPWrapper;
  ended: AbortSignal;
}

/** Runs commands on a remote host through one persistent SSH shell. */
export class SshConnection implements BecomeParent {
  private readonly becomes = new BecomeCache();
  private client: Client | undefined;
  private channel: ClientChannel | undefined;
  private session: ShellSession | undefined;
  private sftpChannel: Promise<SftpHandle> | undefined;
  /** Aborted when the current transport ends (closed, failed, retired or shut down). */
  private transportEnd: AbortController | undefined;
  /** Aborted by close(): the SFTP operations still running are given up. */
  private stopping = new AbortController();
  /** Removals of partial files of given-up transfers, awaited (briefly) before the connection closes. */
  private readonly cleanups = new Set<Promise<void>>();
  private connecting: Promise<void> | undefined;
  private lostReason: string | undefined;
  private clientClosed: Promise<void> | undefined;
  /** The login shell's pid on the target (it leads its process group). */
  private shellPid: number | undefined;
  /** Why the run was stopped, once interrupt() ran: no command starts after it. */
  private interruption: string | undefined;

  private everConnected = false;

  constructor(readonly spec: ConnectionSpec) {}

  /** Channels open on this connection right now (the shell and, once used, SFTP). */
  get channelCount(): number {
    return (this.channel ? 1 : 0) + (this.sftpChannel ? 1 : 0);
  }

  async connect(): Promise<void> {
    if (this.interruption !== undefined) throw new InterruptedError(`${this.interruption}; no new command starts`);
    if (this.session && !this.session.closed) return;
    // A broken session's transport is torn down before a new one is opened.
    if (this.client && !this.connecting) this.shutdown();
    this.connecting ??= this.openWithRetries().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * The first connection is tried once (an unreachable host is reported at once); a connection
   * that dropped between tasks is opened again transparently, up to `reconnectRetries` attempts
   * (default 1) a second apart. A command that was running when it dropped is never re-run.
   */
  private async openWithRetries(): Promise<void> {
    const attempts = this.everConnected ? (this.spec.reconnectRetries ?? 1) : 1;
    if (attempts === 0) {
      throw new ConnectionError(
        this.spec.name,
        `the connection to ${this.spec.address}:${this.spec.port} dropped (${this.lostReason ?? 'closed'}); not reconnecting (ansible_ssh_retries=0)`,
      );
    }
    let retriedUnderLoad = false;
    for (let i = 1; ; i++) {
      let overlapping = () => 0;
      try {
        await paced((count) => {
          overlapping = count;
          return this.open();
        });
        this.everConnected = true;
        return;
      } catch (e) {
        // A handshake that ran out of time while many others ran (a host is
        // slow because the controller or the host's machine is saturated) is
        // tried once more, also on a first connection.
        if (
          !retriedUnderLoad &&
          overlapping() >= BUSY_HANDSHAKES &&
          stalledHandshake(e) &&
          this.interruption === undefined
        ) {
          retriedUnderLoad = true;
          i--;
          continue;
        }
        if (i >= attempts) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async open(): Promise<void> {
    const spec = this.spec;
    let tunnel: Tunnel | undefined;
    if (spec.jumpHosts && spec.jumpHosts.length > 0)
      tunnel = await jumpPool.tunnel(spec.name, spec.jumpHosts, spec.address, spec.port);
    let client: Client;
    try {
      client = await openClient(spec, tunnel?.sock);
    } catch (e) {
      tunnel?.release();
      throw e;
    }
    if (tunnel) client.once('close', () => tunnel.release());
    this.client = client;
    this.lostReason = undefined;
    const transportEnd = new AbortController();
    this.transportEnd = transportEnd;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    // Events of an earlier, replaced client must not fail the current session.
    const lost = (reason: string) => {
      if (!transportEnd.signal.aborted) transportEnd.abort(reason);
      if (this.client === client) this.lost(reason);
    };
    client.on('error', (err: Error) => lost(`connection to ${spec.address}:${spec.port} failed: ${err.message}`));
    client.on('close', () => lost(`connection to ${spec.address}:${spec.port} closed`));
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      client.exec('/bin/sh', (err, ch) =>
        err
          ? reject(
              new ConnectionError(spec.name, `cannot start /bin/sh on ${spec.address}: ${err.message}`, { cause: err }),
            )
          : resolve(ch),
      );
    }).catch((e: unknown) => {
      client.end();
      throw e;
    });
    this.channel = channel;
    let shellPid: number | undefined;
    this.shellPid = undefined;
    const session = new ShellSession(
      { stdin: channel, stdout: channel, stderr: channel.stderr },
      // A timed-out command is killed on the target, not only abandoned: end the shell's process group.
      () => this.retire(client, channel, shellPid),
      sessionOptions(spec),
    );
    channel.on('close', () => lost('the remote shell ended'));
    this.session = session;
    try {
      const pre = await session.prepare(`${SESSION_PRELUDE}; echo $$`, {
        timeoutMs: Math.max(spec.connectTimeoutMs, 5000),
      });
      shellPid = Number(pre.stdout.trim()) || undefined;
      this.shellPid = shellPid;
    } catch (e) {
      this.shutdown();
      throw new ConnectionError(spec.name, `cannot start the shell on ${spec.address}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** The transport went away: fail the running command and forget the connection. */
  private lost(reason: string): void {
    this.lostReason ??= reason;
    this.session?.fail(reason);
  }

  async exec(script: string, opts?: ExecOptions): Promise<ExecResult> {
    await this.connect();
    try {
      return await this.session!.exec(script, opts);
    } catch (e) {
      // Too much output fails the task; the host stays reachable (the next command reconnects).
      if (e instanceof OutputLimitError) throw e;
      if (e instanceof InterruptedError) throw e;
      throw new ConnectionError(this.spec.name, `${this.spec.address}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * The run was stopped: no command starts from now on, transfers are given
   * up, and the command running (in the login shell or a privileged one) is
   * killed on the target with its process group, over the connection that
   * still lives; it fails with an InterruptedError. Bounded (KILL_BOUND_MS
   * and an escalation for a privileged shell); close() follows.
   */
  async interrupt(why: string): Promise<void> {
    if (this.interruption !== undefined) return;
    this.interruption = why;
    // Seen before the transfers are given up: removing their partial files is no command to kill.
    const session = this.session;
    const running = session?.busy === true && !session.closed;
    this.stopping.abort(why);
    await this.becomes.interruptAll(why);
    const client = this.client;
    if (!running || !client || this.shellPid === undefined || this.shellPid <= 1) return;
    session.interrupting(new InterruptedError(`${why}; the command was killed on the target`));
    await runBeside(client, inSh(killGroupScript(this.shellPid)), KILL_BOUND_MS);
    session.fail(why);
  }

  become(opts: BecomeOptions): Promise<Connection> {
    return this.becomes.get(this, opts);
  }

  /** Start a command in a new exec channel (no pty) beside the shell: a privileged shell (also one that kills, after interrupt()). */
  async spawnProcess(command: string): Promise<BecomeProcess> {
    if (this.interruption === undefined) await this.connect();
    const client = this.client;
    if (!client) throw new ConnectionError(this.spec.name, `${this.spec.address}: the connection is closed`);
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      client.exec(command, (err, ch) =>
        err
          ? reject(
              new ConnectionError(this.spec.name, `cannot open a channel on ${this.spec.address}: ${err.message}`, {
                cause: err,
              }),
            )
          : resolve(ch),
      );
    });
    const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
    return {
      stdin: channel,
      stdout: channel,
      stderr: channel.stderr,
      stop: () => {
        channel.end();
        channel.close();
      },
      onExit: (listener) => {
        void closed.then(() => listener('the privileged shell ended'));
      },
    };
  }

  private sftp(): Promise<SftpHandle> {
    if (!this.sftpChannel) {
      const client = this.client!;
      const opened = new Promise<SftpHandle>((resolve, reject) => {
        client.sftp((err, sftp) => {
          if (err) return reject(err);
          const ended = new AbortController();
          const end = (): void => {
            if (this.sftpChannel === opened) this.sftpChannel = undefined;
            if (!ended.signal.aborted) ended.abort('the SFTP channel closed');
          };
          sftp.on('close', end);
          sftp.on('end', end);
          resolve({ sftp, ended: ended.signal });
        });
      });
      this.sftpChannel = opened;
      opened.catch(() => {
        if (this.sftpChannel === opened) this.sftpChannel = undefined;
      });
    }
    return this.sftpChannel;
  }

  /** Stop using an SFTP channel whose operation was given up (its requests may never be answered). */
  private dropSftp(handle: SftpHandle): void {
    void this.sftpChannel?.then(
      (current) => {
        if (current === handle) this.sftpChannel = undefined;
      },
      () => undefined,
    );
    handle.sftp.end();
  }

  /** Remove the partial file of a transfer that was given up, through the shell (close() waits for it, briefly). */
  private removePartial(path: string): void {
    const session = this.session;
    if (!session || session.closed) return;
    const removal = session.exec(sh`rm -f -- ${path}`, { timeoutMs: PARTIAL_CLEANUP_MS }).then(
      () => undefined,
      () => undefined,
    );
    this.cleanups.add(removal);
    void removal.then(() => this.cleanups.delete(removal));
  }

  /**
   * Run one SFTP operation, raced against the end of the transport, `opts.timeoutMs` and close(): a
   * broken transport becomes a ConnectionError, and so does giving up (the SFTP channel is dropped
   * and `partial`, the file being written, removed); a refusal of the target is a TargetError with
   * its reason (for SFTP's reasonless "Failure", `probe` asks the shell why).
   */
  private async withSftp<T>(
    what: string,
    op: (sftp: SFTPWrapper) => Promise<T>,
    probe: string | undefined,
    opts: TransferOptions & { partial?: string } = {},
  ): Promise<T> {
    const started = Date.now();
    await this.connect();
    const transportEnd = this.transportEnd!.signal;
    const stopped = this.stopping.signal;
    const left = (): number | undefined =>
      opts.timeoutMs === undefined ? undefined : Math.max(1, opts.timeoutMs - (Date.now() - started));
    let handle: SftpHandle;
    try {
      handle = await raceGiveUp(this.sftp(), { lost: [transportEnd], stopped, ...timeout(left()) });
    } catch (e) {
      if (e instanceof GaveUp) throw this.gaveUp(what, e);
      const noise = shellNoiseOf(e);
      if (noise !== undefined) {
        throw new TargetError(
          `cannot start SFTP on ${this.spec.address}: the login shell printed ${JSON.stringify(`${noise}...`)} before the SFTP server started; a login script of the user (~/.bashrc, ~/.profile, /etc/bash.bashrc) prints text in non-interactive sessions too: make it print only when interactive (e.g. \`[ -z "$PS1" ] && return\` above the output)`,
          { host: this.spec.name },
        );
      }
      throw new ConnectionError(this.spec.name, `cannot open SFTP on ${this.spec.address}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    try {
      return await raceGiveUp(op(handle.sftp), {
        lost: [transportEnd, handle.ended],
        stopped,
        ...timeout(left()),
        onGiveUp: () => {
          this.dropSftp(handle);
          if (opts.partial !== undefined) this.removePartial(opts.partial);
        },
      });
    } catch (e) {
      if (e instanceof GaveUp) throw this.gaveUp(what, e);
      if (this.lostReason !== undefined || this.session?.closed) {
        throw new ConnectionError(this.spec.name, `${what}: ${this.lostReason ?? (e as Error).message}`, { cause: e });
      }
      throw await this.sftpRefusal(what, e, probe);
    }
  }

  /** The ConnectionError for an SFTP operation that was given up, saying why (an InterruptedError when the run was stopped). */
  private gaveUp(what: string, e: GaveUp): ConnectionError | InterruptedError {
    if (e.kind === 'stopped' && this.interruption !== undefined)
      return new InterruptedError(`${what}: ${this.interruption}; the transfer was cut off`);
    const why: Record<GiveUpKind, string> = {
      lost: `the connection was lost during the transfer: ${this.lostReason ?? e.message}`,
      timeout: `the transfer ${e.message}`,
      stopped: 'the transfer was cut off: the connection was closed (the run was stopped)',
    };
    return new ConnectionError(this.spec.name, `${what}: ${why[e.kind]}`, { cause: e });
  }

  /** The target refused an SFTP operation: say why, in words, with what to do. */
  private async sftpRefusal(what: string, e: unknown, probe: string | undefined): Promise<TargetError> {
    const status = (e as { code?: unknown }).code;
    const told = (e as Error).message;
    let reason = typeof status === 'number' ? (SFTP_STATUS[status] ?? told) : told;
    // OpenSSH's sftp-server says only "Failure"; other servers give the reason with it ("No space left on device").
    if (status === SFTP_FAILURE && told.trim() !== '' && !/^failure$/i.test(told.trim())) reason = told.trim();
    else if (status === SFTP_FAILURE && probe !== undefined) {
      const found = await this.exec(probe).then(
        (r) => r.stdout.trim(),
        () => '',
      );
      reason = found !== '' ? found : 'the SFTP server gave no reason (SSH_FX_FAILURE)';
    }
    const hint =
      status === SFTP_PERMISSION_DENIED
        ? `${this.spec.user} may not do this on ${this.spec.name}: use become (become: true), or connect as a user who may`
        : undefined;
    return new TargetError(`${what} on ${this.spec.name}: ${reason}`, {
      host: this.spec.name,
      cause: e,
      ...(hint !== undefined ? { hint } : {}),
    });
  }

  async writeFile(path: string, data: WriteSource, mode?: number, opts: TransferOptions = {}): Promise<void> {
    await this.withSftp(
      `cannot write ${path}`,
      async (sftp) => {
        const modeOpt = mode === undefined ? {} : { mode };
        await new Promise<void>((resolve, reject) => {
          const done = (err: Error | null | undefined): void => (err ? reject(err) : resolve());
          // A controller file is read as it is sent (fastPut: pipelined, 64 requests of 32 KiB in flight).
          if (Buffer.isBuffer(data)) sftp.writeFile(path, data, modeOpt, done);
          else sftp.fastPut(data.controllerPath, path, modeOpt, done);
        });
        // The mode given to open applies only when the file is created.
        if (mode !== undefined) {
          await new Promise<void>((resolve, reject) =>
            sftp.chmod(path, mode, (err) => (err ? reject(err) : resolve())),
          );
        }
      },
      writeProbe(path),
      { ...opts, partial: path },
    );
  }

  async readFile(path: string, opts: TransferOptions = {}): Promise<Buffer | null> {
    return this.withSftp(
      `cannot read ${path}`,
      (sftp) =>
        new Promise<Buffer | null>((resolve, reject) => {
          sftp.readFile(path, (err: (Error & { code?: number }) | undefined, data: Buffer) => {
            if (err?.code === 2) resolve(null);
            else if (err) reject(err);
            else resolve(data);
          });
        }),
      readProbe(path),
      opts,
    );
  }

  /**
   * Give up a session whose command timed out: kill the remote shell's process group (the shell
   * leads its own group, so the command and its children go too) over a fresh channel, then close
   * that client. The next exec opens a new connection.
   */
  private retire(client: Client, channel: ClientChannel, shellPid: number | undefined): void {
    if (this.client === client) {
      this.client = undefined;
      this.channel = undefined;
      this.sftpChannel = undefined;
      this.transportEnd?.abort('the session was given up');
    }
    const end = (): void => {
      channel.end();
      client.end();
    };
    if (shellPid === undefined || shellPid <= 1) return end();
    void runBeside(client, inSh(killGroupScript(shellPid)), KILL_BOUND_MS).then(end);
  }

  /** Tear everything down without waiting. */
  private shutdown(): void {
    this.session?.fail('closed');
    this.channel?.end();
    this.client?.end();
    this.transportEnd?.abort('closed');
    this.channel = undefined;
    this.sftpChannel = undefined;
    this.client = undefined;
  }

  /** Drop the transport and the shells; the next command connects again (close() leaves the object reusable). */
  async reset(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    // Transfers still running are given up first; their partial files are removed while the shell lives.
    this.stopping.abort('closed');
    if (this.cleanups.size > 0) await Promise.allSettled([...this.cleanups]);
    await this.becomes.closeAll();
    const client = this.client;
    const closed = this.clientClosed;
    this.lost('closed');
    this.shutdown();
    this.session = undefined;
    this.client = undefined;
    this.clientClosed = undefined;
    if (client && closed) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          client.destroy();
          resolve();
        }, 2000);
      });
      await Promise.race([closed, late]);
      clearTimeout(timer);
    }
  }
}

/** Run `script` in an exec channel of its own on `client`; resolves when it ends or after `boundMs`, never rejects. */
function runBeside(client: Client, script: string, boundMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, boundMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      client.exec(script, (err, ch) => {
        if (err) return done();
        ch.on('close', done);
        ch.resume();
        ch.stderr.resume();
      });
    } catch {
      done();
    }
  });
}

/** A POSIX sh script as an exec channel's command line: the login shell may be any (fish, csh), so /bin/sh runs it. */
function inSh(script: string): string {
  return `/bin/sh -c ${shq(script)}`;
}

/** The timeout part of GiveUpOptions (left out when there is none). */
function timeout(ms: number | undefined): { timeoutMs?: number } {
  return ms === undefined ? {} : { timeoutMs: ms };
}
