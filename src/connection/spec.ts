/**
 * From a host's variables (Ansible's connection variable names) to a
 * ConnectionSpec, and from a spec to a Connection.
 */
import { homedir, userInfo } from 'node:os';
import { parse } from 'shell-quote';
import { BosunError } from '../errors.js';
import { toText } from '../template/values.js';
import { LocalConnection } from './local.js';
import { configFlag, configValue, expandTokens, sshConfigFor, type SshConfigValues } from './ssh-config.js';
import { SshConnection } from './ssh.js';
import type { Connection, ConnectionSpec } from './types.js';

/** Settings from the command line or config that host variables may override. */
export interface ConnectionDefaults {
  user?: string;
  /** `-c`: the connection type where neither `ansible_connection` nor the `connection` keyword names one. */
  type?: string;
  privateKeyFile?: string;
  connectTimeoutMs?: number;
  strictHostKeyChecking?: boolean;
  knownHostsFiles?: string[];
  /** `-F FILE`: the one ssh config file to read (`none`: none); default `~/.ssh/config` then `/etc/ssh/ssh_config`. */
  sshConfigFile?: string;
  /** `--ask-pass`: the login password where a host sets no ansible_password. Never logged. */
  password?: string;
  /** `--ask-key-passphrase` / BOSUN_KEY_PASSPHRASE: decrypts encrypted private keys. Never logged. */
  keyPassphrase?: string;
  /** Where connection warnings go (a missing private key file); copied into every ssh spec and its jump hosts. */
  warn?: (message: string) => void;
}

/** The connection types bosun has, by the names Ansible users write (`smart` and `paramiko` are ssh here). */
const CONNECTION_TYPES: Readonly<Record<string, ConnectionSpec['type']>> = {
  ssh: 'ssh',
  smart: 'ssh',
  paramiko: 'ssh',
  local: 'local',
};

/** The connection type a name means, or undefined when bosun has no such connection. */
export function connectionTypeOf(name: string): ConnectionSpec['type'] | undefined {
  return Object.hasOwn(CONNECTION_TYPES, name) ? CONNECTION_TYPES[name] : undefined;
}

/** What to say about a connection type bosun does not have. */
export const CONNECTION_TYPES_HINT = 'bosun connects with ssh (the default; smart and paramiko mean ssh too) or local';

/** How deep ProxyJump may nest through jump hosts' own config (OpenSSH has no limit; a loop must end). */
const MAX_JUMP_DEPTH = 8;

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
    if (v !== undefined && v !== null && v !== '') return toText(v);
  }
  return undefined;
}

/** ssh's short flags that stand for a config key (`-J host` is `-o ProxyJump=host`); `-F` keeps its own key. */
const SHORT_FLAGS: Record<string, string> = {
  '-J': 'proxyjump',
  '-p': 'port',
  '-l': 'user',
  '-i': 'identityfile',
  '-F': '-f',
};

/** The `-o Key=value` options (and -J, -p, -l, -i, -F) found in ssh argument strings, keys lower-cased; the first value wins, as in ssh. */
export function sshOptions(args: string): Map<string, string> {
  const words = parse(args, (key) => `$${key}`).filter((w): w is string => typeof w === 'string');
  const options = new Map<string, string>();
  const add = (text: string, next: () => string | undefined) => {
    const eq = text.search(/[=\s]/);
    const [key, value] =
      eq > 0 ? [text.slice(0, eq).toLowerCase(), text.slice(eq + 1).trim()] : [text.toLowerCase(), next()];
    if (value !== undefined && !options.has(key)) options.set(key, value);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const flag = SHORT_FLAGS[w.slice(0, 2)];
    if (flag !== undefined) {
      const value = w.length > 2 ? w.slice(2) : words[++i];
      if (value !== undefined && !options.has(flag)) options.set(flag, value);
    } else if (w === '-o') {
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
    case 'yes':
    case 'true':
    case 'ask':
      return { strict: true, acceptNew: false };
    case 'no':
    case 'off':
    case 'false':
      return { strict: false, acceptNew: false };
    case 'accept-new':
      return { strict: true, acceptNew: true };
    default:
      throw new BosunError(
        'BAD_OPTION',
        `host ${name}: StrictHostKeyChecking=${value} is not one of yes, no, off, accept-new`,
      );
  }
}

/**
 * Resolve one host's ConnectionSpec from its variables (Ansible's names), the
 * ssh arguments in them, the ssh config, and the run's defaults. The first
 * source that sets a value wins, in Ansible's order: inventory variables,
 * then the command line (-u, --private-key), then `-o` options in
 * ansible_ssh_common_args/extra_args, then the ssh config.
 */
export function connectionSpecFromVars(
  name: string,
  vars: Record<string, unknown>,
  defaults: ConnectionDefaults = {},
): ConnectionSpec {
  const kind = pick(vars, 'ansible_connection') ?? defaults.type ?? 'ssh';
  const type = connectionTypeOf(kind);
  if (type === undefined) {
    throw new BosunError('BAD_OPTION', `host ${name}: connection type '${kind}' is not supported`, {
      hint: CONNECTION_TYPES_HINT,
    });
  }
  const args = [pick(vars, 'ansible_ssh_common_args'), pick(vars, 'ansible_ssh_extra_args')]
    .filter((a) => a !== undefined)
    .join(' ');
  const options = sshOptions(args);
  const target = pick(vars, 'ansible_host', 'ansible_ssh_host') ?? name;
  // The ssh config is looked up by the name ssh would be given: ansible_host, else the inventory name.
  const config: SshConfigValues =
    type === 'ssh' ? sshConfigFor(target, options.get('-f') ?? defaults.sshConfigFile) : {};
  const opt = (key: string): string | undefined => options.get(key) ?? configValue(config, key);
  const portText = pick(vars, 'ansible_port', 'ansible_ssh_port') ?? opt('port') ?? '22';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BosunError('BAD_OPTION', `host ${name}: ansible_port=${portText} is not a port number (1-65535)`);
  }
  const user = pick(vars, 'ansible_user', 'ansible_ssh_user') ?? defaults.user ?? opt('user') ?? currentUser();
  const tokens = { original: target, host: target, port, user };
  const address = expandTokens(opt('hostname') ?? target, tokens);
  let strict = defaults.strictHostKeyChecking ?? true;
  let acceptNew = false;
  const shkc = opt('stricthostkeychecking');
  if (shkc !== undefined) ({ strict, acceptNew } = strictness(name, shkc));
  const userFiles = options.get('userknownhostsfile') ?? configValue(config, 'userknownhostsfile');
  const knownHostsFiles = [
    ...(userFiles === undefined
      ? []
      : userFiles
          .split(/\s+/)
          .filter((f) => f !== '' && f !== 'none')
          .map((f) => expandTokens(f, { ...tokens, host: address }))),
    ...(defaults.knownHostsFiles ?? ['~/.ssh/known_hosts', '/etc/ssh/ssh_known_hosts']).map(expandHome),
  ];
  let connectTimeoutMs = defaults.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const timeoutText =
    options.get('connecttimeout') ??
    pick(vars, 'ansible_timeout', 'ansible_ssh_timeout') ??
    configValue(config, 'connecttimeout');
  if (timeoutText !== undefined) connectTimeoutMs = seconds(name, 'connect timeout', timeoutText) * 1000;
  const keyFile = pick(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file') ?? defaults.privateKeyFile;
  const password = pick(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password') ?? defaults.password;
  const spec: ConnectionSpec = {
    name,
    type,
    address,
    port,
    user,
    strictHostKeyChecking: strict,
    knownHostsFiles,
    connectTimeoutMs,
  };
  const retries = pick(vars, 'ansible_ssh_retries', 'ansible_retries');
  if (retries !== undefined) {
    const n = Number(retries);
    if (!Number.isInteger(n) || n < 0)
      throw new BosunError('BAD_OPTION', `host ${name}: ansible_ssh_retries=${retries} is not a whole number`);
    spec.reconnectRetries = n;
  }
  if (acceptNew) spec.acceptNewHostKeys = true;
  if (keyFile !== undefined) spec.privateKeyFile = expandHome(keyFile);
  if (password !== undefined) spec.password = password;
  if (type === 'local') return spec;
  applySshExtras(
    spec,
    name,
    opt,
    [...(options.has('identityfile') ? [options.get('identityfile')!] : []), ...identityList(config)],
    { ...tokens, host: address },
  );
  if (defaults.keyPassphrase !== undefined) spec.keyPassphrase = defaults.keyPassphrase;
  if (defaults.warn) spec.warn = defaults.warn;
  const jump = opt('proxyjump');
  if (jump !== undefined && jump.toLowerCase() !== 'none') {
    spec.jumpHosts = jumpHostSpecs(jump, spec, options.get('-f') ?? defaults.sshConfigFile, defaults, 0);
  }
  return spec;
}

/** IdentityFile entries of a config, in order. */
function identityList(config: SshConfigValues): string[] {
  const v = config['identityfile'];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The options only an ssh connection has: identities, the agent, keepalives. */
function applySshExtras(
  spec: ConnectionSpec,
  name: string,
  opt: (key: string) => string | undefined,
  identities: string[],
  tokens: { original: string; host: string; port: number; user: string },
): void {
  const files = identities.filter((f) => f.toLowerCase() !== 'none').map((f) => expandTokens(f, tokens));
  if (files.length > 0) spec.identityFiles = files;
  const only = configFlag(opt('identitiesonly'));
  if (only !== undefined) spec.identitiesOnly = only;
  const agent = opt('identityagent');
  if (agent !== undefined)
    spec.identityAgent =
      agent === 'SSH_AUTH_SOCK'
        ? (process.env.SSH_AUTH_SOCK ?? 'none')
        : agent === 'none'
          ? 'none'
          : expandTokens(agent.replace(/^\$\{?SSH_AUTH_SOCK\}?$/, process.env.SSH_AUTH_SOCK ?? 'none'), tokens);
  const alive = opt('serveraliveinterval');
  if (alive !== undefined) spec.serverAliveIntervalMs = seconds(name, 'ServerAliveInterval', alive, true) * 1000;
  const count = opt('serveralivecountmax');
  if (count !== undefined) spec.serverAliveCountMax = seconds(name, 'ServerAliveCountMax', count, true);
}

/** A positive number of seconds (or 0 when allowed), else a BAD_OPTION error naming the host. */
function seconds(name: string, what: string, text: string, zeroOk = false): number {
  const n = Number(text);
  if (!(n > 0) && !(zeroOk && n === 0))
    throw new BosunError('BAD_OPTION', `host ${name}: ${what} ${text} is not a positive number of seconds`);
  return n;
}

/** One hop of a ProxyJump list: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export function parseJumpHop(text: string): { user?: string; host: string; port?: number } {
  const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new BosunError('BAD_OPTION', `ProxyJump ${text} is not [user@]host[:port]`);
  const hop: { user?: string; host: string; port?: number } = { host: m[2]!.replace(/^\[(.*)\]$/, '$1') };
  if (m[1] !== undefined) hop.user = m[1];
  if (m[3] !== undefined) hop.port = Number(m[3]);
  return hop;
}

/**
 * The jump hosts of a ProxyJump value, nearest the controller first. Each hop
 * is looked up in the ssh config like any host (its HostName, User, Port,
 * IdentityFile, known_hosts; a first hop's own ProxyJump is followed). What
 * the config does not say is taken from the target: its private key, its
 * known_hosts files and host key policy, its timeout; never its password.
 */
function jumpHostSpecs(
  value: string,
  target: ConnectionSpec,
  configFile: string | undefined,
  defaults: ConnectionDefaults,
  depth: number,
): ConnectionSpec[] {
  if (depth > MAX_JUMP_DEPTH)
    throw new BosunError(
      'BAD_OPTION',
      `host ${target.name}: ProxyJump nests deeper than ${MAX_JUMP_DEPTH} hops (a loop in the ssh config?)`,
    );
  const hops: ConnectionSpec[] = [];
  value.split(',').forEach((text, index) => {
    const hop = parseJumpHop(text);
    const config = sshConfigFor(hop.host, configFile);
    const port = hop.port ?? Number(configValue(config, 'port') ?? 22);
    const user = hop.user ?? configValue(config, 'user') ?? currentUser();
    const tokens = { original: hop.host, host: hop.host, port, user };
    const address = expandTokens(configValue(config, 'hostname') ?? hop.host, tokens);
    const files = configValue(config, 'userknownhostsfile');
    const spec: ConnectionSpec = {
      name: text.trim(),
      type: 'ssh',
      address,
      port,
      user,
      strictHostKeyChecking: target.strictHostKeyChecking,
      knownHostsFiles:
        files === undefined
          ? target.knownHostsFiles
          : [
              ...files
                .split(/\s+/)
                .filter((f) => f !== '' && f !== 'none')
                .map((f) => expandTokens(f, { ...tokens, host: address })),
              ...(defaults.knownHostsFiles ?? ['/etc/ssh/ssh_known_hosts']).map(expandHome),
            ],
      connectTimeoutMs: target.connectTimeoutMs,
    };
    if (target.acceptNewHostKeys) spec.acceptNewHostKeys = true;
    const shkc = configValue(config, 'stricthostkeychecking');
    if (shkc !== undefined) {
      const s = strictness(spec.name, shkc);
      spec.strictHostKeyChecking = s.strict;
      if (s.acceptNew) spec.acceptNewHostKeys = true;
      else delete spec.acceptNewHostKeys;
    }
    applySshExtras(spec, spec.name, (key) => configValue(config, key), identityList(config), {
      ...tokens,
      host: address,
    });
    if (!spec.identityFiles && target.privateKeyFile !== undefined) spec.privateKeyFile = target.privateKeyFile;
    if (target.keyPassphrase !== undefined) spec.keyPassphrase = target.keyPassphrase;
    if (target.warn) spec.warn = target.warn;
    const nested = configValue(config, 'proxyjump');
    if (index === 0 && nested !== undefined && nested.toLowerCase() !== 'none') {
      hops.push(...jumpHostSpecs(nested, target, configFile, defaults, depth + 1));
    }
    hops.push(spec);
  });
  return hops;
}

/** Make the Connection a spec asks for (not yet connected). */
export function createConnection(spec: ConnectionSpec): Connection {
  return spec.type === 'local' ? new LocalConnection(spec) : new SshConnection(spec);
}
