import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('command/shell unless and onlyif', () => {
  it.each([
    ['command', { cmd: 'touch out', unless: 'test -e out' }],
    ['shell', { cmd: 'echo hi > out', unless: 'test -e out' }],
    ['command', { cmd: 'touch out', onlyif: '! test -e out' }],
    ['shell', { cmd: 'echo hi > out', onlyif: 'test ! -e out', creates: 'never-there' }],
  ])('%s %j: check predicts, the run acts, the second run does not', async (module, args) => {
    const a = { ...args, chdir: h.dir };
    const check = await h.run(module, a, { check: true });
    expect(check).toMatchObject({ changed: true, skipped: false, unpredictable: undefined });
    await expect(fs.access(h.path('out'))).rejects.toThrow();
    expect(await h.run(module, a)).toMatchObject({ changed: true, failed: false, data: { rc: 0 } });
    await fs.access(h.path('out'));
    const again = await h.run(module, a);
    expect(again.changed).toBe(false);
    expect(again.msg).toMatch(/Did not run command since the (unless probe succeeded|onlyif probe failed)/);
    expect(await h.run(module, a, { check: true })).toMatchObject({ changed: false });
  });

  it('creates wins before the probes, a probe runs in chdir, and a bad chdir fails', async () => {
    await fs.writeFile(h.path('c'), '');
    expect((await h.run('command', { cmd: 'true', creates: 'c', unless: 'false', chdir: h.dir })).msg).toBe(
      `Did not run command since 'c' exists`,
    );
    expect((await h.run('shell', { cmd: 'true', onlyif: 'test -e c', chdir: h.dir }, { check: true })).changed).toBe(
      true,
    );
    expect((await h.run('shell', { cmd: 'true', unless: 'true', chdir: h.path('nope') })).failed).toBe(true);
  });
});

describe('fail and pause', () => {
  it('fail: default and custom messages', async () => {
    expect(await h.run('fail', {})).toMatchObject({
      failed: true,
      changed: false,
      msg: 'Failed as requested from task',
    });
    expect(await h.run('fail', { msg: 'boom' })).toMatchObject({ failed: true, msg: 'boom' });
  });

  it('pause: waits (in check mode too), never changes', async () => {
    for (const check of [false, true]) {
      const t0 = Date.now();
      const r = await h.run('pause', { seconds: '0.3' }, { check });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(r).toMatchObject({ changed: false, failed: false, data: { delta: 0, user_input: '' } });
      expect(r.data['stdout']).toMatch(/^Paused for 0\.3\d? seconds$/);
    }
    // No seconds: as Ansible without an interactive stdin, it goes on at once with a warning and no answer.
    const prompt = await h.run('pause', { prompt: 'Continue?' });
    expect(prompt).toMatchObject({
      changed: false,
      failed: false,
      data: { user_input: '', stdout: 'Paused for 0.0 seconds' },
    });
    expect(JSON.stringify(prompt)).toContain('Not waiting for response to prompt as stdin is not interactive');
  });
});
