import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { parseYaml } from '../../../src/util/yaml.js';

function errorOf(text: string): BosunError {
  try {
    parseYaml(text, 'play.yml');
  } catch (e) {
    if (e instanceof BosunError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const x10 = (name: string): string => `[${Array.from({ length: 10 }, () => `*${name}`).join(', ')}]`;

describe('YAML aliases', () => {
  it('an alias bomb says so, at the first alias of an anchor that holds aliases, with a hint that fits', () => {
    const text = [
      '- hosts: all',
      '  vars:',
      '    a: &a [x, x, x, x, x, x, x, x, x, x]',
      `    b: &b ${x10('a')}`,
      `    c: &c ${x10('b')}`,
      `    d: &d ${x10('c')}`,
      '  tasks: []',
      '',
    ].join('\n');
    const err = errorOf(text);
    expect(err.code).toBe('YAML_SYNTAX');
    expect(err.message).toMatch(/aliases expand to more than 1000 copies of data \(a "billion laughs" alias bomb\?\)/);
    expect(err.source).toEqual({ file: 'play.yml', line: 5, col: 12 });
    expect(err.hint).toMatch(/anchor that itself holds aliases multiplies/);
    expect(err.hint).not.toMatch(/needs an anchor/);
  });

  it('an alias without its anchor is pointed at, with the anchor hint', () => {
    const err = errorOf('- hosts: all\n  vars:\n    a: *nowhere\n  tasks: []\n');
    expect(err.code).toBe('YAML_SYNTAX');
    expect(err.source).toMatchObject({ line: 3, col: 8 });
    expect(err.hint).toMatch(/needs an anchor \(&name\) earlier/);
  });

  it('many aliases of a plain anchor are fine', () => {
    const text = `- hosts: all\n  vars:\n    a: &a [x, y]\n    b: ${x10('a')}\n  tasks: []\n`;
    const vars = (parseYaml(text, 'play.yml').value as Array<{ vars: { b: unknown[] } }>)[0]!.vars;
    expect(vars.b).toHaveLength(10);
  });
});
