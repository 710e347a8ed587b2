import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('debug', () => {
  it.each([
    [{}, { msg: 'Hello world!' }],
    [{ msg: 'hi' }, { msg: 'hi' }],
    [{ msg: ['a', 1] }, { msg: ['a', 1] }],
    [{ var: 'pkg.name' }, { 'pkg.name': 'runc' }],
    [{ var: 'missing_thing' }, { missing_thing: 'VARIABLE IS NOT DEFINED!' }],
  ])('%j', async (args, data) => {
    const r = await h.run('debug', args, { vars: { pkg: { name: 'runc' } } });
    expect(r).toMatchObject({ changed: false, failed: false, skipped: false });
    expect(r.data).toEqual(data);
  });

  it('verbosity above the run level skips', async () => {
    expect((await h.run('debug', { msg: 'x', verbosity: 2 }, { verbosity: 1 })).skipped).toBe(true);
    expect((await h.run('debug', { msg: 'x', verbosity: 2 }, { verbosity: 2 })).skipped).toBe(false);
  });
});

describe('assert', () => {
  const vars = { st: { stat: { exists: false } }, n: 3, ok: true };
  it('passes when all expressions are true', async () => {
    const r = await h.run('assert', { that: ['ok', '(gt n 2)'], success_msg: 'fine' }, { vars });
    expect(r).toMatchObject({ changed: false, failed: false, msg: 'fine' });
  });

  it('names the first failing expression', async () => {
    const r = await h.run('assert', { that: ['ok', 'st.stat.exists', '(gt n 5)'] }, { vars });
    expect(r).toMatchObject({ failed: true, msg: 'Assertion failed: st.stat.exists' });
    expect(r.data).toEqual({
      assertion: 'st.stat.exists',
      evaluated_to: false,
      msg: 'Assertion failed: st.stat.exists',
    });
  });

  it('uses fail_msg or its alias msg', async () => {
    expect((await h.run('assert', { that: 'st.stat.exists', fail_msg: 'no file' }, { vars })).msg).toBe('no file');
    expect((await h.run('assert', { that: 'st.stat.exists', msg: 'no file' }, { vars })).msg).toBe('no file');
    expect((await h.run('assert', { that: 'ok' }, { vars })).msg).toBe('All assertions passed');
  });
});

describe('set_fact', () => {
  it('returns ansible_facts without cacheable, never changed', async () => {
    const r = await h.run('set_fact', { a: 1, b: { c: [1] }, cacheable: true });
    expect(r).toMatchObject({ changed: false, failed: false });
    expect(r.registered['ansible_facts']).toEqual({ a: 1, b: { c: [1] } });
    expect(r.data).toEqual({});
  });
});
