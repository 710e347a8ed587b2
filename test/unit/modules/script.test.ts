import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const leftovers = async (): Promise<string[]> =>
  (await fs.readdir('/tmp')).filter((n) => n.startsWith('.bosun-script-'));

describe('script', () => {
  it('copies, runs with arguments in chdir, registers output, removes the copy', async () => {
    const local = h.path('setup.sh');
    await fs.writeFile(local, '#!/bin/sh\necho "args: $1|$2 in $(pwd)"\necho warn >&2\ntouch made\n');
    const before = await leftovers();
    const r = await h.run('script', { cmd: `${local} one 'two words'`, chdir: h.dir, creates: 'made' });
    expect(r).toMatchObject({ changed: true, failed: false });
    expect(r.data).toMatchObject({
      rc: 0,
      stdout: `args: one|two words in ${h.dir}`,
      stderr: 'warn',
      stdout_lines: [`args: one|two words in ${h.dir}`],
    });
    expect(await leftovers()).toEqual(before);
    const again = await h.run('script', { cmd: local, chdir: h.dir, creates: 'made' });
    expect(again).toMatchObject({ changed: false, msg: "Did not run command since 'made' exists" });
  });

  it('check mode: skipped without creates/removes, exact with them; nothing runs', async () => {
    const local = h.path('s.sh');
    await fs.writeFile(local, '#!/bin/sh\ntouch ran\n');
    const check = await h.run('script', { cmd: local, chdir: h.dir }, { check: true });
    expect(check).toMatchObject({ skipped: true, unpredictable: 'Script would have run if not in check mode' });
    const exact = await h.run('script', { cmd: local, chdir: h.dir, removes: 'absent-file' }, { check: true });
    expect(exact).toMatchObject({ changed: false, skipped: false });
    await expect(fs.stat(h.path('ran'))).rejects.toThrow();
  });

  it('a failing script fails with rc; executable runs it through an interpreter; cleanup on a bad chdir', async () => {
    const local = h.path('f.sh');
    await fs.writeFile(local, 'echo out; exit 3\n');
    const r = await h.run('script', { cmd: local, executable: 'sh' });
    expect(r).toMatchObject({ failed: true, msg: 'non-zero return code' });
    expect(r.data).toMatchObject({ rc: 3, stdout: 'out' });
    const before = await leftovers();
    const bad = await h.run('script', { cmd: local, chdir: h.path('no-such-dir') });
    expect(bad.failed).toBe(true);
    expect(await leftovers()).toEqual(before);
  });

  it('fails clearly when the script is not on the controller', async () => {
    const r = await h.run('script', { cmd: 'missing.sh arg' });
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(/^Could not find or access 'missing.sh' on the Ansible Controller/);
  });
});
