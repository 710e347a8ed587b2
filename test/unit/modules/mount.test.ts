/**
 * mount: ansible.posix's fstab edit (escaped fields, 4-6 field lines, swap lines told apart by source,
 * comments kept), its mount table with bind sources, the required arguments, and hostile values quoted
 * and kept out of option positions.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { escapeFstab, linuxMounts, setMount, unsetMount } from '../../../src/modules/lib/fstab-edit.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
const entry = { src: 'tmpfs', name: '/mnt/a', fstype: 'tmpfs', opts: 'defaults', dump: '0', passno: '0' };

describe('mount', () => {
  it('escapes space, ampersand and backslash as octal', () => {
    expect(escapeFstab('/a b&c\\d')).toBe('/a\\040b\\046c\\134d');
  });

  it('appends a missing entry, keeps an equal one, rewrites a different one', () => {
    expect(setMount('# c\n', entry, true)).toEqual({ text: '# c\ntmpfs /mnt/a tmpfs defaults 0 0\n', changed: true });
    expect(setMount('tmpfs   /mnt/a tmpfs defaults 0 0', entry, true)).toEqual({
      text: 'tmpfs   /mnt/a tmpfs defaults 0 0\n',
      changed: false,
    });
    expect(setMount('tmpfs /mnt/a tmpfs defaults\n', entry, true).text).toBe('tmpfs /mnt/a tmpfs defaults 0 0\n');
    expect(setMount('x /mnt/a ext4 ro 0 2\n', entry, true).text).toBe('tmpfs /mnt/a tmpfs defaults 0 0\n');
  });

  it('tells swap lines apart by their source', () => {
    const swap = { ...entry, src: '/dev/sdb', name: 'none', fstype: 'swap', opts: 'sw' };
    const text = '/dev/sda none swap sw 0 0\n';
    expect(setMount(text, swap, true).text).toBe(`${text}/dev/sdb none swap sw 0 0\n`);
    expect(unsetMount(`${text}/dev/sdb none swap sw 0 0\n`, 'none', '/dev/sdb').text).toBe(text);
  });

  it('removes only 6-field lines of the mount point, escaped', () => {
    const text = '# /mnt/a\ntmpfs /mnt/a\\040b tmpfs defaults 0 0\ntmpfs /mnt/a tmpfs defaults\n';
    expect(unsetMount(text, '/mnt/a b', undefined)).toEqual({
      text: '# /mnt/a\ntmpfs /mnt/a tmpfs defaults\n',
      changed: true,
    });
  });

  it('reads bind mounts with their source folder', () => {
    const info = [
      '20 1 8:1 / / rw - ext4 /dev/sda1 rw',
      '30 20 8:1 /srv/data /mnt/bind rw - ext4 /dev/sda1 rw',
      '31 20 0:50 / /mnt/t rw - tmpfs tmpfs rw',
    ].join('\n');
    const m = linuxMounts(info);
    expect(m.get('/mnt/bind')).toEqual({ dst: '/mnt/bind', src: '/srv/data', fs: 'ext4' });
    expect(m.get('/')?.src).toBe('/dev/sda1');
  });

  it('fails as Ansible without src or fstype, and refuses line breaks', async () => {
    const conn = new FakeConnection([]);
    const decide = (args: Record<string, unknown>) =>
      getModule('ansible.posix.mount')!.decide({ ...h.context(), conn }, args);
    expect(await decide({ path: '/m', state: 'mounted' })).toMatchObject({
      msg: 'state is mounted but all of the following are missing: src, fstype',
    });
    expect(await decide({ path: '/m\n/x', src: 's', fstype: 't', state: 'present' })).toMatchObject({ kind: 'fail' });
    expect(conn.scripts).toEqual([]);
  });

  it('reads the probe: an entry there and mounted is ok, a mounted path is unmounted', async () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const stdout = [
      `FSTAB ${b64('tmpfs /m tmpfs defaults 0 0\n')}`,
      `MOUNTINFO ${b64('20 1 8:1 / / rw - ext4 /dev/sda1 rw\n31 20 0:50 / /m rw - tmpfs tmpfs rw\n')}`,
      'EXISTS',
      'ISMOUNT',
    ].join('\n');
    const conn = new FakeConnection([{ match: /MOUNTINFO/, result: { stdout } }]);
    const decide = (args: Record<string, unknown>) => getModule('mount')!.decide({ ...h.context(), conn }, args);
    expect(await decide({ path: '/m', src: 'tmpfs', fstype: 'tmpfs', state: 'mounted' })).toMatchObject({
      kind: 'ok',
      data: { name: '/m', src: 'tmpfs', fstype: 'tmpfs', opts: 'defaults', boot: 'yes', fstab: '/etc/fstab' },
    });
    expect(await decide({ path: '/m', state: 'unmounted' })).toMatchObject({ kind: 'change' });
    expect(await decide({ path: '/m', src: 'none', fstype: 'tmpfs', state: 'ephemeral' })).toMatchObject({
      kind: 'fail',
    });
    expect(await decide({ path: '/m', state: 'remounted' })).toMatchObject({ kind: 'change' });
  });

  it('passes hostile paths as quoted words after --', async () => {
    const conn = new FakeConnection([]);
    const d = await getModule('mount')!.decide(
      { ...h.context(), conn },
      { path: "-o '$(id)", src: '--bind', fstype: 'tmpfs', fstab: '/t/fstab', state: 'ephemeral' },
    );
    expect(d.kind).toBe('change');
    if (d.kind !== 'change') return;
    await d.apply();
    const mount = conn.scripts.find((s) => s.includes('mount -t'));
    expect(mount).toContain(`mount -t tmpfs -- --bind "-o '\\$(id)"`);
  });
});
