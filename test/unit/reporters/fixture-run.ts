/**
 * A made-up run as events at given times (ms), for the reporter tests and
 * the HTML report's browser test: two plays, tags, a diff, a failure with
 * output, a no_log result, an unreachable host, a download in progress.
 */
import { emptyStats, type RunEvent, type TaskResult } from '../../../src/executor/events.js';
import { maskingSink, SecretMasker } from '../../../src/util/secrets.js';

/** A task result with defaults. */
export function result(over: Partial<TaskResult>): TaskResult {
  const status = over.status ?? 'ok';
  return {
    host: 'web1',
    task: 't',
    module: 'copy',
    status,
    changed: status === 'changed',
    ignored: false,
    msg: undefined,
    rc: undefined,
    stdout: undefined,
    stderr: undefined,
    diff: [],
    durationMs: 10,
    data: {},
    noLog: false,
    ...(status === 'skipped' ? { skip: { by: 'module' } } : {}),
    ...over,
  } as TaskResult;
}

const src = (line: number) => ({ file: '/srv/site.yml', line, col: 7 });

/** The run: [time in ms, event]. */
export const FIXTURE_RUN: Array<[number, RunEvent]> = [
  [0, { type: 'run_start', playbooks: ['/srv/site.yml'], check: false, diff: true, forks: 5 }],
  [1, { type: 'play_start', name: 'web servers', hosts: ['web1', 'web2', 'db1'], source: src(1) }],
  [2, { type: 'task_start', task: 'install nginx', module: 'apt', source: src(5), hosts: 3, tags: ['packages'] }],
  [
    900,
    {
      type: 'task_result',
      result: result({ host: 'web1', task: 'install nginx', module: 'apt', status: 'changed', durationMs: 890 }),
    },
  ],
  [
    1200,
    {
      type: 'task_result',
      result: result({ host: 'web2', task: 'install nginx', module: 'apt', status: 'ok', durationMs: 1190 }),
    },
  ],
  [
    1300,
    {
      type: 'task_result',
      result: result({
        host: 'db1',
        task: 'install nginx',
        module: 'apt',
        status: 'unreachable',
        msg: 'connection refused on 10.0.0.9:22',
        durationMs: 1290,
      }),
    },
  ],
  [
    1301,
    {
      type: 'task_start',
      task: 'write nginx.conf',
      module: 'template',
      source: src(9),
      hosts: 2,
      tags: ['config', 'nginx'],
    },
  ],
  [
    1500,
    {
      type: 'task_result',
      result: result({
        host: 'web1',
        task: 'write nginx.conf',
        module: 'template',
        status: 'changed',
        durationMs: 190,
        diff: [
          {
            path: '/etc/nginx/nginx.conf',
            before: 'worker_processes 1;\nuser www-data;\n',
            after: 'worker_processes 4;\nuser www-data;\n',
          },
        ],
      }),
    },
  ],
  [
    1600,
    {
      type: 'task_result',
      result: result({ host: 'web2', task: 'write nginx.conf', module: 'template', status: 'ok', durationMs: 290 }),
    },
  ],
  [1601, { type: 'task_start', task: 'check config', module: 'command', source: src(14), hosts: 2, tags: ['config'] }],
  [
    1900,
    {
      type: 'task_result',
      result: result({
        host: 'web1',
        task: 'check config',
        module: 'command',
        status: 'ok',
        rc: 0,
        stdout: 'syntax is ok',
        durationMs: 290,
      }),
    },
  ],
  [
    2100,
    {
      type: 'task_result',
      result: result({
        host: 'web2',
        task: 'check config',
        module: 'command',
        status: 'failed',
        rc: 1,
        msg: 'non-zero return code',
        stdout: '',
        stderr: 'nginx: [emerg] unknown directive "worker_procs" in /etc/nginx/nginx.conf:1',
        durationMs: 490,
      }),
    },
  ],
  [2101, { type: 'task_start', task: 'set the API token', module: 'copy', source: src(20), hosts: 1 }],
  [
    2200,
    {
      type: 'task_result',
      result: result({
        host: 'web1',
        task: 'set the API token',
        status: 'changed',
        noLog: true,
        msg: 'TOKEN=hunter2',
        diff: [{ path: '/etc/token', before: '', after: 'hunter2\n' }],
        durationMs: 90,
      }),
    },
  ],
  [2201, { type: 'play_start', name: 'downloads', hosts: ['web1'], source: src(24) }],
  [
    2202,
    { type: 'task_start', task: 'fetch the tarball', module: 'get_url', source: src(27), hosts: 1, tags: ['download'] },
  ],
  [
    2700,
    { type: 'progress', host: 'web1', task: 'fetch the tarball', current: 4_194_304, total: 16_777_216, unit: 'bytes' },
  ],
  [
    5200,
    {
      type: 'task_result',
      result: result({
        host: 'web1',
        task: 'fetch the tarball',
        module: 'get_url',
        status: 'changed',
        durationMs: 2990,
      }),
    },
  ],
  [
    5300,
    {
      type: 'recap',
      durationMs: 5300,
      hosts: {
        web1: { ...emptyStats(), ok: 5, changed: 4 },
        web2: { ...emptyStats(), ok: 2, failed: 1 },
        db1: { ...emptyStats(), unreachable: 1 },
      },
    },
  ],
];

/** When the fixture run starts (2026-03-02 09:30 UTC). */
export const FIXTURE_START = Date.UTC(2026, 2, 2, 9, 30);

/** Feed the fixture run to a reporter with a fake clock, through the sink a run puts before reporters (no_log censored). */
export function playFixture(onEvent: (e: RunEvent) => void, clock: { now: number }): void {
  const sink = maskingSink(onEvent, new SecretMasker());
  for (const [t, e] of FIXTURE_RUN) {
    clock.now = FIXTURE_START + t;
    sink(e);
  }
}
