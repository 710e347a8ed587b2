/**
 * `--syntax-check`, `--list-hosts`, `--list-tasks` and `--list-tags`: load
 * and check the playbooks (and the inventory) without connecting to any host.
 */
import { loadInventory, selectHosts } from '../inventory/index.js';
import { inShard, type Shard } from '../inventory/shard.js';
import { loadPlaybooks } from '../executor/run.js';
import { tagsSelect, type TagFilter } from '../executor/tags.js';
import type { Play, TaskNode } from '../playbook/types.js';
import type { VarLayer } from '../vars/scope.js';
import type { CliIO } from './main.js';

/** What the inspection prints. */
interface InspectFlags {
  inventory: string[];
  limit?: string;
  /** `--shard`: list the shard's hosts. */
  shard: Shard | undefined;
  listHosts: boolean;
  listTasks: boolean;
  listTags: boolean;
  tags: TagFilter;
  rolesPath?: string[];
}

/** Check (and optionally list hosts, tasks or tags of) the playbooks; returns the exit code. */
export async function inspectPlaybooks(
  playbooks: string[],
  o: InspectFlags,
  extraVars: VarLayer[],
  io: CliIO,
): Promise<number> {
  const { playbooks: loaded } = await loadPlaybooks(playbooks, extraVars, undefined, o.rolesPath);
  if (!o.listHosts && !o.listTasks && !o.listTags) {
    io.out(`playbook: ${playbooks.join(', ')}\n`);
    return 0;
  }
  const inventory = o.listHosts ? await loadInventory(o.inventory) : undefined;
  const limit = inventory && o.limit ? new Set(selectHosts(inventory, o.limit)) : undefined;
  for (const pb of loaded) {
    io.out(`\nplaybook: ${pb.file}\n`);
    pb.plays.forEach((play, i) => {
      io.out(`\n  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${play.tags.join(', ')}]\n`);
      if (inventory) {
        const hosts = selectHosts(inventory, play.hosts, play.hostsSource).filter(
          (h) => (!limit || limit.has(h)) && (!o.shard || inShard(h, o.shard)),
        );
        io.out(`    pattern: ['${play.hosts}']\n    hosts (${hosts.length}):\n`);
        for (const h of hosts) io.out(`      ${h}\n`);
      }
      if (o.listTasks) {
        io.out('    tasks:\n');
        for (const line of taskLines(play, o.tags)) io.out(`      ${line}\n`);
      }
      if (o.listTags) io.out(`      TASK TAGS: [${[...allTags(play)].sort().join(', ')}]\n`);
    });
  }
  return 0;
}

function sections(play: Play): TaskNode[] {
  return [...play.sections.preTasks, ...play.sections.roles, ...play.sections.tasks, ...play.sections.postTasks];
}

function* walk(nodes: TaskNode[]): Generator<TaskNode> {
  for (const n of nodes) {
    yield n;
    if (n.kind === 'block') yield* walk([...n.block, ...n.rescue, ...n.always]);
  }
}

function taskLines(play: Play, filter: TagFilter): string[] {
  const lines: string[] = [];
  for (const n of walk(sections(play))) {
    if (n.kind === 'block' || !tagsSelect(n.tags, filter)) continue;
    const name = n.kind === 'task' ? (n.name ?? n.module) : `include_${n.what}: ${n.target}`;
    const role = n.context.role ? `${n.context.role.name} : ` : '';
    lines.push(`${role}${name}\tTAGS: [${n.tags.join(', ')}]`);
  }
  return lines;
}

function allTags(play: Play): Set<string> {
  const tags = new Set<string>(play.tags);
  for (const n of walk(sections(play))) if (n.kind !== 'block') for (const t of n.tags) tags.add(t);
  return tags;
}
