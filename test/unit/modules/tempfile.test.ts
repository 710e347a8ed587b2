/**
 * tempfile on a real local shell: names, modes, folders, errors as Python
 * words them, check mode, and hostile prefixes/suffixes kept as one name.
 */
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('tempfile', () => {
  it('creates a 0600 file named ansible.XXXXXXXX in path; always changed, a new one each time', async () => {
    const a = await h.run('tempfile', { path: h.dir });
    const b = await h.run('tempfile', { path: h.dir });
    expect(a).toMatchObject({ changed: true, failed: false });
    const p = a.data['path'] as string;
    expect(p).toMatch(new RegExp(`^${h.dir}/ansible\\.[a-z0-9_]{8}$`));
    expect(b.data['path']).not.toBe(p);
    const st = await fs.stat(p);
    expect(st.isFile() && (st.mode & 0o777) === 0o600 && st.size === 0).toBe(true);
  });

  it('state=directory makes a 0700 folder with prefix and suffix', async () => {
    const r = await h.run('tempfile', { state: 'directory', path: h.dir, prefix: 'pre-', suffix: '.d' });
    const p = r.data['path'] as string;
    expect(p).toMatch(new RegExp(`^${h.dir}/pre-[a-z0-9_]{8}\\.d$`));
    const st = await fs.stat(p);
    expect(st.isDirectory() && (st.mode & 0o777) === 0o700).toBe(true);
  });

  it('without path uses $TMPDIR, else /tmp; a relative path is made absolute', async () => {
    const r = await h.run('tempfile', {});
    const p = r.data['path'] as string;
    const tmp = process.env['TMPDIR'] ?? '/tmp';
    expect(p.startsWith(`${tmp.replace(/\/$/, '')}/ansible.`)).toBe(true);
    await fs.rm(p);
    const rel = await h.run('tempfile', { path: `${h.dir}/./.`, prefix: 'x' });
    expect(rel.data['path']).toMatch(new RegExp(`^${h.dir}/x[a-z0-9_]{8}$`));
  });

  it('hostile prefix and suffix stay one file name', async () => {
    const prefix = `-n '$(touch pwned)' "a b`;
    const suffix = '`id`;\n*';
    const r = await h.run('tempfile', { path: h.dir, prefix, suffix });
    const p = r.data['path'] as string;
    expect(p.startsWith(`${h.dir}/${prefix}`) && p.endsWith(suffix)).toBe(true);
    expect((await fs.stat(p)).isFile()).toBe(true);
    expect(await fs.readdir(h.dir)).toEqual([p.slice(h.dir.length + 1)]);
  });

  it('a missing folder fails with Python words', async () => {
    const r = await h.run('tempfile', { path: h.path('nope') });
    expect(r.failed).toBe(true);
    expect(r.msg).toMatch(
      new RegExp(`^\\[Errno 2\\] No such file or directory: '${h.dir}/nope/ansible\\.[a-z0-9_]{8}'$`),
    );
  });

  it('is skipped in check mode and creates nothing', async () => {
    const r = await h.run('tempfile', { path: h.dir }, { check: true });
    expect(r).toMatchObject({ skipped: true, changed: false });
    expect(r.unpredictable).toBe('remote module (tempfile) does not support check mode');
    expect(await fs.readdir(h.dir)).toEqual([]);
  });
});
