/**
 * The pip module's reading of names (Ansible's _recover_package_name and setuptools' Requirement text, as
 * printed by the target's python3 for the same inputs), PEP 440 satisfaction, pip's "Would install" line,
 * and Python's shlex.split for extra_args.
 */
import { describe, expect, it } from 'vitest';
import {
  installedVersions,
  parsePackage,
  recoverPackageNames,
  satisfiedBy,
  withVersion,
  wouldInstall,
} from '../../../src/modules/lib/pip-requirement.js';
import { shlexSplit } from '../../../src/util/shell.js';

describe('pip names', () => {
  it('joins specifier parts split at commas, as Ansible does', () => {
    expect(recoverPackageNames(['django>1.11.1', '<1.11.3', 'ipaddress', 'simpleproject>1.1.0', '<2.0.0'])).toEqual([
      'django>1.11.1,<1.11.3',
      'ipaddress',
      'simpleproject>1.1.0,<2.0.0',
    ]);
    expect(recoverPackageNames(['x[a,b]>=1', 'y'])).toEqual(['x[a,b]>=1', 'y']);
  });

  // Each right-hand side is what setuptools 66's str(Requirement.parse(left)) printed on this machine.
  it.each([
    ['bosun_alpha', 'bosun_alpha'],
    ['Bosun.Alpha>=1.0,<2', 'Bosun.Alpha<2,>=1.0'],
    ['x [b,a] (>=1.0 , !=1.5)', 'x[a,b]!=1.5,>=1.0'],
    ['x==1.*', 'x==1.*'],
    ['x @ https://h/x.whl', 'x@ https://h/x.whl'],
    ['x ~= 1.0', 'x~=1.0'],
    [' x', 'x'],
    ['x===1.0', 'x===1.0'],
  ])('%s is written %s', (input, text) => {
    expect(parsePackage(input).text).toBe(text);
  });

  it.each(['git+https://h/r', './dir', '/p/x.whl', '-r', '--index-url=http://x', 'x>1 <2'])(
    '%s is no requirement: kept as written, never satisfied',
    (input) => {
      const p = parsePackage(input);
      expect(p).toEqual({ text: input, specs: [] });
      expect(satisfiedBy(p, '1.0')).toBe(false);
    },
  );

  it('adds version as == for a number, else as a specifier', () => {
    expect(withVersion(parsePackage('x'), '1.0').text).toBe('x==1.0');
    expect(withVersion(parsePackage('x'), '>=1.0,<2').text).toBe('x<2,>=1.0');
  });

  it('matches installed versions by PEP 503 name and PEP 440 specifiers', () => {
    const installed = installedVersions('Bosun_Gamma==0.1\nbosun-alpha==2.0rc1\npip==23.0.1\n');
    expect(installed.get('bosun-gamma')).toBe('0.1');
    expect(parsePackage('bosun.GAMMA').canonical).toBe('bosun-gamma');
    expect(satisfiedBy(parsePackage('x>=1.0'), '2.0rc1')).toBe(true);
    expect(satisfiedBy(parsePackage('x<2.0'), '2.0rc1')).toBe(false);
    expect(satisfiedBy(parsePackage('x==1.*'), '1.4')).toBe(true);
    expect(satisfiedBy(parsePackage('x'), '0.0.1')).toBe(true);
  });

  it('reads what a dry run would install', () => {
    expect(wouldInstall('Processing x\nWould install bosun-alpha-2.0 Bosun_Gamma-0.1\n')).toEqual([
      ['bosun-alpha', '2.0'],
      ['bosun-gamma', '0.1'],
    ]);
    expect(wouldInstall('Requirement already satisfied: x\n')).toEqual([]);
  });
});

describe('shlexSplit', () => {
  it('splits as Python shlex.split does', () => {
    // python3 -c 'import shlex; print(shlex.split(...))' on this machine.
    expect(shlexSplit('a "b\\" c" \'d e\'f g\\ h "" x"y"z')).toEqual(['a', 'b" c', 'd ef', 'g h', '', 'xyz']);
    expect(shlexSplit('--foo;touch /tmp/x $HOME')).toEqual(['--foo;touch', '/tmp/x', '$HOME']);
    expect(() => shlexSplit('"open')).toThrow('No closing quotation');
  });
});
