/**
 * Reporter hooks and their dispatch: order kept with async hooks, the run
 * waits for them, every event type has a hook; and no_log censored once,
 * before every reporter the CLI registers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReporters, type RunOutputFlags } from '../../../src/cli/run-output-options.js';
import { BosunError } from '../../../src/errors.js';
import { emptyStats, type RunEvent } from '../../../src/executor/events.js';
import { dispatchTo } from '../../../src/reporters/dispatch.js';
import { HOOK_OF, type Reporter } from '../../../src/reporters/types.js';
import { maskingSink, NO_LOG_MESSAGE, SecretMasker } from '../../../src/util/secrets.js';
import { FIXTURE_RUN, result } from './fixture-run.js';

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('dispatching events to hooks', () => {
  it('has one hook per event type', () => {
    const types = new Set(FIXTURE_RUN.map(([, e]) => e.type));
    for (const t of types) expect(HOOK_OF[t]).toMatch(/^on[A-Z]/);
    expect(new Set(Object.values(HOOK_OF)).size).toBe(Object.keys(HOOK_OF).length);
  });

  it('keeps the order of events when a hook is slow, and flush waits for every hook', async () => {
    const seen: string[] = [];
    const slow: Reporter = {
      async onTaskStart(e) {
        await tick(20);
        seen.push(`slow start ${e.task}`);
      },
      async onTaskResult(e) {
        await tick(5);
        seen.push(`slow result ${e.result.host}`);
      },
      async onRecap() {
        await tick(10);
        seen.push('slow recap');
      },
    };
    const quick: Reporter = {
      onTaskStart: (e) => {
        seen.push(`quick start ${e.task}`);
      },
      onTaskResult: (e) => {
        seen.push(`quick result ${e.result.host}`);
      },
      onRecap: () => {
        seen.push('quick recap');
      },
    };
    const d = dispatchTo([slow, quick]);
    d.sink({ type: 'task_start', task: 'a', module: 'x', source: { file: 'f', line: 1, col: 1 }, hosts: 2 });
    d.sink({ type: 'task_result', result: result({ host: 'h1' }) });
    d.sink({ type: 'task_result', result: result({ host: 'h2' }) });
    d.sink({ type: 'recap', hosts: {}, durationMs: 1 });
    // The quick reporter heard the first event at once; later ones wait for the slow hook.
    expect(seen).toEqual(['quick start a']);
    await d.flush();
    expect(seen).toEqual([
      // Each event reaches both (in registration order) and is finished by both before the next one starts.
      'quick start a',
      'slow start a',
      'quick result h1',
      'slow result h1',
      'quick result h2',
      'slow result h2',
      'quick recap',
      'slow recap',
    ]);
  });

  it('calls synchronous reporters at once, without promises', () => {
    const seen: string[] = [];
    const d = dispatchTo([
      {
        onWarning: (e) => {
          seen.push(e.message);
        },
      },
    ]);
    d.sink({ type: 'warning', message: 'one' });
    d.sink({ type: 'warning', message: 'two' });
    expect(seen).toEqual(['one', 'two']);
  });

  it('reports an async hook failure at flush, and stops dispatching after it', async () => {
    const seen: string[] = [];
    const d = dispatchTo([
      {
        onWarning(e) {
          seen.push(e.message);
          return e.message === 'bad' ? Promise.reject(new Error('disk full')) : Promise.resolve();
        },
      },
    ]);
    d.sink({ type: 'warning', message: 'bad' });
    d.sink({ type: 'warning', message: 'after' });
    await expect(d.flush()).rejects.toThrow('disk full');
    expect(seen).toEqual(['bad']);
  });
});

describe('no_log: censored once, for every reporter', () => {
  const SECRET = 'Zq-nolog-7781';
  const censoredEvents = (): RunEvent[] => {
    const item = (n: number) =>
      result({
        host: 'web1',
        task: 'set the token',
        module: 'shell',
        status: 'changed',
        noLog: true,
        item: `${SECRET}-item${n}`,
        label: `${SECRET}-label`,
        stdout: `${SECRET} out`,
        rc: 0,
        data: { stdout: `${SECRET} out`, item: `${SECRET}-item${n}`, changed: true },
        diff: [{ path: '/etc/x', before: '', after: `${SECRET}\n` }],
      });
    return [
      { type: 'run_start', playbooks: ['/srv/site.yml'], check: false, diff: true, forks: 5 },
      { type: 'play_start', name: 'p', hosts: ['web1'], source: { file: '/srv/site.yml', line: 1, col: 3 } },
      {
        type: 'task_start',
        task: 'set the token',
        module: 'shell',
        source: { file: '/srv/site.yml', line: 4, col: 7 },
        hosts: 1,
      },
      {
        type: 'task_result',
        result: result({
          host: 'web1',
          task: 'set the token',
          module: 'shell',
          status: 'changed',
          noLog: true,
          msg: `${SECRET} msg`,
          stdout: `${SECRET} out`,
          stderr: `${SECRET} err`,
          rc: 0,
          diff: [{ path: '/etc/token', before: '', after: `${SECRET}\n` }],
          items: [item(1), item(2)],
          data: { changed: true, results: [{ stdout: `${SECRET} out` }], value: SECRET },
        }),
      },
      {
        type: 'task_start',
        task: 'use the token',
        module: 'command',
        source: { file: '/srv/site.yml', line: 9, col: 7 },
        hosts: 1,
      },
      {
        type: 'task_result',
        result: result({
          host: 'web1',
          task: 'use the token',
          module: 'command',
          status: 'failed',
          noLog: true,
          msg: `${SECRET} failed`,
          stderr: `${SECRET} err`,
          rc: 3,
          data: { failed: true, stderr: `${SECRET} err`, rc: 3 },
          error: new BosunError('UNDEFINED_VAR', `undefined ${SECRET}`, {
            source: { file: '/srv/site.yml', line: 10, col: 9 },
            hint: SECRET,
          }),
        }),
      },
      { type: 'recap', hosts: { web1: { ...emptyStats(), ok: 1, changed: 1, failed: 1 } }, durationMs: 5 },
    ];
  };

  async function runThrough(flags: Partial<RunOutputFlags>, isTTY: boolean): Promise<string> {
    let out = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: (t: string) => {
        out += t;
      },
      isTTY,
    };
    const reporters = await buildReporters({ json: false, verbose: 0, color: false, diff: true, ...flags }, io);
    // The run's own pipeline: the masking sink (here with no secret known: censoring alone must hide everything), then the dispatcher.
    const d = dispatchTo(reporters);
    const sink = maskingSink(d.sink, new SecretMasker());
    for (const e of censoredEvents()) sink(e);
    await d.flush();
    return out;
  }

  it.each([
    ['text -vvv --diff, live line, --profile, --log, --report', { verbose: 3, profile: true }, true],
    ['text', { verbose: 0 }, false],
    ['-q', { quiet: true }, false],
    ['--json with --profile, --log and --report', { json: true, profile: true }, false],
  ] as Array<[string, Partial<RunOutputFlags>, boolean]>)(
    '%s: no secret anywhere, the same censored words everywhere',
    async (_name, flags, isTTY) => {
      const dir = mkdtempSync(join(tmpdir(), 'bosun-nolog-'));
      const log = join(dir, 'run.jsonl');
      const report = join(dir, 'run.html');
      const out = await runThrough({ ...flags, log, report }, isTTY);
      const logText = readFileSync(log, 'utf8');
      const html = readFileSync(report, 'utf8');
      for (const text of [out, logText, html]) expect(text).not.toContain(SECRET);
      expect(out).toContain(NO_LOG_MESSAGE);
      expect(logText).toContain(NO_LOG_MESSAGE);
      expect(html).toContain(NO_LOG_MESSAGE.replace(/'/g, '&#39;'));
      if (!flags.quiet && !flags.json) expect(out).toContain('changed: [web1] => (item=None)');
    },
  );
});
