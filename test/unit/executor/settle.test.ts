import { describe, expect, it } from 'vitest';
import { settle, type SettleOptions } from '../../../src/executor/settle.js';
import type { ApplyResult, Decision } from '../../../src/modules/types.js';

/** A decision whose apply records that it ran and returns `result`. */
function plan(kind: 'change' | 'unpredictable', result: ApplyResult): { decision: Decision; ran: () => boolean } {
  let ran = false;
  const apply = (): Promise<ApplyResult> => {
    ran = true;
    return Promise.resolve(result);
  };
  const diff = [{ path: '/f', before: 'a\n', after: 'b\n' }];
  const decision: Decision =
    kind === 'change'
      ? { kind, msg: 'would change', data: { dest: '/f' }, diff, apply }
      : { kind, reason: 'cannot know', data: { cmd: 'x' }, diff, apply };
  return { decision, ran: () => ran };
}

const real: SettleOptions = { check: false, diff: true };
const check: SettleOptions = { check: true, diff: true };

describe('settle: decision + check mode + apply result', () => {
  it.each<[string, Decision, SettleOptions, Record<string, unknown>]>([
    [
      'ok',
      { kind: 'ok', msg: 'up to date', data: { a: 1 } },
      real,
      { status: 'ok', msg: 'up to date', returned: { a: 1 } },
    ],
    ['fail', { kind: 'fail', msg: 'nope' }, real, { status: 'failed', changed: false, msg: 'nope' }],
    [
      'skip',
      { kind: 'skip', msg: 'Verbosity threshold not met.' },
      real,
      { status: 'skipped', skip: { by: 'module' }, msg: 'Verbosity threshold not met.' },
    ],
    ['facts', { kind: 'ok', facts: { a: 1 } }, real, { status: 'ok', facts: { a: 1 } }],
    [
      'output keys become typed fields',
      { kind: 'ok', data: { rc: 0, stdout: 'x', stderr: '' } },
      real,
      { rc: 0, stdout: 'x', stderr: '' },
    ],
  ])('%s', async (_name, decision, opts, want) => {
    expect(await settle(decision, opts)).toMatchObject(want);
  });

  it.each<[string, 'change' | 'unpredictable', SettleOptions, ApplyResult, Record<string, unknown>, boolean]>([
    [
      'change, check mode: changed, not applied, diff kept',
      'change',
      check,
      { kind: 'applied' },
      { status: 'changed', msg: 'would change', diff: [{ path: '/f' }] },
      false,
    ],
    [
      'change, check mode without --diff: no diff',
      'change',
      { check: true, diff: false },
      { kind: 'applied' },
      { status: 'changed', diff: [] },
      false,
    ],
    [
      'change, real: applied',
      'change',
      real,
      { kind: 'applied', msg: 'done', data: { size: 2 } },
      { status: 'changed', msg: 'done', returned: { dest: '/f', size: 2 } },
      true,
    ],
    [
      'change, real: apply found nothing to change',
      'change',
      real,
      { kind: 'unchanged', msg: 'same' },
      { status: 'ok', msg: 'same' },
      true,
    ],
    [
      'change, real: apply failed (nothing changed)',
      'change',
      real,
      { kind: 'failed', msg: 'refused' },
      { status: 'failed', changed: false, msg: 'refused' },
      true,
    ],
    [
      'change, real: apply failed after changing',
      'change',
      real,
      { kind: 'failed', msg: 'rc 3', changed: true },
      { status: 'failed', changed: true },
      true,
    ],
    [
      'unpredictable, check mode: skipped with the reason, not applied',
      'unpredictable',
      check,
      { kind: 'applied' },
      { status: 'skipped', skip: { by: 'check_mode' }, msg: 'cannot know' },
      false,
    ],
    [
      'unpredictable, real: applied',
      'unpredictable',
      real,
      { kind: 'applied', data: { rc: 0, stdout: 'hi' } },
      { status: 'changed', rc: 0, stdout: 'hi' },
      true,
    ],
  ])('%s', async (_name, kind, opts, result, want, applied) => {
    const p = plan(kind, result);
    expect(await settle(p.decision, opts)).toMatchObject(want);
    expect(p.ran()).toBe(applied);
  });
});

describe('settle: changed_when and failed_when over the registered value', () => {
  it.each<[string, Decision, Partial<SettleOptions>, Record<string, unknown>]>([
    [
      'changed_when false turns a change into ok',
      { kind: 'change', apply: () => Promise.resolve({ kind: 'applied' }) },
      { changedWhen: () => false },
      { status: 'ok' },
    ],
    ['changed_when true turns ok into changed', { kind: 'ok' }, { changedWhen: () => true }, { status: 'changed' }],
    [
      'failed_when true fails, with failed_when_result',
      { kind: 'ok' },
      { failedWhen: () => true },
      { status: 'failed', changed: false, failedWhen: true },
    ],
    [
      'failed_when false clears a module failure',
      { kind: 'fail', msg: 'x' },
      { failedWhen: () => false },
      { status: 'ok', failedWhen: false },
    ],
    [
      'failed_when keeps the change for the recap',
      { kind: 'change', apply: () => Promise.resolve({ kind: 'applied' }) },
      { failedWhen: () => true },
      { status: 'failed', changed: true },
    ],
    [
      'a skipped result is not re-judged',
      { kind: 'skip', msg: 's' },
      { failedWhen: () => true },
      { status: 'skipped' },
    ],
  ])('%s', async (_name, decision, conditions, want) => {
    expect(await settle(decision, { ...real, ...conditions })).toMatchObject(want);
  });

  it("the conditions see the registered value: Ansible keys, the module keys and until's attempts", async () => {
    const seen: Array<Record<string, unknown>> = [];
    await settle(
      { kind: 'ok', data: { rc: 0, stdout: 'a\nb' } },
      {
        ...real,
        attempts: 3,
        changedWhen: (r) => {
          seen.push(r);
          return false;
        },
        failedWhen: (r) => {
          seen.push(r);
          return false;
        },
      },
    );
    expect(seen[0]).toMatchObject({ rc: 0, stdout_lines: ['a', 'b'], attempts: 3, changed: false, failed: false });
    expect(seen[1]).toMatchObject({ attempts: 3, changed: false });
  });

  it('failed_when sees what changed_when decided', async () => {
    let changedSeen: unknown;
    await settle(
      { kind: 'ok' },
      {
        ...real,
        changedWhen: () => true,
        failedWhen: (r) => {
          changedSeen = r['changed'];
          return false;
        },
      },
    );
    expect(changedSeen).toBe(true);
  });
});
