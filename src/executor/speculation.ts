/**
 * Speculative decisions (docs/architecture.md, "Speculative decisions"). When a live task's probe is about to
 * take a round trip to its host, the decisions of the next tasks of the same task list (the window) are started
 * too, with the variables as they are now; their probes go in the same round trip (src/executor/probe-batch.ts)
 * and their answers are kept for those tasks, which take them when their turn comes, if nothing that may change
 * a target ran in between. The later tasks still run as always, in their turn, with their variables then: the
 * speculation only decides which probes are already answered. `BOSUN_SPECULATION=0` turns it off (the test that
 * compares runs with and without it).
 */
import type { Connection } from '../connection/types.js';
import type { Task, TaskNode } from '../playbook/types.js';
import type { TaskStatus } from './events.js';
import { batcherOf, mutationEpoch, type Participant } from './probe-batch.js';
import type { PlayRun, Walk } from './play.js';
import { tagsSelect } from './tags.js';
import { speculateDecide, speculativeItems, type TaskRun } from './task-runner.js';

/** The environment variable that turns speculation off (`0`) or on for every link (`1`); unset: by the link. */
export const SPECULATION_ENV = 'BOSUN_SPECULATION';

/**
 * Whether this run speculates (read when a play starts): `off`, `on` (every host, also on a fast link: the tests
 * that compare runs with and without it), or `auto`: a host speculates once one of its probes took SLOW_PROBE_MS
 * or more. On a LAN a round trip costs less than deciding a task twice on the controller (measured with
 * bench/run.mjs at 10 hosts: 0.60 s of controller CPU for the re-run without speculation, 0.80 s with it), so
 * speculation pays only where round trips are slow.
 */
export type SpeculationMode = 'off' | 'auto' | 'on';

export function speculationMode(): SpeculationMode {
  const v = process.env[SPECULATION_ENV];
  return v === '0' ? 'off' : v === '1' ? 'on' : 'auto';
}

/** In `auto` mode, the fastest probe round trip of a host from which its later tasks are speculated. */
export const SLOW_PROBE_MS = 5;

/** Modules whose decision only probes the target (with a command: only its creates/removes/chdir checks). */
const PROBING: ReadonlySet<string> = new Set([
  'file',
  'copy',
  'template',
  'lineinfile',
  'blockinfile',
  'replace',
  'ini_file',
  'stat',
  'command',
  'shell',
]);

/** Modules decided on the controller without touching a target or a change: a window goes on past them. */
const CONTROLLER_ONLY: ReadonlySet<string> = new Set(['assert', 'debug', 'fail', 'set_fact']);

/** Tasks in a window at most, and the window a host starts with. */
const WINDOW_MAX = 64;
const WINDOW_START = 16;

/**
 * Whether `task` may change a target (or cannot be told before it runs): the window of speculated tasks ends
 * before it. A command without creates/removes, or with onlyif/unless (which run the user's commands), a task
 * delegated to another host, every module not known to decide by probes alone.
 */
export function endsWindow(task: Task): boolean {
  if (CONTROLLER_ONLY.has(task.module)) return false;
  if (!PROBING.has(task.module) || task.delegateTo !== undefined) return true;
  if (task.module === 'command' || task.module === 'shell') {
    const a = task.args;
    return (a['creates'] === undefined && a['removes'] === undefined) || 'onlyif' in a || 'unless' in a;
  }
  return false;
}

/** The tasks of `nodes` after index `i` that can be in the window of the task at `i` (plain tasks, up to a block, an include or a meta). */
export function tasksAhead(nodes: readonly TaskNode[], i: number): Task[] {
  const out: Task[] = [];
  for (let k = i + 1; k < nodes.length && out.length < WINDOW_MAX; k++) {
    const n = nodes[k]!;
    if (n.kind !== 'task' || n.module === 'meta') break;
    out.push(n);
  }
  return out;
}

/** The names a task's templates may read, as one text (a cheap, conservative test: a name that appears at all). */
function textOf(task: Task): string {
  return JSON.stringify([task.args, task.when, task.loop?.value ?? null]);
}

/** The per-play speculation state: each host's window size and what was speculated. */
export class Speculation {
  /** Each host's window: grows while its tasks change nothing, drops to 0 after a change (nothing to waste). */
  private readonly window = new Map<string, number>();
  /** The tasks each host has speculated, and the mutation epoch they were speculated in. */
  private readonly speculated = new Map<string, WeakSet<Task>>();
  /** The mutation epoch of each host's last window. */
  private readonly launched = new Map<string, number>();

  readonly enabled: boolean;

  constructor(
    private readonly play: PlayRun,
    private readonly mode: SpeculationMode,
  ) {
    this.enabled = mode !== 'off';
  }

  /** A task's result on a host: the window grows after no change, and closes after a change. */
  result(host: string, status: TaskStatus, changed: boolean, check: boolean): void {
    const w = this.window.get(host) ?? WINDOW_START;
    const quiet = status === 'ok' || status === 'skipped' || (check && changed && status !== 'failed');
    this.window.set(host, quiet ? Math.min(WINDOW_MAX, Math.max(1, w * 4)) : 0);
  }

  /**
   * The hook of a live task on `host` (TaskRun.speculate): on its first probe that takes a round trip, start the
   * speculative decisions of its own loop items ahead and of the tasks of `ahead` that can be speculated.
   */
  hook(host: string, live: Task, walk: Walk, ahead: Task[]): TaskRun['speculate'] {
    const settings = this.play.run.settings;
    if (!this.enabled || walk.handler || settings.confirmStep || this.play.run.state.startAt !== undefined)
      return undefined;
    return (shell: Connection, run: TaskRun) => {
      // auto: only once this shell's fastest probe showed a slow link (none measured yet: not yet).
      if (this.mode === 'auto' && batcherOf(shell).fastestProbeMs < SLOW_PROBE_MS) return;
      let done = this.speculated.get(host);
      if (done?.has(live) && this.launched.get(host) !== mutationEpoch()) {
        // The live task was speculated, yet its probe takes a round trip, and something changed since: the
        // speculation was voided (a loop whose items change, another host's change): no more until a task
        // changes nothing.
        this.window.set(host, 0);
        this.speculated.set(host, new WeakSet<Task>());
        return;
      }
      // Spent (or the same tasks run again, an include run twice): speculate afresh.
      if (!done || done.has(live)) this.speculated.set(host, (done = new WeakSet<Task>()));
      const size = this.window.get(host) ?? WINDOW_START;
      if (size === 0) return;
      this.launched.set(host, mutationEpoch());
      // The live task's own later items (not under until: each attempt must look again).
      if (!done.has(live) && run.itemsAhead && !live.until) {
        done.add(live);
        for (const vars of run.itemsAhead()) this.start(run, live, vars, shell);
      }
      // Names the tasks of the window set: a task reading one would probe in vain.
      const produced: string[] = [];
      if (live.register) produced.push(live.register);
      let taken = 0;
      for (const task of ahead) {
        if (taken >= size) break;
        if (!done.has(task) && this.speculable(task, live, produced)) {
          done.add(task);
          taken++;
          this.launch(host, task, walk, shell, run);
        }
        if (task.register) produced.push(task.register);
        if (task.module === 'set_fact') produced.push(...Object.keys(task.args));
        if (endsWindow(task)) break;
      }
    };
  }

  private speculable(task: Task, live: Task, produced: string[]): boolean {
    if (!PROBING.has(task.module) || endsWindow(task)) return false;
    if (task.until || task.runOnce !== false || Object.keys(task.environment).length > 0) return false;
    if (Object.keys(task.keywordTemplates).length > 0) return false;
    if (
      task.become !== live.become ||
      task.becomeUser !== live.becomeUser ||
      task.becomeMethod !== live.becomeMethod ||
      task.remoteUser !== live.remoteUser ||
      task.connection !== live.connection
    )
      return false;
    if (task.tags.some((t) => t.includes('{{')) || !tagsSelect(task.tags, this.play.run.settings.tags)) return false;
    if (produced.length > 0) {
      const text = textOf(task);
      if (produced.some((name) => new RegExp(`\\b${name.replace(/[^\w]/g, '\\$&')}\\b`).test(text))) return false;
    }
    return true;
  }

  /** Speculate `task` on `host`: each of its loop items (or the task once). */
  private launch(host: string, task: Task, walk: Walk, shell: Connection, live: TaskRun): void {
    const { play } = this;
    let vars: Record<string, unknown>;
    try {
      vars = play.varsFor(host, task.context, walk.layers, task.varLayers);
    } catch {
      return;
    }
    const run: TaskRun = {
      ...live,
      task,
      title: task.name ?? task.module,
      vars,
      check: task.checkMode ?? play.run.settings.check,
      diff: task.diff ?? play.run.settings.diff,
      environment: {},
    };
    delete run.speculate;
    delete run.itemsAhead;
    delete run.onProgress;
    delete run.onRetry;
    delete run.inventory;
    if (!task.loop) {
      this.start(run, task, vars, shell);
      return;
    }
    for (const itemVars of speculativeItems(run, vars)) this.start(run, task, itemVars, shell);
  }

  private start(run: TaskRun, task: Task, vars: Record<string, unknown>, shell: Connection): void {
    const who: Participant = { waiting: false, ended: false };
    void speculateDecide({ ...run, task }, vars, shell, who);
  }
}
