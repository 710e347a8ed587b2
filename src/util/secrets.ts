/**
 * Secrets never shown: a SecretMasker knows the secret strings of a run (the
 * values of secret-named variables, every vault-revealed value, the become
 * password) and replaces them with `********` in anything about to be shown;
 * `maskingSink` puts it between the executor and the reporters so that every
 * event (text, --json, error messages) is masked before anyone sees it. The
 * same sink censors the results of `no_log` tasks (`censorNoLog`), once for
 * every reporter, in Ansible's words.
 *
 * The rule for names: a variable is secret when its name matches
 * /password|passwd|secret|token|apikey|(^|_)key($|_)|pass$/i (`key` as a word: `api_key`,
 * `private_key_data`, not `kubekey_version` or `monkey`), except names that hold a path or
 * a public key (ending in _file, _files, _path, _dir, _public, _pub, _keytype,
 * or containing public_key), such as ansible_ssh_private_key_file, a bare
 * `key`/`keys` (the name half of dict2items and with_dict items, not a secret), the
 * getent module's `getent_passwd` fact (user names, homes and shells), and authorized_key's
 * `key_options` (`no-pty,from=...`).
 */
import { BosunError, rememberSource } from '../errors.js';
import { readFileSync } from 'node:fs';
import { revealedValues } from '../vault/keyring.js';
import { shq } from './shell.js';

/** What a masked secret is shown as. */
export const MASK = '********';

const SECRET_NAME = /password|passwd|secret|token|apikey|(?:^|_)key(?:$|_)|pass$/i;
const NOT_SECRET_NAME =
  /(?:_files?|_path|_dir|_public|_pub|_keytype)$|public_?key|^keys?$|^getent_passwd$|^key_options$/i;
/** Shorter values are not masked: masking "ab" everywhere would garble output and hide nothing. */
const MIN_LENGTH = 3;

const secretNameCache = new Map<string, boolean>();

/** True when a variable (or result key) of this name holds a secret, by the rule above. */
export function isSecretName(name: string): boolean {
  // Every task result is walked for secret-named keys, and the same few names (path, mode, changed...)
  // come back on every host: remember the answer (measured: 18 ms of a 10-host run's 0.45 s CPU).
  let secret = secretNameCache.get(name);
  if (secret === undefined) {
    secret = SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
    if (secretNameCache.size < 10_000) secretNameCache.set(name, secret);
  }
  return secret;
}

/** Collects secret strings and masks them in text and in structured values. */
export class SecretMasker {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;
  private dirty = false;

  /** How many distinct strings are masked. */
  get size(): number {
    return this.secrets.size;
  }

  /** Add a secret value: a string (with its quoted and JSON-escaped forms), a number, or every string and number inside a list or mapping. */
  add(value: unknown): void {
    if (typeof value === 'string') {
      // A template is not the secret: its rendered value is (a vault value, or learned from results).
      if (value.includes('{{')) return;
      this.addString(value);
      if (value.includes('\n'))
        for (const line of value.split('\n')) if (line.trim().length >= 8) this.addString(line.trim());
      this.addString(JSON.stringify(value).slice(1, -1));
      this.addString(shq(value));
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      this.addString(String(value));
    } else if (Array.isArray(value)) {
      for (const v of value) this.add(v);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) this.add(v);
    }
  }

  /** Add the values of the secret-named keys of a mapping, at any depth. */
  addNamed(vars: unknown): void {
    if (Array.isArray(vars)) {
      for (const v of vars) this.addNamed(v);
    } else if (vars && typeof vars === 'object' && !(vars instanceof Error)) {
      for (const k in vars) {
        if (!Object.hasOwn(vars, k)) continue;
        const v = (vars as Record<string, unknown>)[k];
        if (isSecretName(k)) this.add(v);
        else if (v !== null && typeof v === 'object') this.addNamed(v);
      }
    }
  }

  private addString(s: string): void {
    if (s.length < MIN_LENGTH || this.secrets.has(s)) return;
    this.secrets.add(s);
    this.dirty = true;
  }

  /** The text with every secret replaced by MASK (longest secrets first). */
  mask(text: string): string {
    if (this.secrets.size === 0 || text.length < MIN_LENGTH) return text;
    if (this.dirty || !this.pattern) {
      const sorted = [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(sorted.join('|'), 'g');
      this.dirty = false;
    }
    return text.replace(this.pattern, MASK);
  }

  /** A copy of a value with every string (map keys too) masked; errors become masked errors. */
  maskDeep<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return this.walk(value, new Map()) as T;
  }

  private walk(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (!value || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (value instanceof BosunError) return this.maskError(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const v of value) out.push(this.walk(v, seen));
      return out;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null)
      return value instanceof Error ? new Error(this.mask(value.message)) : value;
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[this.mask(k)] = this.walk(v, seen);
    return out;
  }

  /**
   * A BosunError with its message and hint masked. When the line the error
   * points at holds a secret, the remembered text of that file is masked too,
   * so the excerpt formatError prints does not show it.
   */
  maskError(err: BosunError): BosunError {
    if (this.secrets.size === 0) return err;
    if (err.source) this.maskSourceText(err.source.file);
    const masked = new BosunError(err.code, this.mask(err.message), {
      ...(err.source ? { source: err.source } : {}),
      ...(err.hint !== undefined ? { hint: this.mask(err.hint) } : {}),
    });
    return masked;
  }

  private maskSourceText(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const masked = this.mask(text);
    // A vaulted file's text on disk holds no secret; its redacted plaintext stays remembered.
    if (masked !== text) rememberSource(file, masked);
  }
}

/** Anything with variable values: a VarLayer, a role's defaults, a play's vars. */
interface ValuesHolder {
  values: Record<string, unknown>;
}

/** What secrets are collected from at the start of a run (the loaded inventory and playbooks fit these shapes). */
export interface SecretSources {
  inventory: {
    hosts: ReadonlyMap<string, { vars: Record<string, unknown> }>;
    groups: ReadonlyMap<string, { vars: Record<string, unknown> }>;
  };
  playbooks: ReadonlyArray<{
    dir: string;
    plays: ReadonlyArray<{
      vars: ValuesHolder;
      varsFiles: readonly ValuesHolder[];
      roles: ReadonlyArray<{ defaults: ValuesHolder; vars: ValuesHolder }>;
    }>;
  }>;
  extraVars: readonly ValuesHolder[];
  becomePassword?: string | undefined;
  /** The environment (default process.env), for BOSUN_BECOME_PASSWORD. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A host's group_vars/ and host_vars/ layers as seen from a playbook folder (hostVarLayers). */
  hostLayers?: (host: string, playbookDir: string) => Promise<readonly ValuesHolder[]>;
}

/** Collect a run's secrets: secret-named variables everywhere they can be set, the become password, and every vault-revealed value. */
export async function collectSecrets(src: SecretSources): Promise<SecretMasker> {
  const masker = new SecretMasker();
  for (const v of revealedValues()) masker.add(v);
  if (src.becomePassword !== undefined) masker.add(src.becomePassword);
  // The become password the connection layer reads from the environment (BECOME_PASSWORD_ENV in connection/become-options.ts).
  const envBecome = (src.env ?? process.env)['BOSUN_BECOME_PASSWORD'];
  if (envBecome) masker.add(envBecome);
  for (const layer of src.extraVars) masker.addNamed(layer.values);
  for (const group of src.inventory.groups.values()) masker.addNamed(group.vars);
  for (const host of src.inventory.hosts.values()) masker.addNamed(host.vars);
  const dirs = new Set<string>();
  for (const pb of src.playbooks) {
    dirs.add(pb.dir);
    for (const play of pb.plays) {
      for (const holder of [play.vars, ...play.varsFiles, ...play.roles.flatMap((r) => [r.defaults, r.vars])])
        masker.addNamed(holder.values);
    }
  }
  if (src.hostLayers) {
    const hostLayers = src.hostLayers;
    const layers = await Promise.all(
      [...src.inventory.hosts.keys()].flatMap((h) => [...dirs].map((d) => hostLayers(h, d).catch(() => []))),
    );
    for (const layer of layers.flat()) masker.addNamed(layer.values);
  }
  // Values revealed while loading group_vars/host_vars just now.
  for (const v of revealedValues()) masker.add(v);
  return masker;
}

/** Event types whose payload can carry values (everything else is structure: names, counts, positions). */
interface EventLike {
  type: string;
}

/** What a `no_log` result says instead of its output: Ansible's words. */
export const NO_LOG_MESSAGE =
  "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** The fields of a task result that say what happened rather than what it output: censoring keeps them. */
const RESULT_STRUCTURE = new Set([
  'host',
  'task',
  'module',
  'status',
  'ignored',
  'rescued',
  'attempts',
  'delegatedTo',
  'durationMs',
  'noLog',
  'changed',
  'failed',
  'skipped',
  'unreachable',
]);

/** The shape censorNoLog reads (a TaskResult fits it). */
interface CensorableResult {
  noLog?: boolean;
  status?: unknown;
  data?: unknown;
  items?: readonly CensorableResult[];
}

/**
 * A `no_log` result as every reporter gets it: the structure (host, task,
 * status, counters, duration) kept; `msg` is Ansible's censored message,
 * `data` is `{censored, changed}` as ansible-playbook prints it, diffs are
 * empty, a loop item is `null` (shown `(item=None)`), and every other field
 * (stdout, stderr, rc, the error, labels, facts, ...) is dropped. A field
 * added to results later is dropped too unless it is listed as structure.
 * Items of a loop are censored one by one (an item can be no_log by itself).
 * Results without no_log anywhere are returned as they are.
 */
export function censorNoLog<R extends CensorableResult>(result: R): R {
  if (!result.noLog) {
    if (!result.items?.some((i) => i.noLog)) return result;
    return { ...result, items: result.items.map((i) => censorNoLog(i)) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) out[key] = RESULT_STRUCTURE.has(key) ? value : undefined;
  const data = result.data as Record<string, unknown> | undefined;
  out['msg'] = NO_LOG_MESSAGE;
  out['diff'] = [];
  out['data'] = { censored: NO_LOG_MESSAGE, changed: result.status === 'changed' || data?.['changed'] === true };
  if ((result as { item?: unknown }).item !== undefined) out['item'] = null;
  if (result.items) out['items'] = result.items.map((i) => censorNoLog({ ...i, noLog: true }));
  return out as R;
}

/**
 * Wrap a sink so every event is masked before the reporters see it, and a
 * `no_log` result censored (censorNoLog). Results teach the masker too:
 * values under secret-named keys of a task's data (a `set_fact` of
 * `api_token`, a registered `password` field, also of a no_log task) are
 * masked from that event on, and so is every value a vault revealed since.
 * The executor's own objects are never changed (what `register` stored stays).
 */
export function maskingSink<E extends EventLike>(sink: (event: E) => void, masker: SecretMasker): (event: E) => void {
  let revealedSeen = revealedValues().size;
  return (event) => {
    if (event.type === 'task_result') {
      const result = (event as unknown as { result: CensorableResult }).result;
      masker.addNamed(result.data);
      for (const item of result.items ?? []) masker.addNamed(item.data);
      const censored = censorNoLog(result);
      if (censored !== result) event = { ...event, result: censored };
    }
    const revealed = revealedValues();
    if (revealed.size !== revealedSeen) {
      for (const v of revealed) masker.add(v);
      revealedSeen = revealed.size;
    }
    sink(masker.maskDeep(event));
  };
}
