/**
 * The executor's entry point: load every playbook first (so errors come
 * before any host is touched), then run the plays in order, one persistent
 * connection per host for the whole run. It never prints; it emits events.
 */
import path from 'node:path';
import { BosunError } from '../errors.js';
import { loadInventory, selectHosts } from '../inventory/index.js';
import { PlaybookLoader } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
import { createTemplateEngine } from '../template/index.js';
import type { VarLayer } from '../vars/scope.js';
import type { EventSink, HostStats } from './events.js';
import { Hosts } from './hosts.js';
import { PlayRun, type RunState } from './play.js';
import type { TagFilter } from './tags.js';

/** Everything a run needs, resolved by the CLI (or a library caller). */
export interface RunOptions {
  playbooks: string[];
  inventories: string[];
  check: boolean;
  diff: boolean;
  limit?: string;
  /** One layer per `-e`, in the order given (later wins). */
  extraVars: VarLayer[];
  forks: number;
  verbosity: number;
  /** --tags / --skip-tags. */
  tags: TagFilter;
  /** --start-at-task: skip tasks until one with this name (or glob). */
  startAtTask?: string;
  /** --force-handlers: run notified handlers on failed hosts too. */
  forceHandlers?: boolean;
  /** -b / --become-user / --become-method: the default where plays and tasks say nothing. */
  become?: { enabled: boolean; user?: string; method?: string };
  /** --ask-become-pass (or a caller's secret store): the password for become. */
  becomePassword?: string;
  /** --step: asked before each task. */
  confirmStep?: (task: string) => Promise<'yes' | 'no' | 'continue'>;
  /** Connection defaults that inventory variables override. */
  connection: { user?: string; privateKeyFile?: string; connectTimeoutMs?: number; strictHostKeyChecking?: boolean };
  sink: EventSink;
}

/** What a run ended with. */
export interface RunOutcome {
  stats: Record<string, HostStats>;
  /** ansible-playbook's: 0 ok, 2 a host failed, 4 a host unreachable. */
  exitCode: 0 | 2 | 4;
}

/** Load every playbook of a run (used by the run itself and by --syntax-check/--list-*). */
export async function loadPlaybooks(files: string[], extraVars: VarLayer[], loader?: PlaybookLoader): Promise<{ playbooks: Playbook[]; loader: PlaybookLoader }> {
  const extraValues = Object.assign({}, ...extraVars.map((l) => l.values)) as Record<string, unknown>;
  const ld = loader ?? new PlaybookLoader({ engine: createTemplateEngine(), extraVars: extraValues });
  const playbooks: Playbook[] = [];
  for (const file of files) playbooks.push(await ld.playbook(path.resolve(file), []));
  return { playbooks, loader: ld };
}


/** Load everything, then run the plays in order. */
export async function runPlaybooks(opts: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const { playbooks, loader } = await loadPlaybooks(opts.playbooks, opts.extraVars);
  const engine = loader.engine;
  const inventory = await loadInventory(opts.inventories);
  const limit = opts.limit ? new Set(selectHosts(inventory, opts.limit)) : undefined;
  if (limit && limit.size === 0) {
    throw new BosunError('HOST_PATTERN', `--limit '${opts.limit}' matches no host in the inventory`);
  }
  const hosts = new Hosts(inventory, engine, opts);
  const stats: Record<string, HostStats> = {};
  const runState: RunState = { startAt: opts.startAtTask, stepAll: false };
  opts.sink({ type: 'run_start', playbooks: opts.playbooks, check: opts.check, diff: opts.diff, forks: opts.forks });
  try {
    for (const pb of playbooks) {
      opts.sink({ type: 'playbook_start', file: pb.file });
      for (const play of pb.plays) await new PlayRun(opts, engine, hosts, stats, pb, play, loader, runState).run(limit);
    }
  } finally {
    await hosts.closeAll();
  }
  opts.sink({ type: 'recap', hosts: stats, durationMs: Date.now() - started });
  const all = Object.values(stats);
  const exitCode = all.some((s) => s.unreachable > 0) ? 4 : all.some((s) => s.failed > 0) ? 2 : 0;
  return { stats, exitCode };
}
