/**
 * ping and raw on a real local shell: Ansible's return values, check mode,
 * and hostile command lines passed through unchanged (raw) or quoted as one
 * word (executable).
 */
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('ping', () => {
  it('returns ping: pong, or the data given, never changed, in check mode too', async () => {
    for (const check of [false, true]) {
      expect(await h.run('ping', {}, { check })).toMatchObject({
        changed: false,
        failed: false,
        data: { ping: 'pong' },
      });
      const odd = `-x '$(touch ${h.path('p')})'\n"`;
      expect((await h.run('ping', { data: odd }, { check })).data).toEqual({ ping: odd });
    }
    await expect(fs.stat(h.path('p'))).rejects.toThrow();
  });

  it('data=crash fails as Ansible (MODULE FAILURE, Exception: boom)', async () => {
    const r = await h.run('ping', { data: 'crash' }, { check: true });
    expect(r).toMatchObject({ failed: true, msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error' });
    expect(r.data['module_stderr']).toMatch(/Exception: boom\n$/);
  });

  it('fails when the target shell does not answer', async () => {
    const conn = new FakeConnection([{ match: /echo pong/, result: { rc: 127, stderr: 'sh: not found' } }]);
    const d = await getModule('ping')!.decide({ ...h.context(), conn }, {});
    expect(d).toMatchObject({ kind: 'fail', msg: 'the target shell did not answer: rc 127 sh: not found' });
  });
});

describe('raw', () => {
  it('runs the line as given and registers rc, stdout, stderr and their lines; always changed', async () => {
    const r = await h.run('raw', { cmd: `cd ${h.dir} && printf 'a\\nb\\n' && echo err >&2 && pwd > here` });
    expect(r).toMatchObject({ changed: true, failed: false });
    expect(r.data).toEqual({
      rc: 0,
      stdout: 'a\nb\n',
      stderr: 'err\n',
      stdout_lines: ['a', 'b'],
      stderr_lines: ['err'],
    });
    expect(await fs.readFile(h.path('here'), 'utf8')).toBe(`${h.dir}\n`);
  });

  it("a non-zero exit fails with Ansible's message, changed as Ansible registers it", async () => {
    const r = await h.run('raw', { cmd: 'echo out; exit 3' });
    expect(r).toMatchObject({ failed: true, msg: 'non-zero return code' });
    expect(r.registered).toMatchObject({ rc: 3, stdout: 'out\n', changed: true });
  });

  it('is skipped in check mode and runs nothing', async () => {
    const r = await h.run('raw', { cmd: `touch ${h.path('ran')}` }, { check: true });
    expect(r).toMatchObject({ skipped: true, changed: false });
    await expect(fs.stat(h.path('ran'))).rejects.toThrow();
  });

  it('executable runs the line as one quoted word: EXECUTABLE -c LINE', async () => {
    const line = `echo "$0" '$(x)' -n; printf '%s' "a b" > ${h.path('o')}`;
    const r = await h.run('raw', { cmd: line, executable: '/bin/bash' });
    expect(r.data['stdout']).toBe('/bin/bash $(x) -n\n');
    expect(await fs.readFile(h.path('o'), 'utf8')).toBe('a b');
    const conn = new FakeConnection([]);
    const d = await getModule('raw')!.decide({ ...h.context(), conn }, { cmd: "it's $(x)", executable: '-sh x' });
    if (d.kind !== 'unpredictable') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts).toEqual([`'-sh x' -c "it's \\$(x)"`]);
  });

  it('an empty line fails', async () => {
    expect(await h.run('raw', { cmd: '  ' })).toMatchObject({ failed: true, msg: 'no command given' });
  });
});
