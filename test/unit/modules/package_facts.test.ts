/**
 * package_facts: dpkg-query and rpm listings in ansible-core 2.14's shape (python-apt's names for multi-arch
 * packages, rpm's epoch), the manager choice, and Ansible's failure words.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { parseDpkg, parseRpm } from '../../../src/modules/package_facts.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();

describe('package_facts', () => {
  it('names native multi-arch packages without their arch, skips removed ones, keeps versions as a list', () => {
    const out =
      'libc6:amd64\t2.36\tamd64\tlibs\tinstalled\nlibc6:i386\t2.36\ti386\tlibs\tinstalled\nold\t1\tall\tx\tconfig-files\n';
    expect(parseDpkg(out, 'amd64')).toEqual({
      libc6: [{ name: 'libc6', version: '2.36', arch: 'amd64', category: 'libs', source: 'apt' }],
      'libc6:i386': [{ name: 'libc6:i386', version: '2.36', arch: 'i386', category: 'libs', source: 'apt' }],
    });
  });

  it('reads rpm epochs, (none) as null, and several versions of one name', () => {
    expect(parseRpm('kernel\t5.14\t1.el9\t(none)\tx86_64\nkernel\t5.15\t2.el9\t1\tx86_64\n').kernel).toEqual([
      { name: 'kernel', version: '5.14', release: '1.el9', epoch: null, arch: 'x86_64', source: 'rpm' },
      { name: 'kernel', version: '5.15', release: '2.el9', epoch: 1, arch: 'x86_64', source: 'rpm' },
    ]);
  });

  it('fails as Ansible for unknown managers and when none is found', async () => {
    const conn = new FakeConnection([]);
    const decide = (args: Record<string, unknown>) =>
      getModule('package_facts')!.decide({ ...h.context(), conn }, args);
    expect(await decide({ manager: ['apt', '$(id)'] })).toMatchObject({
      msg: 'Unsupported package managers requested: $(id)',
    });
    expect(await decide({ manager: 'rpm' })).toMatchObject({
      kind: 'fail',
      msg: "Could not detect a supported package manager from the following list: ['rpm'], or the required Python library is not installed. Check warnings for details.",
    });
  });
});
