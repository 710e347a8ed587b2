/**
 * statMany stats every path with one `stat` (and one checksum process) and
 * must find exactly what the path-by-path statScript finds: files, folders,
 * links (followed or not), dangling links, absent paths, odd names, repeats.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalConnection } from '../../../../src/connection/local.js';
import { parseStatLines, statMany, statScript } from '../../../../src/modules/lib/remote-file.js';
import { parseBatchStat } from '../../../../src/modules/lib/stat-batch.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-stat-batch-'));
writeFileSync(join(dir, 'file'), 'hello\n');
writeFileSync(join(dir, '-dash name'), 'x');
mkdirSync(join(dir, 'folder'));
symlinkSync(join(dir, 'file'), join(dir, 'link'));
symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const conn = new LocalConnection({
  name: 'local', type: 'local', address: 'localhost', port: 22, user: 'root', strictHostKeyChecking: true, knownHostsFiles: [], connectTimeoutMs: 1000,
});
const paths = ['file', 'folder', 'link', 'dangling', 'absent', '-dash name', 'file'].map((p) => join(dir, p));

describe('statMany (batched) agrees with statScript path by path', () => {
  for (const opts of [{}, { follow: true }, { checksum: 'sha1' as const }, { checksum: 'sha256' as const, follow: true }]) {
    it(JSON.stringify(opts), async () => {
      const batched = await statMany(conn, paths, opts);
      const single = await conn.exec(paths.map((p, i) => statScript(String(i), p, opts)).join('\n'));
      const expected = parseStatLines(single.stdout);
      paths.forEach((_, i) => expect(batched[i]).toEqual(expected.get(String(i))));
    });
  }

  it('output that does not add up is refused (the caller falls back to one path at a time)', () => {
    expect(parseBatchStat('E0\nE1\nS 81a4 0 0 6 1 1 1 1 root root\n', 2)).toBeUndefined();
    expect(parseBatchStat('E0\nK0\nS 81a4 0 0 6 1 1 1 1 root root\n', 1)).toBeUndefined();
    expect(parseBatchStat('A0\n', 1)).toEqual([{ exists: false }]);
  });
});
