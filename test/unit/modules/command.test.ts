import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('command', () => {
  it('runs without a shell: * and | stay literal, set variables and ~ expand as in Ansible, unset ones stay', async () => {
    const home = process.env['HOME'] ?? '/root';
    const r = await h.run('command', { cmd: 'echo $HOME * | "a  b" ${HOME}x $NOSUCH_BOSUN17 ~/y a~ \'$(id)\'' });
    expect(r).toMatchObject({ changed: true, failed: false });
    const out = `${home} * | a  b ${home}x $NOSUCH_BOSUN17 ${home}/y a~ $(id)`;
    expect(r.data).toMatchObject({ rc: 0, stdout: out, stderr: '', stdout_lines: [out], stderr_lines: [], msg: '' });
    expect(r.data['cmd']).toEqual([
      'echo',
      '$HOME',
      '*',
      '|',
      'a  b',
      '${HOME}x',
      '$NOSUCH_BOSUN17',
      '~/y',
      'a~',
      '$(id)',
    ]);
    expect(String(r.data['start'])).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(String(r.data['delta'])).toMatch(/^\d+:\d{2}:\d{2}\.\d{6}$/);
  });

  it('takes argv, chdir and stdin', async () => {
    await fs.writeFile(h.path('f.txt'), 'one\ntwo\n');
    const r = await h.run('command', { argv: ['cat', 'f.txt', '-'], chdir: h.dir, stdin: 'three' });
    expect(r.data['stdout']).toBe('one\ntwo\nthree');
    expect(r.data['stdout_lines']).toEqual(['one', 'two', 'three']);
  });

  it('keeps trailing newlines with strip_empty_ends=false', async () => {
    const r = await h.run('command', { argv: ['printf', 'a\\n\\n'], strip_empty_ends: false });
    expect(r.data['stdout']).toBe('a\n\n');
  });

  it('creates: exists -> ok, not run; missing -> runs; check mode predicts', async () => {
    const marker = h.path('done');
    const args = { cmd: `touch ${marker}`, creates: marker };
    const check = await h.run('command', args, { check: true });
    expect(check).toMatchObject({ changed: true, skipped: false });
    await expect(fs.access(marker)).rejects.toThrow();
    const first = await h.run('command', args);
    expect(first.changed).toBe(true);
    const second = await h.run('command', args);
    expect(second).toMatchObject({ changed: false, msg: `Did not run command since '${marker}' exists` });
  });

  it('removes: missing -> not run', async () => {
    const r = await h.run('command', { cmd: 'rm nothing', removes: h.path('nothing') });
    expect(r).toMatchObject({ changed: false, msg: `Did not run command since '${h.path('nothing')}' does not exist` });
  });

  it('creates is relative to chdir', async () => {
    await fs.writeFile(h.path('here'), '');
    const r = await h.run('command', { cmd: 'false', chdir: h.dir, creates: 'here' });
    expect(r.changed).toBe(false);
  });

  it('without creates/removes check mode cannot predict and skips', async () => {
    const r = await h.run('command', { cmd: `touch ${h.path('x')}` }, { check: true });
    expect(r).toMatchObject({ skipped: true, unpredictable: 'Command would have run if not in check mode' });
    await expect(fs.access(h.path('x'))).rejects.toThrow();
  });

  it('false fails with rc 1 and changed', async () => {
    const r = await h.run('command', { cmd: 'false' });
    expect(r).toMatchObject({ failed: true, changed: true, msg: 'non-zero return code' });
    expect(r.data['rc']).toBe(1);
  });

  it.each([
    ['no-such-command-bosun --x', 2, "[Errno 2] No such file or directory: b'no-such-command-bosun'"],
    ['/nonexistent/prog', 2, "[Errno 2] No such file or directory: b'/nonexistent/prog'"],
    ['/etc/hostname/x', 20, "[Errno 20] Not a directory: b'/etc/hostname/x'"],
    ['/etc', 13, "[Errno 13] Permission denied: b'/etc'"],
    ['cd /tmp', 2, "[Errno 2] No such file or directory: b'cd'"],
  ])('%s cannot be executed: rc %d, as Python says it, nothing run', async (cmd, rc, msg) => {
    const r = await h.run('command', { cmd });
    expect(r).toMatchObject({ failed: true, changed: false, msg });
    expect(r.data).toMatchObject({ rc, stdout: '', stderr: '', cmd: cmd.split(' ').join(' ') });
  });

  it('an invalid chdir fails before anything runs, in check mode too', async () => {
    for (const check of [false, true]) {
      const r = await h.run('command', { cmd: 'pwd', chdir: h.path('nope'), creates: 'x' }, { check });
      expect(r).toMatchObject({
        failed: true,
        changed: false,
        msg: `Unable to change directory before execution: [Errno 2] No such file or directory: b'${h.path('nope')}'`,
      });
      expect(r.data['rc']).toBe(null);
    }
  });

  it('an empty command fails', async () => {
    expect((await h.run('command', { cmd: '  ' })).msg).toBe('no command given');
  });
});

describe('shell', () => {
  it('runs through /bin/sh: pipes, variables, redirection', async () => {
    const r = await h.run('shell', {
      cmd: `X=hi; echo $X | tr a-z A-Z > ${h.path('out')}; cat ${h.path('out')}; echo err >&2`,
    });
    expect(r.data).toMatchObject({
      rc: 0,
      stdout: 'HI',
      stderr: 'err',
      cmd: expect.stringContaining('tr a-z') as unknown,
    });
  });

  it('uses another executable', async () => {
    const r = await h.run('shell', { cmd: 'echo "$0"', executable: '/bin/bash' });
    expect(r.data['stdout']).toBe('/bin/bash');
  });

  it('honours creates and chdir, and fails on non-zero exit', async () => {
    expect((await h.run('shell', { cmd: 'pwd', chdir: h.dir })).data['stdout']).toBe(h.dir);
    await fs.writeFile(h.path('c'), '');
    expect((await h.run('shell', { cmd: 'exit 3', creates: h.path('c') })).changed).toBe(false);
    const r = await h.run('shell', { cmd: 'exit 3' });
    expect(r).toMatchObject({ failed: true, msg: 'non-zero return code' });
    expect(r.data['rc']).toBe(3);
  });

  it('feeds stdin', async () => {
    const r = await h.run('shell', { cmd: 'read a; echo "got $a"', stdin: "it's" });
    expect(r.data['stdout']).toBe("got it's");
  });
});
