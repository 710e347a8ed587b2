/**
 * `bosun report a.jsonl b.jsonl ...`: the logs of the shards of one run
 * (`bosun run --shard K/N --log`) merged into one recap, one exit code and
 * one report model. Logs that are not shards of one run (another playbook,
 * another shard count, check mode in some only, a shard given twice) are
 * refused; a missing or unfinished shard is warned about and makes the
 * exit code at least 1. Rules: docs/scale.md.
 */
import { BosunError } from '../errors.js';
import type { HostStats } from '../executor/events.js';
import { isControllerName, shardLabel } from '../inventory/shard.js';
import type { LogRecord } from './log.js';
import { buildReportModel, type ReportModel, type ReportPlay, type ReportTask } from './report-model.js';

/** One log file as read. */
export interface EventLog {
  file: string;
  records: LogRecord[];
}

/** What `bosun report` shows and exits with. */
export interface MergedRun {
  model: ReportModel;
  /** The recap (every shard's hosts), or undefined when no log has one. */
  recap: Record<string, HostStats> | undefined;
  /** ansible-playbook's rule over the shards: 99 over 4 over 2 over 1 (a shard missing or unfinished) over 0. */
  exitCode: 0 | 1 | 2 | 4 | 99;
  /** What the merge warns about (missing shards, shards that saw different inventories). */
  warnings: string[];
}

type RunStart = Extract<LogRecord, { type: 'run_start' }>;
type Recap = Extract<LogRecord, { type: 'recap' }>;

/** The records of a log's last run (a --confirm log holds the plan, then the apply). */
function lastRun(records: LogRecord[]): LogRecord[] {
  const at = records.findLastIndex((r) => r.type === 'run_start');
  return records.slice(Math.max(0, at));
}

/** A run's exit code from its recap; logs of bosun before the recap carried it: from the counters. */
function recapExitCode(recap: Recap | undefined): 0 | 1 | 2 | 4 | 99 {
  if (!recap) return 1;
  if (recap.exitCode !== undefined) return recap.exitCode;
  const stats = Object.values(recap.hosts);
  return stats.some((s) => s.unreachable > 0) ? 4 : stats.some((s) => s.failed > 0) ? 2 : 0;
}

const PRECEDENCE = [99, 4, 2, 1, 0] as const;

/** The exit code of shards that ended with `codes`: the first of 99, 4, 2, 1 that one of them has, else 0. */
export function mergedExitCode(codes: ReadonlyArray<0 | 1 | 2 | 4 | 99>): 0 | 1 | 2 | 4 | 99 {
  return PRECEDENCE.find((c) => codes.includes(c)) ?? 0;
}

/** Merge the logs given to `bosun report` (one log: its last run as it is). */
export function mergeRuns(logs: EventLog[]): MergedRun {
  const runs = logs.map((l) => {
    const records = lastRun(l.records);
    const start = records.find((r): r is RunStart => r.type === 'run_start')!;
    const recap = records.findLast((r): r is Recap => r.type === 'recap');
    return { file: l.file, records, start, recap, runs: l.records.filter((r) => r.type === 'run_start').length };
  });
  const warnings: string[] = [];
  const single = runs.length === 1 ? runs[0] : undefined;
  if (single) {
    if (!single.recap) warnings.push(`${single.file}: the run did not finish (no recap)`);
    return {
      model: buildReportModel(logs[0]!.records),
      recap: single.recap?.hosts,
      exitCode: recapExitCode(single.recap),
      warnings,
    };
  }
  const shards = runs.map((r) => {
    if (!r.start.shard)
      throw new BosunError('BAD_OPTION', `${r.file} is not the log of a shard (its run had no --shard)`, {
        hint: 'bosun report merges the --log files of the shards of one run (bosun run --shard K/N); give one log to report on one run',
      });
    return { ...r, shard: r.start.shard };
  });
  const first = shards[0]!;
  for (const s of shards.slice(1)) {
    const refuse = (what: string): never => {
      throw new BosunError('BAD_OPTION', `${first.file} and ${s.file} are not shards of one run: ${what}`, {
        hint: 'give the --log files of every shard of one bosun run --shard K/N',
      });
    };
    if (s.shard.count !== first.shard.count)
      refuse(`shard ${shardLabel(first.shard)} and shard ${shardLabel(s.shard)} (runs of different shard counts)`);
    if (s.start.playbooks.join('\0') !== first.start.playbooks.join('\0'))
      refuse(`they ran different playbooks (${first.start.playbooks.join(', ')}; ${s.start.playbooks.join(', ')})`);
    if (s.shard.playbooksDigest !== first.shard.playbooksDigest)
      refuse(`the playbook files differ (${first.start.playbooks.join(', ')} changed between the runs)`);
    if (s.start.check !== first.start.check) refuse(`one ran in check mode and the other did not`);
  }
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const earlier = byIndex.get(s.shard.index);
    if (earlier !== undefined)
      throw new BosunError('BAD_OPTION', `${earlier} and ${s.file} are both shard ${shardLabel(s.shard)}`, {
        hint: 'give each shard of the run once',
      });
    byIndex.set(s.shard.index, s.file);
  }
  const count = first.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    warnings.push(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => shardLabel({ index, count })).join(', ')} missing: the recap covers ${shards.length} of ${count} shards (exit code at least 1)`,
    );
  const selections = new Map<number, string[]>();
  for (const s of shards)
    selections.set(s.shard.selectedHosts, [...(selections.get(s.shard.selectedHosts) ?? []), s.file]);
  if (selections.size > 1)
    warnings.push(
      `the shards saw different inventories (${[...selections].map(([n, files]) => `${n} host(s) selected in ${files.join(', ')}`).join('; ')}): a host missing from one shard's inventory was run by none`,
    );
  for (const s of shards)
    if (!s.recap) warnings.push(`${s.file}: shard ${shardLabel(s.shard)} did not finish (no recap)`);
  for (const s of shards) if (s.runs > 1) warnings.push(`${s.file} holds ${s.runs} runs: the last one is merged`);

  const recap: Record<string, HostStats> = {};
  const owner = new Map<string, string>();
  for (const s of shards) {
    for (const [host, stats] of Object.entries(s.recap?.hosts ?? {})) {
      const seen = owner.get(host);
      if (seen !== undefined && !isControllerName(host))
        throw new BosunError(
          'BAD_OPTION',
          `${host} is in the recap of ${seen} and of ${s.file}: these are not shards of one run`,
          {
            hint: 'a host is in exactly one shard; give the logs of one bosun run --shard K/N',
          },
        );
      owner.set(host, s.file);
      // The controller runs in every shard: its counters add up.
      recap[host] = seen === undefined ? { ...stats } : addStats(recap[host]!, stats);
    }
  }
  const codes = shards.map((s) => recapExitCode(s.recap));
  if (missing.length > 0) codes.push(1);
  const model = mergeModels(
    shards.map((s) => ({ model: buildReportModel(s.records), at: s.start.at })),
    { count, present: shards.map((s) => s.shard.index).sort((a, b) => a - b) },
  );
  model.warnings = [...new Set([...warnings, ...model.warnings])];
  const finished = shards.some((s) => s.recap);
  model.recap = finished ? recap : undefined;
  return { model, recap: finished ? recap : undefined, exitCode: mergedExitCode(codes), warnings };
}

function addStats(a: HostStats, b: HostStats): HostStats {
  return {
    ok: a.ok + b.ok,
    changed: a.changed + b.changed,
    unreachable: a.unreachable + b.unreachable,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    rescued: a.rescued + b.rescued,
    ignored: a.ignored + b.ignored,
  };
}

/**
 * The shards' report models as one: plays and tasks matched in order (a
 * play or task a shard did not run is put where it came), every shard's
 * results placed on one clock (each shard's start time), hosts and tags
 * united.
 */
function mergeModels(
  parts: Array<{ model: ReportModel; at: string | undefined }>,
  shards: { count: number; present: number[] },
): ReportModel {
  const starts = parts.map((p) => (p.at ? Date.parse(p.at) : NaN));
  const earliest = Math.min(...starts.filter((t) => !Number.isNaN(t)));
  const offsets = starts.map((t) => (Number.isNaN(t) || !Number.isFinite(earliest) ? 0 : t - earliest));
  const shifted = parts.map((p, i) => shiftPlays(p.model.plays, offsets[i]!));
  const plays = mergeOrdered(shifted, (p) => p.name, mergePlay);
  let id = 1;
  for (const p of plays) for (const t of p.tasks) t.id = id++;
  const hosts = new Set(parts.flatMap((p) => p.model.hosts));
  const firstModel = parts[0]!.model;
  return {
    startedAt: Number.isFinite(earliest) ? new Date(earliest).toISOString() : firstModel.startedAt,
    playbooks: firstModel.playbooks,
    check: firstModel.check,
    durationMs: Math.max(...parts.map((p, i) => p.model.durationMs + offsets[i]!)),
    plays,
    hosts: [...hosts].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
    tags: [...new Set(parts.flatMap((p) => p.model.tags))].sort(),
    recap: undefined,
    warnings: parts.flatMap((p) => p.model.warnings),
    runs: 1,
    shards,
  };
}

/** A shard's plays with every time moved by `offset` ms (copies). */
function shiftPlays(plays: ReportPlay[], offset: number): ReportPlay[] {
  return plays.map((p) => ({
    ...p,
    hosts: [...p.hosts],
    tasks: p.tasks.map((t) => ({
      ...t,
      startMs: t.startMs + offset,
      endMs: t.endMs + offset,
      results: t.results.map((r) => ({ ...r, startMs: r.startMs + offset })),
    })),
  }));
}

function mergePlay(a: ReportPlay, b: ReportPlay): ReportPlay {
  const key = (t: ReportTask): string => `${t.handler ? 'H' : 'T'}|${t.source}|${t.name}|${t.module}`;
  return {
    name: a.name,
    hosts: [...new Set([...a.hosts, ...b.hosts])],
    tasks: mergeOrdered([a.tasks, b.tasks], key, mergeTask),
  };
}

function mergeTask(a: ReportTask, b: ReportTask): ReportTask {
  return {
    ...a,
    tags: [...new Set([...a.tags, ...b.tags])],
    startMs: Math.min(a.startMs, b.startMs),
    endMs: Math.max(a.endMs, b.endMs),
    results: [...a.results, ...b.results],
  };
}

/**
 * Lists of the same sequence seen by different shards, as one: each list is
 * aligned with the merge so far on their longest common subsequence of keys;
 * matched items are combined, and between two matches the merge's own items
 * come first, then the list's.
 */
export function mergeOrdered<T>(lists: T[][], key: (item: T) => string, combine: (a: T, b: T) => T): T[] {
  let merged = [...(lists[0] ?? [])];
  for (const list of lists.slice(1)) {
    const a = merged.map(key);
    const b = list.map(key);
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--)
      for (let j = b.length - 1; j >= 0; j--)
        lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    const out: T[] = [];
    const pendingOwn: T[] = [];
    const pendingNew: T[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) {
        out.push(...pendingOwn.splice(0), ...pendingNew.splice(0), combine(merged[i]!, list[j]!));
        i++;
        j++;
      } else if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
        pendingOwn.push(merged[i++]!);
      } else {
        pendingNew.push(list[j++]!);
      }
    }
    out.push(...pendingOwn, ...pendingNew);
    merged = out;
  }
  return merged;
}
