import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../src/executor/events.js';
import {
  outputLines,
  taskResult,
  type ResultPlace,
  type ResultTarget,
  type Verdict,
} from '../../../src/executor/results.js';

const target: ResultTarget = {
  host: 'h',
  task: 't',
  module: 'command',
  noLog: false,
  ignoreErrors: false,
  ignoreUnreachable: false,
};
const registered = (v: Verdict, place: ResultPlace = {}, t: ResultTarget = target): Record<string, unknown> =>
  taskResult(t, v, 0, place).data;
const item = (v: Verdict, i: number, value: unknown, indexVar?: string): TaskResult =>
  taskResult(target, v, 0, { item: value, loop: { loopVar: 'item', index: i, ...(indexVar ? { indexVar } : {}) } });

describe('registeredValue: what register stores, with Ansible keys', () => {
  it.each<[string, Verdict, ResultPlace, Record<string, unknown>]>([
    [
      'ok: the module keys plus changed and failed (false too)',
      { status: 'ok', returned: { stat: { exists: false } } },
      {},
      { stat: { exists: false }, changed: false, failed: false },
    ],
    [
      'command ok: rc, stdout(_lines), stderr(_lines), msg',
      { status: 'changed', rc: 0, stdout: 'a\nb', stderr: '', msg: '', returned: { cmd: ['echo'] } },
      {},
      {
        cmd: ['echo'],
        rc: 0,
        stdout: 'a\nb',
        stdout_lines: ['a', 'b'],
        stderr: '',
        stderr_lines: [],
        msg: '',
        changed: true,
        failed: false,
      },
    ],
    [
      'command failed: changed stays true, failed true',
      { status: 'failed', changed: true, rc: 3, stdout: 'out', stderr: 'err', msg: 'non-zero return code' },
      {},
      {
        rc: 3,
        stdout: 'out',
        stdout_lines: ['out'],
        stderr: 'err',
        stderr_lines: ['err'],
        msg: 'non-zero return code',
        changed: true,
        failed: true,
      },
    ],
    [
      'skipped by when: skip_reason and false_condition, no msg',
      { status: 'skipped', skip: { by: 'when', condition: 'x' } },
      {},
      {
        changed: false,
        failed: false,
        skipped: true,
        skip_reason: 'Conditional result was False',
        false_condition: 'x',
      },
    ],
    [
      'skipped in check mode: the reason as msg',
      { status: 'skipped', skip: { by: 'check_mode' }, msg: 'Command would have run if not in check mode' },
      {},
      { changed: false, failed: false, skipped: true, msg: 'Command would have run if not in check mode' },
    ],
    [
      'unreachable',
      { status: 'unreachable', msg: 'refused' },
      {},
      { msg: 'refused', unreachable: true, changed: false, failed: false },
    ],
    [
      'until: attempts',
      { status: 'ok', returned: { x: 1 } },
      { attempts: 2 },
      { x: 1, attempts: 2, changed: false, failed: false },
    ],
    [
      'failed_when: failed_when_result, also when false',
      { status: 'changed', failedWhen: false },
      {},
      { changed: true, failed: false, failed_when_result: false },
    ],
    [
      'facts: ansible_facts',
      { status: 'ok', facts: { a: 1 } },
      {},
      { ansible_facts: { a: 1 }, changed: false, failed: false },
    ],
    [
      '--diff: the diff in Ansible keys',
      { status: 'changed', diff: [{ path: '/f', before: 'a\n', after: 'b\n' }] },
      {},
      {
        diff: [{ before: 'a\n', after: 'b\n', before_header: '/f', after_header: '/f' }],
        changed: true,
        failed: false,
      },
    ],
    [
      'warnings: a list',
      { status: 'ok', warnings: ['careful'] },
      {},
      { warnings: ['careful'], changed: false, failed: false },
    ],
    [
      'module keys cannot override the status keys',
      { status: 'ok', returned: { changed: true, failed: true, skipped: true } },
      {},
      { changed: false, failed: false },
    ],
    [
      'a loop item: item, ansible_loop_var, the index variable',
      { status: 'changed', returned: { cmd: 'x' } },
      { item: 'a', loop: { loopVar: 'pkg', index: 1, indexVar: 'idx' } },
      { cmd: 'x', changed: true, failed: false, pkg: 'a', ansible_loop_var: 'pkg', idx: 1, ansible_index_var: 'idx' },
    ],
  ])('%s', (_name, verdict, place, want) => {
    expect(registered(verdict, place)).toEqual(want);
  });

  it('a loop: results (each with its item), Ansible msg, changed if any item changed, skipped false', () => {
    const items = [
      item({ status: 'changed', rc: 0, stdout: 'a' }, 0, 'a', 'i'),
      item({ status: 'skipped', skip: { by: 'when', condition: 'c' } }, 1, 'b', 'i'),
    ];
    expect(registered({ status: 'changed', msg: 'All items completed' }, { items })).toEqual({
      results: [
        {
          rc: 0,
          stdout: 'a',
          stdout_lines: ['a'],
          changed: true,
          failed: false,
          item: 'a',
          ansible_loop_var: 'item',
          i: 0,
          ansible_index_var: 'i',
        },
        {
          changed: false,
          failed: false,
          skipped: true,
          skip_reason: 'Conditional result was False',
          false_condition: 'c',
          item: 'b',
          ansible_loop_var: 'item',
          i: 1,
          ansible_index_var: 'i',
        },
      ],
      msg: 'All items completed',
      changed: true,
      failed: false,
      skipped: false,
    });
  });

  it('a loop with a failed item: One or more items failed', () => {
    const items = [item({ status: 'failed', changed: false, msg: 'no' }, 0, 'a')];
    expect(registered({ status: 'failed', changed: false }, { items })).toMatchObject({
      msg: 'One or more items failed',
      failed: true,
      changed: false,
      skipped: false,
    });
  });

  it('every item skipped: skipped, All items skipped', () => {
    const items = [item({ status: 'skipped', skip: { by: 'when', condition: 'c' } }, 0, 'a')];
    expect(registered({ status: 'skipped', skip: { by: 'items' } }, { items })).toMatchObject({
      msg: 'All items skipped',
      skipped: true,
      changed: false,
      failed: false,
    });
  });

  it('an empty loop: skipped with skipped_reason and no msg', () => {
    expect(
      registered({ status: 'skipped', skip: { by: 'empty_loop' }, msg: 'No items in the list' }, { items: [] }),
    ).toEqual({
      results: [],
      skipped_reason: 'No items in the list',
      skipped: true,
      changed: false,
      failed: false,
    });
  });

  it('loop warnings are gathered at the top, as Ansible does', () => {
    const items = [item({ status: 'ok', warnings: ['w1'] }, 0, 'a'), item({ status: 'ok', warnings: ['w2'] }, 1, 'b')];
    expect(registered({ status: 'ok' }, { items })['warnings']).toEqual(['w1', 'w2']);
  });
});

describe('taskResult: one builder per status', () => {
  it.each<[string, Verdict, ResultTarget, Partial<TaskResult>]>([
    ['ok', { status: 'ok' }, target, { status: 'ok', changed: false, ignored: false }],
    ['changed', { status: 'changed' }, target, { status: 'changed', changed: true, ignored: false }],
    [
      'skipped keeps its cause',
      { status: 'skipped', skip: { by: 'module' } },
      target,
      { status: 'skipped', changed: false, skip: { by: 'module' } },
    ],
    [
      'failed, ignore_errors',
      { status: 'failed', changed: true },
      { ...target, ignoreErrors: true },
      { status: 'failed', changed: true, ignored: true },
    ],
    [
      'unreachable, ignore_unreachable',
      { status: 'unreachable' },
      { ...target, ignoreUnreachable: true },
      { status: 'unreachable', changed: false, ignored: true },
    ],
    [
      'an ok result is never ignored, whatever ignore_errors says',
      { status: 'ok' },
      { ...target, ignoreErrors: true },
      { status: 'ok', ignored: false },
    ],
    [
      'typed output',
      { status: 'changed', rc: 0, stdout: 'x', stderr: '', facts: { a: 1 } },
      target,
      { rc: 0, stdout: 'x', stderr: '', facts: { a: 1 } },
    ],
  ])('%s', (_name, verdict, t, want) => {
    expect(taskResult(t, verdict, 0)).toMatchObject(want);
  });
});

describe('outputLines (stdout_lines)', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\r\nb', ['a', 'b']],
    ['a\n\nb', ['a', '', 'b']],
  ])('%j', (text, lines) => {
    expect(outputLines(text)).toEqual(lines);
  });
});
