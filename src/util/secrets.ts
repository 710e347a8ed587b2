/**
 * Secrets never shown: `collectSecrets` gathers the secret strings of a run
 * (the values of secret-named variables, every vault-revealed value, the
 * become and login passwords, the key passphrase) into a SecretMasker
 * (secret-masker.ts: strong and weak secrets), and `maskingSink` puts it
 * between the executor and the reporters so that every event (text, --json,
 * error messages) is masked before anyone sees it. The same sink censors the
 * results of `no_log` tasks (`censorNoLog`), once for every reporter, in
 * Ansible's words. The rule for names is in secret-names.ts.
 */
import { revealedValues } from '../vault/keyring.js';
import { SecretMasker } from './secret-masker.js';

export { isSecretName, MASK } from './secret-names.js';
export { isWeakSecret, maskConfigLines, SecretMasker } from './secret-masker.js';

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
  /** `--ask-pass`: the login password. */
  loginPassword?: string | undefined;
  /** `--ask-key-passphrase` (or BOSUN_KEY_PASSPHRASE, as the CLI read it): the private keys' passphrase. */
  keyPassphrase?: string | undefined;
  /** The environment (default process.env), for BOSUN_BECOME_PASSWORD and BOSUN_KEY_PASSPHRASE. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A host's group_vars/ and host_vars/ layers as seen from a playbook folder (hostVarLayers). */
  hostLayers?: (host: string, playbookDir: string) => Promise<readonly ValuesHolder[]>;
}

/**
 * Collect a run's secrets: secret-named variables everywhere they are known
 * before the run (the executor teaches the rest, learnLayers and
 * addRegistered), the become and login passwords, the key passphrase, and
 * every vault-revealed value.
 */
export async function collectSecrets(src: SecretSources): Promise<SecretMasker> {
  const masker = new SecretMasker();
  for (const v of revealedValues()) masker.add(v);
  for (const given of [src.becomePassword, src.loginPassword, src.keyPassphrase]) if (given) masker.add(given);
  // The ones read from the environment (BECOME_PASSWORD_ENV in connection/become-options.ts, the key passphrase in
  // cli/run-output-options.ts); util/own-env.ts keeps them from local commands.
  const env = src.env ?? process.env;
  for (const name of ['BOSUN_BECOME_PASSWORD', 'BOSUN_KEY_PASSPHRASE']) if (env[name]) masker.add(env[name]);
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
  'delegatedAddress',
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
    // A task's result holds values (weak secrets are masked there as whole values); other events are structure.
    sink(masker.maskDeep(event, { values: event.type === 'task_result' }));
  };
}
