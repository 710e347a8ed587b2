import { describe, expect, it } from 'vitest';
import { countResult, emptyStats, type TaskResult } from '../../../src/executor/events.js';
import pc from 'picocolors';
import { BosunError, rememberSource } from '../../../src/errors.js';
import { banner, createTextReporter, hunkHeader, recapHosts, recapLine } from '../../../src/reporters/text.js';
import { callHook } from '../../../src/reporters/types.js';
import { censorNoLog } from '../../../src/util/secrets.js';

function result(over: Partial<TaskResult>): TaskResult {
  const status = over.status ?? 'ok';
  return {
    host: 'node01',
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
    durationMs: 1,
    data: {},
    noLog: false,
    ...(status === 'skipped' ? { skip: { by: 'module' } } : {}),
    ...over,
  } as TaskResult;
}

describe('text reporter', () => {
  it('draws banners to column 80 like ansible-playbook', () => {
    expect(banner('PLAY [x]')).toBe(`\nPLAY [x] ${'*'.repeat(71)}`);
    expect(banner('PLAY [x]').length).toBe(81);
  });

  it('writes recap lines with every counter, padded as ansible-playbook pads them', () => {
    const s = { ...emptyStats(), ok: 13, changed: 11 };
    // ansible-playbook 2.14's line for the same counters, byte for byte (trailing spaces included).
    expect(recapLine('node01', s)).toBe(
      'node01                     : ok=13   changed=11   unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
    );
    // A name longer than the column is not cut.
    expect(recapLine('a-very-long-host-name.example.org', s)).toMatch(/^a-very-long-host-name\.example\.org : ok=13 /);
  });

  it('colours the host by its worst counter and only the counters that are not 0', () => {
    const c = pc.createColors(true);
    const line = recapLine('web1', { ...emptyStats(), ok: 2, failed: 1 }, c);
    expect(line.startsWith(`${c.red('web1')}${' '.repeat(22)} : ${c.green('ok=2   ')} changed=0    `)).toBe(true);
    expect(line).toContain(c.red('failed=1   '));
  });

  it('sorts the recap by host name, as ansible-playbook does', () => {
    const hosts = { zz: emptyStats(), aa: emptyStats(), node10: emptyStats(), node2: emptyStats(), B: emptyStats() };
    expect(recapHosts(hosts).map(([h]) => h)).toEqual(['B', 'aa', 'node10', 'node2', 'zz']);
  });

  it('counts results as Ansible does', () => {
    const s = emptyStats();
    for (const status of ['ok', 'changed', 'skipped', 'failed', 'unreachable'] as const)
      countResult(s, result({ status }));
    countResult(s, result({ status: 'failed', ignored: true, changed: true }));
    expect(s).toEqual({ ok: 3, changed: 2, unreachable: 1, failed: 1, skipped: 1, rescued: 0, ignored: 1 });
  });

  it('prints host lines, diffs, censored no_log results and the recap', () => {
    let out = '';
    const r = createTextReporter({
      write: (t) => {
        out += t;
      },
      verbosity: 0,
      color: false,
      diff: true,
    });
    void callHook(r, {
      type: 'task_start',
      task: 'write',
      module: 'copy',
      source: { file: 'f', line: 1, col: 1 },
      hosts: 2,
    });
    void callHook(r, {
      type: 'task_result',
      result: result({ status: 'changed', diff: [{ path: '/etc/x', before: 'a\n', after: 'b\n' }] }),
    });
    void callHook(r, {
      type: 'task_result',
      result: censorNoLog(
        result({ host: 'node02', status: 'failed', noLog: true, data: { failed: true, msg: 'secret' } }),
      ),
    });
    void callHook(r, { type: 'recap', hosts: { node01: { ...emptyStats(), ok: 1, changed: 1 } }, durationMs: 5 });
    expect(out).toContain('TASK [write] ***');
    expect(out).toContain('--- before: /etc/x\n+++ after: /etc/x\n@@ -1 +1 @@\n-a\n+b\n');
    expect(out).toContain('changed: [node01]\n');
    expect(out).toContain('fatal: [node02]: FAILED! => {"censored":');
    expect(out).not.toContain('secret');
    expect(out).toContain(`${recapLine('node01', { ...emptyStats(), ok: 1, changed: 1 })}\n`);
  });

  describe('as ansible-playbook prints a run (issue 20)', () => {
    const capture = (verbosity = 0, diff = false): { r: ReturnType<typeof createTextReporter>; text: () => string } => {
      let out = '';
      const r = createTextReporter({ write: (t) => void (out += t), verbosity, color: false, diff });
      return { r, text: () => out };
    };
    const start = {
      type: 'task_start',
      task: 't',
      module: 'copy',
      source: { file: 'f', line: 1, col: 1 },
      hosts: 2,
    } as const;

    it('-v does not dump the facts of Gathering Facts (nor -vvv), other results still are (on one line below -vvv)', () => {
      for (const v of [1, 3]) {
        const { r, text } = capture(v);
        const facts = { ansible_facts: { ansible_hostname: 'node01' } };
        void callHook(r, { type: 'task_result', result: result({ module: 'setup', data: facts }) });
        void callHook(r, { type: 'task_result', result: result({ module: 'ping', data: { ping: 'pong' } }) });
        expect(text()).toBe(
          v === 1
            ? 'ok: [node01]\nok: [node01] => {"ping": "pong"}\n'
            : 'ok: [node01]\nok: [node01] => {\n    "ping": "pong"\n}\n',
        );
      }
    });

    it('shows -> DELEGATE only when the delegate is another host', () => {
      const { r, text } = capture();
      void callHook(r, { type: 'task_result', result: result({ delegatedTo: 'node01' }) });
      void callHook(r, { type: 'task_result', result: result({ host: 'node02', delegatedTo: 'node01' }) });
      expect(text()).toBe('ok: [node01]\nok: [node02 -> node01]\n');
    });

    it("adds the delegate's address when it is not its name, and never labels a skipped result", () => {
      const { r, text } = capture();
      const delegated = { host: 'node02', delegatedTo: 'node01', delegatedAddress: '10.0.0.1' };
      void callHook(r, { type: 'task_result', result: result(delegated) });
      void callHook(r, { type: 'task_result', result: result({ ...delegated, status: 'skipped' }) });
      expect(text()).toBe('ok: [node02 -> node01(10.0.0.1)]\nskipping: [node02]\n');
    });

    it('prints no included: line for include_role (Ansible has none), and one for include_tasks', () => {
      const { r, text } = capture();
      const source = { file: 'p.yml', line: 1, col: 1 };
      void callHook(r, { type: 'include', file: 'web', hosts: ['node01'], source, role: true });
      void callHook(r, { type: 'include', file: '/p/t.yml', hosts: ['node01'], source });
      expect(text()).toBe('included: /p/t.yml for node01\n');
    });

    it("prints a failure's message once per host and its source line and hint once per task", () => {
      const file = '/play/site.yml';
      rememberSource(file, '- hosts: all\n  tasks:\n    - debug: msg="{{ nope }}"\n');
      const error = (): BosunError =>
        new BosunError('UNDEFINED_VAR', "undefined variable 'nope'", {
          source: { file, line: 3, col: 21 },
          hint: 'define it',
        });
      const failed = (host: string): TaskResult =>
        result({ host, status: 'failed', error: error(), data: { msg: `${file}:3:21: undefined variable 'nope'` } });
      const { r, text } = capture();
      void callHook(r, { ...start });
      for (const h of ['node01', 'node02']) void callHook(r, { type: 'task_result', result: failed(h) });
      void callHook(r, { ...start, task: 'again' });
      void callHook(r, { type: 'task_result', result: failed('node01') });
      const out = text();
      expect(out.match(/undefined variable 'nope'/g)).toHaveLength(3);
      expect(out.match(/^hint: define it$/gm)).toHaveLength(2);
      expect(out.match(/^ {2}3 \| {5}- debug: msg="\{\{ nope \}\}"$/gm)).toHaveLength(2);
      expect(out).toContain(
        `fatal: [node01]: FAILED! => {"msg": "${file}:3:21: undefined variable 'nope'"}\n  3 |     - debug: msg="{{ nope }}"\n    |                     ^\nhint: define it\nfatal: [node02]: FAILED!`,
      );
    });

    it("an unreachable loop prints the item's error once, then the task's line as ansible-playbook does", () => {
      const { r, text } = capture();
      const item = result({
        status: 'unreachable',
        msg: 'connection refused',
        item: 1,
        data: { item: 1, ansible_loop_var: 'item', msg: 'connection refused', unreachable: true, changed: false },
      });
      void callHook(r, {
        type: 'task_result',
        result: result({ status: 'unreachable', msg: 'connection refused', items: [item] }),
      });
      expect(text()).toBe(
        'failed: [node01] (item=1) => {"ansible_loop_var": "item", "item": 1, "msg": "connection refused", "unreachable": true}\n' +
          'fatal: [node01]: UNREACHABLE! => {"changed": false, "msg": "All items completed", "unreachable": true}\n',
      );
    });

    it("marks a check run with ansible-playbook's check_mode_markers: DRY RUN first and last, [CHECK MODE] banners", () => {
      const source = { file: 'p.yml', line: 1, col: 1 };
      for (const check of [true, false]) {
        const { r, text } = capture();
        void callHook(r, { type: 'run_start', playbooks: ['p.yml'], check, diff: false, forks: 5 });
        void callHook(r, { type: 'play_start', name: 'all', hosts: ['node01'], source });
        void callHook(r, { type: 'task_start', task: 't', module: 'ping', source, hosts: 1 });
        // check_mode: false in a check run, check_mode: true in a real one
        void callHook(r, { type: 'task_start', task: 'u', module: 'ping', source, hosts: 1, check: !check });
        void callHook(r, { type: 'recap', hosts: {}, durationMs: 1 });
        const banners = text()
          .split('\n')
          .filter((l) => l.endsWith('***'))
          .map((l) => l.replace(/ \*+$/, ''));
        expect(banners).toEqual(
          check
            ? ['DRY RUN', 'PLAY [all] [CHECK MODE]', 'TASK [t] [CHECK MODE]', 'TASK [u]', 'PLAY RECAP', 'DRY RUN']
            : ['PLAY [all]', 'TASK [t]', 'TASK [u] [CHECK MODE]', 'PLAY RECAP'],
        );
      }
    });

    it("writes a hunk's @@ line as Python's difflib does", () => {
      expect(hunkHeader({ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1 })).toBe('@@ -0,0 +1 @@');
      expect(hunkHeader({ oldStart: 3, oldLines: 7, newStart: 3, newLines: 1 })).toBe('@@ -3,7 +3 @@');
      expect(hunkHeader({ oldStart: 1, oldLines: 2, newStart: 1, newLines: 0 })).toBe('@@ -1,2 +0,0 @@');
    });

    it('diff headers read `before: X` / `after: X` for every module', () => {
      const { r, text } = capture(0, true);
      const diffs = [
        { path: '/etc/a', before: 'a\n', after: 'b\n' },
        {
          path: '/etc/b',
          before: 'a\n',
          after: 'b\n',
          beforeHeader: '/etc/b (content)',
          afterHeader: '/etc/b (content)',
        },
        { path: 'user deploy', before: 'shell: /bin/sh\n', after: 'shell: /bin/bash\n' },
      ];
      void callHook(r, { type: 'task_result', result: result({ status: 'changed', diff: diffs }) });
      const headers = text()
        .split('\n')
        .filter((l) => /^(---|\+\+\+) /.test(l));
      expect(headers).toEqual([
        '--- before: /etc/a',
        '+++ after: /etc/a',
        '--- before: /etc/b (content)',
        '+++ after: /etc/b (content)',
        '--- before: user deploy',
        '+++ after: user deploy',
      ]);
    });

    it('debug with msg shows the message alone, also for a loop item', () => {
      const { r, text } = capture();
      const data = { msg: 1, item: 1, ansible_loop_var: 'item', changed: false };
      void callHook(r, { type: 'task_result', result: result({ module: 'debug', item: 1, data }) });
      expect(text()).toBe('ok: [node01] => (item=1) => {\n    "msg": 1\n}\n');
    });

    // ansible-playbook 2.14 prints str(item): `loop: [[a, b], {z: 1, y: true, n: null}, true]` shows these.
    it('a list or dict item is shown as Python prints it, keys in their order', () => {
      const labels = [['a', 'b'], { z: 1, y: true, n: null }, true, null].map((item) => {
        const { r, text } = capture();
        void callHook(r, {
          type: 'task_result',
          result: result({ status: 'ok', item, data: { item, changed: false } }),
        });
        return /\(item=(.*)\)/.exec(text())?.[1];
      });
      expect(labels).toEqual(["['a', 'b']", "{'z': 1, 'y': True, 'n': None}", 'True', 'None']);
    });
  });

  describe("ansible.cfg's display_skipped_hosts / display_ok_hosts (default callback options)", () => {
    const capture = (show: { skipped?: boolean; ok?: boolean }, verbosity = 0) => {
      let out = '';
      const r = createTextReporter({
        write: (t) => void (out += t),
        verbosity,
        color: false,
        diff: false,
        ...(show.skipped !== undefined ? { displaySkippedHosts: show.skipped } : {}),
        ...(show.ok !== undefined ? { displayOkHosts: show.ok } : {}),
      });
      return { r, text: () => out };
    };
    const source = { file: 'f.yml', line: 3, col: 5 };
    const start = (task: string, handler = false) =>
      ({ type: 'task_start', task, module: 'command', source, hosts: 2, ...(handler ? { handler } : {}) }) as const;
    const TASK = (n: string): string => `${banner(`TASK [${n}]`)}\n`;

    it('skipped hidden: a task whose hosts all skip has no banner; the banner comes before the first shown line', () => {
      const { r, text } = capture({ skipped: false });
      void callHook(r, start('all skip'));
      void callHook(r, { type: 'task_result', result: result({ status: 'skipped' }) });
      void callHook(r, { type: 'task_result', result: result({ host: 'node02', status: 'skipped' }) });
      void callHook(r, start('one runs'));
      void callHook(r, { type: 'task_result', result: result({ status: 'skipped' }) });
      void callHook(r, { type: 'task_result', result: result({ host: 'node02', status: 'changed' }) });
      expect(text()).toBe(`${TASK('one runs')}changed: [node02]\n`);
    });

    it('skipped hidden: skipped loop items are hidden, the others print after the banner', () => {
      const { r, text } = capture({ skipped: false });
      void callHook(r, start('loop'));
      const items = [result({ status: 'skipped', item: 'a' }), result({ status: 'ok', item: 'b' })];
      void callHook(r, { type: 'task_result', result: result({ items }) });
      expect(text()).toBe(`${TASK('loop')}ok: [node01] => (item=b)\n`);
    });

    it('an include prints its banner and included: line; a handler its RUNNING HANDLER banner lazily', () => {
      const { r, text } = capture({ skipped: false });
      void callHook(r, start('inc'));
      void callHook(r, { type: 'task_result', result: result({ module: 'include_tasks' }) });
      void callHook(r, { type: 'include', file: '/p/t.yml', hosts: ['node01'], source });
      void callHook(r, start('h1', true));
      void callHook(r, { type: 'task_result', result: result({ status: 'skipped' }) });
      void callHook(r, start('h2', true));
      void callHook(r, { type: 'task_result', result: result({}) });
      expect(text()).toBe(
        `${TASK('inc')}included: /p/t.yml for node01\n${banner('RUNNING HANDLER [h2]')}\nok: [node01]\n`,
      );
    });

    it('ok hidden: ok results and items are hidden, changed and failed shown, skipped still shown', () => {
      const { r, text } = capture({ ok: false });
      void callHook(r, start('ok only'));
      void callHook(r, { type: 'task_result', result: result({}) });
      void callHook(r, start('mixed'));
      void callHook(r, {
        type: 'task_result',
        result: result({ items: [result({ item: 'a' }), result({ status: 'changed', item: 'b' })] }),
      });
      void callHook(r, { type: 'task_result', result: result({ host: 'node02', status: 'skipped' }) });
      void callHook(r, start('fails'));
      void callHook(r, { type: 'task_result', result: result({ status: 'failed', data: { msg: 'no' } }) });
      expect(text()).toBe(
        `${TASK('mixed')}changed: [node01] => (item=b)\nskipping: [node02]\n${TASK('fails')}fatal: [node01]: FAILED! => {"msg": "no"}\n`,
      );
    });

    it('the -vv task path goes with its lazy banner; a retry line does not print the banner (as Ansible)', () => {
      const { r, text } = capture({ skipped: false }, 2);
      void callHook(r, start('hidden'));
      void callHook(r, { type: 'task_result', result: result({ status: 'skipped' }) });
      void callHook(r, start('shown'));
      void callHook(r, { type: 'task_result', result: result({ status: 'changed' }) });
      void callHook(r, start('retried'));
      void callHook(r, { type: 'retry', host: 'node01', task: 'retried', retriesLeft: 2, msg: undefined });
      expect(text()).toBe(
        `${TASK('shown')}task path: f.yml:3\nchanged: [node01] => {}\nFAILED - RETRYING: [node01]: retried (2 retries left).\n`,
      );
    });

    it('by default (both true) banners print at once, as before', () => {
      const { r, text } = capture({});
      void callHook(r, start('skip'));
      void callHook(r, { type: 'task_result', result: result({ status: 'skipped' }) });
      expect(text()).toBe(`${TASK('skip')}skipping: [node01]\n`);
    });
  });
});
