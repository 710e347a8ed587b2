import { describe, expect, it } from 'vitest';
import { flagNames, flagsDiffer, flagsOfLsattr, parseFlags } from '../../../src/modules/lib/chattr.js';
import { wantedAttrs } from '../../../src/modules/lib/attrs.js';

describe('chattr flags (attributes)', () => {
  it('parses the +, - and bare forms as Ansible splits them', () => {
    expect(parseFlags('+i')).toEqual({ op: '+', flags: 'i' });
    expect(parseFlags('-ia')).toEqual({ op: '-', flags: 'ia' });
    expect(parseFlags('de')).toEqual({ op: '=', flags: 'de' });
    expect(parseFlags('')).toEqual({ op: '=', flags: '' });
    expect(parseFlags(undefined)).toBeUndefined();
  });

  it('refuses what chattr would take as an option or refuse, and shell words', () => {
    for (const bad of ['-R', '-Ri', '+V', '-v1', ';id', '+i;id', '$(id)', 'i e', '+Q', '=de', '-p'])
      expect(() => parseFlags(bad), bad).toThrow(/attributes '/);
  });

  it('reads lsattr -d lines and compares as Ansible does (a string comparison)', () => {
    expect(flagsOfLsattr('----i---------e------- /opt/f')).toBe('ie');
    expect(flagsOfLsattr('---------------------- /tmp/f')).toBe('');
    expect(flagsOfLsattr('')).toBeNull();
    expect(flagsDiffer({ op: '+', flags: 'i' }, 'ie')).toBe(true);
    expect(flagsDiffer({ op: '+', flags: 'i' }, 'i')).toBe(false);
    expect(flagsDiffer({ op: '-', flags: 'i' }, '')).toBe(true);
    expect(flagsDiffer({ op: '=', flags: 'dAe' }, 'dAe')).toBe(false);
    expect(flagsDiffer({ op: '=', flags: '' }, null)).toBe(false);
    expect(flagNames('ie')).toEqual(['immutable', 'extents']);
  });

  it('is taken by the modules that set it, refused by the others', () => {
    expect(wantedAttrs({ attributes: '+i' }, { flags: true })).toEqual({ flags: { op: '+', flags: 'i' } });
    expect(() => wantedAttrs({ attr: '+i' })).toThrow(/in this module yet/);
  });
});
