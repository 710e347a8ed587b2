/**
 * The executor: plays -> hosts -> tasks with the linear strategy (every host
 * finishes a task before the next one starts), at most `forks` hosts at a
 * time, one persistent connection per host for the whole run. It never
 * prints; it emits events.
 */
import pLimit from 'p-limit';
import { connectionSpecFromVars, createConnection } from '../connection/spec.js';
import { ConnectionError, type Connection } from '../connection/types.js';
import { BosunError } from '../errors.js';
import { hostVarLayers, loadInventory, magicVars, selectHosts, type Inventory } from '../inventory/index.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Play, Playbook, Task } from '../playbook/types.js';
import { createTemplateEngine, type TemplateEngine } from '../template/index.js';
import { VarScope, type VarLayer } from '../vars/scope.js';
import { countResult, emptyStats, type EventSink, type HostStats, type TaskResult } from './events.js';
import { gatherFacts } from './facts.js';
import { runTask } from './task-runner.js';

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

/** Per-host state that lives across tasks and plays. */
interface HostState {
  name: string;
  inventoryLayers: VarLayer[] | undefined;
  facts: Record<string, unknown>;
  /** set_fact and register (one precedence level). */
  runtime: Record<string, unknown>;
  conn: Promise<Connection> | undefined;
  failed: boolean;
  unreachable: boolean;
}

/** Load everything first (so errors come before any host is touched), then run. */
export async function runPlaybooks(opts: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const engine = createTemplateEngine();
  const extraValues = Object.assign({}, ...opts.extraVars.map((l) => l.values)) as Record<string, unknown>;
  const playbooks: Playbook[] = [];
  for (const file of opts.playbooks) playbooks.push(await loadPlaybook(file, { engine, extraVars: extraValues }));
  const inventory = await loadInventory(opts.inventories);
  const limit = opts.limit ? new Set(selectHosts(inventory, opts.limit)) : undefined;
  if (limit && limit.size === 0) {
    throw new BosunError('HOST_PATTERN', `--limit '${opts.limit}' matches no host in the inventory`);
  }
  const states = new Map<string, HostState>();
  const stats: Record<string, HostStats> = {};
  const runner = new Runner(opts, engine, inventory, states, stats);
  opts.sink({ type: 'run_start', playbooks: opts.playbooks, check: opts.check, diff: opts.diff, forks: opts.forks });
  try {
    for (const pb of playbooks) {
      opts.sink({ type: 'playbook_start', file: pb.file });
      for (const play of pb.plays) await runner.runPlay(pb, play, limit);
    }
  } finally {
    await Promise.allSettled([...states.values()].map(async (s) => (await s.conn?.catch(() => undefined))?.close()));
  }
  opts.sink({ type: 'recap', hosts: stats, durationMs: Date.now() - started });
  const all = Object.values(stats);
  const exitCode = all.some((s) => s.unreachable > 0) ? 4 : all.some((s) => s.failed > 0) ? 2 : 0;
  return { stats, exitCode };
}

class Runner {
  constructor(
    private readonly opts: RunOptions,
    private readonly engine: TemplateEngine,
    private readonly inventory: Inventory,
    private readonly states: Map<string, HostState>,
    private readonly stats: Record<string, HostStats>,
  ) {}

  async runPlay(pb: Playbook, play: Play, limit: Set<string> | undefined): Promise<void> {
    const { opts } = this;
    const pattern = play.hosts.includes('{{') ? String(this.engine.renderString(play.hosts, {}, play.hostsSource)) : play.hosts;
    const matched = selectHosts(this.inventory, pattern, play.hostsSource).filter((h) => !limit || limit.has(h));
    const hosts = matched.filter((h) => {
      const s = this.state(h);
      return !s.failed && !s.unreachable;
    });
    if (hosts.length === 0) {
      opts.sink({ type: 'no_hosts', play: play.name, pattern });
      return;
    }
    opts.sink({ type: 'play_start', name: play.name, hosts, source: play.source });
    for (const h of hosts) this.stats[h] ??= emptyStats();
    let active = hosts;
    const limiter = pLimit(Math.max(1, opts.forks));
    const playScopes = new Map<string, VarScope>();
    for (const h of hosts) playScopes.set(h, await this.playScope(pb, play, h, hosts));

    if (play.gatherFacts) {
      opts.sink({ type: 'task_start', task: 'Gathering Facts', module: 'setup', source: play.source, hosts: active.length });
      await Promise.all(active.map((h) => limiter(async () => this.record(await this.gather(h)))));
      active = active.filter((h) => !this.state(h).unreachable && !this.state(h).failed);
    }
    for (const task of play.tasks) {
      if (active.length === 0) break;
      const title = this.taskTitle(task, playScopes.get(active[0]!)!, active[0]!, play, pb);
      opts.sink({ type: 'task_start', task: title, module: task.module, source: task.source, hosts: active.length });
      await Promise.all(active.map((h) => limiter(async () => {
        const state = this.state(h);
        const vars = this.taskVars(task, playScopes.get(h)!, state, play, pb, active);
        const result = await runTask({
          task, title, host: h, vars, engine: this.engine, check: opts.check, diff: opts.diff, verbosity: opts.verbosity,
          becomeUser: (task.become ?? play.become) ? task.becomeUser ?? play.becomeUser ?? 'root' : undefined,
          connection: () => this.connection(state, vars),
        });
        this.afterTask(task, state, result);
        this.record(result);
      })));
      active = active.filter((h) => !this.state(h).unreachable && !this.state(h).failed);
    }
  }

  private record(result: TaskResult): void {
    countResult((this.stats[result.host] ??= emptyStats()), result);
    this.opts.sink({ type: 'task_result', result });
  }

  private state(host: string): HostState {
    let s = this.states.get(host);
    if (!s) {
      s = { name: host, inventoryLayers: undefined, facts: {}, runtime: {}, conn: undefined, failed: false, unreachable: false };
      this.states.set(host, s);
    }
    return s;
  }

  /** The layers that stay the same for a host during a play (runtime layers are added per task). */
  private async playScope(pb: Playbook, play: Play, host: string, _hosts: string[]): Promise<VarScope> {
    const state = this.state(host);
    state.inventoryLayers ??= await hostVarLayers(this.inventory, host, { playbookDir: pb.dir });
    return new VarScope([
      ...play.roles.map((r) => r.defaults),
      ...state.inventoryLayers,
      play.vars,
      ...play.varsFiles,
      ...play.roles.map((r) => r.vars),
    ]);
  }

  private taskVars(task: Task, scope: VarScope, state: HostState, play: Play, pb: Playbook, active: string[]): Record<string, unknown> {
    const layers: VarLayer[] = [
      { level: 'facts', source: 'facts', values: state.facts },
      { level: 'set_fact', source: 'set_fact/register', values: state.runtime },
    ];
    const role = task.context.role;
    if (role) layers.push(role.defaults, role.vars);
    if (task.context.params) layers.push(task.context.params);
    if (task.vars) layers.push(task.vars);
    const vars = { ...scope.with(...layers, ...this.opts.extraVars).toObject() };
    Object.assign(vars, magicVars(this.inventory, state.name), {
      playbook_dir: pb.dir,
      ansible_play_name: play.name,
      ansible_play_hosts: active,
      ansible_play_batch: active,
      ansible_check_mode: this.opts.check,
      ansible_diff_mode: this.opts.diff,
      ansible_verbosity: this.opts.verbosity,
      hostvars: this.hostvars(),
      ...(role ? { role_name: role.name, role_path: role.dir } : {}),
    });
    return vars;
  }

  /** `hostvars`: every host's current variables, computed when read. */
  private hostvars(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.inventory.hosts.keys()) {
      Object.defineProperty(out, name, {
        enumerable: true,
        get: () => {
          const s = this.states.get(name);
          const base = new VarScope(s?.inventoryLayers ?? []);
          return { ...base.toObject(), ...s?.facts, ...s?.runtime, ...magicVars(this.inventory, name) };
        },
      });
    }
    return out;
  }

  private taskTitle(task: Task, scope: VarScope, host: string, play: Play, pb: Playbook): string {
    let name = task.name ?? task.module;
    if (task.name?.includes('{{')) {
      try {
        name = String(this.engine.renderString(task.name, this.taskVars(task, scope, this.state(host), play, pb, [host]), task.source));
      } catch {
        name = task.name;
      }
    }
    return task.context.role ? `${task.context.role.name} : ${name}` : name;
  }

  private connection(state: HostState, vars: Record<string, unknown>): Promise<Connection> {
    if (!state.conn) {
      const p = (async () => {
        const connVars: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(vars)) {
          if (k.startsWith('ansible_') && k !== 'ansible_facts' && typeof v === 'string' && v.includes('{{')) {
            connVars[k] = this.engine.renderString(v, vars);
          } else if (k.startsWith('ansible_')) connVars[k] = v;
        }
        const spec = connectionSpecFromVars(state.name, connVars, this.opts.connection);
        const conn = createConnection(spec);
        await conn.connect();
        return conn;
      })();
      state.conn = p;
      p.catch(() => undefined);
    }
    return state.conn;
  }

  private async gather(host: string): Promise<TaskResult> {
    const state = this.state(host);
    const started = Date.now();
    const base: TaskResult = {
      host, task: 'Gathering Facts', module: 'setup', status: 'ok', ignored: false, msg: undefined, rc: undefined, stdout: undefined,
      stderr: undefined, diff: [], durationMs: 0, data: {}, noLog: false,
    };
    try {
      const vars = { ...new VarScope(state.inventoryLayers ?? []).with(...this.opts.extraVars).toObject(), ...magicVars(this.inventory, host) };
      const conn = await this.connection(state, vars);
      state.facts = await gatherFacts(conn);
      return { ...base, durationMs: Date.now() - started, data: { changed: false, ansible_facts: state.facts['ansible_facts'] } };
    } catch (e) {
      const unreachable = e instanceof ConnectionError;
      const msg = (e as Error).message;
      if (unreachable) state.unreachable = true;
      else state.failed = true;
      return { ...base, status: unreachable ? 'unreachable' : 'failed', msg, durationMs: Date.now() - started, data: { changed: false, msg, ...(unreachable ? { unreachable: true } : { failed: true }) } };
    }
  }

  private afterTask(task: Task, state: HostState, result: TaskResult): void {
    if (result.status === 'unreachable') state.unreachable = true;
    else if (result.status === 'failed' && !result.ignored) state.failed = true;
    const facts = result.data['ansible_facts'];
    if (task.module === 'set_fact' && facts && typeof facts === 'object' && result.status !== 'failed') {
      Object.assign(state.runtime, facts);
    }
    if (task.module === 'set_fact' && result.items) {
      for (const item of result.items) {
        const f = item.data['ansible_facts'];
        if (f && typeof f === 'object' && item.status !== 'failed') Object.assign(state.runtime, f);
      }
    }
    if (task.register) state.runtime[task.register] = result.data;
  }
}
