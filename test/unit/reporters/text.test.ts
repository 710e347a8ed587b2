import { describe, expect, it } from 'vitest';
import { countResult, emptyStats, type TaskResult } from '../../../src/executor/events.js';
import { banner, createTextReporter, recapLine } from '../../../src/reporters/text.js';
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

  it('writes recap lines with every counter', () => {
    const s = { ...emptyStats(), ok: 13, changed: 11 };
    expect(recapLine('node01', s)).toBe(
      'node01 : ok=13 changed=11 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0',
    );
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
    expect(out).toContain('--- before: /etc/x\n+++ after: /etc/x\n@@ -1,1 +1,1 @@\n-a\n+b\n');
    expect(out).toContain('changed: [node01]\n');
    expect(out).toContain('fatal: [node02]: FAILED! => {"censored":');
    expect(out).not.toContain('secret');
    expect(out).toContain('node01 : ok=1 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0\n');
  });
});
