/**
 * include_vars on controller files: Ansible's search order, dir walks with
 * depth/files_matching/ignore_files/extensions, failures under `message`,
 * hash_behaviour=merge, check mode, and hostile file names and values.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { combineVars, pyJoin, searchCandidates, walkSorted } from '../../../src/modules/lib/vars-files.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

async function write(rel: string, text: string): Promise<string> {
  const p = path.join(h.dir, rel);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, text);
  return p;
}

describe('include_vars search paths', () => {
  it.each([
    {
      name: 'outside a role: task folder then playbook, each with vars/ first',
      source: 'x.yml',
      paths: { fileDir: '/p/tasks', playbookDir: '/p' },
      want: ['/p/tasks/vars/x.yml', '/p/tasks/x.yml', '/p/vars/x.yml', '/p/x.yml'],
    },
    {
      name: 'in a role: the role, its tasks/, then the playbook',
      source: 'x.yml',
      paths: { roleDir: '/p/roles/r', fileDir: '/p/roles/r/tasks', playbookDir: '/p' },
      want: [
        '/p/roles/r/vars/x.yml',
        '/p/roles/r/x.yml',
        '/p/roles/r/tasks/vars/x.yml',
        '/p/roles/r/tasks/x.yml',
      ].concat(['/p/vars/x.yml', '/p/x.yml']),
    },
    {
      name: 'a name starting with vars/ is not put under vars/ again',
      source: 'vars/x.yml',
      paths: { fileDir: '/p', playbookDir: '/p' },
      want: ['/p/vars/x.yml', '/p/vars/x.yml'],
    },
    {
      name: 'absolute',
      source: '/etc/../etc/x.yml',
      paths: { fileDir: '/p', playbookDir: '/p' },
      want: ['/etc/x.yml'],
    },
  ])('$name', ({ source, paths, want }) => {
    expect(searchCandidates(source, 'vars', paths)).toEqual(want);
  });

  it('pyJoin keeps ./ and lets an absolute part win, as os.path.join', () => {
    expect(pyJoin('/r/vars', '.', 'x.yml')).toBe('/r/vars/./x.yml');
    expect(pyJoin('/r', '/abs')).toBe('/abs');
    expect(pyJoin('/r/', 'x')).toBe('/r/x');
  });

  it('combineVars merges dicts recursively only with merge; lists are replaced', () => {
    expect(combineVars({ a: { x: 1, l: [1] } }, { a: { y: 2, l: [2] } }, true)).toEqual({ a: { x: 1, y: 2, l: [2] } });
    expect(combineVars({ a: 1 }, { b: 2 }, false)).toEqual({ b: 2 });
  });
});

describe('include_vars', () => {
  it('loads a file found beside the task, in its vars/ first; ok, never changed; check mode the same', async () => {
    await write('vars/a.yml', 'a: 1\n');
    await write('a.yml', 'a: wrong\n');
    const paths = { fileDir: h.dir, playbookDir: h.dir };
    for (const check of [false, true]) {
      const r = await h.run('include_vars', { file: 'a.yml' }, { searchPaths: paths, check });
      expect(r).toMatchObject({ status: 'ok', changed: false });
      expect(r.registered['ansible_facts']).toEqual({ a: 1 });
      expect(r.registered['ansible_included_var_files']).toEqual([path.join(h.dir, 'vars/a.yml')]);
    }
  });

  it('name= nests the variables; an empty file loads nothing but is listed', async () => {
    const file = await write('e.yml', '');
    const r = await h.run('include_vars', { file, name: 'under' });
    expect(r.registered['ansible_facts']).toEqual({ under: {} });
    expect(r.registered['ansible_included_var_files']).toEqual([file]);
  });

  it('a file that is not a mapping fails under message, as Ansible words it', async () => {
    const file = await write('l.yml', '- a\n');
    const r = await h.run('include_vars', { file });
    expect(r.failed).toBe(true);
    expect(r.registered['message']).toBe(`${file} must be stored as a dictionary/hash`);
    expect(r.registered['ansible_included_var_files']).toEqual([]);
  });

  it('a missing file lists the places searched', async () => {
    const r = await h.run(
      'include_vars',
      { file: 'nope.yml' },
      { searchPaths: { fileDir: h.dir, playbookDir: h.dir } },
    );
    expect(r.failed).toBe(true);
    expect(String(r.registered['message'])).toContain(`Searched in:\n\t${h.dir}/vars/nope.yml\n\t${h.dir}/nope.yml`);
  });

  it('dir: folders sorted, later files win, depth counts folders of the sorted walk', async () => {
    await write('d/10.yml', 'x: 10\nshared: d10\n');
    await write('d/20.json', '{"y": 20, "shared": "d20"}');
    await write('d/sub/30.yml', 'z: 30\n');
    const all = await h.run('include_vars', { dir: path.join(h.dir, 'd') });
    expect(all.registered['ansible_facts']).toEqual({ x: 10, y: 20, z: 30, shared: 'd20' });
    const one = await h.run('include_vars', { dir: path.join(h.dir, 'd'), depth: 1 });
    expect(one.registered['ansible_facts']).toEqual({ x: 10, y: 20, shared: 'd20' });
    expect(walkSorted(path.join(h.dir, 'd'), 0).map((f) => path.relative(h.dir, f.root))).toEqual(['d', 'd/sub']);
  });

  it('dir: files_matching, ignore_files (a string split on spaces) and extensions', async () => {
    await write('d/10.yml', 'x: 10\n');
    await write('d/11.yaml', 'y: 11\n');
    await write('d/20.yml', 'z: 20\n');
    const dir = path.join(h.dir, 'd');
    const m = await h.run('include_vars', { dir, files_matching: '^1' });
    expect(m.registered['ansible_facts']).toEqual({ x: 10, y: 11 });
    const ig = await h.run('include_vars', { dir, ignore_files: '10.yml 2.\\.yml' });
    expect(ig.registered['ansible_facts']).toEqual({ y: 11 });
    const ext = await h.run('include_vars', { dir, extensions: ['yaml'], ignore_unknown_extensions: true });
    expect(ext.registered['ansible_facts']).toEqual({ y: 11 });
  });

  it('dir: an unknown extension fails after the files before it (listed), unless ignored', async () => {
    await write('d/10.yml', 'x: 10\n');
    await write('d/readme.txt', 'hello\n');
    const dir = path.join(h.dir, 'd');
    const r = await h.run('include_vars', { dir });
    expect(r.failed).toBe(true);
    expect(r.registered['message']).toBe(`${dir}/readme.txt does not have a valid extension: yaml, yml, json`);
    expect(r.registered['ansible_included_var_files']).toEqual([`${dir}/10.yml`]);
    const ok = await h.run('include_vars', { dir, ignore_unknown_extensions: 'yes' });
    expect(ok.registered['ansible_facts']).toEqual({ x: 10 });
  });

  it('dir: missing, or a file', async () => {
    const file = await write('f.yml', 'a: 1\n');
    expect((await h.run('include_vars', { dir: `${h.dir}/none` })).registered['message']).toBe(
      `${h.dir}/none directory does not exist`,
    );
    expect((await h.run('include_vars', { dir: file })).registered['message']).toBe(`${file} is not a directory`);
  });

  it('mixing file and dir arguments is an error', async () => {
    // Raised, as Ansible's plugin raises it: the executor makes it the task's failure with its position.
    await expect(h.run('include_vars', { file: 'a.yml', depth: 1 })).rejects.toThrow(
      'You are mixing file only and dir only arguments',
    );
  });

  it('hash_behaviour=merge combines with the current dictionary; a name not yet a dictionary fails', async () => {
    const file = await write('m.yml', 'conf: { b: 2, n: { y: 2 } }\n');
    const vars = { conf: { a: 1, n: { x: 1 } } };
    const r = await h.run('include_vars', { file, hash_behaviour: 'merge' }, { vars });
    expect(r.registered['ansible_facts']).toEqual({ conf: { a: 1, b: 2, n: { x: 1, y: 2 } } });
    await expect(h.run('include_vars', { file, hash_behaviour: 'merge' })).rejects.toThrow(
      "expected dicts but got a 'NoneType' and a 'dict'",
    );
  });

  it('hostile file names and values are data: quotes, spaces, a leading dash, newlines', async () => {
    const file = await write(`-it's a "file"\nwith newline.yml`, 'v: "-rf \'q\' $(x) {{ not_rendered }}\\nline"\n');
    const r = await h.run('include_vars', { file });
    expect(r.registered['ansible_facts']).toEqual({ v: "-rf 'q' $(x) {{ not_rendered }}\nline" });
    expect(r.registered['ansible_included_var_files']).toEqual([file]);
  });
});
