/**
 * The Connection interface: everything a module may do to a target. Modules
 * never open sockets or processes themselves; they ask a Connection.
 */
import { DEFAULT_MAX_OUTPUT_MIB } from '../errors.js';

/** The outcome of one command run through the target's long-lived shell. */
export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
}

/** The most output one command may give on stdout, and on stderr, when nothing sets a limit (64 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = DEFAULT_MAX_OUTPUT_MIB * 1024 * 1024;

/** Options for one command. */
export interface ExecOptions {
  /** Kill the wait after this many ms; the connection is then closed as broken. */
  timeoutMs?: number;
  /**
   * The script only looks: it defines no variable, function, option, trap or
   * folder a later command could see (`set --` is undone afterwards), never
   * calls `exit`, and is built by bosun with every value quoted. The session
   * may then run it in its own shell rather than a subshell, which saves a
   * process on the target per command (the stats behind most decisions).
   */
  readOnly?: boolean;
  /**
   * The script changes nothing on the target (a probe: stats, checksums, reads), though it may use shell
   * variables or `exit` (so it runs in a subshell unless `readOnly`). The executor may send it together with
   * other probes and answer it from a probe sent a little earlier while nothing changed
   * (src/executor/probe-batch.ts). `readOnly` implies it.
   */
  probe?: boolean;
  /**
   * The script is `statProbeScript` of this (src/modules/lib/stat-batch.ts): probes sent together may then share
   * one `stat`, one `stat -L` and one checksum process (src/executor/probe-batch.ts). Alone, the script runs.
   */
  statProbe?: StatProbe;
}

/**
 * A `batchStatScript` described as data: paths (unique), how they are stat'ed, and optionally a marker line and a
 * read-only script run after the stats (`statResolved`'s).
 */
export interface StatProbe {
  paths: string[];
  opts: {
    checksum?: 'sha1' | 'sha256';
    follow?: boolean;
    resolve?: boolean;
    linkSource?: boolean;
    markLinks?: boolean;
  };
  then?: { marker: string; script: string };
}

/**
 * A file on the controller to be written to the target: read as it is sent (a pipelined SFTP
 * transfer), never whole into memory, so the controller's memory does not grow with the file's
 * size times the hosts it goes to.
 */
export interface ControllerFile {
  controllerPath: string;
}

/** What `Connection.writeFile` writes: bytes in memory, or a controller file streamed. */
export type WriteSource = Buffer | ControllerFile;

/** Options for one file transfer. */
export interface TransferOptions {
  /** Give the transfer up after this many ms (its partial file is removed); it then fails as a ConnectionError. */
  timeoutMs?: number;
}

/** Connection settings resolved from inventory variables and CLI options. */
export interface ConnectionSpec {
  /** The inventory name of the host (what the recap prints). */
  name: string;
  /** `ssh` or `local` (ansible_connection). */
  type: 'ssh' | 'local';
  /** Address to connect to (ansible_host, default: the inventory name). */
  address: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  password?: string;
  /** Verify the host key against known_hosts (default true). */
  strictHostKeyChecking: boolean;
  /** StrictHostKeyChecking=accept-new: an unknown key is accepted (not written), a changed one refused. */
  acceptNewHostKeys?: boolean;
  /** known_hosts files to check, in order (UserKnownHostsFile, then ~/.ssh/known_hosts). */
  knownHostsFiles: string[];
  connectTimeoutMs: number;
  /**
   * The most output (bytes) one command may give on stdout, and on stderr (--max-output, BOSUN_MAX_OUTPUT;
   * default DEFAULT_MAX_OUTPUT_BYTES): past it the command fails with an OutputLimitError and is stopped.
   */
  maxOutputBytes?: number;
  /** Attempts to open the connection again after it dropped between tasks (ansible_ssh_retries; default 1). */
  reconnectRetries?: number;
  /** More private keys to try after privateKeyFile (ssh config IdentityFile, `-i`), `~` and `%` tokens expanded. */
  identityFiles?: string[];
  /** IdentitiesOnly: use only the key files, not every key the agent holds. */
  identitiesOnly?: boolean;
  /** IdentityAgent: the agent socket to use (`none`: no agent); default $SSH_AUTH_SOCK. */
  identityAgent?: string;
  /** Decrypts encrypted private keys (--ask-key-passphrase, BOSUN_KEY_PASSPHRASE). Never logged. */
  keyPassphrase?: string;
  /** ServerAliveInterval in ms (0: no keepalives); default 15 s. */
  serverAliveIntervalMs?: number;
  /** ServerAliveCountMax: unanswered keepalives before the connection counts as lost; default 4. */
  serverAliveCountMax?: number;
  /** ProxyJump: the jump hosts to tunnel through, nearest the controller first. */
  jumpHosts?: ConnectionSpec[];
  /**
   * Where this connection's warnings go (a run sends them to its warning
   * events, once each). A function, so JSON (the pool's key for a spec)
   * leaves it out: it never makes two specs differ.
   */
  warn?: (message: string) => void;
}

/** Privilege escalation for `Connection.become`: who to become, how, and the password if one is needed. */
export interface BecomeOptions {
  /** The user to become (ansible_become_user, default root). */
  user: string;
  /** `sudo` (default) or `su` (ansible_become_method). */
  method: 'sudo' | 'su';
  /** Answers the prompt once; never logged. Without it sudo runs with -n (fails fast instead of waiting). */
  password?: string;
  /** Limit on the whole escalation (default 10 s). */
  timeoutMs?: number;
}

/** A persistent session to one host for the whole run. */
export interface Connection {
  readonly spec: ConnectionSpec;
  /** Open the session (idempotent). Throws ConnectionError when the host cannot be reached. */
  connect(): Promise<void>;
  /** Run a POSIX sh script in the host's long-lived shell; stdin is /dev/null. */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Write bytes (or a controller file, streamed) to a path on the target, as-is (no temp file:
   * callers rename). A write that is given up (the connection lost or closed, out of time) rejects
   * with a ConnectionError at once.
   */
  writeFile(path: string, data: WriteSource, mode?: number, opts?: TransferOptions): Promise<void>;
  /** Read a file's bytes from the target; null when it does not exist. */
  readFile(path: string, opts?: TransferOptions): Promise<Buffer | null>;
  /** Close the session (idempotent). */
  close(): Promise<void>;
  /**
   * Drop the session (and its privileged shells) but stay usable: the next command opens a new one
   * (wait_for_connection and reboot, after the host went away).
   */
  reset?(): Promise<void>;
  /**
   * The run was stopped (`why` says how, e.g. "the run was interrupted
   * (Ctrl-C)"): no command starts from now on, transfers are given up, and
   * the command running is killed on the target with its process group; it
   * and anything after it fail with an InterruptedError (the host is failed,
   * not unreachable). Bounded to a few seconds; close() follows.
   */
  interrupt?(why: string): Promise<void>;
  /**
   * A Connection whose commands run as another user, through one persistent
   * privileged shell per user (the same object for the same user; closed
   * with this one). Throws a BecomeError (code BECOME) when escalation fails.
   */
  become?(opts: BecomeOptions): Promise<Connection>;
}

// The connection errors live with the rest of the error family.
export { ConnectionError, HostKeyError, OutputLimitError } from '../errors.js';
