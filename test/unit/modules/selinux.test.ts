/**
 * seboolean and selinux: refusals where SELinux is absent, the config lines as the module rewrites them, and a
 * hostile boolean name kept as one quoted word.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { setConfigValue } from '../../../src/modules/selinux.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();

describe('seboolean', () => {
  it('refused where SELinux is off; the name is one word', async () => {
    const conn = new FakeConnection([{ match: /getsebool/, result: { stdout: 'SELINUX off\n' } }]);
    const name = "-x $(id) 'q'";
    const d = await getModule('ansible.posix.seboolean')!.decide({ ...h.context(), conn }, { name, state: true });
    expect(d).toMatchObject({ kind: 'fail', msg: 'SELinux is disabled on this host.' });
    expect(conn.scripts[0]).toContain(`getsebool ${shq(name)}`);
  });

  it('sets a boolean that differs, persistently with -P', async () => {
    const conn = new FakeConnection([{ match: /getsebool/, result: { stdout: 'SELINUX on\nb --> off\n' } }]);
    const d = await getModule('seboolean')!.decide(
      { ...h.context(), conn },
      { name: 'b', state: 'yes', persistent: true },
    );
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts.at(-1)).toBe('setsebool -P b on');
  });
});

describe('selinux', () => {
  it('rewrites every SELINUX= line, or adds one', () => {
    expect(setConfigValue(['# SELINUX=x', 'SELINUX=enforcing', 'SELINUXTYPE=t'], 'SELINUX', 'disabled')).toEqual([
      '# SELINUX=x',
      'SELINUX=disabled',
      'SELINUXTYPE=t',
    ]);
    expect(setConfigValue(['a'], 'SELINUXTYPE', 'mls')).toEqual(['a', 'SELINUXTYPE=mls']);
  });

  it('a policy is required unless disabled (the FQCN resolves)', () => {
    expect(getModule('ansible.posix.selinux')?.name).toBe('selinux');
  });
});
