/**
 * The defaults an Ansible user keeps in `ansible.cfg` and `ANSIBLE_*`
 * environment variables, for `bosun run`: the inventory, the roles path, the
 * login user, forks, timeouts, become and the vault password file. The file
 * is found as ansible-core finds it (first of `$ANSIBLE_CONFIG`, `./bosun.cfg`
 * (bosun's own name, same format), `./ansible.cfg` unless the folder is world-writable, `~/.ansible.cfg`,
 * `/etc/ansible/ansible.cfg`), and the precedence is Ansible's: a command-line
 * flag, then the environment variable, then the file, then bosun's default.
 * Settings bosun has no use for are listed at `-v`, never an error.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseIni } from 'ini';
import { BosunError } from '../errors.js';

/** How a setting's text becomes a value. */
type Kind = 'string' | 'int' | 'bool' | 'path' | 'pathlist' | 'pathspec';

/** One setting bosun reads: where Ansible keeps it, and the `bosun run` flag (attribute name) it stands in for. */
interface Setting {
  section: string;
  key: string;
  env: string;
  kind: Kind;
  /** The flag's attribute in RunFlags, or a field of its own (`rolesPath`, `hostKeyChecking`). */
  flag: string;
}

/** The settings bosun honours, with ansible-core's names (lib/ansible/config/base.yml). */
export const ANSIBLE_SETTINGS: readonly Setting[] = [
  { section: 'defaults', key: 'inventory', env: 'ANSIBLE_INVENTORY', kind: 'pathlist', flag: 'inventory' },
  { section: 'defaults', key: 'roles_path', env: 'ANSIBLE_ROLES_PATH', kind: 'pathspec', flag: 'rolesPath' },
  { section: 'defaults', key: 'remote_user', env: 'ANSIBLE_REMOTE_USER', kind: 'string', flag: 'user' },
  { section: 'defaults', key: 'forks', env: 'ANSIBLE_FORKS', kind: 'int', flag: 'forks' },
  { section: 'defaults', key: 'timeout', env: 'ANSIBLE_TIMEOUT', kind: 'int', flag: 'timeout' },
  {
    section: 'defaults',
    key: 'private_key_file',
    env: 'ANSIBLE_PRIVATE_KEY_FILE',
    kind: 'path',
    flag: 'privateKey',
  },
  { section: 'defaults', key: 'gathering', env: 'ANSIBLE_GATHERING', kind: 'string', flag: 'gathering' },
  { section: 'defaults', key: 'transport', env: 'ANSIBLE_TRANSPORT', kind: 'string', flag: 'connection' },
  { section: 'defaults', key: 'ask_pass', env: 'ANSIBLE_ASK_PASS', kind: 'bool', flag: 'askPass' },
  {
    section: 'defaults',
    key: 'vault_password_file',
    env: 'ANSIBLE_VAULT_PASSWORD_FILE',
    kind: 'path',
    flag: 'vaultPasswordFile',
  },
  {
    section: 'defaults',
    key: 'host_key_checking',
    env: 'ANSIBLE_HOST_KEY_CHECKING',
    kind: 'bool',
    flag: 'hostKeyChecking',
  },
  // The default callback's options (lib/ansible/plugins/doc_fragments/default_callback.py), for the text reporter.
  {
    section: 'defaults',
    key: 'display_skipped_hosts',
    env: 'ANSIBLE_DISPLAY_SKIPPED_HOSTS',
    kind: 'bool',
    flag: 'displaySkippedHosts',
  },
  {
    section: 'defaults',
    key: 'display_ok_hosts',
    env: 'ANSIBLE_DISPLAY_OK_HOSTS',
    kind: 'bool',
    flag: 'displayOkHosts',
  },
  { section: 'privilege_escalation', key: 'become', env: 'ANSIBLE_BECOME', kind: 'bool', flag: 'become' },
  {
    section: 'privilege_escalation',
    key: 'become_user',
    env: 'ANSIBLE_BECOME_USER',
    kind: 'string',
    flag: 'becomeUser',
  },
  {
    section: 'privilege_escalation',
    key: 'become_method',
    env: 'ANSIBLE_BECOME_METHOD',
    kind: 'string',
    flag: 'becomeMethod',
  },
  {
    section: 'privilege_escalation',
    key: 'become_ask_pass',
    env: 'ANSIBLE_BECOME_ASK_PASS',
    kind: 'bool',
    flag: 'askBecomePass',
  },
];

/** Where a value came from, for messages and `-v`. */
export interface SettingSource {
  /** `ansible.cfg` path and `[section] key`, or the environment variable's name. */
  from: string;
}

/** The values found, by flag attribute, with where each came from. */
export interface AnsibleDefaults {
  /** The config file read, if any. */
  file: string | undefined;
  values: Map<string, { value: unknown; source: SettingSource }>;
  /** Settings of the file that bosun does not use (`[defaults] gathering`, ...). */
  unused: string[];
  warnings: string[];
}

/** What the config adds to a run beyond the flags: the roles path, host key checking, warnings, what to say at -v. */
export interface ConfigExtras {
  rolesPath?: string[];
  strictHostKeyChecking?: false;
  gathering?: 'implicit' | 'explicit' | 'smart';
  /** The text reporter's display_skipped_hosts / display_ok_hosts (absent: true, Ansible's default). */
  display: { skippedHosts?: boolean; okHosts?: boolean };
  warnings: string[];
  /** Lines for `-v`: the file used and the settings of it bosun does not use. */
  notes: string[];
}

/**
 * Fill the flags not given on the command line (`given`: their attribute names) from the environment and
 * ansible.cfg, in place; returns what is not a flag.
 */
export function applyAnsibleDefaults(
  flags: Record<string, unknown>,
  given: ReadonlySet<string>,
  defaults: AnsibleDefaults = ansibleDefaults(),
): ConfigExtras {
  const extras: ConfigExtras = { display: {}, warnings: [...defaults.warnings], notes: [] };
  if (defaults.file !== undefined) {
    extras.notes.push(`Using ${defaults.file} as config file`);
    if (defaults.unused.length > 0)
      extras.notes.push(`${defaults.file}: settings bosun does not use: ${defaults.unused.join(', ')}`);
  }
  for (const [flag, { value, source }] of defaults.values) {
    if (flag === 'rolesPath') {
      extras.rolesPath = value as string[];
      continue;
    }
    if (flag === 'hostKeyChecking') {
      if (value === false) {
        extras.strictHostKeyChecking = false;
        extras.warnings.push(`host keys are not checked (${source.from} is false): any host can pose as any other`);
      }
      continue;
    }
    if (flag === 'gathering') {
      if (value !== 'implicit' && value !== 'explicit' && value !== 'smart')
        throw new BosunError(
          'BAD_OPTION',
          `${source.from}: gathering must be implicit, explicit or smart, not '${String(value)}'`,
        );
      extras.gathering = value;
      continue;
    }
    if (flag === 'displaySkippedHosts' || flag === 'displayOkHosts') {
      extras.display[flag === 'displaySkippedHosts' ? 'skippedHosts' : 'okHosts'] = value as boolean;
      continue;
    }
    if (given.has(flag)) continue;
    if (flag === 'becomeMethod' && value !== 'sudo' && value !== 'su')
      throw new BosunError('BAD_OPTION', `${source.from}: become method '${String(value)}' is not supported`, {
        hint: 'bosun becomes with sudo or su',
      });
    // The repeatable flags take a list.
    flags[flag] = flag === 'vaultPasswordFile' ? [value] : value;
  }
  return extras;
}

/** ansible-core's find_ini_config_file: the first readable of ANSIBLE_CONFIG, ./bosun.cfg (bosun's), ./ansible.cfg, ~/.ansible.cfg, /etc. */
export function findAnsibleConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): { file: string | undefined; warnings: string[] } {
  const warnings: string[] = [];
  const candidates: string[] = [];
  const fromEnv = env['ANSIBLE_CONFIG'];
  let envPath: string | undefined;
  if (fromEnv !== undefined) {
    envPath = path.resolve(cwd, expandHome(fromEnv, env));
    if (isDir(envPath)) envPath = path.join(envPath, 'ansible.cfg');
    candidates.push(envPath);
  }
  // bosun's own name first: a project can keep its settings for bosun beside an ansible.cfg for Ansible.
  const cwdCfgs = [path.join(cwd, 'bosun.cfg'), path.join(cwd, 'ansible.cfg')];
  let skippedCwd = false;
  try {
    if (statSync(cwd).mode & 0o002) skippedCwd = cwdCfgs.some((f) => existsSync(f));
    else candidates.push(...cwdCfgs);
  } catch {
    // An unreadable working folder is no config source, as in Ansible.
  }
  candidates.push(path.join(env['HOME'] ?? homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  const file = candidates.find(readable);
  if (skippedCwd && (envPath === undefined || file !== envPath)) {
    warnings.push(
      `bosun is being run in a world writable directory (${cwd}), ignoring it as a bosun.cfg or ansible.cfg source (as Ansible does)`,
    );
  }
  return { file, warnings };
}

/** Read the settings bosun honours from the environment and the config file. */
export function ansibleDefaults(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AnsibleDefaults {
  const { file, warnings } = findAnsibleConfig(env, cwd);
  const sections = file === undefined ? {} : readConfig(file);
  const values = new Map<string, { value: unknown; source: SettingSource }>();
  for (const s of ANSIBLE_SETTINGS) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      values.set(s.flag, { value: convert(s, fromEnv, cwd, s.env, env), source: { from: s.env } });
      continue;
    }
    const text = sections[s.section]?.[s.key];
    if (text !== undefined && file !== undefined) {
      const from = `${file} [${s.section}] ${s.key}`;
      values.set(s.flag, { value: convert(s, text, path.dirname(file), from, env), source: { from } });
    }
  }
  const known = new Set(ANSIBLE_SETTINGS.map((s) => `${s.section}.${s.key}`));
  const unused = Object.entries(sections).flatMap(([section, keys]) =>
    Object.keys(keys)
      .filter((k) => !known.has(`${section}.${k}`))
      .map((k) => `[${section}] ${k}`),
  );
  return { file, values, unused, warnings };
}

/** The file's sections, keys lowercased as Python's configparser does; values as text. */
function readConfig(file: string): Record<string, Record<string, string>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BosunError('BAD_OPTION', `cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = parseIni(text) as Record<string, unknown>;
  const out: Record<string, Record<string, string>> = {};
  for (const [section, keys] of Object.entries(parsed)) {
    if (!keys || typeof keys !== 'object') continue;
    const into: Record<string, string> = {};
    for (const [rawKey, rawValue] of Object.entries(keys as Record<string, unknown>)) {
      let key = rawKey;
      let value = rawValue;
      // configparser also takes `key: value`; the ini library reads that line as a key alone.
      const colon = rawKey.indexOf(':');
      if (value === true && colon > 0) {
        key = rawKey.slice(0, colon);
        value = rawKey.slice(colon + 1);
      }
      into[key.trim().toLowerCase()] = String(value).trim();
    }
    out[section.trim()] = into;
  }
  return out;
}

function convert(s: Setting, text: string, base: string, from: string, env: NodeJS.ProcessEnv): unknown {
  switch (s.kind) {
    case 'string':
      return text;
    case 'int': {
      if (!/^[0-9]+$/.test(text) || Number(text) < 1)
        throw new BosunError('BAD_OPTION', `${from}: expected a whole number of at least 1, not '${text}'`);
      return Number(text);
    }
    case 'bool': {
      const b = toBool(text);
      if (b === undefined)
        throw new BosunError('BAD_OPTION', `${from}: expected a boolean (yes/no, true/false, 1/0), not '${text}'`);
      return b;
    }
    case 'path':
      return path.resolve(base, expandHome(text, env));
    case 'pathlist':
      // ansible-core's pathlist: comma-separated, each relative to the config file's folder.
      return text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => path.resolve(base, expandHome(p, env)));
    case 'pathspec':
      return text
        .split(':')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => path.resolve(base, expandHome(p, env)));
  }
}

/** ansible-core's boolean(): the words it takes for true and false. */
function toBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['y', 'yes', 'on', '1', 'true', 't', '1.0'].includes(t)) return true;
  if (['n', 'no', 'off', '0', 'false', 'f', '0.0'].includes(t)) return false;
  return undefined;
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p === '~' || p.startsWith('~/') ? path.join(env['HOME'] ?? homedir(), p.slice(1)) : p;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
