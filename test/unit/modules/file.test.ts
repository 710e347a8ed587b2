import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const modeOf = async (p: string): Promise<number> => (await fs.lstat(p)).mode & 0o7777;

/** Check, real run, second run: check predicts, changes nothing; the real run changes; the second does not. */
async function converge(args: Record<string, unknown>, watched: string): Promise<void> {
  const before = await snapshot(watched);
  const check = await h.run('file', args, { check: true, diff: true });
  expect(check.failed).toBe(false);
  expect(await snapshot(watched)).toEqual(before);
  const real = await h.run('file', args);
  expect(real.failed).toBe(false);
  expect(real.changed).toBe(check.changed);
  expect(real.changed).toBe(true);
  const again = await h.run('file', args);
  expect(again.changed).toBe(false);
}

describe('file', () => {
  it('creates a folder with mode, then is unchanged', async () => {
    const p = h.path('a', 'b');
    await converge({ path: p, state: 'directory', mode: '0750' }, p);
    expect((await fs.stat(p)).isDirectory()).toBe(true);
    expect(await modeOf(p)).toBe(0o750);
  });

  it('gives folders it creates on the way the same mode, as Ansible does', async () => {
    const top = h.path('p1');
    await fs.mkdir(h.path('keep'), { mode: 0o711 });
    await converge({ path: h.path('p1', 'p2', 'p3'), state: 'directory', mode: '0750' }, top);
    for (const d of [h.path('p1'), h.path('p1', 'p2'), h.path('p1', 'p2', 'p3')]) expect(await modeOf(d)).toBe(0o750);
    await h.run('file', { path: h.path('keep', 'sub'), state: 'directory', mode: '0700' });
    expect(await modeOf(h.path('keep'))).toBe(0o711);
  });

  it('shows state lines in the diff', async () => {
    const p = h.path('d');
    const r = await h.run('file', { path: p, state: 'directory', mode: '0700' }, { check: true, diff: true });
    expect(r.diff).toEqual([
      { path: p, before: `path: ${p}\nstate: absent\n`, after: `path: ${p}\nstate: directory\nmode: 0700\n` },
    ]);
  });

  it('changes only the mode of an existing file (aliases dest/name work)', async () => {
    const p = h.path('f');
    await fs.writeFile(p, 'x', { mode: 0o644 });
    const r = await h.run('file', { dest: p, mode: 'go-r' }, { diff: true });
    expect(r.changed).toBe(true);
    expect(r.diff[0]!.after).toContain('mode: 0600');
    expect(await modeOf(p)).toBe(0o600);
    expect((await h.run('file', { name: p, mode: '0600' })).changed).toBe(false);
    expect(r.data).toMatchObject({ path: p, state: 'file', mode: '0600', owner: 'root', uid: 0 });
  });

  it('owner and group by name or id', async () => {
    const p = h.path('o');
    await fs.writeFile(p, '');
    expect((await h.run('file', { path: p, owner: 'root', group: 0 })).changed).toBe(false);
    const r = await h.run('file', { path: p, owner: 'nobody' });
    expect(r.changed).toBe(true);
    expect(r.data['owner']).toBe('nobody');
    expect((await h.run('file', { path: p, owner: String((await fs.stat(p)).uid) })).changed).toBe(false);
  });

  it('state=file on a missing path fails like Ansible', async () => {
    const r = await h.run('file', { path: h.path('nope') });
    expect(r).toMatchObject({ failed: true, msg: `file (${h.path('nope')}) is absent, cannot continue` });
  });

  it('absent removes a tree, then is unchanged', async () => {
    const p = h.path('t');
    await fs.mkdir(h.path('t', 'x'), { recursive: true });
    await converge({ path: p, state: 'absent' }, p);
    await expect(fs.access(p)).rejects.toThrow();
  });

  it('touch creates, then always changes; preserve keeps it unchanged', async () => {
    const p = h.path('touched');
    const first = await h.run('file', { path: p, state: 'touch', mode: '0640' });
    expect(first.changed).toBe(true);
    expect(await modeOf(p)).toBe(0o640);
    expect((await h.run('file', { path: p, state: 'touch' })).changed).toBe(true);
    const keep = await h.run('file', {
      path: p,
      state: 'touch',
      modification_time: 'preserve',
      access_time: 'preserve',
    });
    expect(keep.changed).toBe(false);
  });

  it('sets a modification time stamp idempotently', async () => {
    const p = h.path('stamp');
    await fs.writeFile(p, '');
    await converge({ path: p, modification_time: '202001021530.45' }, p);
    expect((await fs.stat(p)).mtime.getTime()).toBe(new Date(2020, 0, 2, 15, 30, 45).getTime());
  });

  it('symlinks: create, keep, retarget; refuse over a file without force', async () => {
    const target = h.path('target');
    await fs.writeFile(target, '');
    const link = h.path('link');
    await converge({ path: link, src: target, state: 'link' }, link);
    expect(await fs.readlink(link)).toBe(target);
    const r = await h.run('file', { path: link, src: 'other', state: 'link', force: true }, { diff: true });
    expect(r.changed).toBe(true);
    expect(await fs.readlink(link)).toBe('other');
    expect(r.diff[0]!.after).toContain('src: other');
    const refused = await h.run('file', { path: target, src: h.dir, state: 'link' });
    expect(refused).toMatchObject({ failed: true, msg: `refusing to convert from file to symlink for ${target}` });
    const missing = await h.run('file', { path: h.path('l2'), src: h.path('missing'), state: 'link' });
    expect(missing.msg).toContain('src file does not exist, use "force=yes"');
  });

  it('hard links: create then unchanged', async () => {
    const src = h.path('orig');
    await fs.writeFile(src, 'x');
    const p = h.path('hard');
    await converge({ path: p, src, state: 'hard' }, p);
    expect((await fs.stat(p)).ino).toBe((await fs.stat(src)).ino);
  });

  it('recurse applies mode below and is then unchanged', async () => {
    const d = h.path('r');
    await fs.mkdir(h.path('r', 's'), { recursive: true });
    await fs.writeFile(h.path('r', 's', 'f'), '', { mode: 0o600 });
    await converge({ path: d, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=rX' }, h.path('r', 's', 'f'));
    expect(await modeOf(h.path('r', 's', 'f'))).toBe(0o644);
    expect(await modeOf(h.path('r', 's'))).toBe(0o755);
  });

  it.each([
    [{ state: 'directory' }, 'already exists as a file'],
    [{ state: 'file', recurse: true }, 'recurse option requires state to be directory'],
    [{ mode: 'bogus' }, "mode 'bogus' is neither octal"],
    [{ mode: 644 }, "mode 644 is a number; quote it as '0644'"],
  ])('fails clearly: %j', async (extra, msg) => {
    const p = h.path('plain');
    await fs.writeFile(p, '');
    const r = await h.run('file', { path: p, ...extra });
    expect(r.failed).toBe(true);
    expect(r.msg).toContain(msg);
  });
});
