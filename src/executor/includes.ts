/**
 * `include_tasks` / `include_role`, resolved per host when reached: each
 * host evaluates the include's `when`, loop and file name; hosts that
 * include the same file with the same parameters run it together. As in
 * Ansible, the include shows an ok result per host (not counted), and each
 * included file of include_tasks counts one ok on its hosts.
 */
import { extendVars, markUnsafe } from '../util/unsafe.js';
import { expandLoopItems } from '../playbook/loop-lookups.js';
import type { Include } from '../playbook/types.js';
import type { VarLayer } from '../vars/scope.js';
import { emptyStats } from './events.js';
import type { PlayRun, Walk } from './play.js';
import type { TaskResult } from './events.js';
import { errorResult, taskResult } from './results.js';
import { loopVariableNames } from './task-runner.js';

/** Run an include on `hosts`. */
export async function runInclude(play: PlayRun, inc: Include, hosts: string[], walk: Walk): Promise<void> {
  const { run } = play;
  if (!walk.handler && !play.tagsSelected(inc.tags, hosts[0]!, inc.context, walk)) return;
  const module = `include_${inc.what}`;
  // Ansible's IncludeRole.get_name(): an unnamed include_role is titled `include_role : ROLE`.
  const unnamed = inc.what === 'role' ? `${inc.action ?? module} : ${inc.target}` : (inc.action ?? module);
  // Ansible's IncludeRole.get_name() has no role prefix; an include_tasks' does (Task.get_name()).
  const asked = play.unrenderedTitle(inc.name, unnamed, inc.context, inc.what !== 'role');
  if (!(await play.stepAllows(`${walk.handler ? 'HANDLER' : 'TASK'}: ${asked}`, hosts[0]!, walk))) return;
  const incTitle = play.renderTitle(inc.name, unnamed, hosts[0]!, inc.context, walk, inc.varLayers, inc.source);
  run.sink({
    type: 'task_start',
    task: incTitle,
    module,
    source: inc.source,
    hosts: hosts.length,
    tags: inc.tags,
    ...(walk.handler ? { handler: true } : {}),
  });
  // Each host decides (when, loop, file); hosts that include the same thing run it together.
  const groups = new Map<string, { target: string; layer: VarLayer; hosts: string[] }>();
  const included: TaskResult[] = [];
  for (const h of hosts) {
    const started = Date.now();
    const vars = play.varsFor(h, inc.context, walk.layers, inc.params ? [...inc.varLayers, inc.params] : inc.varLayers);
    try {
      const unmetIn = (v: typeof vars): string | undefined =>
        inc.when.find((c) => !run.engine.isTruthy(run.engine.evaluate(c.expr, v, c.source)))?.expr;
      // With a loop, `when` is asked per item (it may name the item), as in Ansible.
      const unmet = inc.loop ? undefined : unmetIn(vars);
      if (unmet !== undefined) {
        play.record(
          taskResult(
            play.target(inc, h, incTitle),
            { status: 'skipped', skip: { by: 'when', condition: unmet } },
            Date.now(),
          ),
        );
        continue;
      }
      const list = inc.loop
        ? expandLoopItems(
            inc.loop,
            run.engine.renderDeep(inc.loop.value, vars, () => inc.loop!.source),
            (name, terms) => run.engine.query(name, terms, vars),
          )
        : [undefined];
      const { loopVar, indexVar } = loopVariableNames(inc.loopControl, vars, run.engine, inc.source);
      const itemResults: TaskResult[] = [];
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        const values: Record<string, unknown> = { ...(inc.params?.values ?? {}) };
        if (inc.loop) {
          values[loopVar] = item;
          if (indexVar) values[indexVar] = i;
          // The items are rendered values: data (src/util/unsafe.ts); the include's own params stay templates.
          markUnsafe(values, indexVar ? [loopVar, indexVar] : [loopVar]);
          const unmetItem = unmetIn(extendVars(vars, values, false));
          if (unmetItem !== undefined) {
            const loop = { loopVar, index: i, ...(indexVar ? { indexVar } : {}) };
            const skip = { by: 'when', condition: unmetItem } as const;
            itemResults.push(
              taskResult(play.target(inc, h, incTitle), { status: 'skipped', skip }, started, { item, loop }),
            );
            continue;
          }
        }
        const target = String(
          run.engine.renderString(inc.target, inc.loop ? extendVars(vars, values, false) : vars, inc.source),
        );
        const key = `${target}\u0000${JSON.stringify(values)}`;
        let g = groups.get(key);
        if (!g)
          groups.set(
            key,
            (g = { target, layer: { level: 'include_params', source: `${module} ${target}`, values }, hosts: [] }),
          );
        g.hosts.push(h);
        if (inc.loop) {
          const loop = { loopVar, index: i, ...(indexVar ? { indexVar } : {}) };
          itemResults.push(taskResult(play.target(inc, h, incTitle), { status: 'ok' }, started, { item, loop }));
        }
      }
      if (inc.loop && itemResults.length > 0 && itemResults.every((r) => r.status === 'skipped')) {
        // Every item skipped: the include is skipped on this host (counted, as Ansible counts it).
        const skip = { by: 'items' } as const;
        play.record(
          taskResult(play.target(inc, h, incTitle), { status: 'skipped', skip }, started, { items: itemResults }),
        );
        continue;
      }
      included.push(
        taskResult(play.target(inc, h, incTitle), { status: 'ok' }, started, inc.loop ? { items: itemResults } : {}),
      );
    } catch (e) {
      play.afterResult(inc, h, errorResult(play.target(inc, h, incTitle), e, Date.now()), walk);
    }
  }
  // The include's own result on each host that includes something: shown, not counted (Ansible counts the files instead).
  for (const r of included) run.sink({ type: 'task_result', result: r });
  for (const g of groups.values()) {
    const active = play.activeOf(g.hosts);
    if (active.length === 0) continue;
    let included;
    try {
      included = await run.loader.include(
        inc.what,
        g.target,
        inc.source,
        inc.context,
        inc.childInherited,
        {
          ...(inc.from.tasks ? { tasksFrom: inc.from.tasks } : {}),
          ...(inc.from.vars ? { varsFrom: inc.from.vars } : {}),
          ...(inc.from.defaults ? { defaultsFrom: inc.from.defaults } : {}),
          ...(inc.from.handlers ? { handlersFrom: inc.from.handlers } : {}),
        },
        g.layer.values,
      );
    } catch (e) {
      for (const h of active) play.afterResult(inc, h, errorResult(play.target(inc, h, incTitle), e, Date.now()), walk);
      continue;
    }
    play.handlers.add(included.handlers);
    run.sink({
      type: 'include',
      // As ansible-playbook prints it: the path it resolved (for a role, its tasks folder joined with the raw path).
      file: inc.what === 'tasks' ? run.loader.includedName(g.target, inc.context) : g.target,
      hosts: active,
      source: inc.source,
      ...(inc.what === 'role' ? { role: true } : {}),
    });
    // Ansible counts each file of include_tasks as ok on each host that includes it; include_role counts nothing.
    if (inc.what === 'tasks') for (const h of active) (run.stats[h] ??= emptyStats()).ok++;
    await play.runNodes(included.nodes, active, { ...walk, layers: [...walk.layers, g.layer] });
  }
}
