import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('fetch', () => {
  it('copies to dest/<host>/<src path>, then is unchanged; check mode writes nothing', async () => {
    const src = h.path('remote', 'etc', 'app.conf');
    await fs.mkdir(h.path('remote', 'etc'), { recursive: true });
    await fs.writeFile(src, 'a=1\n');
    const dest = h.path('backup');
    const expected = join(dest, 'local', src);
    const check = await h.run('fetch', { src, dest }, { check: true, diff: true });
    expect(check.changed).toBe(true);
    expect(check.diff).toEqual([{ path: expected, before: '', after: 'a=1\n' }]);
    await expect(fs.stat(dest)).rejects.toThrow();
    const first = await h.run('fetch', { src, dest });
    expect(first).toMatchObject({ changed: true, failed: false });
    expect(first.data).toMatchObject({
      dest: expected,
      file: src,
      checksum: createHash('sha1').update('a=1\n').digest('hex'),
    });
    expect(await fs.readFile(expected, 'utf8')).toBe('a=1\n');
    expect((await h.run('fetch', { src, dest })).changed).toBe(false);
    await fs.writeFile(src, 'a=2\n');
    const check2 = await h.run('fetch', { src, dest }, { check: true, diff: true });
    expect(check2.diff).toEqual([{ path: expected, before: 'a=1\n', after: 'a=2\n' }]);
    expect(await fs.readFile(expected, 'utf8')).toBe('a=1\n');
    expect((await h.run('fetch', { src, dest })).changed).toBe(true);
    expect(await fs.readFile(expected, 'utf8')).toBe('a=2\n');
    expect(
      (await fs.readdir(join(dest, 'local', h.path('remote', 'etc')))).filter((n) => n.startsWith('.bosun')),
    ).toEqual([]);
  });

  it('flat puts the file at dest, or dest/basename for a dest ending in /', async () => {
    const src = h.path('x.txt');
    await fs.writeFile(src, 'x');
    await h.run('fetch', { src, dest: h.path('out', 'y.txt'), flat: true });
    expect(await fs.readFile(h.path('out', 'y.txt'), 'utf8')).toBe('x');
    const r = await h.run('fetch', { src, dest: `${h.path('out2')}/`, flat: 'yes' });
    expect(r.data['dest']).toBe(h.path('out2', 'x.txt'));
  });

  it('missing src: fails by default, ignored with fail_on_missing=false; a folder fails', async () => {
    const src = h.path('nope');
    expect(await h.run('fetch', { src, dest: h.path('o') })).toMatchObject({
      failed: true,
      msg: `the remote file does not exist: ${src}`,
    });
    expect(await h.run('fetch', { src, dest: h.path('o'), fail_on_missing: false })).toMatchObject({
      failed: false,
      changed: false,
      msg: 'the remote file does not exist, not transferring, ignored',
    });
    expect(await h.run('fetch', { src: h.dir, dest: h.path('o') })).toMatchObject({
      failed: true,
      msg: 'remote file is a directory, fetch cannot work on directories',
    });
  });
});
