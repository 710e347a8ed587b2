import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

// Ansible's command.py: `if glob.glob(creates)` / `if not glob.glob(removes)`, after chdir, on the target.
describe('command/shell creates and removes take glob patterns, as Ansible', () => {
  const cases: Array<{ pattern: string; files: string[]; matches: boolean }> = [
    { pattern: '*.done', files: ['a.done'], matches: true },
    { pattern: '*.done', files: ['a.txt'], matches: false },
    { pattern: 'out/*', files: ['out/x'], matches: true },
    { pattern: 'a?.log', files: ['ab.log'], matches: true },
    { pattern: '[xy].txt', files: ['y.txt'], matches: true },
    { pattern: '*', files: ['.hidden'], matches: false },
    { pattern: 'plain', files: ['plain'], matches: true },
    { pattern: 'with space*', files: ['with spaces'], matches: true },
    { pattern: '$HOME', files: [], matches: false },
  ];
  for (const module of ['command', 'shell']) {
    for (const c of cases) {
      it(`${module} creates='${c.pattern}' with [${c.files.join(', ')}]: ${c.matches ? 'not run' : 'runs'}`, async () => {
        for (const f of c.files) {
          await fs.mkdir(h.path(f.split('/').slice(0, -1).join('/') || '.'), { recursive: true });
          await fs.writeFile(h.path(f), '');
        }
        const created = await h.run(module, { cmd: 'true', chdir: h.dir, creates: c.pattern });
        expect(created.changed).toBe(!c.matches);
        const removed = await h.run(module, { cmd: 'true', chdir: h.dir, removes: c.pattern });
        expect(removed.changed).toBe(c.matches);
      });
    }
  }

  it('an absolute pattern needs no chdir', async () => {
    await fs.writeFile(h.path('x.lock'), '');
    const r = await h.run('command', { cmd: 'true', creates: h.path('*.lock') });
    expect(r).toMatchObject({ changed: false, msg: `Did not run command since '${h.path('*.lock')}' exists` });
  });

  it('a plain absolute path (tested in the shell itself, no glob): odd names, a dangling link, an absent path', async () => {
    const odd = h.path("it's a \\ $HOME `x`");
    await fs.writeFile(odd, '');
    await fs.symlink(h.path('missing'), h.path('dangling'));
    for (const [path, exists] of [
      [odd, true],
      [h.path('dangling'), true],
      [h.path('absent'), false],
      [h.path('$HOME'), false],
    ] as const) {
      expect((await h.run('command', { cmd: 'true', creates: path })).changed).toBe(!exists);
      expect((await h.run('command', { cmd: 'true', removes: path })).changed).toBe(exists);
    }
  });
});
