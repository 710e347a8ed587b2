/**
 * The reporters for watching and recording a run: the live line, -q,
 * --profile, the event log and the report model, on a made-up run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTextReporter } from '../../../src/reporters/text.js';
import { createProgressReporter, formatBytes } from '../../../src/reporters/progress.js';
import { createQuietFilter } from '../../../src/reporters/quiet.js';
import { createProfileReporter } from '../../../src/reporters/profile.js';
import { createLogReporter, readEventLog } from '../../../src/reporters/log.js';
import { createHtmlReporter, renderReport } from '../../../src/reporters/html.js';
import { buildReportModel } from '../../../src/reporters/report-model.js';
import { callHook } from '../../../src/reporters/types.js';
import { playFixture } from './fixture-run.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-reporters-'));

describe('live line (TTY)', () => {
  it('shows hosts done/total, changed/failed, elapsed and download rate; host lines go above it', () => {
    const clock = { now: 0 };
    let out = '';
    const live = createProgressReporter({
      write: (t) => {
        out += t;
      },
      color: false,
      columns: () => 120,
      now: () => clock.now,
      tickMs: 0,
    });
    const text = createTextReporter({ write: (t) => live.writeAbove(t), verbosity: 0, color: false, diff: false });
    const frames: string[] = [];
    playFixture((e) => {
      void callHook(live, e);
      void callHook(text, e);
      const after = out.slice(out.lastIndexOf('\r\x1b[2K') + 5);
      frames.push(after.slice(after.lastIndexOf('\n') + 1));
    }, clock);
    // After web1 and web2 finished the first task: 2/3 hosts, one changed, 1.2 s.
    expect(frames[4]).toBe('⠋ install nginx  2/3 hosts  changed 1  failed 0  1.2s');
    expect(frames[5]).toContain('3/3 hosts  changed 1  failed 1');
    // The download: bytes of the total (rate appears with a second progress event).
    expect(frames[16]).toBe('⠋ fetch the tarball  0/1 hosts  changed 0  failed 0  0.5s  ↓ web1 4.0 MiB/16 MiB');
    // Host lines are printed after clearing the line, and the line is redrawn below them.
    expect(out).toContain('\r\x1b[2Kchanged: [web1]\n⠋ install nginx  1/3 hosts  changed 1');
    // At the recap the line is gone: the text ends with the recap, no line after it.
    expect(out).toMatch(
      /db1 {24}: ok=0 {4}changed=0 {4}unreachable=1 {4}failed=0 {4}skipped=0 {4}rescued=0 {4}ignored=0 {3}\n/,
    );
    expect(out).toMatch(/ : ok=[^\n]*\n\n$/);
  });

  it('never wraps: the line is cut to the terminal width', () => {
    let out = '';
    const live = createProgressReporter({
      write: (t) => {
        out += t;
      },
      color: false,
      columns: () => 30,
      tickMs: 0,
    });
    void callHook(live, {
      type: 'task_start',
      task: 'a very long task name that goes on and on',
      module: 'x',
      source: { file: 'f', line: 1, col: 1 },
      hosts: 9,
    });
    expect(out.length).toBeLessThanOrEqual(29);
    expect(out.endsWith('…')).toBe(true);
  });

  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [10 * 1024 * 1024, '10 MiB'],
    [3.5 * 1024 ** 3, '3.5 GiB'],
  ])('formats %d bytes as %s', (n, s) => {
    expect(formatBytes(n)).toBe(s);
  });
});

describe('-q and --profile', () => {
  it('-q prints only failures (with their task banner) and the recap', () => {
    let out = '';
    const q = createQuietFilter(
      createTextReporter({
        write: (t) => {
          out += t;
        },
        verbosity: 0,
        color: false,
        diff: true,
      }),
    );
    playFixture((e) => void callHook(q, e), { now: 0 });
    expect(out).not.toContain('changed: [web1]');
    expect(out).not.toContain('TASK [write nginx.conf]');
    expect(out).toContain('TASK [install nginx]');
    expect(out).toContain('fatal: [db1]: UNREACHABLE!');
    expect(out).toContain('TASK [check config]');
    expect(out).toContain('fatal: [web2]: FAILED!');
    expect(out).toContain('PLAY RECAP');
  });

  it('--profile lists the slowest tasks first after the recap', () => {
    const clock = { now: 0 };
    let out = '';
    const p = createProfileReporter({
      write: (t) => {
        out += t;
      },
      color: false,
      now: () => clock.now,
    });
    playFixture((e) => void callHook(p, e), clock);
    expect(p.timings().map((t) => t.task)).toEqual([
      'install nginx',
      'write nginx.conf',
      'check config',
      'set the API token',
      'fetch the tarball',
    ]);
    const lines = out.split('\n').filter((l) => / -+ \d/.test(l));
    expect(lines[0]).toMatch(/^fetch the tarball \(srv\/site\.yml:27\) -+ 3\.10s$/);
    expect(lines[1]).toMatch(/^install nginx .* 1\.30s$/);
    expect(lines[0]!.length).toBe(79);
    expect(out).toContain('5 task(s), 5.30s in tasks, 5.30s in all');
  });
});

describe('--log and the report model', () => {
  it('writes one JSON line per event with t; no_log output and progress are left out', () => {
    const file = join(dir, 'run.jsonl');
    const clock = { now: 0 };
    const log = createLogReporter(file, () => clock.now);
    playFixture((e) => void callHook(log, e), clock);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('"progress"');
    const records = readEventLog(file);
    expect(records[0]).toMatchObject({ type: 'run_start', t: 0 });
    expect(typeof records[0]!.at).toBe('string');
    expect(records.filter((r) => r.type === 'task_result')).toHaveLength(9);
  });

  it('names file:line of a line that is not an event', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"type":"run_start","t":0,"playbooks":[]}\nnot json\n');
    expect(() => readEventLog(file)).toThrow(/bad\.jsonl:2: not JSON/);
  });

  it('places every result in time: start = arrival - duration, tasks and tags collected', () => {
    const file = join(dir, 'model.html');
    const clock = { now: 0 };
    const r = createHtmlReporter(file, () => clock.now);
    playFixture((e) => void callHook(r, e), clock);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toContain('hunter2');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain('<span class="del">-worker_processes 1;</span>');
    expect(html).toContain('unknown directive &quot;worker_procs&quot;');
    const model = buildReportModel(readEventLog(join(dir, 'run.jsonl')));
    expect(model.hosts).toEqual(['db1', 'web1', 'web2']);
    expect(model.tags).toEqual(['config', 'download', 'nginx', 'packages']);
    expect(model.plays.map((p) => p.tasks.length)).toEqual([4, 1]);
    const web2 = model.plays[0]!.tasks[0]!.results[1]!;
    expect([web2.host, web2.startMs, web2.durationMs]).toEqual(['web2', 10, 1190]);
    expect(renderReport(model)).toContain('PLAY [downloads]');
  });
});
