/**
 * OpenSSH client configuration (`~/.ssh/config`, `/etc/ssh/ssh_config`, or
 * the one file `-F` names), read with the `ssh-config` package: what it says
 * about one host, with the keys lower-cased and the `%` tokens OpenSSH
 * expands in HostName, IdentityFile and UserKnownHostsFile expanded.
 */
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import SSHConfig from 'ssh-config';
import { BosunError } from '../errors.js';

/** What an ssh config says about one host: keys lower-cased, first value wins; `identityfile` is a list. */
export type SshConfigValues = Record<string, string | string[]>;

/** The files OpenSSH reads when no `-F` is given, in order (the first value found wins). */
export const DEFAULT_SSH_CONFIG_FILES = ['~/.ssh/config', '/etc/ssh/ssh_config'];

/** Parsed files, read once per run (every host of a run looks into the same files). */
const parsedFiles = new Map<string, SSHConfig | null>();

/** Parse one config file once; a missing file is null, as for ssh. */
function parsedFile(file: string, required: boolean): SSHConfig | null {
  const path = expandTilde(file);
  const cached = parsedFiles.get(path);
  if (cached !== undefined) return cached;
  let parsed: SSHConfig | null = null;
  try {
    parsed = SSHConfig.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || required) {
      throw new BosunError('BAD_OPTION', `cannot read the ssh config ${path}: ${(e as Error).message}`, {
        hint: 'fix the file or point -F at another one (-F none reads none)',
      });
    }
  }
  parsedFiles.set(path, parsed);
  return parsed;
}

/** Forget the files read so far (a long-lived library caller whose config changed; tests). */
export function clearSshConfigCache(): void {
  parsedFiles.clear();
}

/**
 * The config files to read: `-F FILE` alone (as ssh does), `none` for none,
 * or the defaults. A file named with -F must exist.
 */
export function sshConfigFiles(configFile: string | undefined): Array<{ file: string; required: boolean }> {
  if (configFile === 'none') return [];
  if (configFile !== undefined) return [{ file: configFile, required: true }];
  return DEFAULT_SSH_CONFIG_FILES.map((file) => ({ file, required: false }));
}

/**
 * What the config files say about `host` (the name given to ssh: ansible_host
 * or the inventory name). `Match exec` is never run: a config file must not
 * start processes on the controller.
 */
export function sshConfigFor(host: string, configFile: string | undefined): SshConfigValues {
  const out: SshConfigValues = {};
  for (const { file, required } of sshConfigFiles(configFile)) {
    const config = parsedFile(file, required);
    if (!config) continue;
    const values = config.compute(host, { ignoreCase: true, matchExec: false });
    for (const [key, value] of Object.entries(values)) {
      const k = key.toLowerCase();
      if (k === 'host') continue;
      if (k === 'identityfile' || k === 'userknownhostsfile') {
        const list = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/\s+/)).filter(Boolean);
        out[k] = [...((out[k] as string[] | undefined) ?? []), ...list];
      } else if (!(k in out)) {
        out[k] = Array.isArray(value) ? value.join(' ') : value;
      }
    }
  }
  return out;
}

/** One value of a config key as a string (lists joined). */
export function configValue(values: SshConfigValues, key: string): string | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(' ') : v;
}

/** The values that `%` tokens stand for (ssh_config(5) TOKENS), as far as bosun knows them. */
export interface TokenValues {
  /** The name given on the command line (%n), and the host name after HostName (%h). */
  original: string;
  host: string;
  port?: number;
  user?: string;
}

/** Expand `%h %n %p %r %u %d %%` and a leading `~`, as ssh does in HostName, IdentityFile and known_hosts paths. */
export function expandTokens(text: string, values: TokenValues): string {
  const expanded = text.replace(/%([%hnprud])/g, (whole, token: string) => {
    switch (token) {
      case '%':
        return '%';
      case 'h':
        return values.host;
      case 'n':
        return values.original;
      case 'p':
        return values.port === undefined ? whole : String(values.port);
      case 'r':
        return values.user ?? whole;
      case 'u':
        return localUser();
      case 'd':
        return homedir();
      default:
        return whole;
    }
  });
  return expandTilde(expanded);
}

/** `~` and `~/...` to the controller user's home. */
function expandTilde(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return homedir() + path.slice(1);
  return path;
}

/** The controller's user name. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** ssh_config's yes/no (also true/false). */
export function configFlag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return undefined;
}
