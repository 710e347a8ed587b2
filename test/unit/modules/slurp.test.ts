import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('slurp', () => {
  it('returns the content base64 encoded, binary-safe, never changed, in check mode too', async () => {
    const p = h.path('blob');
    const bytes = Buffer.from([0, 1, 2, 255, 10, 65]);
    await fs.writeFile(p, bytes);
    for (const check of [false, true]) {
      const r = await h.run('slurp', { src: p }, { check });
      expect(r).toMatchObject({ changed: false, failed: false, skipped: false });
      expect(r.data).toEqual({ content: bytes.toString('base64'), encoding: 'base64', source: p });
    }
  });

  it('fails on a missing file or a folder', async () => {
    expect(await h.run('slurp', { src: h.path('nope') })).toMatchObject({
      failed: true,
      msg: `file not found: ${h.path('nope')}`,
    });
    expect(await h.run('slurp', { src: h.dir })).toMatchObject({
      failed: true,
      msg: `source is a directory and must be a file: ${h.dir}`,
    });
  });
});
