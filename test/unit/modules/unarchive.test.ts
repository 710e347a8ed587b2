import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';
import { binWithout } from './http-fixture.js';

const h = new ModuleHarness();
let work: string;
const archives: Record<string, string> = {};

/** Build pkg-1.0/{bin/a (0755), bin/b, etc/c.conf, bin/l -> a} and pack it in every format. */
beforeAll(async () => {
  work = await fs.mkdtemp(join(tmpdir(), 'bosun-arch-'));
  const root = join(work, 'src', 'pkg-1.0');
  await fs.mkdir(join(root, 'bin'), { recursive: true });
  await fs.mkdir(join(root, 'etc'), { recursive: true });
  await fs.writeFile(join(root, 'bin', 'a'), '#!/bin/sh\necho a\n', { mode: 0o755 });
  await fs.writeFile(join(root, 'bin', 'b'), 'bbb\n', { mode: 0o644 });
  await fs.writeFile(join(root, 'etc', 'c.conf'), 'c=1\n', { mode: 0o644 });
  await fs.symlink('a', join(root, 'bin', 'l'));
  const src = join(work, 'src');
  for (const [ext, flag] of [
    ['tgz', '-z'],
    ['tar.xz', '-J'],
    ['tar.bz2', '-j'],
    ['tar', ''],
  ] as const) {
    archives[ext] = join(work, `pkg.${ext}`);
    execFileSync('tar', ['-c', ...(flag ? [flag] : []), '-f', archives[ext], '-C', src, 'pkg-1.0']);
  }
  archives['zip'] = join(work, 'pkg.zip');
  execFileSync('zip', ['-q', '-r', '-y', archives['zip'], 'pkg-1.0'], { cwd: src });
  // Members whose path climbs out of dest: '../evil.txt' and 'pkg-1.0/../../evil.txt' (GNU tar stores them with --transform).
  await fs.writeFile(join(src, 'evil.txt'), 'evil\n');
  archives['dotdot'] = join(work, 'dotdot.tgz');
  execFileSync(
    'tar',
    ['-czf', archives['dotdot'], '-C', src, '--transform', 's,^evil,../evil,', 'pkg-1.0/bin/b', 'evil.txt'],
    { stdio: 'ignore' },
  );
  archives['deep'] = join(work, 'deep.tar');
  execFileSync(
    'tar',
    ['-cf', archives['deep'], '-C', src, '--transform', 's,^evil,pkg-1.0/../../evil,', 'pkg-1.0/bin/b', 'evil.txt'],
    { stdio: 'ignore' },
  );
  archives['dotdot-zip'] = join(work, 'dotdot.zip');
  execFileSync('zip', ['-q', archives['dotdot-zip'], 'b', '../../evil.txt'], { cwd: join(root, 'bin') });
  archives['junk'] = join(work, 'junk.tgz');
  await fs.writeFile(archives['junk'], 'not an archive');
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const strip = ['--strip-components=1'];

describe('unarchive', () => {
  it('unpacks a controller tgz with strip-components, then is unchanged', async () => {
    const first = await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip, list_files: true });
    expect(first, first.msg).toMatchObject({ changed: true, failed: false });
    expect(await fs.readFile(h.path('bin', 'a'), 'utf8')).toBe('#!/bin/sh\necho a\n');
    expect((await fs.stat(h.path('bin', 'a'))).mode & 0o777).toBe(0o755);
    expect(await fs.readlink(h.path('bin', 'l'))).toBe('a');
    expect(first.data).toMatchObject({ dest: h.dir, src: archives['tgz'], handler: 'TgzArchive', state: 'directory' });
    expect([...(first.data['files'] as string[])].sort()).toEqual([
      'bin',
      'bin/a',
      'bin/b',
      'bin/l',
      'etc',
      'etc/c.conf',
    ]);
    expect((await fs.readdir(h.dir)).filter((n) => n.startsWith('.bosun'))).toEqual([]);
    const second = await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip });
    expect(second).toMatchObject({ changed: false, msg: 'all archive members are in place' });
  });

  it('check mode lists what would be added or changed, touches nothing, and the real run agrees', async () => {
    const check = await h.run(
      'unarchive',
      { src: archives['tgz'], dest: h.dir, extra_opts: strip },
      { check: true, diff: true },
    );
    expect(check.changed).toBe(true);
    expect(check.diff[0]!.after.split('\n').filter(Boolean).sort()).toEqual([
      'added: bin',
      'added: bin/a',
      'added: bin/b',
      'added: bin/l',
      'added: etc',
      'added: etc/c.conf',
    ]);
    expect(await fs.readdir(h.dir)).toEqual([]);
    await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip });
    await fs.writeFile(h.path('bin', 'b'), 'edited\n');
    await fs.chmod(h.path('etc', 'c.conf'), 0o600);
    const before = await snapshot(h.path('bin', 'b'));
    const check2 = await h.run(
      'unarchive',
      { src: archives['tgz'], dest: h.dir, extra_opts: strip },
      { check: true, diff: true },
    );
    expect(check2.diff[0]!.after).toBe('changed: bin/b\nattributes: etc/c.conf\n');
    expect(await snapshot(h.path('bin', 'b'))).toEqual(before);
    expect((await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip })).changed).toBe(true);
    expect(await fs.readFile(h.path('bin', 'b'), 'utf8')).toBe('bbb\n');
    expect((await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip })).changed).toBe(false);
  });

  it.each([
    ['tar.xz', 'TarXzArchive'],
    ['tar.bz2', 'TarBzipArchive'],
    ['tar', 'TarArchive'],
    ['zip', 'ZipArchive'],
  ])('remote_src %s', async (ext, handler) => {
    const r = await h.run('unarchive', { src: archives[ext], dest: h.dir, remote_src: true });
    expect(r, r.msg).toMatchObject({ changed: true, failed: false });
    expect(r.data['handler']).toBe(handler);
    expect(await fs.readFile(h.path('pkg-1.0', 'etc', 'c.conf'), 'utf8')).toBe('c=1\n');
    expect((await h.run('unarchive', { src: archives[ext], dest: h.dir, remote_src: true })).changed).toBe(false);
  });

  it('zip from the controller, with include and exclude', async () => {
    const r = await h.run('unarchive', { src: archives['zip'], dest: h.dir, exclude: ['pkg-1.0/etc/*'] });
    expect(r.failed, r.msg).toBe(false);
    await expect(fs.stat(h.path('pkg-1.0', 'etc', 'c.conf'))).rejects.toThrow();
    expect(await fs.readFile(h.path('pkg-1.0', 'bin', 'b'), 'utf8')).toBe('bbb\n');
    const only = await h.run('unarchive', {
      src: archives['tgz'],
      dest: h.path('pkg-1.0'),
      include: ['pkg-1.0/etc/*'],
      extra_opts: strip,
      list_files: true,
    });
    expect(only.data['files']).toEqual(['etc/c.conf']);
    expect(await fs.readFile(h.path('pkg-1.0', 'etc', 'c.conf'), 'utf8')).toBe('c=1\n');
  });

  it('mode applies to every member and is compared', async () => {
    await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip, mode: 'u=rwX,go=rX' });
    expect((await fs.stat(h.path('bin', 'b'))).mode & 0o777).toBe(0o644);
    expect((await fs.stat(h.path('bin', 'a'))).mode & 0o777).toBe(0o755);
    expect(
      (await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip, mode: 'u=rwX,go=rX' })).changed,
    ).toBe(false);
    const r = await h.run(
      'unarchive',
      { src: archives['tgz'], dest: h.dir, extra_opts: strip, mode: '0600' },
      { check: true, diff: true },
    );
    expect(r.diff[0]!.after).toContain('attributes: bin/b');
  });

  it('keep_newer leaves newer files alone; creates skips', async () => {
    await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip });
    await fs.writeFile(h.path('bin', 'b'), 'newer\n');
    const future = new Date(Date.now() + 3600_000);
    await fs.utimes(h.path('bin', 'b'), future, future);
    expect(
      (await h.run('unarchive', { src: archives['tgz'], dest: h.dir, extra_opts: strip, keep_newer: true })).changed,
    ).toBe(false);
    const c = await h.run('unarchive', {
      src: archives['tgz'],
      dest: h.dir,
      extra_opts: strip,
      creates: h.path('bin', 'b'),
    });
    expect(c).toMatchObject({ changed: false, msg: `skipped, since ${h.path('bin', 'b')} exists` });
  });

  it('refuses an archive with a member that climbs out of dest, says which, and unpacks nothing', async () => {
    const cases: Array<[string, string]> = [
      ['dotdot', '../evil.txt'],
      ['deep', 'pkg-1.0/../../evil.txt'],
      ['dotdot-zip', '../../evil.txt'],
    ];
    for (const [name, member] of cases) {
      for (const remote_src of [false, true]) {
        const dest = h.path(`${name}-${String(remote_src)}`, 'in');
        await fs.mkdir(dest, { recursive: true });
        const r = await h.run('unarchive', { src: archives[name], dest, remote_src });
        expect(r, `${name} remote_src=${String(remote_src)}`).toMatchObject({ failed: true, changed: false });
        expect(r.msg).toBe(
          `archive member '${member}' has '..' in its path, which would put it outside dest '${dest}': nothing unpacked from ${archives[name]}`,
        );
        expect(await fs.readdir(dest)).toEqual([]);
        expect(await fs.readdir(join(dest, '..'))).toEqual(['in']);
      }
    }
  });

  it('fails clearly', async () => {
    expect((await h.run('unarchive', { src: archives['tgz'], dest: h.path('missing') })).msg).toBe(
      `dest '${h.path('missing')}' must be an existing dir`,
    );
    expect((await h.run('unarchive', { src: h.path('nope.tgz'), dest: h.dir, remote_src: true })).msg).toBe(
      `Source '${h.path('nope.tgz')}' does not exist`,
    );
    expect((await h.run('unarchive', { src: archives['junk'], dest: h.dir })).msg).toBe(
      `Failed to find handler for "${archives['junk']}". Make sure the required command to extract the file is installed. (cannot read the archive)`,
    );
    expect((await h.run('unarchive', { src: 'no-such.tgz', dest: h.dir })).msg).toMatch(
      /^Could not find or access 'no-such.tgz' on the Ansible Controller/,
    );
    const bin = await binWithout(['tar', 'unzip']);
    const path = process.env['PATH'];
    await h.conn.close();
    process.env['PATH'] = bin;
    try {
      expect((await h.run('unarchive', { src: archives['tgz'], dest: h.dir, remote_src: true })).msg).toBe(
        "unarchive needs 'tar' on the target (not found)",
      );
      expect((await h.run('unarchive', { src: archives['zip'], dest: h.dir, remote_src: true })).msg).toBe(
        "unarchive needs 'unzip' on the target (not found)",
      );
    } finally {
      process.env['PATH'] = path;
      await h.conn.close();
      await fs.rm(bin, { recursive: true, force: true });
    }
  });
});
