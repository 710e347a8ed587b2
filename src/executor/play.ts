/**
 * One play: hosts in `order`, `serial` batches, fact gathering (a `setup`
 * task like any other), the four task sections with handlers flushed after
 * each, blocks with rescue/always, dynamic includes and the failure rules
 * (any_errors_fatal, max_fail_percentage). The linear strategy walks the
 * tree with all hosts in lock step; `free` lets each host walk it on its own.
 * Host states change only through the transitions of host-state.ts.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import picomatch from 'picomatch';
import { BosunError } from '../errors.js';
import { selectHosts } from '../inventory/index.js';
import { mergeFacts } from '../modules/lib/facts.js';
import { positiveInt } from '../playbook/inherit.js';
import {
  plainTaskFields,
  type Block,
  type Include,
  type Play,
  type Playbook,
  type Task,
  type TaskContext,
  type TaskNode,
} from '../playbook/types.js';
import { isSecretName } from '../util/secret-names.js';
import type { VarLayer, VarScope } from '../vars/scope.js';
import { orderHosts, serialBatches } from './batches.js';
import type { RunContext } from './context.js';
import { countResult, emptyStats, type TaskResult } from './events.js';
import { Handlers } from './handlers.js';
import { runMeta } from './meta.js';
import { blankResult, errorResult } from './results.js';
import { tagsSelect } from './tags.js';
import { runInclude } from './includes.js';
import { stepQuestion } from './step.js';
import { runOnHost } from './task-host.js';
import { Speculation, speculationMode, tasksAhead } from './speculation.js';

/** Modules that run once for all the hosts of a task, on the first (Ansible's action plugins with BYPASS_HOST_LOOP). */
const BYPASS_HOST_LOOP: ReadonlySet<string> = new Set(['add_host']);

/** What walking a task list carries down. */
export interface Walk {
  /** Extra variable layers (include params and loop items of includes). */
  layers: VarLayer[];
  /** Inside a block body whose block (or an outer one) has a rescue section: failures count `rescued`. */
  rescuable: boolean;
  /** A rescue or always section of an enclosing block is still to run: failures do not trip the failure rules yet. */
  pending?: boolean;
  /** Run per host without lock step (strategy: free). */
  free: boolean;
  /** Running handlers (no tag or start-at selection, no step prompt). */
  handler?: boolean;
}

/** A task the executor adds itself (Gathering Facts): no tag, start-at or when selection of its own. */
interface Implicit {
  implicit?: boolean;
}

/** Runs one play. */
export class PlayRun {
  private readonly limiter: LimitFunction;
  readonly scopes = new Map<string, VarScope>();
  /** The hosts of the batch being run. */
  batch: string[] = [];
  /** Every host of the play (all batches). */
  private hostsAll: string[] = [];
  private readonly activeCache = new WeakMap<string[], { active: boolean[]; hosts: string[] }>();
  /** any_errors_fatal or max_fail_percentage broke the play: no more tasks or batches. */
  private broken = false;
  /** meta end_play: the rest of the play (every batch) is skipped. */
  endPlay = false;
  /** meta end_batch: the rest of this batch is skipped. */
  endBatch = false;
  readonly handlers: Handlers;
  /** Speculative decisions of the tasks ahead (speculation.ts). */
  readonly speculation: Speculation;
  private strategy: 'linear' | 'free' = 'linear';

  constructor(
    readonly run: RunContext,
    readonly playbook: Playbook,
    readonly play: Play,
  ) {
    this.limiter = pLimit(Math.max(1, run.settings.forks));
    this.handlers = new Handlers(this, play.handlers);
    this.speculation = new Speculation(this, speculationMode());
  }

  /**
   * Run the play on the hosts its pattern (and --limit, --shard: `select`) selects. Returns
   * 'break' when a failure rule tripped or a whole batch failed: as in
   * Ansible, the rest of the playbook is skipped then.
   */
  async runPlay(select: ((host: string) => boolean) | undefined): Promise<'done' | 'break'> {
    const { play, run } = this;
    const pattern = play.hosts.includes('{{')
      ? String(run.engine.renderString(play.hosts, this.extraValues(), play.hostsSource))
      : play.hosts;
    const matched = selectHosts(run.hosts.inventory, pattern, play.hostsSource).filter((h) => !select || select(h));
    const hosts = orderHosts(
      matched.filter((h) => !run.hosts.get(h).inError),
      play.order,
    );
    if (hosts.length === 0) {
      run.sink({ type: 'no_hosts', play: play.name, pattern });
      return 'done';
    }
    for (const h of hosts) {
      await run.hosts.prepare(h, this.playbook.dir);
      run.hosts.get(h).startPlay();
      this.scopes.set(h, run.hosts.playScope(play, h));
    }
    this.hostsAll = hosts;
    this.strategy = this.resolveStrategy(hosts[0]!);
    const batches = serialBatches(hosts, play.serial, play.source);
    for (let b = 0; b < batches.length && !this.broken && !this.endPlay && !this.stopped(); b++) {
      this.batch = batches[b]!;
      this.endBatch = false;
      run.sink({
        type: 'play_start',
        name: play.name,
        hosts: this.batch,
        source: play.source,
        ...(batches.length > 1 ? { batch: { index: b + 1, count: batches.length } } : {}),
        ...(play.keywords.checkMode !== undefined && play.keywords.checkMode !== run.settings.check
          ? { check: play.keywords.checkMode }
          : {}),
      });
      for (const h of this.batch) run.stats[h] ??= emptyStats();
      const gatherOn = this.gatherHosts();
      if (gatherOn.length > 0) {
        await this.runTaskNode(
          this.gatherTask(),
          gatherOn,
          { layers: [], rescuable: false, free: false },
          { implicit: true },
        );
        for (const h of this.activeOf(gatherOn)) run.state.gathered.add(h);
      }
      for (const section of [
        play.sections.preTasks,
        play.sections.roles,
        play.sections.tasks,
        play.sections.postTasks,
      ]) {
        if (this.halted()) break;
        await this.runSection(section);
        if (!this.isBroken()) await this.handlers.flush(this.batch);
      }
      // Ansible stops a serial play when every host of a batch failed.
      if (this.batch.every((h) => run.hosts.get(h).inError)) {
        if (batches.length > 1 && !this.isBroken())
          run.sink({ type: 'play_aborted', play: play.name, reason: 'every host of the batch failed' });
        return 'break';
      }
    }
    return this.broken ? 'break' : 'done';
  }

  /** `strategy:` of the play, rendered when it is a template. */
  private resolveStrategy(host: string): 'linear' | 'free' {
    const raw = this.play.strategy;
    const value = raw.includes('{{')
      ? String(
          this.run.engine.renderString(
            raw,
            this.varsFor(host, { playbookDir: this.playbook.dir, fileDir: this.playbook.dir }, [], []),
            this.play.source,
          ),
        )
      : raw;
    if (value !== 'linear' && value !== 'free') {
      throw new BosunError('SCHEMA', `strategy '${value}' is not supported (linear or free)`, {
        source: this.play.source,
      });
    }
    return value;
  }

  /** The hosts of the batch to gather facts on: `gather_facts`, else ansible.cfg's `gathering` (implicit by default). */
  private gatherHosts(): string[] {
    const { gatherFacts } = this.play;
    const gathering = this.run.settings.gathering ?? 'implicit';
    if (gatherFacts === false || (gatherFacts === undefined && gathering === 'explicit')) return [];
    const active = this.activeOf(this.batch);
    // ansible-core's PlayIterator: under `smart`, also a play saying gather_facts: true skips hosts already gathered.
    return gathering === 'smart' ? active.filter((h) => !this.run.state.gathered.has(h)) : active;
  }

  /** The implicit `setup` task of `gather_facts`, with the play's keywords (become, remote_user, environment, ...). */
  private gatherTask(): Task {
    const { play } = this;
    const args: Record<string, unknown> = {};
    if (play.gatherSubset) args['gather_subset'] = play.gatherSubset;
    if (play.gatherTimeout !== undefined) args['gather_timeout'] = play.gatherTimeout;
    return {
      ...play.keywords,
      kind: 'task',
      id: -1,
      name: 'Gathering Facts',
      module: 'setup',
      args,
      argPos: () => play.source,
      ...plainTaskFields(),
      source: play.source,
      context: { playbookDir: this.playbook.dir, fileDir: this.playbook.dir },
      // The play's `when` does not apply to gathering (Ansible has no play-level when); tags: always, as in Ansible.
      when: [],
      tags: ['always'],
      runOnce: false,
      delegateTo: undefined,
    };
  }

  private extraValues(): Record<string, unknown> {
    return Object.assign({}, ...this.run.settings.extraVars.map((l) => l.values)) as Record<string, unknown>;
  }

  private stopped(): boolean {
    return this.run.settings.signal?.aborted === true;
  }

  /**
   * Whether a failure rule broke the play. Read through a call, not the field:
   * the tasks just awaited may have set it, which TypeScript's narrowing of
   * `this.broken` after the loop's test cannot see.
   */
  private isBroken(): boolean {
    return this.broken;
  }

  /** Whether the rest of the batch is skipped: the play broke, or meta end_play or end_batch ran (a call, as isBroken). */
  private halted(): boolean {
    return this.broken || this.endPlay || this.endBatch;
  }

  private async runSection(nodes: TaskNode[]): Promise<void> {
    if (this.strategy === 'free') {
      const limiter = pLimit(Math.max(1, this.run.settings.forks));
      await Promise.all(
        this.batch.map((h) => limiter(() => this.runNodes(nodes, [h], { layers: [], rescuable: false, free: true }))),
      );
    } else {
      await this.runNodes(nodes, this.batch, { layers: [], rescuable: false, free: false });
    }
  }

  /** The hosts of `hosts` that can still run tasks in this play. */
  activeOf(hosts: string[]): string[] {
    if (this.halted() || this.stopped()) return [];
    return hosts.filter((h) => this.run.hosts.active(h));
  }

  async runNodes(nodes: TaskNode[], hosts: string[], walk: Walk): Promise<void> {
    for (const [i, node] of nodes.entries()) {
      const active = this.activeOf(hosts);
      if (active.length === 0) return;
      if (node.kind === 'task') await this.runTaskNode(node, active, walk, {}, () => tasksAhead(nodes, i));
      else if (node.kind === 'block') await this.runBlock(node, active, walk);
      else await runInclude(this, node, active, walk);
    }
  }

  private async runBlock(block: Block, hosts: string[], walk: Walk): Promise<void> {
    const states = this.run.hosts;
    const entering = this.activeOf(hosts);
    const hasAlways = block.always.length > 0;
    await this.runNodes(block.block, entering, {
      ...walk,
      rescuable: walk.rescuable || block.rescue.length > 0,
      pending: walk.pending === true || block.rescue.length > 0 || hasAlways,
    });
    const failedIn = entering.filter((h) => states.get(h).status.kind === 'failed');
    if (block.rescue.length > 0 && failedIn.length > 0 && !this.broken) {
      for (const h of failedIn) {
        const s = states.get(h);
        s.rescue();
        if (s.lastFailure) {
          s.runtime['ansible_failed_task'] = {
            name: s.lastFailure.task.name ?? s.lastFailure.task.module,
            action: s.lastFailure.task.module,
          };
          s.runtime['ansible_failed_result'] = s.lastFailure.result;
          s.varsVersion++;
        }
      }
      await this.runNodes(block.rescue, failedIn, { ...walk, pending: walk.pending === true || hasAlways });
    }
    if (block.always.length > 0) {
      // The always section runs for every host that entered the block and is still reachable, failed or not.
      const alwaysHosts = entering.filter((h) => ['active', 'failed'].includes(states.get(h).status.kind));
      const held = alwaysHosts.map((h) => states.get(h).suspendFailure());
      const broken = this.broken;
      this.broken = false;
      try {
        await this.runNodes(block.always, alwaysHosts, walk);
      } finally {
        this.broken ||= broken;
        for (const token of held) token.resume();
      }
    }
  }

  /** Which task (or include) on which host a result is for. */
  target(node: Include | Task, host: string, title: string): Parameters<typeof blankResult>[0] {
    const module = node.kind === 'include' ? `include_${node.what}` : node.module;
    return {
      host,
      task: title,
      module,
      noLog: node.noLog === true,
      ignoreErrors: node.ignoreErrors === true,
      ignoreUnreachable: node.ignoreUnreachable === true,
    };
  }

  /** The variables a task sees on a host. */
  varsFor(host: string, context: TaskContext, walkLayers: VarLayer[], ownLayers: VarLayer[]): Record<string, unknown> {
    // Secret-named variables set here (task, block and include vars, role params, an included role's defaults and
    // vars) are masked from now on: before any event shows what the task renders with them.
    this.run.secrets.learnLayers([
      ...walkLayers,
      context.params,
      ...ownLayers,
      context.role?.defaults,
      context.role?.vars,
    ]);
    return this.run.hosts.taskVars(this.scopes.get(host) ?? this.run.hosts.playScope(this.play, host), host, {
      play: this.play,
      playbook: this.playbook,
      hosts: this.playHosts(),
      allHosts: this.hostsAll,
      activeHosts: this.activeCached(this.hostsAll),
      fileDir: context.fileDir,
      ...(context.role ? { role: context.role } : {}),
      layers: [...walkLayers, ...(context.params ? [context.params] : []), ...ownLayers],
    });
  }

  /**
   * The hosts of `list` (the batch: `ansible_play_batch`; the play:
   * `ansible_play_hosts`) that can still run tasks: the same array until one
   * of them fails or ends, so the hosts of a task share it instead of each
   * filtering the list.
   */
  private activeCached(list: string[]): string[] {
    const cached = this.activeCache.get(list);
    if (cached && list.every((h, i) => this.run.hosts.active(h) === cached.active[i])) return cached.hosts;
    const active = list.map((h) => this.run.hosts.active(h));
    const hosts = list.filter((_, i) => active[i]);
    this.activeCache.set(list, { active, hosts });
    return hosts;
  }

  private playHosts(): string[] {
    return this.activeCached(this.batch);
  }

  /** --tags / --skip-tags over the node's tags, templated ones rendered with the first host's variables. */
  tagsSelected(tags: string[], host: string, context: TaskContext, walk: Walk): boolean {
    let rendered = tags;
    if (tags.some((t) => t.includes('{{'))) {
      const vars = this.varsFor(host, context, walk.layers, []);
      rendered = tags.flatMap((t) =>
        t.includes('{{') ? [this.run.engine.renderString(t, vars)].flat().map(String) : [t],
      );
    }
    return tagsSelect(rendered, this.run.settings.tags);
  }

  private selected(task: Task, host: string, walk: Walk): boolean {
    if (!this.tagsSelected(task.tags, host, task.context, walk)) return false;
    const start = this.run.state.startAt;
    if (start !== undefined) {
      const title = this.title(task, host, walk);
      if (
        title !== start &&
        (task.name ?? '') !== start &&
        !picomatch.isMatch(title, start) &&
        !picomatch.isMatch(task.name ?? '', start)
      )
        return false;
      this.run.state.startAt = undefined;
    }
    return true;
  }

  /** A task's or include's title: its name rendered with the host's variables (as written when that fails). */
  renderTitle(
    name: string | undefined,
    module: string,
    host: string,
    context: TaskContext,
    walk: Walk | undefined,
    layers: VarLayer[],
    source: Task['source'],
  ): string {
    let title = name ?? module;
    if (name?.includes('{{')) {
      try {
        title = String(
          this.run.engine.renderString(name, this.varsFor(host, context, walk?.layers ?? [], layers), source),
        );
      } catch {
        title = name;
      }
    }
    return context.role ? `${context.role.name} : ${title}` : title;
  }

  /** A title as Ansible's `Task.get_name()` gives it to --step: the name as written (role-prefixed), or the action. */
  unrenderedTitle(name: string | undefined, unnamed: string, context: Task['context'], prefixRole = true): string {
    const title = name ?? unnamed;
    return prefixRole && context.role ? `${context.role.name} : ${title}` : title;
  }

  /**
   * --step: ask before a task, include or handler (ansible-playbook asks for each, Gathering Facts included; once
   * per task under the linear strategy, per host under free). false: skip it. The answer is an event: Ansible
   * prints the question again as a banner.
   */
  async stepAllows(title: string, host: string, walk: Walk): Promise<boolean> {
    const { run } = this;
    const ask = run.settings.confirmStep;
    if (!ask || run.state.stepAll) return true;
    const on = walk.free ? host : undefined;
    const answer = await ask(title, on);
    if (answer === 'continue') run.state.stepAll = true;
    run.sink({ type: 'step', question: stepQuestion(title, on), answer });
    return answer !== 'no';
  }

  title(task: Task, host: string, walk?: Walk): string {
    return this.renderTitle(
      task.name,
      task.action ?? task.module,
      host,
      task.context,
      walk,
      task.varLayers,
      task.source,
    );
  }

  async runTaskNode(
    task: Task,
    hosts: string[],
    walk: Walk,
    how: Implicit = {},
    ahead: () => Task[] = () => [],
  ): Promise<void> {
    const { run } = this;
    if (hosts.length === 0) return;
    if (!walk.handler && !how.implicit && !this.selected(task, hosts[0]!, walk)) return;
    if (how.implicit && !tagsSelect(task.tags, run.settings.tags)) return;
    if (task.module === 'meta') return runMeta(this, task, hosts, walk);
    const asTitle = `${walk.handler ? 'HANDLER' : 'TASK'}: ${this.unrenderedTitle(task.name, task.action ?? task.module, task.context)}`;
    if (!(await this.stepAllows(asTitle, hosts[0]!, walk))) return;
    const title = this.title(task, hosts[0]!, walk);
    const check = task.checkMode ?? run.settings.check;
    run.sink({
      type: 'task_start',
      task: title,
      module: task.module,
      source: task.source,
      hosts: hosts.length,
      tags: task.tags,
      ...(walk.handler ? { handler: true } : {}),
      ...(check !== run.settings.check ? { check } : {}),
    });
    let runOnce: boolean;
    try {
      runOnce = this.runOnce(task, hosts[0]!, walk);
    } catch (e) {
      for (const h of hosts) this.afterResult(task, h, errorResult(this.target(task, h, title), e, Date.now()), walk);
      this.checkFailureRules(task, hosts);
      return;
    }
    // add_host bypasses the host loop (Ansible's BYPASS_HOST_LOOP): it runs on the first host only, and only that
    // host reports and registers it (unless run_once); a failure that is not ignored stops the play, as run_once does.
    const bypass = !runOnce && BYPASS_HOST_LOOP.has(task.module);
    const targets = runOnce || bypass ? hosts.slice(0, 1) : hosts;
    let limit = task.throttle;
    const throttleText = task.keywordTemplates.throttle;
    if (throttleText !== undefined) {
      // Rendered once, with the first host's variables, as Ansible templates the task's throttle.
      try {
        const value = run.engine.renderString(
          throttleText,
          this.varsFor(hosts[0]!, task.context, walk.layers, task.varLayers),
          task.source,
        );
        limit = positiveInt(value, task.source, 'throttle');
      } catch (e) {
        for (const h of hosts) this.afterResult(task, h, errorResult(this.target(task, h, title), e, Date.now()), walk);
        this.checkFailureRules(task, hosts);
        return;
      }
    }
    const throttle = limit ? pLimit(limit) : undefined;
    let next: Task[] | undefined;
    const runOn = async (h: string): Promise<void> => {
      const result = await runOnHost(this, task, title, h, walk, check, () => (next ??= ahead()));
      if (runOnce) for (const other of hosts.slice(1)) this.afterTask(task, other, result, walk, false);
      this.afterTask(task, h, result, walk, true);
      if (bypass && result.status === 'failed' && !result.ignored && hosts.length > 1 && !walk.rescuable)
        this.breakPlay('any_errors_fatal', `${task.module} failed on ${h}, which ran it for every host`);
    };
    const limited = (h: string): Promise<void> =>
      walk.free ? runOn(h) : this.limiter(() => (throttle ? throttle(() => runOn(h)) : runOn(h)));
    await Promise.all(targets.map(limited));
    this.checkFailureRules(task, hosts);
  }

  /** `run_once`, rendered with the first host's variables when it is a template. */
  private runOnce(task: Task, host: string, walk: Walk): boolean {
    if (typeof task.runOnce === 'boolean') return task.runOnce;
    const vars = this.varsFor(host, task.context, walk.layers, task.varLayers);
    return this.run.engine.isTruthy(this.run.engine.renderString(task.runOnce, vars, task.source));
  }

  /** Record the result for a host and update its state (failure, register, set_fact, facts, notify). */
  private afterTask(task: Task, host: string, result: TaskResult, walk: Walk, report: boolean): void {
    const state = this.run.hosts.get(host);
    if (report) this.speculation.result(host, result.status, result.changed, task.checkMode ?? this.run.settings.check);
    // Registered under a secret name (`register: api_token`): its output is secret, already in this task's own result.
    if (task.register && isSecretName(task.register)) this.run.secrets.addRegistered(result.data);
    this.afterResult(task, host, result, walk, report);
    if (result.status === 'failed' && !result.ignored) state.lastFailure = { task, result: result.data };
    // delegate_facts: what a delegated task learns is the delegate's (Ansible's _set_delegated_facts).
    const factsHost =
      task.delegateFacts && result.delegatedTo !== undefined ? this.run.hosts.get(result.delegatedTo) : state;
    const harvest = (r: TaskResult): void => {
      const facts = r.facts;
      if (facts && r.status !== 'failed') {
        if (task.module === 'set_fact') Object.assign(factsHost.runtime, facts);
        else if (task.module === 'include_vars') Object.assign(factsHost.includedVars, facts);
        else factsHost.facts = mergeFacts(factsHost.facts, facts);
        factsHost.varsVersion++;
      }
    };
    if (result.items) result.items.forEach(harvest);
    else harvest(result);
    if (task.register) {
      state.runtime[task.register] = result.data;
      state.varsVersion++;
    }
    if (
      task.notify.length > 0 &&
      (result.status === 'changed' || (result.items?.some((i) => i.status === 'changed') ?? false))
    ) {
      this.handlers.notify(task, host, this.varsFor(host, task.context, walk.layers, task.varLayers));
    }
  }

  /** Count a result and move the host's state: failed (pending inside a block with rescue or always), unreachable. */
  afterResult(node: Task | Include, host: string, result: TaskResult, walk: Walk, report = true): void {
    const state = this.run.hosts.get(host);
    if (result.status === 'failed' && !result.ignored && walk.rescuable) result.rescued = true;
    if (report) this.record(result);
    if (result.status === 'unreachable' && !result.ignored) state.markUnreachable(result.msg ?? 'unreachable');
    else if (result.status === 'failed' && !result.ignored)
      state.fail(
        result.task,
        walk.pending === true,
        node.kind === 'task' ? { task: node, result: result.data } : undefined,
      );
  }

  record(result: TaskResult): void {
    countResult((this.run.stats[result.host] ??= emptyStats()), result);
    this.run.sink({ type: 'task_result', result });
  }

  /**
   * any_errors_fatal and max_fail_percentage, after each task: a failure a
   * rescue is still to handle does not count; when a rule trips, every host
   * of the batch still running is failed and the play ends (as Ansible).
   */
  checkFailureRules(task: Task, hosts: string[]): void {
    const states = this.run.hosts;
    const failed = hosts.filter((h) => states.get(h).failedForGood || states.get(h).status.kind === 'unreachable');
    if (failed.length === 0) return;
    const fatalText = task.keywordTemplates.anyErrorsFatal;
    const fatal =
      fatalText !== undefined
        ? this.run.engine.isTruthy(
            this.run.engine.renderString(
              fatalText,
              this.varsFor(hosts[0]!, task.context, [], task.varLayers),
              task.source,
            ),
          )
        : (task.anyErrorsFatal ?? this.play.anyErrorsFatal);
    if (fatal) {
      this.breakPlay('any_errors_fatal', `any_errors_fatal: ${failed.join(', ')} failed`);
      return;
    }
    const max = this.play.maxFailPercentage;
    if (max !== undefined) {
      const inBatch = this.batch.filter((h) => states.get(h).inError).length;
      if ((inBatch / this.batch.length) * 100 > max) {
        this.breakPlay(
          'max_fail_percentage',
          `max_fail_percentage ${max}% exceeded (${inBatch} of ${this.batch.length} hosts failed)`,
        );
      }
    }
  }

  breakPlay(rule: 'any_errors_fatal' | 'max_fail_percentage', reason: string): void {
    for (const h of this.batch) this.run.hosts.get(h).failByRule(rule);
    this.broken = true;
    this.run.sink({ type: 'play_aborted', play: this.play.name, reason });
  }

  /** Every host of the play, in all its batches (clear_host_errors, clear_facts). */
  playHostsAll(): string[] {
    return this.hostsAll;
  }

  /** meta: flush_handlers. */
  flushHandlers(hosts: string[]): Promise<void> {
    return this.handlers.flush(hosts);
  }
}
