import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandLoopItems, expandLookupLoop, type LoopLookup } from '../../../src/playbook/loop-lookups.js';
import { loadError, loadText, tasksOf, writeTree } from './helpers.js';

const source = { file: 'site.yml', line: 3, col: 7 };
const ctx = { source, searchDirs: [] };
const users = [
  { name: 'alice', keys: ['k1', 'k2'], mysql: { hosts: ['h1'] } },
  { name: 'bob', keys: ['k3'] },
  { name: 'carol' },
];

// Every `want` is what ansible-playbook 2.14 printed for the same loop (oneline callback, item of each result).
describe('with_<lookup> loops give the items Ansible gives', () => {
  const cases: Array<{ lookup: LoopLookup; value: unknown; want: unknown[] }> = [
    {
      lookup: 'together',
      value: [
        ['a', 'b', 'c'],
        [1, 2],
        [['x', 'y'], 'z'],
      ],
      want: [
        ['a', 1, 'x', 'y'],
        ['b', 2, 'z'],
        ['c', null, null],
      ],
    },
    { lookup: 'together', value: [['a'], 'b'], want: [['a', 'b']] },
    { lookup: 'sequence', value: 'start=1 end=5', want: ['1', '2', '3', '4', '5'] },
    { lookup: 'sequence', value: '2-10/4:host%02d', want: ['host02', 'host06', 'host10'] },
    { lookup: 'sequence', value: 'start=0x0f00 count=3 format=%04x', want: ['0f00', '0f01', '0f02'] },
    { lookup: 'sequence', value: 'start=5 end=1 stride=-2', want: ['5', '3', '1'] },
    { lookup: 'sequence', value: ['count=2', '3'], want: ['1', '2', '1', '2', '3'] },
    { lookup: 'sequence', value: 'start=0 count=5 stride=2', want: ['0', '2', '4', '6', '8'] },
    { lookup: 'sequence', value: 'count=0', want: [] },
    { lookup: 'sequence', value: '4:host%02d', want: ['host01', 'host02', 'host03', 'host04'] },
    { lookup: 'sequence', value: 'start=5 end=11 stride=2 format=0x%02x', want: ['0x05', '0x07', '0x09', '0x0b'] },
    { lookup: 'sequence', value: 'end=3 format="%s item"', want: ['1 item', '2 item', '3 item'] },
    {
      lookup: 'nested',
      value: [['a', 'b'], [1, 2], 'z'],
      want: [
        ['a', 1, 'z'],
        ['a', 2, 'z'],
        ['b', 1, 'z'],
        ['b', 2, 'z'],
      ],
    },
    {
      lookup: 'nested',
      value: [['alice', 'bob']],
      want: [
        ['a', 'l', 'i', 'c', 'e'],
        ['b', 'o', 'b'],
      ],
    },
    {
      lookup: 'cartesian',
      value: [
        ['a', 'b'],
        [1, 2],
      ],
      want: [
        ['a', 1],
        ['a', 2],
        ['b', 1],
        ['b', 2],
      ],
    },
    { lookup: 'cartesian', value: [['alice', 'bob']], want: [['alice'], ['bob']] },
    {
      lookup: 'indexed_items',
      value: ['a', ['b', 'c'], 'd'],
      want: [
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
        [3, 'd'],
      ],
    },
    {
      lookup: 'subelements',
      value: [users, 'keys', { skip_missing: true }],
      want: [
        [{ name: 'alice', mysql: { hosts: ['h1'] } }, 'k1'],
        [{ name: 'alice', mysql: { hosts: ['h1'] } }, 'k2'],
        [{ name: 'bob' }, 'k3'],
      ],
    },
    {
      lookup: 'subelements',
      value: [users, 'mysql.hosts', { skip_missing: 'yes' }],
      want: [[{ name: 'alice', keys: ['k1', 'k2'], mysql: {} }, 'h1']],
    },
    { lookup: 'subelements', value: [{ skipped: true, results: [] }, 'x'], want: [] },
    { lookup: 'subelements', value: [[{ a: [1], skipped: true }, { a: [2] }], 'a'], want: [[{}, 2]] },
  ];
  for (const c of cases) {
    it(`with_${c.lookup}: ${JSON.stringify(c.value)}`, () => {
      expect(expandLookupLoop(c.lookup, c.value, ctx)).toEqual(c.want);
    });
  }

  it('with_subelements does not change the variable it walks', () => {
    const data = structuredClone(users);
    expandLookupLoop('subelements', [data, 'mysql.hosts', { skip_missing: true }], ctx);
    expect(data).toEqual(users);
  });

  const errors: Array<{ lookup: LoopLookup; value: unknown; message: string }> = [
    { lookup: 'sequence', value: 'start=1', message: 'must specify count or end in with_sequence' },
    { lookup: 'sequence', value: 'end=3 count=2', message: "can't specify both count and end in with_sequence" },
    { lookup: 'sequence', value: 'start=5 end=1', message: 'to count backwards make stride negative' },
    { lookup: 'sequence', value: 'start=1 end=5 stride=-1', message: "to count forward don't make stride negative" },
    { lookup: 'sequence', value: 'start=a end=5', message: "can't parse start=a as integer" },
    { lookup: 'sequence', value: 'end=5 step=2', message: "unrecognized arguments to with_sequence: ['step']" },
    { lookup: 'sequence', value: 'end=5 format=%d-%d', message: 'bad formatting string: %d-%d' },
    { lookup: 'subelements', value: [users], message: 'subelements lookup expects a list of two or three items, ' },
    {
      lookup: 'subelements',
      value: [users, 'keys'],
      message: 'could not find \'keys\' key in iterated item \'{"name":"carol"}\'',
    },
    { lookup: 'subelements', value: [['x'], 'keys'], message: "subelements lookup expects a dictionary, got 'x'" },
    { lookup: 'subelements', value: [[{ k: 1 }], 'k'], message: "the key k should point to a list, got '1'" },
    { lookup: 'together', value: [], message: 'with_together requires at least one element in each list' },
    { lookup: 'nested', value: [], message: 'with_nested requires at least one element in the nested list' },
  ];
  for (const c of errors) {
    it(`with_${c.lookup}: ${JSON.stringify(c.value)} fails: ${c.message}`, () => {
      expect(() => expandLookupLoop(c.lookup, c.value, ctx)).toThrow(c.message);
      try {
        expandLookupLoop(c.lookup, c.value, ctx);
      } catch (e) {
        expect((e as { source?: unknown }).source).toEqual(source);
      }
    });
  }
});

describe('with_fileglob (on the controller, searched as Ansible does)', () => {
  const dir = writeTree({
    'files/a.conf': '',
    'files/b.conf': '',
    'files/.h.conf': '',
    'files/sub/s.conf': '',
    'x.conf': '',
    'only-here.txt': '',
    'roles/r/files/r1.conf': '',
    'roles/r/tasks/main.yml': '',
  });
  mkdirSync(path.join(dir, 'files', 'dir.conf'));
  writeFileSync(path.join(dir, 'sub2.conf'), '');
  const play = [dir];
  const role = [path.join(dir, 'roles/r'), path.join(dir, 'roles/r/tasks'), dir];
  const cases: Array<{ name: string; dirs: string[]; value: unknown; want: string[] }> = [
    {
      name: 'a bare pattern: files/ first (hidden files and folders left out)',
      dirs: play,
      value: '*.conf',
      want: ['files/a.conf', 'files/b.conf'],
    },
    { name: 'falls back to the folder itself', dirs: play, value: '*.txt', want: ['only-here.txt'] },
    { name: 'a pattern with a folder, under files/', dirs: play, value: 'sub/*.conf', want: ['files/sub/s.conf'] },
    { name: 'an absolute pattern', dirs: play, value: `${dir}/*.conf`, want: ['sub2.conf', 'x.conf'] },
    { name: "in a role: the role's files/ first", dirs: role, value: '*.conf', want: ['roles/r/files/r1.conf'] },
    { name: 'in a role: the playbook folder last', dirs: role, value: 'sub/*', want: ['files/sub/s.conf'] },
    { name: 'several patterns', dirs: play, value: ['a.*', 'sub/s.*'], want: ['files/a.conf', 'files/sub/s.conf'] },
    { name: 'nothing matches', dirs: play, value: 'nothing/*.x', want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(expandLookupLoop('fileglob', c.value, { source, searchDirs: c.dirs })).toEqual(
        c.want.map((w) => path.join(dir, w)),
      );
    });
  }
});

describe('with_* on tasks, as loaded', () => {
  it('keeps the lookup, and the search folders for fileglob', async () => {
    const pb = await loadText(
      '- hosts: all\n  tasks:\n    - debug: { msg: "{{ item }}" }\n      with_fileglob: "*.conf"\n    - debug: { msg: "{{ item }}" }\n      with_together: [[a], "{{ b }}"]\n',
    );
    const [glob, together] = tasksOf(pb.plays[0]!);
    expect(glob!.loop).toMatchObject({ lookup: 'fileglob', flatten: false, searchDirs: [pb.dir] });
    expect(together!.loop).toMatchObject({
      lookup: 'together',
      value: [['a'], '{{ b }}'],
      source: { line: 6, col: 22 },
    });
    expect(expandLoopItems(together!.loop!, [['a'], ['b']])).toEqual([['a', 'b']]);
  });

  it('a plain loop still needs a list, and with_items still flattens', () => {
    expect(expandLoopItems({ value: '', source, flatten: true }, [[1, 2], 3])).toEqual([1, 2, 3]);
    expect(() => expandLoopItems({ value: '', source, flatten: false }, 'x')).toThrow(
      'loop expects a list, got string',
    );
  });

  it('a bad with_sequence without templates is a load-time error at the loop', async () => {
    const e = await loadError('- hosts: all\n  tasks:\n    - debug: msg=x\n      with_sequence: start=5 end=1\n');
    expect(e.message).toBe('to count backwards make stride negative');
    expect(e.source).toMatchObject({ line: 4, col: 22 });
  });

  it('two loops on one task is an error at the second', async () => {
    const e = await loadError(
      '- hosts: all\n  tasks:\n    - debug: msg=x\n      loop: [1]\n      with_sequence: count=2\n',
    );
    expect(e.message).toBe("a task takes one loop, found 'loop' and 'with_sequence'");
    expect(e.source).toMatchObject({ line: 5, col: 7 });
  });

  it('include_tasks takes with_* too; import_tasks cannot loop', async () => {
    const pb = await loadText('- hosts: all\n  tasks:\n    - include_tasks: t.yml\n      with_sequence: count=2\n', {
      't.yml': '[]\n',
    });
    expect(pb.plays[0]!.sections.tasks[0]!).toMatchObject({ kind: 'include', loop: { lookup: 'sequence' } });
    const e = await loadError('- hosts: all\n  tasks:\n    - import_tasks: t.yml\n      with_nested: [[1]]\n', {
      't.yml': '[]\n',
    });
    expect(e.message).toMatch(/import_tasks cannot loop/);
    expect(e.source).toMatchObject({ line: 4, col: 7 });
  });

  it('with_<lookup> of a lookup that reads the run loads as a query of that plugin', async () => {
    const pb = await loadText(
      '- hosts: all\n  tasks:\n    - debug: msg={{ item }}\n      with_inventory_hostnames: web\n',
    );
    expect(tasksOf(pb.plays[0]!)[0]!).toMatchObject({ loop: { query: 'inventory_hostnames', value: 'web' } });
    const e = await loadError('- hosts: all\n  tasks:\n    - debug: msg=x\n      with_no_such_lookup: [1]\n');
    expect(e.message).toMatch(/unknown keyword: 'debug', 'with_no_such_lookup'/);
  });

  it('a query loop listifies its value: a string is one term, a list the terms', () => {
    const seen: unknown[][] = [];
    const loop = { value: '', source: { file: 'p.yml', line: 1, col: 1 }, flatten: false, query: 'file' };
    const q = (name: string, terms: unknown[]) => (seen.push([name, ...terms]), terms);
    expect(expandLoopItems(loop, 'a.txt', q)).toEqual(['a.txt']);
    expect(expandLoopItems(loop, ['a', 'b'], q)).toEqual(['a', 'b']);
    expect(seen).toEqual([
      ['file', 'a.txt'],
      ['file', 'a', 'b'],
    ]);
    expect(() => expandLoopItems(loop, 'x')).toThrow(/with_file is not available here/);
  });
});
