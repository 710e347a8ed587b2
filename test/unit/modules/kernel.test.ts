/**
 * sysctl and modprobe on this machine through the local harness, without
 * ever changing a live kernel setting or loading a module: live values are
 * only compared (set to what they already are) or predicted in check mode.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editSysctlFile, sameSysctlValue, sysctlValue } from '../../../src/modules/sysctl.js';
import { planPersistent } from '../../../src/modules/modprobe.js';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());
const live = (name: string): string => execFileSync('sysctl', ['-n', name], { encoding: 'utf8' }).trim();
const hasSysctl = existsSync('/usr/sbin/sysctl') || existsSync('/sbin/sysctl');

describe('sysctl file edit (Ansible rules)', () => {
  it.each([
    ['appends a new key', 'a=1\n', 'b', '2', true, 'a=1\nb=2\n', undefined],
    ['rewrites spaced lines and the key', '# c\n a = 1 \nb = 3\n', 'b', '2', true, '# c\na=1\nb=2\n', '3'],
    ['drops duplicates, the last value is the file value', 'b=1\nb=3\n', 'b', '3', true, 'b=3\n', '3'],
    ['absent removes every line of the key', 'a=1\nb=2\nb=3\n', 'b', '', false, 'a=1\n', '3'],
  ])('%s', (_n, text, name, value, present, after, fileValue) => {
    expect(editSysctlFile(text, name, value, present)).toEqual({ text: after, fileValue });
  });

  it('normalises values as Ansible does', () => {
    expect([sysctlValue(true), sysctlValue('yes'), sysctlValue('off'), sysctlValue(' 5 '), sysctlValue(3)]).toEqual([
      '1',
      '1',
      '0',
      '5',
      '3',
    ]);
    expect(sameSysctlValue('32768\t60999\n', '32768  60999')).toBe(true);
    expect(sameSysctlValue(undefined, '1')).toBe(false);
  });
});

describe.skipIf(!hasSysctl)('sysctl on this machine (live values only read)', () => {
  it('a value equal to the live one, already in the file, is a no-op with reload and sysctl_set', async () => {
    const cur = live('net.ipv4.ip_forward');
    const file = h.path('sysctl.conf');
    await fs.writeFile(file, `net.ipv4.ip_forward = ${cur}\n`);
    // Same file value (spaces around = do not matter) and same live value: nothing to do, nothing run.
    const args = { name: 'net.ipv4.ip_forward', value: cur, sysctl_file: file, sysctl_set: true };
    expect(await h.run('sysctl', args, { check: true })).toMatchObject({ changed: false });
    expect(await h.run('sysctl', args)).toMatchObject({
      changed: false,
      failed: false,
      data: { name: 'net.ipv4.ip_forward', value: cur },
    });
    const range = live('net.ipv4.ip_local_port_range').split(/\s+/).join('   ');
    await fs.writeFile(file, `net.ipv4.ip_local_port_range=${range}\n`);
    expect(
      (await h.run('sysctl', { name: 'net.ipv4.ip_local_port_range', value: range, sysctl_file: file })).changed,
    ).toBe(false);
  });

  it('check mode predicts a different live value without touching anything', async () => {
    const cur = live('net.ipv4.ip_forward');
    const other = cur === '1' ? '0' : '1';
    const file = h.path('sysctl.conf');
    await fs.writeFile(file, `net.ipv4.ip_forward=${other}\n`);
    const snap = await snapshot(file);
    const r = await h.run(
      'sysctl',
      { name: 'net.ipv4.ip_forward', value: other, sysctl_file: file, sysctl_set: true },
      { check: true, diff: true },
    );
    expect(r.changed).toBe(true);
    expect(r.diff).toEqual([
      {
        path: 'sysctl net.ipv4.ip_forward',
        before: `net.ipv4.ip_forward = ${cur}\n`,
        after: `net.ipv4.ip_forward = ${other}\n`,
      },
    ]);
    expect(await snapshot(file)).toEqual(snap);
    expect(live('net.ipv4.ip_forward')).toBe(cur);
  });

  it('reload: false manages only the file (the live value is not compared)', async () => {
    const cur = live('net.ipv4.ip_forward');
    const other = cur === '1' ? '0' : '1';
    const file = h.path('d', 'bosun.conf');
    const args = { key: 'net.ipv4.ip_forward', val: other, sysctl_file: file, reload: false };
    expect(await h.run('sysctl', args)).toMatchObject({ changed: true, failed: false });
    expect(await fs.readFile(file, 'utf8')).toBe(`net.ipv4.ip_forward=${other}\n`);
    expect(live('net.ipv4.ip_forward')).toBe(cur);
    expect((await h.run('sysctl', args)).changed).toBe(false);
    expect(await h.run('sysctl', { ...args, state: 'absent', val: undefined })).toMatchObject({ changed: true });
    expect(await fs.readFile(file, 'utf8')).toBe('');
  });

  it('value is required with state=present', async () => {
    expect(await h.run('sysctl', { name: 'net.ipv4.ip_forward', sysctl_file: h.path('x') })).toMatchObject({
      failed: true,
      msg: 'value cannot be blank',
    });
  });
});

describe('modprobe persistent files', () => {
  const f = (path: string, ...lines: string[]) => ({ path, lines });
  it.each([
    [
      'present, nothing there',
      'br_netfilter',
      '',
      'present',
      [],
      [],
      [{ path: '/etc/modules-load.d/br_netfilter.conf', before: null, after: 'br_netfilter\n' }],
    ],
    [
      'present, listed in another file: nothing to do',
      'overlay',
      '',
      'present',
      [f('/etc/modules-load.d/k8s.conf', 'overlay', 'br_netfilter')],
      [],
      [],
    ],
    [
      'present with params',
      'nf',
      'a=1 b=2',
      'present',
      [f('/etc/modules-load.d/nf.conf', 'nf')],
      [f('/etc/modprobe.d/old.conf', 'options nf a=0', 'blacklist x')],
      [
        {
          path: '/etc/modprobe.d/old.conf',
          before: 'options nf a=0\nblacklist x\n',
          after: '#options nf a=0\nblacklist x\n',
        },
        { path: '/etc/modprobe.d/nf.conf', before: null, after: 'options nf a=1\noptions nf b=2\n' },
      ],
    ],
    [
      'present with params already set (any order)',
      'nf',
      'b=2 a=1',
      'present',
      [f('/etc/modules-load.d/nf.conf', 'nf')],
      [f('/etc/modprobe.d/nf.conf', 'options nf a=1', 'options nf b=2')],
      [],
    ],
    [
      'absent comments out',
      'nf',
      '',
      'absent',
      [f('/etc/modules-load.d/x.conf', 'nf # why', 'other')],
      [f('/etc/modprobe.d/nf.conf', 'options nf a=1')],
      [
        { path: '/etc/modules-load.d/x.conf', before: 'nf # why\nother\n', after: '#nf # why\nother\n' },
        { path: '/etc/modprobe.d/nf.conf', before: 'options nf a=1\n', after: '#options nf a=1\n' },
      ],
    ],
  ] as const)('%s', (_n, name, params, persistent, load, options, expected) => {
    expect(
      planPersistent(
        name,
        params,
        persistent,
        load.map((x) => ({ ...x, lines: [...x.lines] })),
        options.map((x) => ({ ...x, lines: [...x.lines] })),
      ),
    ).toEqual(expected);
  });
});

describe('modprobe on this machine (never loads anything)', () => {
  const modprobe = ['/usr/sbin/modprobe', '/sbin/modprobe'].some((p) => existsSync(p));
  it.skipIf(modprobe)('a load without a modprobe binary is a clear error, in check mode too', async () => {
    for (const check of [true, false]) {
      expect(await h.run('modprobe', { name: 'bosun_no_such_module' }, { check })).toMatchObject({
        failed: true,
        msg: 'modprobe: the modprobe command is not installed on the host (cannot load bosun_no_such_module)',
      });
    }
  });
  it('absent for a module that is not loaded is a no-op', async () => {
    expect(await h.run('modprobe', { name: 'bosun_no_such_module', state: 'absent' })).toMatchObject({
      changed: false,
      failed: false,
      data: { name: 'bosun_no_such_module', state: 'absent', params: '' },
    });
  });
});
