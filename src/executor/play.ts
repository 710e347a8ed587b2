/**
 * One play: hosts in `order`, `serial` batches, facts, the four task
 * sections with handlers flushed after each, blocks with rescue/always,
 * dynamic includes, meta actions, and the failure rules (any_errors_fatal,
 * max_fail_percentage). Linear strategy walks the tree with all hosts in
 * lock step; `free` lets each host walk it on its own.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import picomatch from 'picomatch';
import { selectHosts } from '../inventory/index.js';
import type { PlaybookLoader } from '../playbook/load.js';
import type { Block, Include, Play, Playbook, Task, TaskContext, TaskNode } from '../playbook/types.js';
import type { TemplateEngine } from '../template/index.js';
import type { VarLayer, VarScope } from '../vars/scope.js';
import { orderHosts, serialBatches } from './batches.js';
import { countResult, emptyStats, type HostStats, type TaskResult } from './events.js';
import { gatherFacts, mergeFacts } from './facts.js';
import type { Hosts } from './hosts.js';
import type { RunOptions } from './run.js';
import { tagsSelect } from './tags.js';
import { blankResult, errorResult } from './results.js';
import { runTask } from './task-runner.js';

/** What walking a task list carries down. */
interface Walk {
  /** Extra variable layers (include params and loop items of includes). */
  layers: VarLayer[];
  /** Inside a block body whose block (or an outer one) has a rescue section. */
  rescuable: boolean;
  /** Run per host without lock step (strategy: free). */
  free: boolean;
}

/** Run-wide state shared by the plays (start-at-task, step answers). */
export interface RunState {
  startAt: string | undefined;
  stepAll: boolean;
}

/** Runs one play. */
export class PlayRun {
  private readonly limiter: LimitFunction;
  private scopes = new Map<string, VarScope>();
  private batch: string[] = [];
  private activeCache: { batch: string[]; active: boolean[]; hosts: string[] } | undefined;
  private aborted = false;
  private handlers: Task[];

  constructor(
    private readonly opts: RunOptions,
    private readonly engine: TemplateEngine,
    private readonly hosts: Hosts,
    private readonly stats: Record<string, HostStats>,
    private readonly playbook: Playbook,
    private readonly play: Play,
    private readonly loader: PlaybookLoader,
    private readonly runState: RunState,
  ) {
    this.limiter = pLimit(Math.max(1, opts.forks));
    this.handlers = [...play.handlers];
  }

  /** Run the play on the hosts its pattern (and --limit) selects. */
  async run(limit: Set<string> | undefined): Promise<void> {
    const { play, opts } = this;
    const pattern = play.hosts.includes('{{') ? String(this.engine.renderString(play.hosts, this.extraValues(), play.hostsSource)) : play.hosts;
    const matched = selectHosts(this.hosts.inventory, pattern, play.hostsSource).filter((h) => !limit || limit.has(h));
    const hosts = orderHosts(matched.filter((h) => !this.hosts.get(h).failed && !this.hosts.get(h).unreachable), play.order);
    if (hosts.length === 0) {
      opts.sink({ type: 'no_hosts', play: play.name, pattern });
      return;
    }
    for (const h of hosts) {
      await this.hosts.prepare(h, this.playbook.dir);
      this.hosts.get(h).ended = false;
      this.scopes.set(h, this.hosts.playScope(play, h));
    }
    const batches = serialBatches(hosts, play.serial, play.source);
    for (let b = 0; b < batches.length && !this.aborted; b++) {
      this.batch = batches[b]!;
      opts.sink({ type: 'play_start', name: play.name, hosts: this.batch, source: play.source, ...(batches.length > 1 ? { batch: { index: b + 1, count: batches.length } } : {}) });
      for (const h of this.batch) this.stats[h] ??= emptyStats();
      if (play.gatherFacts && tagsSelect(['always'], opts.tags)) await this.gather(this.batch.filter((h) => this.hosts.active(h)));
      for (const section of [play.sections.preTasks, play.sections.roles, play.sections.tasks, play.sections.postTasks]) {
        if (this.aborted) break;
        await this.runSection(section);
        await this.flushHandlers(this.batch);
      }
      for (const h of this.batch) if (this.hosts.get(h).ended) this.hosts.get(h).ended = false;
      if (this.batch.every((h) => !this.hosts.active(h) && !this.hosts.get(h).ended) && batches.length > 1) {
        // Ansible stops a serial play when a whole batch failed.
        const failed = this.batch.every((h) => this.hosts.get(h).failed || this.hosts.get(h).unreachable);
        if (failed) {
          opts.sink({ type: 'play_aborted', play: play.name, reason: 'every host of the batch failed' });
          break;
        }
      }
    }
  }

  private extraValues(): Record<string, unknown> {
    return Object.assign({}, ...this.opts.extraVars.map((l) => l.values)) as Record<string, unknown>;
  }

  private async runSection(nodes: TaskNode[]): Promise<void> {
    if (this.play.strategy === 'free') {
      const limiter = pLimit(Math.max(1, this.opts.forks));
      await Promise.all(this.batch.map((h) => limiter(() => this.runNodes(nodes, [h], { layers: [], rescuable: false, free: true }))));
    } else {
      await this.runNodes(nodes, this.batch, { layers: [], rescuable: false, free: false });
    }
  }

  private activeOf(hosts: string[]): string[] {
    return this.aborted || this.opts.signal?.aborted ? [] : hosts.filter((h) => this.hosts.active(h));
  }

  private async runNodes(nodes: TaskNode[], hosts: string[], walk: Walk): Promise<void> {
    for (const node of nodes) {
      const active = this.activeOf(hosts);
      if (active.length === 0) return;
      if (node.kind === 'task') await this.runTaskNode(node, active, walk);
      else if (node.kind === 'block') await this.runBlock(node, active, walk);
      else await this.runInclude(node, active, walk);
    }
  }

  private async runBlock(block: Block, hosts: string[], walk: Walk): Promise<void> {
    const entering = this.activeOf(hosts);
    await this.runNodes(block.block, entering, { ...walk, rescuable: walk.rescuable || block.rescue.length > 0 });
    const failedIn = entering.filter((h) => this.hosts.get(h).failed && !this.hosts.get(h).unreachable);
    if (block.rescue.length > 0 && failedIn.length > 0 && !this.aborted) {
      for (const h of failedIn) {
        const s = this.hosts.get(h);
        s.failed = false;
        if (s.lastFailure) {
          s.runtime['ansible_failed_task'] = { name: s.lastFailure.task.name ?? s.lastFailure.task.module, action: s.lastFailure.task.module };
          s.runtime['ansible_failed_result'] = s.lastFailure.result;
        }
      }
      await this.runNodes(block.rescue, failedIn, walk);
    }
    if (block.always.length > 0) {
      const alwaysHosts = entering.filter((h) => !this.hosts.get(h).unreachable && !this.hosts.get(h).ended);
      const stillFailed = alwaysHosts.filter((h) => this.hosts.get(h).failed);
      for (const h of stillFailed) this.hosts.get(h).failed = false;
      const wasAborted = this.aborted;
      this.aborted = false;
      await this.runNodes(block.always, alwaysHosts, walk);
      this.aborted ||= wasAborted;
      for (const h of stillFailed) this.hosts.get(h).failed = true;
    }
  }

  private async runInclude(inc: Include, hosts: string[], walk: Walk): Promise<void> {
    if (!tagsSelect(inc.tags, this.opts.tags)) return;
    let incTitle = inc.name ?? `include_${inc.what}`;
    if (inc.name?.includes('{{') && hosts[0] !== undefined) {
      try {
        incTitle = String(this.engine.renderString(inc.name, this.varsFor(hosts[0], inc.context, walk.layers, inc.varLayers), inc.source));
      } catch {
        incTitle = inc.name;
      }
    }
    this.opts.sink({ type: 'task_start', task: incTitle, module: `include_${inc.what}`, source: inc.source, hosts: hosts.length, tags: inc.tags });
    // Each host decides (when, loop, file); hosts that include the same thing run it together.
    const groups = new Map<string, { target: string; layer: VarLayer; hosts: string[] }>();
    for (const h of hosts) {
      const vars = this.varsFor(h, inc.context, walk.layers, inc.params ? [...inc.varLayers, inc.params] : inc.varLayers);
      try {
        if (!inc.when.every((c) => this.engine.isTruthy(this.engine.evaluate(c.expr, vars, c.source)))) continue;
        const items = inc.loop ? (this.engine.renderDeep(inc.loop.value, vars, () => inc.loop!.source) as unknown[]) : [undefined];
        const loopVar = inc.loopControl?.loopVar ?? 'item';
        for (const item of [items].flat(inc.loop?.flatten ? 2 : 1)) {
          const itemVars = inc.loop ? { ...vars, [loopVar]: item } : vars;
          const target = String(this.engine.renderString(inc.target, itemVars, inc.source));
          const values: Record<string, unknown> = { ...(inc.params?.values ?? {}) };
          if (inc.loop) values[loopVar] = item;
          const key = `${target}\u0000${JSON.stringify(values)}`;
          let g = groups.get(key);
          if (!g) groups.set(key, (g = { target, layer: { level: 'include_params', source: `${inc.what === 'tasks' ? 'include_tasks' : 'include_role'} ${target}`, values }, hosts: [] }));
          g.hosts.push(h);
        }
      } catch (e) {
        this.failHost(h, this.errorResult(inc, h, e), walk);
      }
    }
    for (const g of groups.values()) {
      const active = this.activeOf(g.hosts);
      if (active.length === 0) continue;
      let included;
      try {
        included = await this.loader.include(inc.what, g.target, inc.source, inc.context, inc.childInherited,
          { ...(inc.from.tasks ? { tasksFrom: inc.from.tasks } : {}), ...(inc.from.vars ? { varsFrom: inc.from.vars } : {}), ...(inc.from.defaults ? { defaultsFrom: inc.from.defaults } : {}), ...(inc.from.handlers ? { handlersFrom: inc.from.handlers } : {}) },
          g.layer.values);
      } catch (e) {
        for (const h of active) this.failHost(h, this.errorResult(inc, h, e), walk);
        continue;
      }
      this.handlers.push(...included.handlers);
      this.opts.sink({ type: 'include', file: g.target, hosts: active, source: inc.source });
      await this.runNodes(included.nodes, active, { ...walk, layers: [...walk.layers, g.layer] });
    }
  }

  /** Report a failure that happened outside a module (an include that could not be resolved). */
  private failHost(host: string, result: TaskResult, walk: Walk): void {
    if (result.status === 'failed' && !result.ignored && walk.rescuable) result.rescued = true;
    this.record(result);
    const s = this.hosts.get(host);
    if (result.status === 'unreachable') s.unreachable = true;
    else if (!result.ignored) s.failed = true;
  }

  private errorResult(node: Include | Task, host: string, e: unknown): TaskResult {
    const module = node.kind === 'include' ? `include_${node.what}` : node.module;
    return errorResult({
      host, task: node.name ?? module, module, noLog: node.noLog === true,
      ignoreErrors: node.ignoreErrors === true, ignoreUnreachable: node.ignoreUnreachable === true,
    }, e, Date.now());
  }

  /** The variables a task sees on a host. */
  private varsFor(host: string, context: TaskContext, walkLayers: VarLayer[], ownLayers: VarLayer[]): Record<string, unknown> {
    return this.hosts.taskVars(this.scopes.get(host)!, host, {
      play: this.play, playbook: this.playbook, hosts: this.playHosts(),
      ...(context.role ? { role: context.role } : {}),
      layers: [...walkLayers, ...(context.params ? [context.params] : []), ...ownLayers],
    });
  }

  /**
   * The batch's hosts that can still run tasks (`ansible_play_hosts`): the
   * same array until one of them fails or ends, so the hosts of a task share
   * it instead of each filtering the batch.
   */
  private playHosts(): string[] {
    const cached = this.activeCache;
    if (cached?.batch === this.batch && this.batch.every((h, i) => this.hosts.active(h) === cached.active[i])) return cached.hosts;
    const active = this.batch.map((h) => this.hosts.active(h));
    const hosts = this.batch.filter((_, i) => active[i]);
    this.activeCache = { batch: this.batch, active, hosts };
    return hosts;
  }

  private selected(task: Task): boolean {
    if (!tagsSelect(task.tags, this.opts.tags)) return false;
    const start = this.runState.startAt;
    if (start !== undefined) {
      const title = this.title(task, this.batch[0]!);
      if (title !== start && (task.name ?? '') !== start && !picomatch.isMatch(title, start) && !picomatch.isMatch(task.name ?? '', start)) return false;
      this.runState.startAt = undefined;
    }
    return true;
  }

  private title(task: Task, host: string, walk?: Walk): string {
    let name = task.name ?? task.module;
    if (task.name?.includes('{{')) {
      try {
        name = String(this.engine.renderString(task.name, this.varsFor(host, task.context, walk?.layers ?? [], task.varLayers), task.source));
      } catch {
        name = task.name;
      }
    }
    return task.context.role ? `${task.context.role.name} : ${name}` : name;
  }

  private async runTaskNode(task: Task, hosts: string[], walk: Walk, handler = false): Promise<void> {
    if (!handler && !this.selected(task)) return;
    if (task.module === 'meta') return this.runMeta(task, hosts, walk);
    const title = this.title(task, hosts[0]!, walk);
    if (!handler && this.opts.confirmStep && !this.runState.stepAll) {
      const answer = await this.opts.confirmStep(title);
      if (answer === 'no') return;
      if (answer === 'continue') this.runState.stepAll = true;
    }
    const check = task.checkMode ?? this.opts.check;
    this.opts.sink({ type: 'task_start', task: title, module: task.module, source: task.source, hosts: hosts.length, tags: task.tags, ...(handler ? { handler: true } : {}), ...(check !== this.opts.check ? { check } : {}) });
    const targets = task.runOnce ? hosts.slice(0, 1) : hosts;
    const throttle = task.throttle ? pLimit(task.throttle) : undefined;
    const runOn = async (h: string): Promise<void> => {
      const result = await this.runOnHost(task, title, h, walk, check);
      if (task.runOnce) for (const other of hosts.slice(1)) this.afterTask(task, other, result, walk, false);
      this.afterTask(task, h, result, walk, true);
    };
    const limited = (h: string): Promise<void> => (walk.free ? runOn(h) : this.limiter(() => (throttle ? throttle(() => runOn(h)) : runOn(h))));
    await Promise.all(targets.map(limited));
    this.checkFailureRules(task, hosts);
  }

  private async runOnHost(task: Task, title: string, host: string, walk: Walk, check: boolean): Promise<TaskResult> {
    const vars = this.varsFor(host, task.context, walk.layers, task.varLayers);
    let environment: Record<string, string> = {};
    let delegate: string | undefined;
    try {
      environment = this.environment(task, vars);
      delegate = task.delegateTo === undefined ? undefined : String(this.engine.renderString(task.delegateTo, vars, task.source));
    } catch (e) {
      return this.errorResult(task, host, e);
    }
    const result = await runTask({
      task, title, host, vars, engine: this.engine, check, diff: task.diff ?? this.opts.diff, verbosity: this.opts.verbosity,
      become: task.become ?? (this.opts.become?.enabled || undefined),
      becomeUser: task.becomeUser ?? this.opts.become?.user, becomeMethod: task.becomeMethod ?? this.opts.become?.method,
      becomePassword: this.opts.becomePassword,
      environment,
      connection: async () => {
        if (delegate === undefined) return this.hosts.connection(host, vars);
        return this.hosts.connection(delegate, await this.hosts.connectionVars(delegate, this.playbook.dir));
      },
      onProgress: throttled(250, (p) => this.opts.sink({ type: 'progress', host, task: title, ...p })),
      onRetry: (left, r) => this.opts.sink({ type: 'retry', host, task: title, retriesLeft: left, msg: task.noLog ? undefined : r.msg }),
      ...(this.opts.runDeadline !== undefined ? { deadline: this.opts.runDeadline } : {}),
    });
    if (delegate !== undefined) result.delegatedTo = delegate;
    return result;
  }

  private environment(task: Task, vars: Record<string, unknown>): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(task.environment)) {
      if (k === '__template__') {
        const rendered = this.engine.renderString(String(v), vars, task.source);
        if (rendered && typeof rendered === 'object') for (const [ek, ev] of Object.entries(rendered)) env[ek] = String(ev);
        continue;
      }
      env[k] = String(this.engine.renderString(String(v), vars, task.source));
    }
    for (const k of Object.keys(env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`environment: '${k}' is not a valid variable name`);
    }
    return env;
  }

  /** Record the result for a host and update its state (failure, register, set_fact, notify). */
  private afterTask(task: Task, host: string, result: TaskResult, walk: Walk, report: boolean): void {
    const state = this.hosts.get(host);
    if (result.status === 'failed' && !result.ignored && walk.rescuable) result.rescued = true;
    if (report) this.record(result);
    if (result.status === 'unreachable' && !result.ignored) state.unreachable = true;
    else if (result.status === 'failed' && !result.ignored) {
      state.failed = true;
      state.lastFailure = { task, result: result.data };
    }
    const harvest = (r: TaskResult): void => {
      const facts = r.facts;
      if (facts && r.status !== 'failed') {
        if (task.module === 'set_fact') Object.assign(state.runtime, facts);
        else state.facts = mergeFacts(state.facts, facts);
      }
    };
    if (result.items) result.items.forEach(harvest);
    else harvest(result);
    if (task.register) state.runtime[task.register] = result.data;
    if (result.status === 'changed' || (result.items?.some((i) => i.status === 'changed') ?? false)) {
      for (const n of task.notify) state.notified.add(this.renderName(n, host, task));
    }
  }

  private renderName(name: string, host: string, task: Task): string {
    if (!name.includes('{{')) return name;
    try {
      return String(this.engine.renderString(name, this.varsFor(host, task.context, [], task.varLayers), task.source));
    } catch {
      return name;
    }
  }

  private record(result: TaskResult): void {
    countResult((this.stats[result.host] ??= emptyStats()), result);
    this.opts.sink({ type: 'task_result', result });
  }

  /** any_errors_fatal and max_fail_percentage, after each task. */
  private checkFailureRules(task: Task, hosts: string[]): void {
    const failed = hosts.filter((h) => this.hosts.get(h).failed || this.hosts.get(h).unreachable);
    if (failed.length === 0) return;
    if (task.anyErrorsFatal ?? this.play.anyErrorsFatal) {
      this.aborted = true;
      this.opts.sink({ type: 'play_aborted', play: this.play.name, reason: `any_errors_fatal: ${failed.join(', ')} failed` });
      return;
    }
    const max = this.play.maxFailPercentage;
    if (max !== undefined) {
      const inBatch = this.batch.filter((h) => this.hosts.get(h).failed || this.hosts.get(h).unreachable).length;
      if ((inBatch / this.batch.length) * 100 > max) {
        this.aborted = true;
        this.opts.sink({ type: 'play_aborted', play: this.play.name, reason: `max_fail_percentage ${max}% exceeded (${inBatch} of ${this.batch.length} hosts failed)` });
      }
    }
  }

  private async runMeta(task: Task, hosts: string[], walk: Walk): Promise<void> {
    const action = String(task.args['action'] ?? '');
    const when = (h: string): boolean => {
      try {
        const vars = this.varsFor(h, task.context, walk.layers, task.varLayers);
        return task.when.every((c) => this.engine.isTruthy(this.engine.evaluate(c.expr, vars, c.source)));
      } catch {
        return false;
      }
    };
    switch (action) {
      case 'flush_handlers':
        await this.flushHandlers(this.batch);
        break;
      case 'end_play':
        if (hosts.some(when)) for (const h of this.batch) this.hosts.get(h).ended = true;
        break;
      case 'end_batch':
        if (hosts.some(when)) for (const h of this.batch) this.hosts.get(h).ended = true;
        break;
      case 'end_host':
        for (const h of hosts.filter(when)) this.hosts.get(h).ended = true;
        break;
      case 'clear_host_errors':
        for (const h of this.batch) this.hosts.get(h).failed = false;
        break;
      case 'clear_facts':
        for (const h of hosts.filter(when)) this.hosts.get(h).facts = {};
        break;
      default:
        break;
    }
  }

  /** Run notified handlers, in the order they are defined, on the hosts that notified them. */
  private async flushHandlers(hosts: string[]): Promise<void> {
    for (const handler of this.handlers) {
      const names = this.handlerNames(handler);
      const notified = hosts.filter((h) => {
        const s = this.hosts.get(h);
        if (!names.some((n) => s.notified.has(n))) return false;
        return !s.unreachable && (!s.failed || this.opts.forceHandlers || this.play.forceHandlers) && !s.ended;
      });
      if (notified.length === 0) continue;
      for (const h of notified) for (const n of names) this.hosts.get(h).notified.delete(n);
      const forced = notified.filter((h) => this.hosts.get(h).failed);
      for (const h of forced) this.hosts.get(h).failed = false;
      await this.runTaskNode(handler, notified, { layers: [], rescuable: false, free: false }, true);
      for (const h of forced) if (!this.hosts.get(h).failed) this.hosts.get(h).failed = true;
    }
  }

  /** The names a handler answers to: its name, `role : name`, and its listen topics. */
  private handlerNames(handler: Task): string[] {
    const names = [...handler.listen];
    if (handler.name) {
      names.push(handler.name);
      if (handler.context.role) names.push(`${handler.context.role.name} : ${handler.name}`);
    }
    return names;
  }

  private async gather(hosts: string[]): Promise<void> {
    this.opts.sink({ type: 'task_start', task: 'Gathering Facts', module: 'setup', source: this.play.source, hosts: hosts.length });
    await Promise.all(hosts.map((h) => this.limiter(async () => {
      const state = this.hosts.get(h);
      const started = Date.now();
      const target = { host: h, task: 'Gathering Facts', module: 'setup', noLog: false, ignoreErrors: false, ignoreUnreachable: false };
      let result: TaskResult;
      try {
        const conn = await this.hosts.connection(h, await this.hosts.connectionVars(h, this.playbook.dir));
        state.facts = await gatherFacts(conn);
        result = blankResult(target, started, state.facts['ansible_facts'] as Record<string, unknown>);
      } catch (e) {
        result = errorResult(target, e, started);
        if (result.status === 'unreachable') state.unreachable = true;
        else state.failed = true;
      }
      this.record(result);
    })));
  }
}

/** Call `fn` at most once per `ms` (the last value in between is dropped, except a final one reaching the total). */
function throttled<T extends { current: number; total?: number }>(ms: number, fn: (v: T) => void): (v: T) => void {
  let last = 0;
  return (v) => {
    const now = Date.now();
    if (now - last >= ms || (v.total !== undefined && v.current >= v.total)) {
      last = now;
      fn(v);
    }
  };
}
