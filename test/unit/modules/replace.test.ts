import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { translatePyRegex } from '../../../src/modules/lib/py-regex.js';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';
import { hasAnsible, runAnsible } from './ansible-diff.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

// [name, file before, args, file after, msg]
const cases: Array<[string, string, Record<string, unknown>, string, string]> = [
  ['every occurrence', 'a=1\nb=1\na=1\n', { regexp: '=1', replace: '=2' }, 'a=2\nb=2\na=2\n', '3 replacements made'],
  [
    '^ and $ match at every line (multiline)',
    'x\ny\n',
    { regexp: '^(\\w)$', replace: '[\\1]' },
    '[x]\n[y]\n',
    '2 replacements made',
  ],
  [
    '\\g<name> and \\g<1>',
    'port 80\n',
    { regexp: '(?P<k>port) (\\d+)', replace: '\\g<k>=\\g<2>' },
    'port=80\n',
    '1 replacements made',
  ],
  ['empty replace deletes', '# c\nk\n# d\n', { regexp: '^#.*\\n' }, 'k\n', '2 replacements made'],
  [
    'only after a pattern',
    'a\n[s]\na\n',
    { regexp: '^a$', replace: 'b', after: '\\[s\\]' },
    'a\n[s]\nb\n',
    '1 replacements made',
  ],
  [
    'only before a pattern',
    'a\n[s]\na\n',
    { regexp: '^a$', replace: 'b', before: '\\[s\\]' },
    'b\n[s]\na\n',
    '1 replacements made',
  ],
  [
    'between after and before',
    'a\n<x>\na\na\n</x>\na\n',
    { regexp: '^a$', replace: 'b', after: '<x>', before: '</x>' },
    'a\n<x>\nb\nb\n</x>\na\n',
    '2 replacements made',
  ],
  [
    'a dollar sign in replace is literal',
    'v\n',
    { regexp: 'v', replace: '$1 $& \\\\' },
    '$1 $& \\\n',
    '1 replacements made',
  ],
  ['(?i) flag', 'Foo\n', { regexp: '(?i)foo', replace: 'bar' }, 'bar\n', '1 replacements made'],
  ['\\A anchors the file start only', 'a\na\n', { regexp: '\\Aa', replace: 'b' }, 'b\na\n', '1 replacements made'],
];

describe('replace', () => {
  it.each(cases)('%s', async (_name, before, args, after, msg) => {
    const p = h.path('f');
    await fs.writeFile(p, before);
    const snap = await snapshot(p);
    const check = await h.run('replace', { path: p, ...args }, { check: true, diff: true });
    expect(check).toMatchObject({ changed: true, msg });
    expect(check.diff[0]).toMatchObject({ before, after });
    expect(await snapshot(p)).toEqual(snap);
    expect(await h.run('replace', { path: p, ...args })).toMatchObject({ changed: true, msg, failed: false });
    expect(await fs.readFile(p, 'utf8')).toBe(after);
    expect((await h.run('replace', { path: p, ...args })).changed).toBe(false);
  });

  it.each([
    ['no match', 'a\n', { regexp: 'zz', replace: 'y' }, ''],
    ['replacing with the same text', 'a\n', { regexp: 'a', replace: 'a' }, ''],
    [
      'after that does not match',
      'a\n',
      { regexp: 'a', replace: 'b', after: 'zz' },
      'Pattern for before/after params did not match the given file: zz(?P<subsection>.*)',
    ],
  ])('no change: %s', async (_name, before, args, msg) => {
    const p = h.path('f');
    await fs.writeFile(p, before);
    expect(await h.run('replace', { path: p, ...args })).toMatchObject({ changed: false, msg });
    expect(await fs.readFile(p, 'utf8')).toBe(before);
  });

  it('fails on a missing file and a bad regexp; latin-1 round-trips', async () => {
    expect(await h.run('replace', { path: h.path('nope'), regexp: 'a' })).toMatchObject({
      failed: true,
      msg: `Path ${h.path('nope')} does not exist !`,
    });
    await fs.writeFile(h.path('f'), 'a\n');
    expect((await h.run('replace', { path: h.path('f'), regexp: '(' })).msg).toMatch(/invalid regular expression/);
    await fs.writeFile(h.path('l'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    expect(
      await h.run('replace', { path: h.path('l'), regexp: 'caf', replace: 'th', encoding: 'latin-1' }),
    ).toMatchObject({ changed: true });
    expect([...(await fs.readFile(h.path('l')))]).toEqual([0x74, 0x68, 0xe9, 0x0a]);
  });

  it.each([
    ['(?P<a>x)(?P=a)', '(?<a>x)\\k<a>', ''],
    ['(?ms)^a.b\\Z', '^a.b(?![\\s\\S])', 'ms'],
    ['\\\\A', '\\\\A', ''],
  ])('translates %s', (py, js, flags) => {
    expect(translatePyRegex(py)).toEqual({ source: js, flags });
  });

  it.skipIf(!hasAnsible)(
    'writes the same bytes as ansible-core for every table case',
    async () => {
      const tasks = [];
      for (const [i, [, before, args]] of cases.entries()) {
        for (const side of ['a', 'b']) await fs.writeFile(h.path(`${side}${i}`), before);
        tasks.push({ module: 'replace', args: { path: h.path(`a${i}`), ...args } });
      }
      const results = await runAnsible(h.dir, tasks);
      for (const [i, [name, , args]] of cases.entries()) {
        const ours = await h.run('replace', { path: h.path(`b${i}`), ...args });
        expect(await fs.readFile(h.path(`b${i}`), 'utf8'), name).toBe(await fs.readFile(h.path(`a${i}`), 'utf8'));
        expect([ours.changed, ours.msg], name).toEqual([results[i]!['changed'], results[i]!['msg']]);
      }
    },
    120_000,
  );
});
