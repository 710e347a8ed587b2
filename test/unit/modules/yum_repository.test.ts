/**
 * yum_repository: Python configparser's reading and writing as the module uses them, the options as the
 * module writes them (sorted, booleans 1/0, lists joined), and hostile ids and values kept as data.
 */
import { describe, expect, it } from 'vitest';
import { dumpConfig, parseConfig, writeConfig } from '../../../src/modules/lib/py-configparser.js';
import { sectionOptions } from '../../../src/modules/yum_repository.js';

describe('py-configparser', () => {
  it('reads continuation lines, comments, blank lines and both delimiters; lowercases option names', () => {
    const c = parseConfig('# c\n[a]\nBaseURL = x\n  y\n; not a line\n\n  z\nName: A b\n\n[DEFAULT]\nk=v\n', 'f');
    expect([...c.sections.get('a')!]).toEqual([
      ['baseurl', 'x\ny\n\nz'],
      ['name', 'A b'],
    ]);
    expect([...c.defaults]).toEqual([['k', 'v']]);
    expect(writeConfig(c)).toBe('[DEFAULT]\nk = v\n\n[a]\nbaseurl = x\n\ty\n\t\n\tz\nname = A b\n\n');
    expect(dumpConfig(c)).toBe('[a]\nbaseurl = x\ny\n\nz\nk = v\nname = A b\n\n');
  });

  it('refuses what Python refuses: no section header, a duplicate section or option, a line without delimiter', () => {
    expect(() => parseConfig('k = v\n', 'f')).toThrow(/no section headers/);
    expect(() => parseConfig('[a]\n[a]\n', 'f')).toThrow(/section 'a' already exists/);
    expect(() => parseConfig('[a]\nk=1\nK=2\n', 'f')).toThrow(/option 'k' in section 'a' already exists/);
    expect(() => parseConfig('[a]\njunk\n', 'f')).toThrow(/parsing errors/);
  });

  it('a section header ends at the last bracket; Python sorts by code point', () => {
    const c = parseConfig('[b]x]\nk=1\n[B]\nk=2\n', 'f');
    expect([...c.sections.keys()]).toEqual(['b]x', 'B']);
    expect(dumpConfig(c).split('\n')[0]).toBe('[B]');
  });
});

describe('yum_repository options', () => {
  it('sorted, booleans as 1/0, url lists by lines (a string split at commas), globs by spaces, aliases', () => {
    const o = sectionOptions({
      name: 'r',
      description: 'R',
      baseurl: 'http://a,http://b',
      gpgkey: ['k1', 'k2'],
      exclude: ['kernel*', 'x'],
      gpgcheck: 'yes',
      validate_certs: false,
      priority: 10,
      keepcache: 1,
    });
    expect([...o]).toEqual([
      ['baseurl', 'http://a\nhttp://b'],
      ['exclude', 'kernel* x'],
      ['gpgcheck', '1'],
      ['gpgkey', 'k1\nk2'],
      ['keepcache', '1'],
      ['name', 'R'],
      ['priority', '10'],
      ['sslverify', '0'],
    ]);
  });

  it('hostile values stay data and survive a write and a read', () => {
    const o = sectionOptions({ name: "-x $(id) 'q'", description: 'two\nlines "q"', baseurl: ['-u $(id)'] });
    const c = { defaults: new Map<string, string>(), sections: new Map([["-x $(id) 'q'", o]]) };
    const back = parseConfig(writeConfig(c), 'f');
    expect(dumpConfig(back)).toBe(dumpConfig(c));
    expect(back.sections.get("-x $(id) 'q'")!.get('name')).toBe('two\nlines "q"');
  });
});
