/**
 * What a run warns about before its first play, as ansible-playbook does:
 * no inventory (only the implicit localhost), an empty inventory, and a
 * `--tags` tag that no task of the playbooks has.
 */
import type { Playbook, TaskNode } from '../playbook/types.js';
import type { TagFilter } from './tags.js';

/** Tags that select by rule, not by name: never "unknown". */
const SPECIAL_TAGS = new Set(['all', 'always', 'never', 'tagged', 'untagged']);

/** The warnings a run starts with, in the order ansible-playbook prints them. */
export function runStartWarnings(
  opts: { inventories: readonly string[]; tags: TagFilter },
  inventoryHosts: number,
  playbooks: readonly Playbook[],
): string[] {
  const warnings: string[] = [];
  // ansible-playbook 2.14, word for word (InventoryManager.parse_sources, CLI.get_host_list).
  if (opts.inventories.length === 0) warnings.push('No inventory was parsed, only implicit localhost is available');
  if (inventoryHosts === 0)
    warnings.push(
      "provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'",
    );
  const unknown = unknownTags(opts.tags.only, playbooks);
  if (unknown.tags.length > 0) {
    const names = unknown.tags.map((t) => `'${t}'`).join(', ');
    const note = unknown.dynamic ? ' (tasks of files included at run time are not looked at)' : '';
    warnings.push(
      `--tags ${names}: no task in the playbooks has ${unknown.tags.length === 1 ? 'this tag' : 'these tags'}${note}`,
    );
  }
  return warnings;
}

/**
 * The `--tags` names no play, task, block, role or include has; none when a
 * tag is a template (known only per host at run time).
 */
export function unknownTags(
  only: readonly string[],
  playbooks: readonly Playbook[],
): { tags: string[]; dynamic: boolean } {
  const known = new Set<string>();
  let dynamic = false;
  const walk = (nodes: readonly TaskNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'block') {
        walk(n.block);
        walk(n.rescue);
        walk(n.always);
        continue;
      }
      if (n.kind === 'include') dynamic = true;
      for (const t of n.tags) known.add(t);
    }
  };
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      for (const t of play.tags) known.add(t);
      const s = play.sections;
      walk([...s.preTasks, ...s.roles, ...s.tasks, ...s.postTasks, ...play.handlers]);
    }
  }
  if ([...known].some((t) => t.includes('{{'))) return { tags: [], dynamic };
  return { tags: only.filter((t) => !SPECIAL_TAGS.has(t) && !known.has(t)), dynamic };
}
