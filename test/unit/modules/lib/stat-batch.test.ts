/**
 * statMany stats every path with one `stat` (and one checksum process) and
 * must find exactly what the path-by-path statScript finds: files, folders,
 * links (followed or not), dangling links, links to targets with newlines,
 * absent paths, odd names, repeats. statResolved and statAndRead likewise.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localConnection } from '../../../helpers/module-harness.js';
import type { Connection } from '../../../../src/connection/types.js';
import {
  parseStatLines,
  RemoteFailure,
  statAndRead,
  statMany,
  statResolved,
  statScript,
} from '../../../../src/modules/lib/remote-file.js';
import {
  decodeLinkHex,
  isHexLine,
  mergedStatScript,
  parseBatchStat,
  statProbeScript,
  type StatProbe,
} from '../../../../src/modules/lib/stat-batch.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-stat-batch-'));
writeFileSync(join(dir, 'file'), 'hello\n');
writeFileSync(join(dir, '-dash name'), 'x');
mkdirSync(join(dir, 'folder'));
symlinkSync(join(dir, 'file'), join(dir, 'link'));
symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
mkdirSync(join(dir, 'new\nline'));
symlinkSync('new\nline\n', join(dir, 'newline-target'));
symlinkSync('new\nline', join(dir, 'to-folder'));
symlinkSync('link', join(dir, 'chain'));
const binary = Buffer.from([0, 1, 0xff, 0xfe, 0x0a, 0x80, 0x41, 0x0d, 0x0a]);
writeFileSync(join(dir, 'binary'), binary);
writeFileSync(join(dir, 'empty'), '');
symlinkSync('binary', join(dir, 'to-binary'));
// Reading a file to checksum it moves its atime (relatime) when atime is not after mtime and ctime, and the two
// sides of a comparison read at different moments: an atime a minute ahead keeps reads from moving it.
const now = Date.now() / 1000;
for (const f of ['file', '-dash name', 'binary', 'empty']) utimesSync(join(dir, f), now + 60, now - 60);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const conn = localConnection();
const paths = [
  'file',
  'folder',
  'link',
  'dangling',
  'absent',
  '-dash name',
  'newline-target',
  'to-folder',
  'chain',
  'file',
].map((p) => join(dir, p));

describe('statMany (batched) agrees with statScript path by path', () => {
  for (const opts of [
    {},
    { follow: true },
    { checksum: 'sha1' as const },
    { checksum: 'sha256' as const, follow: true },
  ]) {
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

  it('a link with resolve gets its `stat -L` line; a dangling one none', () => {
    const out =
      'E0\nE1\nS a1ff 0 0 4 1 1 1 1 root root\nS a1ff 0 0 4 1 1 2 1 root root\nT0\nT a1ff 0 0 4 1 1 3 1 root root\n';
    expect(parseBatchStat(out, 2)).toEqual([
      { exists: true, statLine: 'a1ff 0 0 4 1 1 1 1 root root', targetStatLine: 'a1ff 0 0 4 1 1 3 1 root root' },
      { exists: true, statLine: 'a1ff 0 0 4 1 1 2 1 root root' },
    ]);
    expect(parseBatchStat('E0\nS a1ff 0 0 4 1 1 1 1 root root\nT0\n', 1)).toBeUndefined();
  });
});

describe('when the batched output does not add up', () => {
  /** The local connection, with the first command's stdout cut after its first line (as if a path changed mid-script). */
  function cutFirst(): { conn: Connection; scripts: string[] } {
    const scripts: string[] = [];
    return {
      scripts,
      conn: {
        spec: conn.spec,
        connect: () => conn.connect(),
        writeFile: (p, d, m) => conn.writeFile(p, d, m),
        readFile: (p) => conn.readFile(p),
        close: async () => {},
        exec: async (script, opts) => {
          scripts.push(script);
          const res = await conn.exec(script, opts);
          return scripts.length === 1 ? { ...res, stdout: `${res.stdout.split('\n')[0]}\n` } : res;
        },
      },
    };
  }

  it('statMany and statResolved stat path by path in a second round trip, with the same results', async () => {
    const a = cutFirst();
    expect(await statMany(a.conn, paths, { checksum: 'sha1' })).toEqual(
      await statMany(conn, paths, { checksum: 'sha1' }),
    );
    expect(a.scripts).toHaveLength(2);
    const b = cutFirst();
    expect((await statResolved(b.conn, paths)).stats).toEqual((await statResolved(conn, paths)).stats);
    expect(b.scripts).toHaveLength(2);
  });

  it('a path that neither round trip finds is a RemoteFailure naming it', async () => {
    const broken: Connection = {
      spec: conn.spec,
      connect: async () => {},
      writeFile: async () => {},
      readFile: () => Promise.resolve(null),
      close: async () => {},
      exec: () => Promise.resolve({ rc: 2, stdout: '', stderr: 'stat: broken\n' }),
    };
    await expect(statMany(broken, [join(dir, 'file')])).rejects.toThrow(
      new RemoteFailure(`cannot stat ${join(dir, 'file')}: stat: broken`),
    );
    await expect(statResolved(broken, [join(dir, 'file')])).rejects.toBeInstanceOf(RemoteFailure);
  });
});

describe('link lines: readlink and readlink -f through one od, split at a NUL byte', () => {
  const cases: Array<[string, string[], { target: string; source: string }]> = [
    ['plain target', [' 61 0a 00 2f 61 0a'], { target: 'a', source: '/a' }],
    [
      'newlines in the target, od wrapping',
      [' 61 0a 62 0a 0a 00 2f 74 6d 70 2f 61 0a 62', ' 0a 0a'],
      { target: 'a\nb\n', source: '/tmp/a\nb\n' },
    ],
    ['readlink -f failed: empty source', [' 78 0a 00'], { target: 'x', source: '' }],
    ['readlink failed too (the link vanished)', [' 00'], { target: '', source: '' }],
    ['no od output at all', [], { target: '', source: '' }],
    ['UTF-8 target', [' c3 a9 0a 00 2f c3 a9 0a'], { target: 'é', source: '/é' }],
  ];
  it.each(cases)('%s', (_name, lines, want) => {
    expect(decodeLinkHex(lines)).toEqual(want);
  });

  it('od lines are told from the other lines of the output', () => {
    expect(isHexLine(' 61 0a 00')).toBe(true);
    expect(isHexLine('61 0a')).toBe(true);
    for (const line of ['', 'S 81a4 0 0 6 1 1 1 1 root root', 'E0', 'H1', 'T a1ff 0 0 4 1 1 3 1 root root'])
      expect(isHexLine(line)).toBe(false);
  });

  it('statScript and parseStatLines keep a target with newlines', async () => {
    const res = await conn.exec(statScript('x', join(dir, 'newline-target')));
    expect(parseStatLines(res.stdout).get('x')).toMatchObject({ type: 'link', linkTarget: 'new\nline\n' });
  });
});

describe('statResolved agrees with statScript without and with follow', () => {
  it('every kind of path, in one round trip', async () => {
    const { stats, thenStdout } = await statResolved(conn, paths, 'echo after');
    const single = await conn.exec(
      paths.map((p, i) => `${statScript(`o${i}`, p)}\n${statScript(`f${i}`, p, { follow: true })}`).join('\n'),
    );
    const expected = parseStatLines(single.stdout);
    paths.forEach((_, i) => expect(stats[i]).toEqual({ own: expected.get(`o${i}`), followed: expected.get(`f${i}`) }));
    expect(thenStdout).toBe('after\n');
  });
});

describe("statResolved without the links' readlink -f", () => {
  it('finds the same but linkSource', async () => {
    const { stats } = await statResolved(conn, paths);
    const without = await statResolved(conn, paths, '', { linkSource: false });
    const unsourced = (r: { own: object; followed: object }): unknown => ({
      own: { ...r.own, linkSource: undefined },
      followed: { ...r.followed, linkSource: undefined },
    });
    expect(without.stats.map(unsourced)).toEqual(stats.map(unsourced));
    expect(stats.some((s) => s.own.linkSource)).toBe(true);
  });
});

describe('statAndRead', () => {
  const cases: Array<[string, Buffer | null, string]> = [
    ['file', Buffer.from('hello\n'), 'file'],
    ['binary', binary, 'binary'],
    ['empty', Buffer.alloc(0), 'empty'],
    ['to-binary', binary, 'binary'],
    ['folder', null, 'folder'],
    ['absent', null, 'absent'],
    ['dangling', null, 'missing'],
  ];
  it.each(cases)('%s', async (name, data, real) => {
    const got = await statAndRead(conn, join(dir, name));
    expect(got.data).toEqual(data);
    expect(got.real).toBe(join(dir, real));
  });

  it('a file the shell fails to read is read over the connection instead', async () => {
    const failing = Object.assign(Object.create(conn) as typeof conn, {
      exec: (script: string) => conn.exec(script.replace('base64 <', 'false <')),
      readFile: () => Promise.resolve(Buffer.from('read over sftp')),
    });
    expect((await statAndRead(failing, join(dir, 'file'))).data).toEqual(Buffer.from('read over sftp'));
  });
});

describe('stat probes merged into one stat, one stat -L and one checksum process', () => {
  const unique = [...new Set(paths)];
  const probes: StatProbe[] = [
    { paths: unique, opts: {} },
    { paths: unique.slice(2, 6), opts: { follow: true } },
    { paths: unique.slice(0, 4), opts: { checksum: 'sha1' } },
    { paths: unique, opts: { checksum: 'sha256', follow: true } },
    { paths: unique.slice(3), opts: { checksum: 'sha1', follow: true } },
    { paths: unique, opts: { resolve: true } },
    { paths: unique, opts: { resolve: true, linkSource: false } },
    { paths: unique.slice(1), opts: { linkSource: false } },
    { paths: [join(dir, 'file')], opts: {} },
    // copy's follow: false asks which followed paths are themselves links (L lines).
    { paths: unique, opts: { follow: true, markLinks: true, checksum: 'sha1' } },
  ];

  it('gives each probe, byte for byte, the output of its own script', async () => {
    const merged = mergedStatScript(probes);
    const res = await conn.exec(merged.script, { readOnly: true });
    expect(res).toMatchObject({ rc: 0, stderr: '' });
    const answers = merged.answers(res.stdout);
    expect(answers).toHaveLength(probes.length);
    for (const [i, p] of probes.entries()) {
      const alone = await conn.exec(statProbeScript(p), { readOnly: true });
      expect(answers![i]).toBe(alone.stdout);
    }
    // One stat, one stat -L, one sha1sum and one sha256sum for all of them.
    for (const program of ['stat -c', 'stat -L', 'sha1sum', 'sha256sum'])
      expect(merged.script.split(program).length - 1).toBe(1);
  });

  it('output that does not add up is no answer', async () => {
    const merged = mergedStatScript(probes);
    const { stdout } = await conn.exec(merged.script, { readOnly: true });
    expect(merged.answers(stdout.replace(/^S .*\n/m, ''))).toBeUndefined();
    expect(merged.answers(stdout.replace('M2\n', ''))).toBeUndefined();
    expect(merged.answers(stdout.replace(/^K\d+\n/m, ''))).toBeUndefined();
    expect(merged.answers('')).toBeUndefined();
  });
});
