import { describe, expect, it } from 'vitest';
import { moduleRegistry } from '../../../src/modules/index.js';
import { runCli as bosun } from '../../helpers/cli.js';

describe('bosun doc', () => {
  it('prints a module: description, arguments, check mode, return values, example', async () => {
    const r = await bosun(['doc', 'copy']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')[0]).toBe('COPY  (check mode: full)');
    expect(r.out).toContain(moduleRegistry.get('copy')!.docs.short);
    for (const heading of ['ARGUMENTS', 'CHECK MODE', 'RETURN VALUES', 'EXAMPLE'])
      expect(r.out).toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(r.out).toMatch(/^ {2}dest {2}\(string, required\)$/m);
    expect(r.out).toMatch(/^ {6}default: true$/m);
    expect(r.out).toMatch(/^ {2}- copy:$/m);
  });

  it.each([
    ['ansible.builtin.file', 'FILE  (check mode: full)'],
    ['command', 'COMMAND  (check mode: partial)'],
  ])('%s', async (name, first) => {
    const r = await bosun(['doc', name]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(first);
  });

  it('--list names every module with its one-line description', async () => {
    const r = await bosun(['doc', '--list']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(moduleRegistry.size);
    expect(lines).toContain(
      `lineinfile  ${moduleRegistry.get('lineinfile')!.docs.short}`.replace(
        'lineinfile  ',
        `${'lineinfile'.padEnd(Math.max(...[...moduleRegistry.keys()].map((n) => n.length)))}  `,
      ),
    );
  });

  it.each([
    ['lineinfle', 'lineinfile'],
    ['copi', 'copy'],
    ['ansible.builtin.systemdd', 'systemd'],
  ])('an unknown name %s suggests %s', async (name, suggestion) => {
    const r = await bosun(['doc', name]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `bosun doc: no module named '${name}'; did you mean '${suggestion}'? (bosun doc --list shows them all)\n`,
    );
  });

  it('--markdown prints the generated argument table', async () => {
    const r = await bosun(['doc', 'stat', '--markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^\| Argument \| Type \| Default \| Meaning \|\n\|---\|---\|---\|---\|\n\| `path` \| string \| required \|/,
    );
  });

  it('without a name asks for one', async () => {
    const r = await bosun(['doc']);
    expect(r.code).toBe(5);
    expect(r.err).toContain('--list');
  });
});
