import { describe, expect, it } from 'vitest';
import { formatMode, parseMode, planAttrs, resultMode, wantedAttrs } from '../../../src/modules/lib/attrs.js';
import { toBool } from '../../../src/modules/lib/bool.js';

describe('parseMode', () => {
  it.each([
    ['0644', 0o644, false, 0o644],
    ['755', 0o600, false, 0o755],
    ['04755', 0, false, 0o4755],
    ['u=rw,g=r,o=r', 0o777, false, 0o644],
    ['u+x,go-w', 0o666, false, 0o744],
    ['+x', 0o644, false, 0o755],
    ['a=rX', 0o600, true, 0o555],
    ['a=rX', 0o600, false, 0o444],
    ['u=rwX', 0o744, false, 0o744],
    ['g=u', 0o700, false, 0o770],
    ['u+s,o+t', 0o755, false, 0o5755],
    ['ug=rw,o=', 0o777, false, 0o660],
  ])('%s on %o (dir %s) -> %o', (mode, current, isDir, expected) => {
    expect(parseMode(mode, current, isDir)).toBe(expected);
  });

  it('accepts the SELinux parts and unsafe_writes, refuses chattr flags', () => {
    expect(
      wantedAttrs({ mode: '0644', setype: 'etc_t', seuser: 'u', serole: 'r', selevel: 's0', unsafe_writes: true }),
    ).toEqual({ mode: '0644' });
    expect(wantedAttrs({ attributes: '' })).toEqual({});
    expect(() => wantedAttrs({ attributes: '-i' })).toThrow(/attributes '-i': bosun does not set file attributes/);
    expect(() => wantedAttrs({ attr: '+a' })).toThrow(/attributes '\+a'/);
  });

  it('rejects nonsense and numbers', () => {
    expect(() => parseMode('rwx', 0, false)).toThrow(/neither octal/);
    expect(() => wantedAttrs({ mode: 644 })).toThrow("mode 644 is a number; quote it as '0644'");
    expect(() => wantedAttrs({ mode: 'preserve' })).toThrow(/only valid for copy/);
    // Never an option to chown: refused as a name.
    expect(() => wantedAttrs({ owner: '--help' })).toThrow("owner '--help' starts with '-': not a user name");
    expect(() => wantedAttrs({ group: '-x' })).toThrow("group '-x' starts with '-': not a group name");
    expect(resultMode(0o1444)).toBe('01444');
    expect(resultMode(0o644)).toBe('0644');
    expect(resultMode(0o4755)).toBe('04755');
  });

  it('formats four digits', () => {
    expect(formatMode(0o644)).toBe('0644');
    expect(formatMode(0o104755)).toBe('4755');
  });
});

describe('planAttrs', () => {
  const cur = { mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', isDir: false };
  it.each([
    [{ mode: '0644', owner: 'root', group: '0' }, {}],
    [{ mode: '0600' }, { mode: 0o600 }],
    [
      { owner: '1000', group: 'wheel' },
      { owner: '1000', group: 'wheel' },
    ],
  ])('%j', (want, plan) => {
    expect(planAttrs(want, cur)).toEqual(plan);
  });
});

describe('toBool', () => {
  it.each([
    [true, true],
    ['yes', true],
    ['On', true],
    ['1', true],
    ['TRUE', true],
    [false, false],
    ['no', false],
    ['off', false],
    ['0', false],
    ['False', false],
  ])('%j -> %s', (value, expected) => {
    expect(toBool(value)).toBe(expected);
  });
  it('falls back when undefined', () => {
    expect(toBool(undefined, true)).toBe(true);
  });
});
