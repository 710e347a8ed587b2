/**
 * From a host's variables (Ansible's connection variable names) to a
 * ConnectionSpec, and from a spec to a Connection.
 */
import { homedir, userInfo } from 'node:os';
import { parse } from 'shell-quote';
import { BosunError } from '../errors.js';
import { LocalConnection } from './local.js';
import { SshConnection } from './ssh.js';
import type { Connection, ConnectionSpec } from './types.js';

/** Settings from the command line or config that host variables may override. */
export interface ConnectionDefaults {
  user?: string;
  privateKeyFile?: string;
  connectTimeoutMs?: number;
  strictHostKeyChecking?: boolean;
  knownHostsFiles?: string[];
}

/** The connect timeout when nothing sets one: Ansible's `timeout` default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Expand a leading `~` or `~/` to the controller user's home directory. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return homedir() + path.slice(1);
  return path;
}

/** The controller's user name, the SSH user when nothing else names one. */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** The first of several variable names that is set, as a string. */
function pick(vars: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = vars[n];
    if (v !== undefined && v !== null && v !== '') return String(v);
  }
  return undefined;
}

/** The `-o Key=value` options found in ssh argument strings, keys lower-cased; the first value wins, as in ssh. */
export function sshOptions(args: string): Map<string, string> {
  const words = parse(args, (key) => `$${key}`).filter((w): w is string => typeof w === 'string');
  const options = new Map<string, string>();
  const add = (text: string, next: () => string | undefined) => {
    const eq = text.search(/[=\s]/);
    const [key, value] = eq > 0 ? [text.slice(0, eq).toLowerCase(), text.slice(eq + 1).trim()] : [text.toLowerCase(), next()];
    if (value !== undefined && !options.has(key)) options.set(key, value);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-o') {
      const opt = words[++i];
      if (opt !== undefined) add(opt, () => words[++i]);
    } else if (w.startsWith('-o')) {
      add(w.slice(2), () => words[++i]);
    }
  }
  return options;
}

/** StrictHostKeyChecking's values, as ssh_config(5) lists them. */
function strictness(name: string, value: string): { strict: boolean; acceptNew: boolean } {
  switch (value.toLowerCase()) {
    case 'yes': case 'true': case 'ask': return { strict: true, acceptNew: false };
    case 'no': case 'off': case 'false': return { strict: false, acceptNew: false };
    case 'accept-new': return { strict: true, acceptNew: true };
    default:
      throw new BosunError('BAD_OPTION', `host ${name}: StrictHostKeyChecking=${value} is not one of yes, no, off, accept-new`);
  }
}

/** Resolve one host's ConnectionSpec from its variables (Ansible's names) and the run's defaults. */
export function connectionSpecFromVars(name: string, vars: Record<string, unknown>, defaults: ConnectionDefaults = {}): ConnectionSpec {
  const kind = pick(vars, 'ansible_connection') ?? 'ssh';
  let type: ConnectionSpec['type'];
  if (kind === 'ssh' || kind === 'smart' || kind === 'paramiko') type = 'ssh';
  else if (kind === 'local') type = 'local';
  else {
    throw new BosunError('BAD_OPTION', `host ${name}: ansible_connection=${kind} is not supported`, { hint: 'use ssh (the default) or local' });
  }
  const portText = pick(vars, 'ansible_port', 'ansible_ssh_port') ?? '22';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BosunError('BAD_OPTION', `host ${name}: ansible_port=${portText} is not a port number (1-65535)`);
  }
  const args = [pick(vars, 'ansible_ssh_common_args'), pick(vars, 'ansible_ssh_extra_args')].filter((a) => a !== undefined).join(' ');
  const options = sshOptions(args);
  let strict = defaults.strictHostKeyChecking ?? true;
  let acceptNew = false;
  const shkc = options.get('stricthostkeychecking');
  if (shkc !== undefined) ({ strict, acceptNew } = strictness(name, shkc));
  const userFiles = options.get('userknownhostsfile');
  const knownHostsFiles = [
    ...(userFiles === undefined ? [] : userFiles.split(/\s+/).filter((f) => f !== '' && f !== 'none').map(expandHome)),
    ...(defaults.knownHostsFiles ?? ['~/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts']).map(expandHome),
  ];
  let connectTimeoutMs = defaults.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const timeoutText = options.get('connecttimeout') ?? pick(vars, 'ansible_timeout', 'ansible_ssh_timeout');
  if (timeoutText !== undefined) {
    const secs = Number(timeoutText);
    if (!(secs > 0)) throw new BosunError('BAD_OPTION', `host ${name}: connect timeout ${timeoutText} is not a positive number of seconds`);
    connectTimeoutMs = secs * 1000;
  }
  const keyFile = pick(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file') ?? defaults.privateKeyFile;
  const password = pick(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password');
  const spec: ConnectionSpec = {
    name,
    type,
    address: pick(vars, 'ansible_host', 'ansible_ssh_host') ?? name,
    port,
    user: pick(vars, 'ansible_user', 'ansible_ssh_user') ?? defaults.user ?? currentUser(),
    strictHostKeyChecking: strict,
    knownHostsFiles,
    connectTimeoutMs,
  };
  if (acceptNew) spec.acceptNewHostKeys = true;
  if (keyFile !== undefined) spec.privateKeyFile = expandHome(keyFile);
  if (password !== undefined) spec.password = password;
  return spec;
}

/** Make the Connection a spec asks for (not yet connected). */
export function createConnection(spec: ConnectionSpec): Connection {
  return spec.type === 'local' ? new LocalConnection(spec) : new SshConnection(spec);
}
