/**
 * The executor's entry point: load every playbook first (so errors come
 * before any host is touched), then run the plays in order, one persistent
 * connection per host for the whole run. It never prints; it emits events.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CliRunOptions } from '../cli/run-options.js';
import type { ConnectionDefaults } from '../connection/spec.js';
import { BosunError } from '../errors.js';
import { hostVarLayers, loadInventory, selectHosts } from '../inventory/index.js';
import { PlaybookLoader } from '../playbook/load.js';
import { BUILTIN_ROLES_DIR } from '../playbook/roles.js';
import type { Playbook } from '../playbook/types.js';
import { createTemplateEngine } from '../template/index.js';
import type { VarLayer } from '../vars/scope.js';
import { collectSecrets, maskingSink, type SecretMasker } from '../util/secrets.js';
import type { EventSink, HostStats } from './events.js';
import { Hosts } from './hosts.js';
import type { RunContext, RunSettings, RunState } from './context.js';
import { PlayRun } from './play.js';
import { ConnectionPool, Reacher } from './reach.js';
import { runStartWarnings } from './run-warnings.js';
import { runSelection } from './shard-selection.js';

/**
 * Everything a run needs, resolved by the CLI (or a library caller). The
 * fields the command line sets (`CliRunOptions`: inventories, check, forks,
 * tags, connection, become, ...) are derived from the `bosun run` option
 * table (src/cli/run-options.ts, type only), so every flag's field is here
 * and typed as the flag fills it; the rest only a caller sets.
 */
export interface RunOptions extends CliRunOptions {
  playbooks: string[];
  /** Connection defaults that inventory variables override (the CLI fills some; a library caller may set the rest). */
  connection: CliRunOptions['connection'] & ConnectionDefaults;
  /**
   * Stops the run (Ctrl-C, SIGTERM; its reason 'interrupted' or 'terminated'): no new task starts; running
   * ones get `graceMs`, then their commands are killed on the targets and their connections closed.
   */
  signal?: AbortSignal;
  /** Ends the grace at once (a second Ctrl-C): the running commands are killed now. */
  hurry?: AbortSignal;
  sink: EventSink;
  /** Folders searched for roles after the playbook's own `roles/` (ansible.cfg roles_path); bosun's roles come last. */
  rolesPath?: string[];
  /** Warnings to give at the start of the run (from reading ansible.cfg). */
  startWarnings?: string[];
  /**
   * ansible.cfg `gathering`: for plays without `gather_facts`, `implicit` (the default) gathers, `explicit`
   * does not, `smart` gathers only for hosts not gathered earlier in the run.
   */
  gathering?: 'implicit' | 'explicit' | 'smart';
}

/** What a run ended with. */
export interface RunOutcome {
  stats: Record<string, HostStats>;
  /** ansible-playbook's: 0 ok, 2 a host failed, 4 a host unreachable, 99 interrupted (or out of time). */
  exitCode: 0 | 2 | 4 | 99;
  /** Hosts that failed or were unreachable, in inventory order. */
  failedHosts: string[];
  /** The `--start-at-task` name when no task matched it (ansible-playbook then prints an error after the recap). */
  unmatchedStartAtTask?: string;
}

/** Load every playbook of a run (used by the run itself and by --syntax-check/--list-*). */
export async function loadPlaybooks(
  files: string[],
  extraVars: VarLayer[],
  loader?: PlaybookLoader,
  rolesPath?: string[],
): Promise<{ playbooks: Playbook[]; loader: PlaybookLoader }> {
  const extraValues = Object.assign({}, ...extraVars.map((l) => l.values)) as Record<string, unknown>;
  const ld =
    loader ??
    new PlaybookLoader({
      engine: createTemplateEngine(),
      extraVars: extraValues,
      ...(rolesPath ? { rolesPath: [...rolesPath, BUILTIN_ROLES_DIR] } : {}),
    });
  const playbooks: Playbook[] = [];
  for (const file of files) playbooks.push(await ld.playbook(path.resolve(file), []));
  return { playbooks, loader: ld };
}

/** Load everything, then run the plays in order. */
export async function runPlaybooks(opts: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const { playbooks, loader } = await loadPlaybooks(opts.playbooks, opts.extraVars, undefined, opts.rolesPath);
  const inventory = await loadInventory(opts.inventories);
  const secrets = await collectSecrets({
    inventory,
    playbooks,
    extraVars: opts.extraVars,
    becomePassword: opts.becomePassword,
    loginPassword: opts.connection.password,
    keyPassphrase: opts.connection.keyPassphrase,
    hostLayers: (h, dir) => hostVarLayers(inventory, h, { playbookDir: dir }),
  });
  opts = { ...opts, sink: maskingSink(opts.sink, secrets) };
  try {
    return await runLoaded(opts, { started, playbooks, loader, inventory, secrets });
  } catch (e) {
    // An error that ends the run is printed by the caller: masked as events are.
    throw e instanceof BosunError ? secrets.maskError(e) : e;
  }
}

/** What runPlaybooks loaded before the run. */
interface Loaded {
  started: number;
  playbooks: Playbook[];
  loader: PlaybookLoader;
  inventory: Awaited<ReturnType<typeof loadInventory>>;
  secrets: SecretMasker;
}

/** Run the loaded plays in order (opts.sink already masks). */
async function runLoaded(opts: RunOptions, loaded: Loaded): Promise<RunOutcome> {
  const { started, playbooks, loader, inventory, secrets } = loaded;
  const engine = loader.engine;
  const inventoryHosts = inventory.hosts.size;
  let limit: Set<string> | undefined;
  if (opts.limit) {
    limit = new Set(selectHosts(inventory, await expandLimitFiles(opts.limit)));
    if (limit.size === 0) {
      throw new BosunError('HOST_PATTERN', `--limit '${opts.limit}' matches no host in the inventory`);
    }
  }
  // One signal for "stop": the caller's interrupt or the run deadline.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(opts.signal?.reason ?? 'interrupted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const deadlineTimer =
    opts.runDeadline === undefined
      ? undefined
      : setTimeout(() => stop.abort('run timeout'), Math.max(0, opts.runDeadline - Date.now()));
  let graceTimer: NodeJS.Timeout | undefined;
  /** Killing the running commands and closing their connections, once the grace is over. */
  let ending: Promise<void> | undefined;
  const settings: RunSettings = {
    check: opts.check,
    diff: opts.diff,
    forks: opts.forks,
    verbosity: opts.verbosity,
    tags: opts.tags,
    extraVars: opts.extraVars,
    forceHandlers: opts.forceHandlers,
    become: opts.become,
    becomePassword: opts.becomePassword,
    confirmStep: opts.confirmStep,
    signal: stop.signal,
    runDeadline: opts.runDeadline,
    gathering: opts.gathering,
  };
  const hosts = new Hosts(inventory, settings, engine);
  engine.useRun({
    hostPattern: (pattern) => selectHosts(inventory, pattern),
    warn: onceEach(opts.sink),
  });
  const pool = new ConnectionPool();
  // The grace is over: the commands still running are killed on their targets (as a timeout does), then closed.
  const endRunning = (): void => {
    clearTimeout(graceTimer);
    ending ??= pool.interruptAll(stoppedBecause(stop.signal.reason), INTERRUPT_BOUND_MS).then(() => pool.closeAll());
  };
  stop.signal.addEventListener(
    'abort',
    () => {
      opts.sink({ type: 'interrupted', reason: String(stop.signal.reason), graceMs: opts.graceMs ?? 10_000 });
      graceTimer = setTimeout(endRunning, opts.graceMs ?? 10_000);
      if (opts.hurry?.aborted) endRunning();
    },
    { once: true },
  );
  const onHurry = (): void => {
    if (stop.signal.aborted) endRunning();
  };
  opts.hurry?.addEventListener('abort', onHurry, { once: true });
  // hostvars must show every inventory host, not only the play's: read their layers once (files are cached).
  const allHosts = selectHosts(inventory, 'all');
  await Promise.all(allHosts.map((h) => hosts.prepare(h, playbooks[0]?.dir ?? process.cwd())));
  // --limit and --shard: which hosts a play may run on (the whole inventory stays visible to groups and hostvars).
  const selection = await runSelection(limit, opts.shard, allHosts, playbooks);
  const stats: Record<string, HostStats> = {};
  const state: RunState = { startAt: opts.startAtTask, stepAll: false, gathered: new Set() };
  const ctx: RunContext = {
    settings,
    engine,
    loader,
    hosts,
    stats,
    state,
    sink: opts.sink,
    secrets,
    reach: new Reacher(pool, { engine, defaults: { ...opts.connection, warn: onceEach(opts.sink) } }),
  };
  opts.sink({
    type: 'run_start',
    playbooks: opts.playbooks,
    check: opts.check,
    diff: opts.diff,
    forks: opts.forks,
    ...(selection.info ? { shard: selection.info } : {}),
  });
  for (const message of [
    ...(opts.startWarnings ?? []),
    ...runStartWarnings(opts, inventoryHosts, playbooks),
    ...selection.warnings,
  ])
    opts.sink({ type: 'warning', message });
  try {
    for (const pb of playbooks) {
      opts.sink({ type: 'playbook_start', file: pb.file });
      for (const play of pb.plays) {
        if (stop.signal.aborted) break;
        if ((await new PlayRun(ctx, pb, play).runPlay(selection.select)) === 'break') break;
      }
      if (stop.signal.aborted) break;
    }
  } finally {
    clearTimeout(deadlineTimer);
    clearTimeout(graceTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    opts.hurry?.removeEventListener('abort', onHurry);
    await ending;
    await pool.closeAll();
  }
  // As Ansible, the exit code and the retry file come from where the hosts ended (clear_host_errors clears a failure).
  const ended = [...inventory.hosts.keys()].map((h) => hosts.get(h).status.kind);
  const failedHosts = [...inventory.hosts.keys()].filter((_, i) => ended[i] === 'failed' || ended[i] === 'unreachable');
  // Out of time counts as stopped even when the commands cut off at the deadline ended the run before its timer fired.
  const outOfTime = opts.runDeadline !== undefined && Date.now() >= opts.runDeadline;
  const exitCode =
    stop.signal.aborted || outOfTime ? 99 : ended.includes('unreachable') ? 4 : ended.includes('failed') ? 2 : 0;
  // The recap carries the exit code, so a log (and shards' logs merged by bosun report) gives the run's.
  opts.sink({ type: 'recap', hosts: stats, durationMs: Date.now() - started, exitCode });
  if (opts.retryFile) await writeRetryFile(opts.retryFile, failedHosts);
  const unmatched = opts.startAtTask !== undefined && state.startAt !== undefined && !stop.signal.aborted;
  return { stats, exitCode, failedHosts, ...(unmatched ? { unmatchedStartAtTask: opts.startAtTask } : {}) };
}

/** How long killing the running commands of every host may take, in all (they are killed in parallel). */
const INTERRUPT_BOUND_MS = 3000;

/** What a command killed because the run stopped is told, from the stop's reason. */
function stoppedBecause(reason: unknown): string {
  if (reason === 'interrupted') return 'the run was interrupted (Ctrl-C)';
  if (reason === 'terminated') return 'the run was terminated (SIGTERM)';
  if (reason === 'run timeout') return 'the run timed out (--run-timeout)';
  return `the run was stopped (${String(reason)})`;
}

/** A warning outlet for the connections of a run: each message becomes one warning event, the first time only. */
function onceEach(sink: EventSink): (message: string) => void {
  const said = new Set<string>();
  return (message) => {
    if (said.has(message)) return;
    said.add(message);
    sink({ type: 'warning', message });
  };
}

/** Write the retry file atomically: one host per line (empty when every host succeeded). */
async function writeRetryFile(file: string, hosts: string[]): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, hosts.map((h) => `${h}\n`).join(''));
  await fs.rename(tmp, file);
}

/**
 * `--limit @file.retry` (also `!@file`, `&@file`, and inside `a:@file`): the
 * hosts listed in the file, one per line, as a pattern.
 */
export async function expandLimitFiles(limit: string): Promise<string> {
  const terms = limit.split(':');
  const out: string[] = [];
  for (const term of terms) {
    const m = /^([!&]?)@(.+)$/.exec(term);
    if (!m) {
      out.push(term);
      continue;
    }
    // Both groups always take part in a match.
    const prefix = m[1]!;
    const file = m[2]!;
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      throw new BosunError('FILE_NOT_FOUND', `--limit ${term}: cannot read ${file}: ${(e as Error).message}`);
    }
    const hosts = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    if (hosts.length === 0) throw new BosunError('HOST_PATTERN', `--limit ${term}: the file lists no host`);
    if (prefix === '') out.push(hosts.join(','));
    else out.push(...hosts.map((h) => `${prefix}${h}`));
  }
  return out.join(':');
}
