import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('stat', () => {
  it('reports a regular file with its checksum', async () => {
    const p = h.path('f');
    await fs.writeFile(p, 'hello', { mode: 0o640 });
    const r = await h.run('stat', { path: p });
    expect(r.changed).toBe(false);
    expect(r.data['stat']).toMatchObject({
      exists: true,
      path: p,
      isreg: true,
      isdir: false,
      islnk: false,
      mode: '0640',
      uid: 0,
      gid: 0,
      pw_name: 'root',
      gr_name: 'root',
      size: 5,
      checksum: createHash('sha1').update('hello').digest('hex'),
    });
  });

  it.each([
    ['sha256', createHash('sha256').update('hello').digest('hex')],
    ['sha1', createHash('sha1').update('hello').digest('hex')],
  ])('checksum_algorithm %s', async (algo, sum) => {
    await fs.writeFile(h.path('f'), 'hello');
    const r = await h.run('stat', { path: h.path('f'), checksum_algorithm: algo });
    expect((r.data['stat'] as Record<string, unknown>)['checksum']).toBe(sum);
  });

  it('get_checksum=no omits it', async () => {
    await fs.writeFile(h.path('f'), 'hello');
    const r = await h.run('stat', { path: h.path('f'), get_checksum: 'no' });
    expect(r.data['stat']).not.toHaveProperty('checksum');
  });

  it('missing path: only exists=false', async () => {
    expect((await h.run('stat', { path: h.path('none') })).data).toEqual({ stat: { exists: false } });
  });

  it('links: not followed by default, followed with follow', async () => {
    await fs.mkdir(h.path('dir'));
    await fs.symlink(h.path('dir'), h.path('l'));
    const plain = (await h.run('stat', { path: h.path('l') })).data['stat'];
    expect(plain).toMatchObject({ islnk: true, isdir: false, lnk_target: h.path('dir'), lnk_source: h.path('dir') });
    const followed = (await h.run('stat', { path: h.path('l'), follow: true })).data['stat'];
    expect(followed).toMatchObject({ islnk: false, isdir: true });
    await fs.symlink(h.path('gone'), h.path('dangling'));
    expect((await h.run('stat', { path: h.path('dangling'), follow: true })).data).toEqual({ stat: { exists: false } });
  });

  it('handles paths with spaces and quotes', async () => {
    const p = h.path("it's a file");
    await fs.writeFile(p, '');
    expect((await h.run('stat', { path: p })).data['stat']).toMatchObject({ exists: true, size: 0 });
  });
});
