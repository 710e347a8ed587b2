/**
 * What `--shard K/N` does to a run: the hosts a play may run on are those
 * of the shard (a filter beside `--limit`, by host name: see
 * src/inventory/shard.ts), the whole inventory stays visible (`groups`,
 * `hostvars`, delegates), and the run says which shard it is, so
 * `bosun report` can merge the shards' logs. The rules are in docs/scale.md.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { isControllerName, inShard, shardLabel, type Shard } from '../inventory/shard.js';
import { allTasks, type Playbook } from '../playbook/types.js';
import type { ShardInfo } from './events.js';

/** The hosts of a run: every selected host, or those of its shard. */
export interface RunSelection {
  /** Whether a play may run on the host (`--limit` and the shard). */
  select: ((host: string) => boolean) | undefined;
  /** What run_start says about the shard. */
  info: ShardInfo | undefined;
  /** Warnings to give before the first play. */
  warnings: string[];
}

/**
 * The run's selection: `limit` (undefined without `--limit`) and the shard;
 * `allHosts` are the inventory's hosts (the selection without `--limit`).
 */
export async function runSelection(
  limit: Set<string> | undefined,
  shard: Shard | undefined,
  allHosts: readonly string[],
  playbooks: readonly Playbook[],
): Promise<RunSelection> {
  if (!shard) return { select: limit ? (h) => limit.has(h) : undefined, info: undefined, warnings: [] };
  const selected = (limit ? [...limit] : allHosts).filter((h) => !isControllerName(h));
  const mine = selected.filter((h) => inShard(h, shard));
  const label = shardLabel(shard);
  const warnings: string[] = [];
  if (selected.length > 0 && mine.length === 0)
    warnings.push(
      `shard ${label} holds none of the ${selected.length} selected host(s): its plays match no host (the hosts are spread by name; see docs/scale.md)`,
    );
  const once = runOnceTasks(playbooks);
  if (once.length > 0 && shard.count > 1)
    warnings.push(
      `run_once runs once in each shard, not once in all (${once.slice(0, 3).join(', ')}${once.length > 3 ? `, and ${once.length - 3} more` : ''}): see docs/scale.md`,
    );
  return {
    select: (h) => (!limit || limit.has(h)) && inShard(h, shard),
    info: {
      index: shard.index,
      count: shard.count,
      selectedHosts: selected.length,
      hosts: mine.length,
      playbooksDigest: await playbooksDigest(playbooks),
    },
    warnings,
  };
}

/** SHA-256 of the playbook files' text, in order: shards of one run read the same files. */
async function playbooksDigest(playbooks: readonly Playbook[]): Promise<string> {
  const hash = createHash('sha256');
  for (const pb of playbooks) {
    hash.update(await fs.readFile(pb.file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The run_once tasks the playbooks show before running (`name (file:line)`); included files are read at run time. */
function runOnceTasks(playbooks: readonly Playbook[]): string[] {
  const found: string[] = [];
  for (const pb of playbooks)
    for (const play of pb.plays) {
      const s = play.sections;
      for (const t of allTasks([...s.preTasks, ...s.roles, ...s.tasks, ...s.postTasks, ...play.handlers]))
        if (t.runOnce !== false) found.push(`${t.name ?? t.module} (${t.source.file}:${t.source.line})`);
    }
  return found;
}
