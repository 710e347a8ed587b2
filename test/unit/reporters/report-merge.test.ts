/**
 * `bosun report` of several logs: shards of one run merged into one recap,
 * one exit code and one report model; logs that are not shards of one run
 * refused; missing and unfinished shards warned about.
 */
import { describe, expect, it } from 'vitest';
import { emptyStats, type HostStats, type ShardInfo } from '../../../src/executor/events.js';
import type { LogRecord } from '../../../src/reporters/log.js';
import { mergedExitCode, mergeOrdered, mergeRuns, type EventLog } from '../../../src/reporters/report-merge.js';
import { result } from './fixture-run.js';

const source = { file: '/p/site.yml', line: 4, col: 7 };

interface ShardLogOptions {
  index: number;
  count?: number;
  hosts: string[];
  /** Seconds after 12:00:00 the shard started. */
  startedAt?: number;
  failed?: string[];
  exitCode?: 0 | 2 | 4 | 99 | 'none';
  recap?: boolean;
  shard?: Partial<ShardInfo> | false;
  playbooks?: string[];
  check?: boolean;
  /** Tasks the shard ran, by name (default: one, "ping"). */
  tasks?: string[];
}

/** The log of one shard: a play over its hosts, its tasks, a recap. */
function shardLog(o: ShardLogOptions): EventLog {
  const count = o.count ?? 4;
  const at = new Date(Date.UTC(2026, 0, 1, 12, 0, o.startedAt ?? 0)).toISOString();
  const stats: Record<string, HostStats> = {};
  const records: LogRecord[] = [
    {
      type: 'run_start',
      playbooks: o.playbooks ?? ['site.yml'],
      check: o.check ?? false,
      diff: false,
      forks: 20,
      ...(o.shard === false
        ? {}
        : {
            shard: {
              index: o.index,
              count,
              selectedHosts: 10,
              hosts: o.hosts.length,
              playbooksDigest: 'abc',
              ...o.shard,
            },
          }),
      t: 0,
      at,
    },
    { type: 'play_start', name: 'web', hosts: o.hosts, source, t: 1 },
  ];
  let t = 2;
  for (const task of o.tasks ?? ['ping']) {
    records.push({ type: 'task_start', task, module: 'ping', source, hosts: o.hosts.length, t: t++ });
    for (const host of o.hosts) {
      const failed = (o.failed ?? []).includes(host);
      stats[host] ??= emptyStats();
      if (failed) stats[host].failed++;
      else stats[host].ok++;
      records.push({
        type: 'task_result',
        t: t++,
        result: result({ host, task, module: 'ping', durationMs: 1, status: failed ? 'failed' : 'ok' }),
      });
    }
  }
  if (o.recap !== false)
    records.push({
      type: 'recap',
      hosts: stats,
      durationMs: t,
      ...(o.exitCode === 'none' ? {} : { exitCode: o.exitCode ?? (o.failed?.length ? 2 : 0) }),
      t,
    });
  return { file: `shard-${o.index + 1}.jsonl`, records };
}

const four = (): EventLog[] => [
  shardLog({ index: 0, hosts: ['node02', 'node04'] }),
  shardLog({ index: 1, hosts: ['node05', 'node06'], startedAt: 3 }),
  shardLog({ index: 2, hosts: ['node03'], failed: ['node03'], startedAt: 1 }),
  shardLog({ index: 3, hosts: ['node01', 'node10'], startedAt: 2 }),
];

describe('mergedExitCode', () => {
  it.each([
    [[0, 0, 0], 0],
    [[0, 2, 0], 2],
    [[2, 4, 0], 4],
    [[4, 99, 2], 99],
    [[0, 1], 1],
    [[1, 2], 2],
    [[], 0],
  ] as const)('of %j is %i (as one run: interrupted over unreachable over failed)', (codes, code) => {
    expect(mergedExitCode(codes)).toBe(code);
  });
});

describe('mergeRuns', () => {
  it("unites the shards' recaps, takes the run's exit code, and puts every host and task in one model", () => {
    const merged = mergeRuns(four());
    expect(Object.keys(merged.recap!).sort()).toEqual([
      'node01',
      'node02',
      'node03',
      'node04',
      'node05',
      'node06',
      'node10',
    ]);
    expect(merged.recap!['node03']).toEqual({ ...emptyStats(), failed: 1 });
    expect(merged.exitCode).toBe(2);
    expect(merged.warnings).toEqual([]);
    const m = merged.model;
    expect(m.hosts).toEqual(['node01', 'node02', 'node03', 'node04', 'node05', 'node06', 'node10']);
    expect(m.plays).toHaveLength(1);
    expect(m.plays[0]!.hosts.sort()).toEqual(m.hosts);
    expect(m.plays[0]!.tasks.map((t) => [t.name, t.results.length])).toEqual([['ping', 7]]);
    expect(m.shards).toEqual({ count: 4, present: [0, 1, 2, 3] });
    expect(m.recap).toEqual(merged.recap);
    // One clock: the shard that started 3 s later has its results 3 s later.
    const late = m.plays[0]!.tasks[0]!.results.find((r) => r.host === 'node05')!;
    expect(late.startMs).toBeGreaterThanOrEqual(3000);
    expect(m.startedAt).toBe('2026-01-01T12:00:00.000Z');
    expect(m.durationMs).toBeGreaterThanOrEqual(3000);
  });

  it("takes each shard's exit code from its recap (a cleared failure exits 0), or from the counters of an older log", () => {
    const cleared = four().map((l, i) =>
      i === 2 ? shardLog({ index: 2, hosts: ['node03'], failed: ['node03'], exitCode: 0 }) : l,
    );
    expect(mergeRuns(cleared).exitCode).toBe(0);
    const old = four().map((l, i) =>
      i === 2 ? shardLog({ index: 2, hosts: ['node03'], failed: ['node03'], exitCode: 'none' }) : l,
    );
    expect(mergeRuns(old).exitCode).toBe(2);
    const unreachable = four().map((l, i) => (i === 0 ? shardLog({ index: 0, hosts: ['node02'], exitCode: 4 }) : l));
    expect(mergeRuns(unreachable).exitCode).toBe(4);
  });

  it('warns about a missing shard and exits at least 1', () => {
    const merged = mergeRuns(four().filter((_, i) => i !== 1));
    expect(merged.warnings).toEqual(['shard 2/4 missing: the recap covers 3 of 4 shards (exit code at least 1)']);
    expect(merged.exitCode).toBe(2);
    const ok = mergeRuns([shardLog({ index: 0, hosts: ['a'] }), shardLog({ index: 3, hosts: ['b'] })]);
    expect(ok.warnings[0]).toBe('shards 2/4, 3/4 missing: the recap covers 2 of 4 shards (exit code at least 1)');
    expect(ok.exitCode).toBe(1);
    expect(ok.model.shards).toEqual({ count: 4, present: [0, 3] });
  });

  it('warns about a shard without a recap (it did not finish) and exits at least 1', () => {
    const logs = four().map((l, i) => (i === 1 ? shardLog({ index: 1, hosts: ['node05'], recap: false }) : l));
    const merged = mergeRuns(logs.filter((_, i) => i !== 2));
    expect(merged.warnings).toContain('shard-2.jsonl: shard 2/4 did not finish (no recap)');
    expect(merged.exitCode).toBe(1);
  });

  it('warns when the shards saw different inventories', () => {
    const logs = four();
    logs[3] = shardLog({ index: 3, hosts: ['node01'], shard: { selectedHosts: 11 } });
    expect(mergeRuns(logs).warnings).toEqual([
      "the shards saw different inventories (10 host(s) selected in shard-1.jsonl, shard-2.jsonl, shard-3.jsonl; 11 host(s) selected in shard-4.jsonl): a host missing from one shard's inventory was run by none",
    ]);
  });

  it.each<[string, (logs: EventLog[]) => void, string]>([
    [
      'a log of a run without --shard',
      (logs) => (logs[1] = shardLog({ index: 1, hosts: ['x'], shard: false })),
      'shard-2.jsonl is not the log of a shard (its run had no --shard)',
    ],
    [
      'another shard count',
      (logs) => (logs[1] = shardLog({ index: 1, count: 3, hosts: ['x'] })),
      'shard-1.jsonl and shard-2.jsonl are not shards of one run: shard 1/4 and shard 2/3 (runs of different shard counts)',
    ],
    [
      'another playbook',
      (logs) => (logs[2] = shardLog({ index: 2, hosts: ['x'], playbooks: ['other.yml'] })),
      'are not shards of one run: they ran different playbooks (site.yml; other.yml)',
    ],
    [
      'changed playbook files',
      (logs) => (logs[2] = shardLog({ index: 2, hosts: ['x'], shard: { playbooksDigest: 'def' } })),
      'are not shards of one run: the playbook files differ (site.yml changed between the runs)',
    ],
    [
      'check mode in one only',
      (logs) => (logs[3] = shardLog({ index: 3, hosts: ['x'], check: true })),
      'are not shards of one run: one ran in check mode and the other did not',
    ],
    [
      'a shard given twice',
      (logs) => (logs[3] = shardLog({ index: 0, hosts: ['x'] })),
      'shard-1.jsonl and shard-1.jsonl are both shard 1/4',
    ],
    [
      'a host in two shards',
      (logs) => (logs[3] = shardLog({ index: 3, hosts: ['node02'] })),
      'node02 is in the recap of shard-1.jsonl and of shard-4.jsonl: these are not shards of one run',
    ],
  ])('refuses %s', (_what, change, message) => {
    const logs = four();
    change(logs);
    expect(() => mergeRuns(logs)).toThrow(message);
  });

  it("adds up the controller's counters: localhost runs in every shard", () => {
    const merged = mergeRuns([
      shardLog({ index: 0, count: 2, hosts: ['localhost', 'a'] }),
      shardLog({ index: 1, count: 2, hosts: ['localhost', 'b'] }),
    ]);
    expect(merged.recap!['localhost']).toEqual({ ...emptyStats(), ok: 2 });
  });

  it("merges the tasks of shards that ran different ones in their order (an include only some shards' hosts took)", () => {
    const merged = mergeRuns([
      shardLog({ index: 0, count: 2, hosts: ['a'], tasks: ['one', 'included', 'two'] }),
      shardLog({ index: 1, count: 2, hosts: ['b'], tasks: ['one', 'two', 'three'] }),
    ]);
    expect(merged.model.plays[0]!.tasks.map((t) => [t.id, t.name, t.results.map((r) => r.host)])).toEqual([
      [1, 'one', ['a', 'b']],
      [2, 'included', ['a']],
      [3, 'two', ['a', 'b']],
      [4, 'three', ['b']],
    ]);
  });

  it('reports one log as it is (its recap and exit code)', () => {
    const merged = mergeRuns([shardLog({ index: 0, hosts: ['a', 'b'], failed: ['b'], shard: false })]);
    expect(merged.exitCode).toBe(2);
    expect(merged.model.shards).toBeUndefined();
    expect(Object.keys(merged.recap!)).toEqual(['a', 'b']);
    expect(mergeRuns([shardLog({ index: 0, hosts: ['a'], recap: false })])).toMatchObject({
      exitCode: 1,
      recap: undefined,
      warnings: ['shard-1.jsonl: the run did not finish (no recap)'],
    });
  });
});

describe('mergeOrdered', () => {
  const key = (s: string): string => s.replace(/\d+$/, '');
  const join = (a: string, b: string): string =>
    `${key(a)}${Number(a.slice(key(a).length)) + Number(b.slice(key(b).length))}`;
  it.each([
    [
      [
        ['a1', 'b1'],
        ['a1', 'b1'],
      ],
      ['a2', 'b2'],
    ],
    [
      [
        ['a1', 'c1'],
        ['a1', 'b1', 'c1'],
      ],
      ['a2', 'b1', 'c2'],
    ],
    [
      [
        ['a1', 'b1', 'a1'],
        ['a1', 'a1'],
      ],
      ['a2', 'b1', 'a2'],
    ],
    [[[], ['a1']], ['a1']],
    [
      [['a1'], ['b1'], ['a1', 'b1']],
      ['a2', 'b2'],
    ],
    [
      [
        ['a1', 'c1'],
        ['b1', 'c1'],
      ],
      ['a1', 'b1', 'c2'],
    ],
    [
      [
        ['x1', 'a1', 'y1'],
        ['x1', 'b1', 'y1'],
        ['x1', 'a1', 'b1', 'y1'],
      ],
      ['x3', 'a2', 'b2', 'y3'],
    ],
  ])('merges %j into %j', (lists, merged) => {
    expect(mergeOrdered(lists, key, join)).toEqual(merged);
  });
});
