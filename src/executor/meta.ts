/**
 * `meta` actions, each a transition of the host states or the play. As in
 * Ansible's linear strategy, end_play, end_batch, clear_host_errors and
 * clear_facts run once, their `when` evaluated for the first host, and act
 * on the play's hosts; end_host and flush_handlers run per host. A `when`
 * that cannot be evaluated is an error that ends the run (as in Ansible),
 * never a silent false; a false one shows the meta task skipped.
 */
import type { Task } from '../playbook/types.js';
import { taskResult } from './results.js';
import type { PlayRun, Walk } from './play.js';

/** Actions that run once for all hosts (Ansible: everything but noop, reset_connection, end_host, role_complete, flush_handlers). */
const ONCE = new Set(['end_play', 'end_batch', 'clear_host_errors', 'clear_facts', 'refresh_inventory']);

/** Run a meta task on `hosts`. */
export async function runMeta(play: PlayRun, task: Task, hosts: string[], walk: Walk): Promise<void> {
  const { run } = play;
  const action = typeof task.args['action'] === 'string' ? task.args['action'] : '';
  const once = ONCE.has(action);
  const targets = once ? hosts.slice(0, 1) : hosts;
  const title = play.title(task, hosts[0]!, walk);
  run.sink({
    type: 'task_start',
    task: title,
    module: 'meta',
    source: task.source,
    hosts: hosts.length,
    tags: task.tags,
    ...(walk.handler ? { handler: true } : {}),
  });
  const chosen: string[] = [];
  for (const h of targets) {
    // A `when` that cannot be evaluated ends the run with its error, as in Ansible ("The conditional check ... failed").
    const vars = play.varsFor(h, task.context, walk.layers, task.varLayers);
    if (task.when.every((c) => run.engine.isTruthy(run.engine.evaluate(c.expr, vars, c.source)))) {
      chosen.push(h);
      continue;
    }
    // Shown as skipped, not counted in the recap (Ansible sends the skip to its callbacks, not to its stats).
    const skipped = taskResult(
      play.target(task, h, title),
      {
        status: 'skipped',
        skip: { by: 'module' },
        returned: { skip_reason: `${action} conditional evaluated to False` },
      },
      Date.now(),
    );
    run.sink({ type: 'task_result', result: skipped });
  }
  switch (action) {
    case 'flush_handlers':
      await play.flushHandlers(chosen);
      break;
    case 'end_play':
      if (chosen.length > 0) {
        for (const h of play.batch) run.hosts.get(h).end('end_play');
        play.endPlay = true;
      }
      break;
    case 'end_batch':
      if (chosen.length > 0) {
        for (const h of play.batch) run.hosts.get(h).end('end_batch');
        play.endBatch = true;
      }
      break;
    case 'end_host':
      for (const h of chosen) run.hosts.get(h).end('end_host');
      break;
    case 'clear_host_errors':
      if (chosen.length > 0) for (const h of play.playHostsAll()) run.hosts.get(h).clearErrors();
      break;
    case 'clear_facts':
      if (chosen.length > 0) for (const h of play.playHostsAll()) run.hosts.get(h).facts = {};
      break;
    default:
      // noop, reset_connection, refresh_inventory, role_complete: nothing to do here.
      break;
  }
  play.checkFailureRules(task, hosts);
}
