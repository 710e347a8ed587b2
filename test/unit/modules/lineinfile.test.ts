import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

// [name, file before, args, file after, msg] — placements as Ansible makes them.
const cases: Array<[string, string, Record<string, unknown>, string, string]> = [
  ['appends at EOF', 'a\nb\n', { line: 'c' }, 'a\nb\nc\n', 'line added'],
  ['adds a newline to an unterminated last line', 'a', { line: 'c' }, 'a\nc\n', 'line added'],
  [
    'replaces the last regexp match',
    'x=1\ny=2\nx=3\n',
    { regexp: '^x=', line: 'x=9' },
    'x=1\ny=2\nx=9\n',
    'line replaced',
  ],
  [
    'replaces the first match with firstmatch',
    'x=1\nx=3\n',
    { regexp: '^x=', line: 'x=9', firstmatch: true },
    'x=9\nx=3\n',
    'line replaced',
  ],
  ['search_string replaces literally', 'a.b=1\n', { search_string: 'a.b', line: 'a.b=2' }, 'a.b=2\n', 'line replaced'],
  [
    'insertafter a regex (last match)',
    's\nk\ns\nz\n',
    { line: 'new', insertafter: '^s' },
    's\nk\ns\nnew\nz\n',
    'line added',
  ],
  ['insertafter without match falls back to EOF', 'a\n', { line: 'new', insertafter: '^zz' }, 'a\nnew\n', 'line added'],
  ['insertbefore a regex', 'a\nb\n', { line: 'new', insertbefore: '^b' }, 'a\nnew\nb\n', 'line added'],
  ['insertbefore BOF', 'a\n', { line: 'new', insertbefore: 'BOF' }, 'new\na\n', 'line added'],
  [
    'regexp without match inserts after insertafter',
    'a\n[s]\nb\n',
    { regexp: '^k=', line: 'k=1', insertafter: '^\\[s\\]' },
    'a\n[s]\nk=1\nb\n',
    'line added',
  ],
  [
    'backrefs expand groups',
    'port=80\n',
    { regexp: '^port=(8\\d)$', line: 'port=\\1\\g<1>', backrefs: true },
    'port=8080\n',
    'line replaced',
  ],
  ['absent removes every match', 'a\n#x\nb\n#y\n', { regexp: '^#', state: 'absent' }, 'a\nb\n', '2 line(s) removed'],
  ['absent by exact line', 'a\nb\na\n', { line: 'a', state: 'absent' }, 'b\n', '2 line(s) removed'],
];

describe('lineinfile', () => {
  it.each(cases)('%s', async (_name, before, args, after, msg) => {
    const p = h.path('f');
    await fs.writeFile(p, before);
    const snap = await snapshot(p);
    const check = await h.run('lineinfile', { path: p, ...args }, { check: true, diff: true });
    expect(check).toMatchObject({ changed: true, msg });
    expect(check.diff[0]).toEqual({
      path: p,
      before,
      after,
      beforeHeader: `${p} (content)`,
      afterHeader: `${p} (content)`,
    });
    expect(await snapshot(p)).toEqual(snap);
    const real = await h.run('lineinfile', { path: p, ...args });
    expect(real).toMatchObject({ changed: true, msg, failed: false });
    expect(await fs.readFile(p, 'utf8')).toBe(after);
    const again = await h.run('lineinfile', { path: p, ...args });
    expect(again.changed).toBe(false);
  });

  it.each([
    ['line already present', 'a\nb\n', { line: 'a' }],
    ['backrefs without match', 'a\n', { regexp: '^zz(.*)', line: '\\1', backrefs: true }],
    ['absent with nothing to remove', 'a\n', { regexp: '^zz', state: 'absent' }],
  ])('no change: %s', async (_name, before, args) => {
    const p = h.path('f');
    await fs.writeFile(p, before);
    const r = await h.run('lineinfile', { path: p, ...args });
    expect(r.changed).toBe(false);
    expect(await fs.readFile(p, 'utf8')).toBe(before);
  });

  it('missing file: fails without create, creates (and its folder) with create', async () => {
    const p = h.path('sub', 'new.conf');
    const r = await h.run('lineinfile', { path: p, line: 'x' });
    expect(r).toMatchObject({ failed: true, msg: `Destination ${p} does not exist !` });
    const check = await h.run('lineinfile', { dest: p, line: 'x', create: 'yes' }, { check: true });
    expect(check.changed).toBe(true);
    await expect(fs.access(h.path('sub'))).rejects.toThrow();
    const made = await h.run('lineinfile', { name: p, line: 'x', create: true, mode: '0600' });
    expect(made.changed).toBe(true);
    expect(await fs.readFile(p, 'utf8')).toBe('x\n');
    expect((await fs.stat(p)).mode & 0o777).toBe(0o600);
    expect((await h.run('lineinfile', { path: h.path('nope'), line: 'x', state: 'absent' })).msg).toBe(
      'file not present',
    );
  });

  it('keeps mode and owner of the file it replaces; mode-only change says so', async () => {
    const p = h.path('m');
    await fs.writeFile(p, 'a\n', { mode: 0o600 });
    await fs.chown(p, 65534, 65534);
    await h.run('lineinfile', { path: p, line: 'b' });
    const st = await fs.stat(p);
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o600, 65534, 65534]);
    const r = await h.run('lineinfile', { path: p, line: 'b', mode: '0644' });
    expect(r).toMatchObject({ changed: true, msg: 'ownership, perms or SE linux context changed' });
  });

  it('writes through a symlink to the real file', async () => {
    await fs.writeFile(h.path('real'), 'a\n');
    await fs.symlink(h.path('real'), h.path('ln'));
    await h.run('lineinfile', { path: h.path('ln'), line: 'b' });
    expect(await fs.readFile(h.path('real'), 'utf8')).toBe('a\nb\n');
    expect((await fs.lstat(h.path('ln'))).isSymbolicLink()).toBe(true);
  });

  it('backup and validate', async () => {
    const p = h.path('v');
    await fs.writeFile(p, 'ok\n');
    const bad = await h.run('lineinfile', { path: p, line: 'broken', validate: `sh -c '! grep -q broken "$1"' _ %s` });
    expect(bad.failed).toBe(true);
    expect(await fs.readFile(p, 'utf8')).toBe('ok\n');
    const r = await h.run('lineinfile', { path: p, line: 'fine', backup: true });
    expect(await fs.readFile(String(r.data['backup']), 'utf8')).toBe('ok\n');
  });

  it.each([
    [{ line: 'x', insertafter: 'a', insertbefore: 'b' }, 'mutually exclusive: insertafter|insertbefore'],
    [{ regexp: 'x' }, 'line is required with state=present'],
    [{ state: 'absent' }, 'one of line, search_string, or regexp is required with state=absent'],
    [{ line: 'x', backrefs: true }, 'regexp is required with backrefs=true'],
    [{ line: 'x', regexp: '(' }, 'invalid regular expression'],
  ])('argument errors: %j', async (args, msg) => {
    await fs.writeFile(h.path('f'), '');
    const r = await h.run('lineinfile', { path: h.path('f'), ...args });
    expect(r.failed).toBe(true);
    expect(r.msg).toContain(msg);
  });
});
