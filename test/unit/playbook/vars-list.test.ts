import { describe, expect, it } from 'vitest';
import { loadError, loadText, tasksOf } from './helpers.js';

describe('vars: as a list of mappings (merged in order, as Ansible does)', () => {
  const cases: Array<{ name: string; vars: string; want: Record<string, unknown> }> = [
    { name: 'a mapping', vars: '{ a: 1, b: 2 }', want: { a: 1, b: 2 } },
    { name: 'a list, merged', vars: '[{ a: 1 }, { b: 2 }]', want: { a: 1, b: 2 } },
    { name: 'a list, later wins', vars: '[{ a: 1, b: 1 }, { a: 2 }]', want: { a: 2, b: 1 } },
    { name: 'null', vars: 'null', want: {} },
  ];
  for (const c of cases) {
    it(`play vars: ${c.name}`, async () => {
      const pb = await loadText(`- hosts: all\n  vars: ${c.vars}\n  tasks: []\n`);
      expect(pb.plays[0]!.vars.values).toEqual(c.want);
    });
    it(`task vars: ${c.name}`, async () => {
      const pb = await loadText(`- hosts: all\n  tasks:\n    - debug: msg=x\n      vars: ${c.vars}\n`);
      const layers = tasksOf(pb.plays[0]!)[0]!.varLayers;
      expect(Object.assign({}, ...layers.map((l) => l.values))).toEqual(c.want);
    });
  }

  it('keeps the position of each variable in the list form', async () => {
    const pb = await loadText('- hosts: all\n  vars:\n    - a: 1\n    - b: 2\n  tasks: []\n');
    expect(pb.plays[0]!.vars.positions?.get('b')).toMatchObject({ line: 4, col: 10 });
  });

  it('an entry that is not a mapping is an error at that entry', async () => {
    const e = await loadError('- hosts: all\n  vars:\n    - a: 1\n    - just-a-string\n  tasks: []\n');
    expect(e.message).toMatch(/object|mapping/);
    expect(e.source).toMatchObject({ line: 4, col: 7 });
  });
});
