/**
 * find: Python's fnmatch, the listing's parsing (names with newlines), the
 * os.walk order, and real runs on a local shell with hostile names and
 * paths (each reaches find and stat as one quoted word).
 */
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { listingScript, parseAge, parseListing, parseSize } from '../../../src/modules/lib/find-walk.js';
import { fnmatch } from '../../../src/modules/lib/fnmatch.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { shq } from '../../../src/util/shell.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

describe('fnmatch (Python semantics)', () => {
  it.each([
    ['a.conf', '*.conf', true],
    ['.hidden.conf', '*.conf', true],
    ['a.conf', 'a.con?', true],
    ['b.txt', '[ab].txt', true],
    ['c.txt', '[!ab].txt', true],
    ['a.txt', '[!ab].txt', false],
    [']x', '[]]x', true],
    ['a\\b', 'a\\b', true],
    ['{a,b}', '{a,b}', true],
    ['a', '{a,b}', false],
    ['[x', '[x', true],
    ['A.CONF', '*.conf', false],
    ['a\nb', 'a*b', true],
    ['x.conf.bak', '*.conf', false],
  ])('fnmatch(%j, %j) is %s', (name, pattern, want) => {
    expect(fnmatch(name, pattern)).toBe(want);
  });
});

describe('find parsing', () => {
  it.each([
    ['2d', 172800],
    ['-1w', -604800],
    ['30', 30],
    ['5M', 300],
    ['3 days', undefined],
  ])('age %s', (v, want) => expect(parseAge(v)).toBe(want));
  it.each([
    ['1k', 1024],
    ['-2m', -2097152],
    ['7', 7],
    ['1x', undefined],
  ])('size %s', (v, want) => expect(parseSize(v)).toBe(want));

  it('frames records with the token, so names may hold newlines and look like records', () => {
    const T = 'TOK1';
    const out = [
      `${T} D0 /d`,
      `${T} S 81a4 0 0 3 1.5 2.5 3.5 7 8 1 root UNKNOWN /d/a`,
      'S 81a4 0 0 3 1 1 1 1 1 1 x y fake',
      `${T} S a1ff 0 0 3 1 1 1 9 8 1 root root /d/l`,
      `${T} K directory /d/l`,
      `${T} N1 /nope`,
      '',
    ].join('\n');
    const [d, n] = parseListing(out, T, 2);
    expect(d!.isDir).toBe(true);
    expect(d!.entries.map((e) => e.raw)).toEqual(['/d/a\nS 81a4 0 0 3 1 1 1 1 1 1 x y fake', '/d/l']);
    expect(d!.entries[0]).toMatchObject({
      mode: 0o100644,
      mtime: 1.5,
      atime: 2.5,
      ctime: 3.5,
      owner: 'root',
      group: '',
    });
    expect([...d!.linkDirs]).toEqual(['/d/l']);
    expect(n).toMatchObject({ isDir: false, top: '/nope' });
  });

  it('quotes every path as one word; ~ stays the target home', () => {
    const s = listingScript(["-x '$(touch /tmp/pwned)'", '~/a b'], 'TOK', { follow: false, maxdepth: 1 });
    expect(s).toContain(`d=${shq("-x '$(touch /tmp/pwned)'")}\n`);
    expect(s).toContain(`d="$HOME"${shq('/a b')}\n`);
    expect(s).toContain('find -H "$d" -mindepth 1 -maxdepth 1 -exec stat');
  });
});

describe('find on a real shell', () => {
  async function tree(): Promise<void> {
    await fs.mkdir(h.path('t', 'sub', 'deep'), { recursive: true });
    await fs.mkdir(h.path('t', '.hid'));
    await fs.writeFile(h.path('t', 'a.conf'), 'port=80\n');
    await fs.writeFile(h.path('t', "-n $(x) 'q'\n.conf"), 'x\n');
    await fs.writeFile(h.path('t', 'sub', 'b.conf'), 'b\n');
    await fs.writeFile(h.path('t', 'sub', 'deep', 'c.conf'), 'c\n');
    await fs.writeFile(h.path('t', '.hid', 'h.conf'), 'h\n');
    await fs.symlink('sub', h.path('t', 'sublink'));
  }
  const paths = (r: { data: Record<string, unknown> }): string[] =>
    (r.data['files'] as Array<{ path: string }>).map((f) => f.path.slice(h.dir.length + 1)).sort();

  it('matches base names, hidden folders are searched, names with newlines and quotes come back whole', async () => {
    await tree();
    const r = await h.run('find', { paths: h.path('t'), patterns: '*.conf', recurse: true }, { check: true });
    expect(r).toMatchObject({ changed: false, failed: false, msg: 'All paths examined' });
    expect(paths(r)).toEqual([
      "t/-n $(x) 'q'\n.conf",
      't/.hid/h.conf',
      't/a.conf',
      't/sub/b.conf',
      't/sub/deep/c.conf',
    ]);
    expect(r.data['examined']).toBe(9);
  });

  it('depth, follow, link and directory types, contains and checksums', async () => {
    await tree();
    expect(paths(await h.run('find', { paths: h.path('t'), recurse: true, depth: 2 }))).toEqual([
      "t/-n $(x) 'q'\n.conf",
      't/.hid/h.conf',
      't/a.conf',
      't/sub/b.conf',
    ]);
    const followed = await h.run('find', { paths: h.path('t'), recurse: true, follow: true, patterns: 'b.conf' });
    expect(paths(followed)).toEqual(['t/sub/b.conf', 't/sublink/b.conf']);
    const links = await h.run('find', { paths: h.path('t'), file_type: 'link' });
    expect(paths(links)).toEqual(['t/sublink']);
    expect((links.data['files'] as Array<Record<string, unknown>>)[0]).toMatchObject({ islnk: true, isdir: false });
    expect(paths(await h.run('find', { paths: h.path('t'), file_type: 'directory' }))).toEqual(['t/sub']);
    expect(paths(await h.run('find', { paths: h.path('t'), contains: 'port=\\d+' }))).toEqual(['t/a.conf']);
    const sum = await h.run('find', { paths: h.path('t'), patterns: 'a.conf', get_checksum: true });
    // sha1 of "port=80\n"
    expect((sum.data['files'] as Array<Record<string, unknown>>)[0]!['checksum']).toBe(
      'f6f646f13e035c2c329fc95c9e9f2e35749eb556',
    );
  });

  it('a path that is not a folder is skipped with a warning, not a failure; bad age fails', async () => {
    await tree();
    const r = await h.run('find', { paths: [h.path('nope'), h.path('t', 'a.conf')] });
    expect(r).toMatchObject({ failed: false, msg: 'Not all paths examined, check warnings for details' });
    expect(r.data['skipped_paths']).toEqual({
      [h.path('nope')]: `'${h.path('nope')}' is not a directory`,
      [h.path('t', 'a.conf')]: `'${h.path('t', 'a.conf')}' is not a directory`,
    });
    expect(r.registered['warnings']).toEqual([
      `Skipped '${h.path('nope')}' path due to this access issue: '${h.path('nope')}' is not a directory\n`,
      `Skipped '${h.path('t', 'a.conf')}' path due to this access issue: '${h.path('t', 'a.conf')}' is not a directory\n`,
    ]);
    expect(await h.run('find', { paths: h.dir, age: '3 days' })).toMatchObject({
      failed: true,
      msg: 'failed to process age',
    });
  });

  it('one round trip without contains or checksums', async () => {
    const conn = new FakeConnection([]);
    await getModule('find')!.decide({ ...h.context(), conn }, { paths: ['/a', '/b'], recurse: true });
    expect(conn.scripts).toHaveLength(1);
  });
});
