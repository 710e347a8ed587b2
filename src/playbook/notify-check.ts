/**
 * The load-time check that every `notify` names a handler of its play:
 * by name, by `role : name`, or by a `listen` topic. Ansible finds a
 * missing handler only when a task that notifies it changes; bosun says so
 * before any host is touched, with the position of the notify entry.
 */
import { BosunError } from '../errors.js';
import { hasTemplate } from '../template/index.js';
import { allTasks, type Task, type TaskNode } from './types.js';

/** What a play offers to be notified, and what may add handlers only at run time. */
export interface HandlerIndex {
  /** Handler names (also `role : name`) and listen topics. */
  names: Set<string>;
  /** A handler name or topic is a template: it is known only per host, so unmatched notifies are not errors. */
  templated: boolean;
}

/** Index the handler nodes of a play (tasks and include_tasks handlers alike). */
export function indexHandlers(handlers: readonly TaskNode[]): HandlerIndex {
  const index: HandlerIndex = { names: new Set(), templated: false };
  const add = (name: string | undefined, role: string | undefined, listen: readonly string[]): void => {
    for (const n of [name, ...listen]) {
      if (n === undefined) continue;
      if (hasTemplate(n)) index.templated = true;
      index.names.add(n);
    }
    if (name !== undefined && role) index.names.add(`${role} : ${name}`);
  };
  const walk = (nodes: readonly TaskNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'block') walk([...n.block, ...n.rescue, ...n.always]);
      else add(n.name, n.context.role?.name, n.kind === 'task' ? n.listen : []);
    }
  };
  walk(handlers);
  return index;
}

/** True when a task list has an include_role anywhere (its handlers are known only at run time). */
export function hasDynamicRole(nodes: readonly TaskNode[]): boolean {
  return nodes.some((n) =>
    n.kind === 'include'
      ? n.what === 'role'
      : n.kind === 'block' && hasDynamicRole([...n.block, ...n.rescue, ...n.always]),
  );
}

/**
 * Throw for the first `notify` entry no handler answers. Templated notify
 * names, and plays whose handlers may come from templated names or an
 * `include_role`, are left to run time.
 */
export function checkNotifies(
  nodes: readonly TaskNode[],
  handlers: readonly Task[],
  index: HandlerIndex,
  dynamic: boolean,
): void {
  if (index.templated || dynamic) return;
  for (const task of [...allTasks(nodes), ...handlers]) {
    task.notify.forEach((name, i) => {
      if (hasTemplate(name) || index.names.has(name)) return;
      throw new BosunError(
        'SCHEMA',
        `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`,
        {
          source: task.notifySources[i] ?? task.source,
          hint: index.names.size
            ? `handlers of this play: ${[...index.names].map((n) => `'${n}'`).join(', ')}`
            : 'this play has no handlers',
        },
      );
    });
  }
}
