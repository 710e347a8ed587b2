import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const modeOf = async (p: string): Promise<number> => (await fs.stat(p)).mode & 0o7777;

describe('copy', () => {
  it('writes content, then is unchanged, with mode and checksum', async () => {
    const dest = h.path('a.conf');
    const first = await h.run('copy', { content: 'x=1\n', dest, mode: '0600' });
    expect(first.changed).toBe(true);
    expect(first.failed).toBe(false);
    expect(await fs.readFile(dest, 'utf8')).toBe('x=1\n');
    expect(await modeOf(dest)).toBe(0o600);
    expect(first.data).toMatchObject({
      dest,
      mode: '0600',
      state: 'file',
      size: 4,
      checksum: expect.any(String) as unknown,
    });
    expect(first.data['checksum']).toMatch(/^[0-9a-f]{40}$/);
    const second = await h.run('copy', { content: 'x=1\n', dest, mode: '0600' });
    expect(second.changed).toBe(false);
    expect(second.data['checksum']).toBe(first.data['checksum']);
  });

  it('check mode predicts a content change exactly and touches nothing', async () => {
    const dest = h.path('b.conf');
    await fs.writeFile(dest, 'old\n', { mode: 0o640 });
    const before = await snapshot(dest);
    const check = await h.run('copy', { content: 'new\n', dest }, { check: true, diff: true });
    expect(check.changed).toBe(true);
    expect(check.diff).toEqual([{ path: dest, before: 'old\n', after: 'new\n' }]);
    expect(await snapshot(dest)).toEqual(before);
    const real = await h.run('copy', { content: 'new\n', dest });
    expect(real.changed).toBe(check.changed);
    expect(await fs.readFile(dest, 'utf8')).toBe('new\n');
    expect(await modeOf(dest)).toBe(0o640);
  });

  it('new files get 0644; mode-only changes are planned and shown', async () => {
    const dest = h.path('c');
    await h.run('copy', { content: 'c', dest });
    expect(await modeOf(dest)).toBe(0o644);
    const check = await h.run('copy', { content: 'c', dest, mode: 'u+x,go-r' }, { check: true, diff: true });
    expect(check.changed).toBe(true);
    expect(check.diff).toEqual([{ path: dest, before: 'mode: 0644\n', after: 'mode: 0700\n' }]);
    expect(await modeOf(dest)).toBe(0o644);
    await h.run('copy', { content: 'c', dest, mode: 'u+x,go-r' });
    expect(await modeOf(dest)).toBe(0o700);
    expect((await h.run('copy', { content: 'c', dest, mode: '0700' })).changed).toBe(false);
  });

  it('copies src from files/ into a folder dest under its basename', async () => {
    const first = await h.run('copy', { src: 'hello.txt', dest: `${h.dir}/` });
    expect(first.changed).toBe(true);
    expect(await fs.readFile(h.path('hello.txt'), 'utf8')).toBe('hello from files\n');
    expect(first.data['dest']).toBe(h.path('hello.txt'));
    expect((await h.run('copy', { src: 'hello.txt', dest: h.dir })).changed).toBe(false);
  });

  it('creates a missing folder for a dest ending in /', async () => {
    const r = await h.run('copy', { src: 'hello.txt', dest: `${h.path('new', 'dir')}/` });
    expect(r.failed).toBe(false);
    expect(await fs.readFile(h.path('new', 'dir', 'hello.txt'), 'utf8')).toBe('hello from files\n');
  });

  it('force=false leaves an existing file alone', async () => {
    const dest = h.path('keep');
    await fs.writeFile(dest, 'mine');
    const r = await h.run('copy', { content: 'theirs', dest, force: 'no' });
    expect(r.changed).toBe(false);
    expect(await fs.readFile(dest, 'utf8')).toBe('mine');
  });

  it('backup keeps the old file with an Ansible-style name', async () => {
    const dest = h.path('bk');
    await fs.writeFile(dest, 'v1');
    const r = await h.run('copy', { content: 'v2', dest, backup: true });
    const backup = String(r.data['backup_file']);
    expect(backup).toMatch(/\/bk\.\d+\.\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}~$/);
    expect(await fs.readFile(backup, 'utf8')).toBe('v1');
    expect(await fs.readFile(dest, 'utf8')).toBe('v2');
  });

  it('validate failing leaves dest and no temp file', async () => {
    const dest = h.path('v');
    await fs.writeFile(dest, 'good');
    const r = await h.run('copy', { content: 'bad', dest, validate: 'grep -q good %s' });
    expect(r.failed).toBe(true);
    expect(r.msg).toContain('failed to validate');
    expect(await fs.readFile(dest, 'utf8')).toBe('good');
    expect((await fs.readdir(h.dir)).filter((n) => n.startsWith('.bosun-tmp'))).toEqual([]);
    expect((await h.run('copy', { content: 'good2', dest, validate: 'grep -q good %s' })).failed).toBe(false);
  });

  it('remote_src copies a file already on the target', async () => {
    await fs.writeFile(h.path('orig'), 'remote\n', { mode: 0o600 });
    const r = await h.run('copy', { src: h.path('orig'), dest: h.path('dup'), remote_src: true, mode: 'preserve' });
    expect(r.changed).toBe(true);
    expect(await fs.readFile(h.path('dup'), 'utf8')).toBe('remote\n');
    expect(await modeOf(h.path('dup'))).toBe(0o600);
    expect((await h.run('copy', { src: h.path('orig'), dest: h.path('dup'), remote_src: true })).changed).toBe(false);
  });

  it('copies a folder recursively, with and without the trailing slash', async () => {
    const r = await h.run('copy', { src: 'tree', dest: h.dir, directory_mode: '0750' });
    expect(r.changed).toBe(true);
    expect(await fs.readFile(h.path('tree', 'sub', 'b.txt'), 'utf8')).toBe('b\n');
    expect(await modeOf(h.path('tree', 'sub'))).toBe(0o750);
    expect((await h.run('copy', { src: 'tree', dest: h.dir })).changed).toBe(false);
    await fs.mkdir(h.path('flat'));
    await h.run('copy', { src: 'tree/', dest: h.path('flat') });
    expect(await fs.readFile(h.path('flat', 'a.txt'), 'utf8')).toBe('a\n');
    await fs.writeFile(h.path('flat', 'a.txt'), 'changed');
    const check = await h.run('copy', { src: 'tree/', dest: h.path('flat') }, { check: true, diff: true });
    expect(check.changed).toBe(true);
    expect(check.diff).toEqual([{ path: h.path('flat', 'a.txt'), before: 'changed', after: 'a\n' }]);
  });

  it("diffs files up to 104448 bytes; a larger side is not read and says so in Ansible's words", async () => {
    const src = h.path('big.src');
    const dest = h.path('big.dest');
    await fs.writeFile(src, 'a\n'.repeat(60_000));
    await fs.writeFile(dest, 'b\n'.repeat(60_000));
    const big = await h.run('copy', { src, dest }, { check: true, diff: true });
    expect(big.changed).toBe(true);
    expect(big.diff).toEqual([
      {
        path: dest,
        before: 'diff skipped: destination file size is greater than 104448\n',
        after: 'diff skipped: source file size is greater than 104448\n',
      },
    ]);
    await fs.writeFile(src, 'a'.repeat(104_448));
    await fs.writeFile(dest, 'b'.repeat(104_448));
    const limit = await h.run('copy', { src, dest }, { check: true, diff: true });
    expect(limit.diff).toEqual([{ path: dest, before: 'b'.repeat(104_448), after: 'a'.repeat(104_448) }]);
  });

  it('hashes a controller file again when it changed (same size), so a changed src is copied', async () => {
    const src = h.path('same-size.src');
    const dest = h.path('same-size.dest');
    await fs.writeFile(src, 'one\n');
    expect((await h.run('copy', { src, dest })).changed).toBe(true);
    expect((await h.run('copy', { src, dest })).changed).toBe(false);
    await fs.writeFile(src, 'two\n');
    expect((await h.run('copy', { src, dest })).changed).toBe(true);
    expect(await fs.readFile(dest, 'utf8')).toBe('two\n');
  });

  it('shows binary content as (binary) in the diff', async () => {
    const dest = h.path('bin');
    const r = await h.run('copy', { content: 'a\u0000b', dest }, { diff: true });
    expect(r.diff[0]).toEqual({ path: dest, before: '', after: '(binary)' });
  });

  it.each([
    [{ content: 'x', dest: '/nonexistent-dir-bosun/x' }, 'Destination directory /nonexistent-dir-bosun does not exist'],
    [{ src: 'missing.txt', dest: '/tmp/x' }, "Could not find or access 'missing.txt'"],
    [{ content: 'x', dest: '/tmp/' }, 'can not use content with a dir as dest'],
    [{ content: 'x', dest: '/tmp/y', mode: 644 }, "mode 644 is a number; quote it as '0644'"],
  ])('fails clearly: %j', async (args, msg) => {
    const r = await h.run('copy', args);
    expect(r.failed).toBe(true);
    expect(r.msg).toContain(msg);
  });
});
