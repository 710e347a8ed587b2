/**
 * ini_file: the collection's editing rules as a table (lines in, lines out,
 * changed and msg), and real runs on a local shell: check mode, attributes,
 * backups, and hostile values written as text, never run.
 */
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editIni, iniLines, type IniSpec } from '../../../src/modules/lib/ini-edit.js';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

const base: IniSpec = { values: [], state: 'present', exclusive: true, noExtraSpaces: false, allowNoValue: false };

describe('ini_file edits (community.general 6.6.2)', () => {
  it.each<[string, string, Partial<IniSpec>, string, boolean, string]>([
    [
      'a new file',
      '',
      { section: 's', option: 'o', values: ['v'] },
      '\n[s]\no = v\n',
      true,
      'section and option added',
    ],
    ['same value', '[s]\no = v\n', { section: 's', option: 'o', values: ['v'] }, '[s]\no = v\n', false, 'OK'],
    [
      'spaces normalised',
      '[s]\no=v\n',
      { section: 's', option: 'o', values: ['v'] },
      '[s]\no = v\n',
      true,
      'option changed',
    ],
    [
      'no_extra_spaces',
      '[s]\no = v\n',
      { section: 's', option: 'o', values: ['v'], noExtraSpaces: true },
      '[s]\no=v\n',
      true,
      'option changed',
    ],
    [
      'commented option',
      '[s]\n#o = 1\n',
      { section: 's', option: 'o', values: ['2'] },
      '[s]\no = 2\n',
      true,
      'option changed',
    ],
    [
      'added after the last real line',
      '[s]\na = 1\n\n# c\n[t]\n',
      { section: 's', option: 'o', values: ['v'] },
      '[s]\na = 1\no = v\n\n# c\n[t]\n',
      true,
      'option added',
    ],
    [
      'no final newline is a change',
      '[s]\no = v',
      { section: 's', option: 'o', values: ['v'] },
      '[s]\no = v\n',
      true,
      'OK',
    ],
    [
      'exclusive drops other values',
      '[s]\nm = a\nm = b\nm = c\n',
      { section: 's', option: 'm', values: ['b', 'd'] },
      '[s]\nm = d\nm = b\n',
      true,
      'option changed',
    ],
    [
      'not exclusive keeps them',
      '[s]\nm = a\n',
      { section: 's', option: 'm', values: ['z'], exclusive: false },
      '[s]\nm = a\nm = z\n',
      true,
      'option added',
    ],
    [
      'absent option',
      '[s]\no = 1\n#o = 2\n',
      { section: 's', option: 'o', state: 'absent' },
      '[s]\n#o = 2\n',
      true,
      'option changed',
    ],
    [
      'absent section',
      '[s]\no = 1\n[t]\nx = 2\n',
      { section: 's', state: 'absent' },
      '[t]\nx = 2\n',
      true,
      'section removed',
    ],
    ['absent missing section', '[t]\n', { section: 's', state: 'absent' }, '[t]\n', false, 'OK'],
    [
      'no value allowed',
      '[s]\n',
      { section: 's', option: 'flag', allowNoValue: true },
      '[s]\nflag\n',
      true,
      'option added',
    ],
    [
      'before the first section',
      'g = 1\n[s]\n',
      { option: 'g', values: ['2'] },
      'g = 2\n[s]\n',
      true,
      'option changed',
    ],
    [
      'regex characters in the option are literal',
      '[s]\na.b = 1\naxb = 2\n',
      { section: 's', option: 'a.b', values: ['3'] },
      '[s]\na.b = 3\naxb = 2\n',
      true,
      'option changed',
    ],
  ])('%s', (_title, before, spec, after, changed, msg) => {
    const r = editIni(iniLines(before), { ...base, ...spec });
    expect({ text: r.lines.join(''), changed: r.changed, msg: r.msg }).toEqual({ text: after, changed, msg });
  });

  it('reads a BOM and CRLF as Python text mode does', () => {
    expect(iniLines('\uFEFF[s]\r\no = 1\r\n')).toEqual(['[s]\n', 'o = 1\n']);
  });
});

describe('ini_file on a real shell', () => {
  it('writes hostile values as text; check mode predicts and touches nothing; second run unchanged', async () => {
    const p = h.path('-n $(x).ini');
    const value = `$(touch ${h.path('pwned')}) 'q' "d" -x`;
    const args = { path: p, section: "a b'c", option: '--opt', value, mode: '0600' };
    const check = await h.run('ini_file', args, { check: true });
    expect(check).toMatchObject({ changed: true, msg: 'section and option added' });
    await expect(fs.stat(p)).rejects.toThrow();
    const real = await h.run('ini_file', args);
    expect(real).toMatchObject({ changed: true, data: { path: p, msg: 'section and option added' } });
    expect(await fs.readFile(p, 'utf8')).toBe(`\n[a b'c]\n--opt = ${value}\n`);
    expect((await fs.stat(p)).mode & 0o777).toBe(0o600);
    await expect(fs.stat(h.path('pwned'))).rejects.toThrow();
    expect(await h.run('ini_file', args)).toMatchObject({ changed: false, msg: 'OK' });
  });

  it('a mode change alone is predicted in check mode and made by the real run', async () => {
    const p = h.path('a.ini');
    await fs.writeFile(p, '[s]\no = 1\n', { mode: 0o644 });
    const args = { path: p, section: 's', option: 'o', value: 1, mode: '0640' };
    expect(await h.run('ini_file', args, { check: true })).toMatchObject({ changed: true });
    expect((await fs.stat(p)).mode & 0o777).toBe(0o644);
    expect(await h.run('ini_file', args)).toMatchObject({ changed: true });
    expect((await fs.stat(p)).mode & 0o777).toBe(0o640);
  });

  it('backup keeps the old file; create=false and a missing value fail as the collection does', async () => {
    const p = h.path('b.ini');
    await fs.writeFile(p, '[s]\no = 1\n');
    const r = await h.run('ini_file', { path: p, section: 's', option: 'o', value: '2', backup: true });
    expect(await fs.readFile(r.data['backup_file'] as string, 'utf8')).toBe('[s]\no = 1\n');
    expect(
      await h.run('ini_file', { path: h.path('x.ini'), section: 's', option: 'o', value: '1', create: false }),
    ).toMatchObject({
      failed: true,
      msg: `Destination ${h.path('x.ini')} does not exist!`,
    });
    expect(await h.run('ini_file', { path: p, section: 's', option: 'o' })).toMatchObject({
      failed: true,
      msg: "Parameter 'value(s)' must be defined if state=present and allow_no_value=False.",
    });
  });
});
