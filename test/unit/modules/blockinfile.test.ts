import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';
import { hasAnsible, runAnsible } from './ansible-diff.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const B = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const E = '# END ANSIBLE MANAGED BLOCK\n';

// [name, file before (null: missing), args, file after, msg]; `old` marks cases Ansible 2.14 can run (no append/prepend_newline).
const cases: Array<[string, string | null, Record<string, unknown>, string, string]> = [
  ['appends at EOF', 'a\nb\n', { block: 'x\ny' }, `a\nb\n${B}x\ny\n${E}`, 'Block inserted'],
  ['fixes a missing final newline first', 'a', { block: 'x' }, `a\n${B}x\n${E}`, 'Block inserted'],
  ['insertbefore BOF', 'a\n', { block: 'x', insertbefore: 'BOF' }, `${B}x\n${E}a\n`, 'Block inserted'],
  [
    'insertafter the last regex match',
    's\nk\ns\nz\n',
    { block: 'x', insertafter: '^s' },
    `s\nk\ns\n${B}x\n${E}z\n`,
    'Block inserted',
  ],
  ['insertbefore a regex', 'a\nb\n', { block: 'x', insertbefore: '^b' }, `a\n${B}x\n${E}b\n`, 'Block inserted'],
  [
    'regex without a match falls back to EOF',
    'a\n',
    { block: 'x', insertafter: '^zz' },
    `a\n${B}x\n${E}`,
    'Block inserted',
  ],
  [
    'replaces an existing block in place',
    `a\n${B}old\n${E}b\n`,
    { block: 'new\nnew2', insertbefore: 'BOF' },
    `a\n${B}new\nnew2\n${E}b\n`,
    'Block inserted',
  ],
  ['removes the block with state=absent', `a\n${B}old\n${E}b\n`, { state: 'absent' }, 'a\nb\n', 'Block removed'],
  ['an empty block removes it too', `${B}old\n${E}`, { block: '' }, '', 'Block removed'],
  [
    'custom marker and mark words',
    'a\n',
    { block: 'x', marker: '<!-- {mark} -->', marker_begin: 'start', marker_end: 'stop' },
    'a\n<!-- start -->\nx\n<!-- stop -->\n',
    'Block inserted',
  ],
  ['content is an alias of block', '', { content: 'x' }, `${B}x\n${E}`, 'Block inserted'],
  ['creates a missing file', null, { block: 'x', create: true }, `${B}x\n${E}`, 'File created'],
  [
    '(?m) insertafter matches across lines',
    'a\nb\nc\n',
    { block: 'x', insertafter: '(?m)^a\\nb$' },
    `a\nb\n${B}x\n${E}c\n`,
    'Block inserted',
  ],
  ['markers in reverse order are replaced', `${E}mid\n${B}`, { block: 'x' }, `${B}x\n${E}`, 'Block inserted'],
];
const newlineCases: Array<[string, string | null, Record<string, unknown>, string, string]> = [
  [
    'prepend_newline adds a blank line before',
    'a\n',
    { block: 'x', prepend_newline: true },
    `a\n\n${B}x\n${E}`,
    'Block inserted',
  ],
  [
    'append_newline adds a blank line after',
    'a\nb\n',
    { block: 'x', insertafter: '^a', append_newline: true },
    `a\n${B}x\n${E}\nb\n`,
    'Block inserted',
  ],
  [
    'append_newline: none at EOF, none before a blank line',
    'a\n\nb\n',
    { block: 'x', insertafter: '^a', append_newline: true },
    `a\n${B}x\n${E}\nb\n`,
    'Block inserted',
  ],
];

describe('blockinfile', () => {
  it.each([...cases, ...newlineCases])('%s', async (_name, before, args, after, msg) => {
    const p = h.path('f');
    if (before !== null) await fs.writeFile(p, before);
    const snap = await snapshot(p);
    const check = await h.run('blockinfile', { path: p, ...args }, { check: true, diff: true });
    expect(check).toMatchObject({ changed: true, msg, failed: false });
    expect(check.diff[0]).toMatchObject({ before: before ?? '', after });
    expect(await snapshot(p)).toEqual(snap);
    const real = await h.run('blockinfile', { path: p, ...args });
    expect(real).toMatchObject({ changed: true, msg, failed: false });
    expect(await fs.readFile(p, 'utf8')).toBe(after);
    expect((await h.run('blockinfile', { path: p, ...args })).changed).toBe(false);
  });

  it('fails on a missing file without create, and on a folder; absent on a missing file is ok', async () => {
    expect(await h.run('blockinfile', { path: h.path('nope'), block: 'x' })).toMatchObject({
      failed: true,
      msg: `Path ${h.path('nope')} does not exist !`,
    });
    expect(await h.run('blockinfile', { path: h.dir, block: 'x' })).toMatchObject({
      failed: true,
      msg: `Path ${h.dir} is a directory !`,
    });
    expect(await h.run('blockinfile', { path: h.path('nope'), state: 'absent' })).toMatchObject({
      changed: false,
      failed: false,
    });
  });

  it('keeps mode and owner, applies mode, writes a backup, and validates', async () => {
    const p = h.path('m');
    await fs.writeFile(p, 'a\n', { mode: 0o600 });
    await fs.chown(p, 65534, 65534);
    const r = await h.run('blockinfile', { path: p, block: 'x', backup: true });
    expect(r.data['backup_file']).toMatch(/m\.\d+\..*~$/);
    const st = await fs.stat(p);
    expect([st.mode & 0o777, st.uid]).toEqual([0o600, 65534]);
    const m = await h.run('blockinfile', { path: p, block: 'x', mode: '0640' });
    expect(m).toMatchObject({ changed: true, msg: 'ownership, perms or SE linux context changed' });
    const bad = await h.run('blockinfile', { path: p, block: 'y', validate: 'false %s' });
    expect(bad.failed).toBe(true);
    expect(await fs.readFile(p, 'utf8')).toBe(`a\n${B}x\n${E}`);
  });

  it.skipIf(!hasAnsible)(
    'writes the same bytes as ansible-core for every table case',
    async () => {
      const tasks: Array<{ module: string; args: Record<string, unknown> }> = [];
      for (const [i, [, before, args]] of cases.entries()) {
        for (const side of ['a', 'b']) if (before !== null) await fs.writeFile(h.path(`${side}${i}`), before);
        tasks.push({ module: 'blockinfile', args: { path: h.path(`a${i}`), ...args } });
      }
      const results = await runAnsible(h.dir, tasks);
      for (const [i, [name, , args]] of cases.entries()) {
        const ours = await h.run('blockinfile', { path: h.path(`b${i}`), ...args });
        expect(await fs.readFile(h.path(`b${i}`), 'utf8'), name).toBe(await fs.readFile(h.path(`a${i}`), 'utf8'));
        expect([ours.changed, ours.msg], name).toEqual([results[i]!['changed'], results[i]!['msg']]);
      }
    },
    120_000,
  );
});
