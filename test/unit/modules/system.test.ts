/**
 * systemd, packages and users against scripted targets (FakeConnection):
 * the probe parsing and the commands each state asks for. Real runs are in
 * test/integration/modules-system.test.ts.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { parseAptSimulation, parseDpkgQuery, splitAptName, versionMatches } from '../../../src/modules/lib/pkg-apt.js';
import { parseRpmQuery, parseTransaction, rpmTransactions } from '../../../src/modules/lib/pkg-rpm.js';
import { parseSystemctlShow } from '../../../src/modules/lib/systemd-unit.js';
import { parseUserFacts } from '../../../src/modules/user.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection, type FakeRule } from './fake-connection.js';

const h = new ModuleHarness();
async function decide(module: string, args: Record<string, unknown>, rules: FakeRule[], check = true) {
  const conn = new FakeConnection(rules);
  const d = await getModule(module)!.decide({ ...h.context({ check }), conn }, args);
  return { d, conn };
}

const show = (props: Record<string, string>) =>
  `PID1 systemd\nBOOTED\nSYSTEMCTL\nSHOW\n${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
const unit = (active: string, file: string, load = 'loaded') => [
  {
    match: /systemctl show/,
    result: {
      stdout: show({
        Id: 'x.service',
        LoadState: load,
        ActiveState: active,
        UnitFileState: file,
        ExecStart: '{ path=/bin/sleep ; argv[]=/bin/sleep infinity }',
      }),
    },
  },
];

describe('systemd decisions', () => {
  it('parses systemctl show, joining multi-line values', () => {
    expect(parseSystemctlShow('A=1\nExecStart={ path=/x ;\n argv[]=/x }\nB= two words \n')).toEqual({
      A: '1',
      ExecStart: '{ path=/x ;\nargv[]=/x }',
      B: 'two words',
    });
  });
  it.each([
    [{ state: 'started' }, unit('inactive', 'disabled'), ['systemctl start -- x']],
    [{ state: 'started', enabled: true }, unit('active', 'enabled'), []],
    [{ state: 'stopped' }, unit('active', 'enabled'), ['systemctl stop -- x']],
    [{ state: 'restarted' }, unit('active', 'enabled'), ['systemctl restart -- x']],
    [{ state: 'reloaded' }, unit('inactive', 'enabled'), ['systemctl start -- x']],
    [
      { enabled: true, masked: false },
      unit('inactive', 'masked', 'masked'),
      ['systemctl unmask -- x', 'systemctl enable -- x'],
    ],
    [{ masked: true }, unit('inactive', 'disabled'), ['systemctl mask -- x']],
    [{ enabled: false }, unit('active', 'static'), []],
  ])('%j', async (args, rules, cmds) => {
    const { d } = await decide('systemd', { name: 'x', ...args }, rules);
    expect(d.kind).toBe(cmds.length > 0 ? 'change' : 'ok');
    expect(d.msg ?? '').toBe(cmds.map((c) => c.replace(' -- ', ' ')).join('; '));
  });
  it('clear errors: no systemd, unknown unit, non-systemd init for service', async () => {
    const noSystemd = [{ match: /PID1/, result: { stdout: 'PID1 sshd\nSYSTEMCTL\n' } }];
    expect((await decide('systemd', { name: 'x', state: 'started' }, noSystemd)).d.msg).toBe(
      'systemd: the host has no running systemd (PID 1 is sshd)',
    );
    expect((await decide('service', { name: 'x', state: 'started' }, noSystemd)).d.msg).toBe(
      "service: the host's init system is not systemd (PID 1 is sshd); only systemd is supported",
    );
    expect(
      (await decide('systemd', { name: 'x', state: 'started' }, unit('inactive', '', 'not-found'), false)).d.msg,
    ).toBe('Could not find the requested service x: host');
    // In check mode the unit file may come from an earlier task: predicted as a new unit.
    expect(
      (await decide('systemd', { name: 'x', state: 'started', enabled: true }, unit('inactive', '', 'not-found'))).d,
    ).toMatchObject({
      kind: 'change',
      msg: 'systemctl enable x; systemctl start x (unit x not found: check mode assumes an earlier task creates it)',
    });
  });
});

describe('apt parsing', () => {
  it('reads apt-get -s and dpkg-query', () => {
    const sim =
      'NOTE: sim\nInst libfoo [1.0] (1.1 Debian:12/stable [amd64])\nInst sl (5.02-1+b1 Debian:12.5/stable [amd64])\nConf sl (5.02-1+b1 Debian)\nPurg bzip2 [1.0.8-5+b1]\nRemv x [2]\n';
    expect(parseAptSimulation(sim)).toEqual([
      { name: 'libfoo', action: 'upgrade', from: '1.0', to: '1.1' },
      { name: 'sl', action: 'install', to: '5.02-1+b1' },
      { name: 'bzip2', action: 'purge', from: '1.0.8-5+b1' },
      { name: 'x', action: 'remove', from: '2' },
    ]);
    const q = parseDpkgQuery(
      'Q sl install ok installed 5.02-1\nQ libc6:amd64 install ok installed 2.36\nQ old deinstall ok config-files 1.0\n',
    );
    expect([...q.entries()]).toEqual([
      ['sl', { installed: true, configFiles: false, version: '5.02-1' }],
      ['libc6', { installed: true, configFiles: false, version: '2.36' }],
      ['old', { installed: false, configFiles: true, version: '1.0' }],
    ]);
    expect(splitAptName('nginx=1.22*')).toEqual({ name: 'nginx', version: '1.22*' });
    expect([versionMatches('1.22.1-9', '1.22*'), versionMatches('1.22.1', '1.2')]).toEqual([true, false]);
  });

  it.skipIf(!existsSync('/usr/bin/apt-get'))(
    'check mode on this machine asks apt-get -s (nothing is installed)',
    async () => {
      await h.setup();
      try {
        const r = await h.run('apt', { name: ['sl', 'coreutils'] }, { check: true, diff: true });
        expect(r).toMatchObject({ changed: true, failed: false, data: { packages: ['sl'] } });
        expect(r.diff[0]).toMatchObject({ path: 'packages', before: 'sl: absent\n' });
        expect((await h.run('package', { name: 'coreutils' }, { check: true })).changed).toBe(false);
        expect((await h.run('apt', { name: 'bosun-no-such-package' }, { check: true })).msg).toMatch(
          /apt-get could not plan the change: E: Unable to locate package/,
        );
        expect((await h.run('dnf', { name: 'sl' }, { check: true })).msg).toBe(
          'dnf: dnf is not installed on the host (the host uses apt)',
        );
      } finally {
        await h.teardown();
      }
    },
  );
});

const DNF_INSTALL = `Last metadata expiration check: 0:01:02 ago.
Dependencies resolved.
================================================================================
 Package             Architecture  Version              Repository        Size
================================================================================
Installing:
 sl                  x86_64        5.02-1.fc38          fedora            20 k
Installing dependencies:
 ncurses-compat-libs x86_64        6.4-3.20230114.fc38  fedora           325 k

Transaction Summary
================================================================================
Install  2 Packages

Total download size: 345 k
Operation aborted.
`;
const YUM_REMOVE = `Resolving Dependencies
--> Running transaction check
Dependencies Resolved

================================================================================
 Package                        Arch      Version            Repository   Size
================================================================================
Removing:
 a-very-long-package-name-that-wraps
                                x86_64    1.2-3.el7          @base        10 k
Removing for dependencies:
 dep                            noarch    0.1-1.el7          @base       1 k

Transaction Summary
================================================================================
Remove  1 Package (+1 Dependent package)
Exiting on user command
`;

describe('dnf and yum (fixtures: no dnf on this machine)', () => {
  it('parses transactions and rpm -q', () => {
    expect(parseTransaction(DNF_INSTALL)).toEqual([
      { name: 'sl', action: 'install', to: '5.02-1.fc38' },
      { name: 'ncurses-compat-libs', action: 'install', to: '6.4-3.20230114.fc38' },
    ]);
    expect(parseTransaction(YUM_REMOVE)).toEqual([
      { name: 'a-very-long-package-name-that-wraps', action: 'remove', from: '1.2-3.el7' },
      { name: 'dep', action: 'remove', from: '0.1-1.el7' },
    ]);
    expect(parseTransaction('Dependencies resolved.\nNothing to do.\nComplete!\n')).toEqual([]);
    const q = parseRpmQuery("R sl -\nR 'bash-5.2' bash-5.2.15-3.fc38.x86_64\nR bash bash-5.2.15-3.fc38.x86_64\n");
    expect(rpmTransactions('present', ['sl', 'bash'], q)).toEqual([{ verb: 'install', specs: ['sl'] }]);
    expect(rpmTransactions('latest', ['sl', 'bash'], q)).toEqual([
      { verb: 'install', specs: ['sl'] },
      { verb: 'upgrade', specs: ['bash'] },
    ]);
    expect(rpmTransactions('absent', ['sl', 'bash'], q)).toEqual([{ verb: 'remove', specs: ['bash'] }]);
  });

  const host = (extra: FakeRule[]): FakeRule[] => [
    ...extra,
    { match: /PM \$t/, result: { stdout: 'PM dnf\nPM rpm\n' } },
  ];
  it('asks dnf --assumeno, then runs dnf -y; nothing to do is no change', async () => {
    const rules = host([
      { match: /--assumeno/, result: { rc: 1, stdout: DNF_INSTALL } },
      { match: /^for t in/, result: { stdout: 'PM dnf\nPM rpm\nR sl -\n' } },
    ]);
    const { d, conn } = await decide('dnf', { name: 'sl', disable_gpg_check: true }, rules);
    expect(d).toMatchObject({ kind: 'change', data: { packages: ['sl', 'ncurses-compat-libs'] } });
    expect(conn.scripts[1]).toBe('LANG=C dnf --assumeno --nogpgcheck install sl');
    if (d.kind !== 'change') throw new Error(`expected a change, got ${d.kind}`);
    await d.apply();
    expect(conn.scripts.at(-1)).toBe('LANG=C dnf -y --nogpgcheck install sl');
    const same = await decide('yum', { name: 'bash', state: 'installed' }, [
      { match: /^for t in/, result: { stdout: 'PM yum\nPM rpm\nR bash bash-5.2.x86_64\n' } },
    ]);
    expect(same.d).toMatchObject({ kind: 'ok', msg: 'Nothing to do' });
    const pkg = await decide('package', { name: 'bash', state: 'absent' }, [
      { match: /--assumeno/, result: { rc: 1, stdout: YUM_REMOVE } },
      { match: /rpm -q/, result: { stdout: 'PM dnf\nPM rpm\nR bash bash-5.2.x86_64\n' } },
      { match: /^for t in/, result: { stdout: 'PM dnf\nPM rpm\n' } },
    ]);
    expect(pkg.d.kind).toBe('change');
    expect(pkg.conn.scripts[2]).toBe('LANG=C dnf --assumeno remove bash');
  });

  it("package passes the backend's arguments on, and refuses one the backend does not take, as Ansible", async () => {
    const refused = await decide('package', { name: 'bash', update_cache: true, enablerepo: 'epel' }, [
      { match: /^for t in/, result: { stdout: 'PM apt-get\nPM dpkg\n' } },
    ]);
    expect(refused.d).toMatchObject({
      kind: 'fail',
      msg: 'Unsupported parameters for (ansible.legacy.apt) module: enablerepo',
    });
    const down = await decide('package', { name: 'sl=5.02-1', allow_downgrade: true, install_recommends: false }, [
      { match: /apt-get -s/, result: { stdout: 'Inst sl [5.05-1] (5.02-1 Debian:12/stable [amd64])\n' } },
      { match: /dpkg-query/, result: { stdout: 'PM apt-get\nPM dpkg-query\nQ sl install ok installed 5.05-1\n' } },
      { match: /^for t in/, result: { stdout: 'PM apt-get\nPM dpkg-query\n' } },
    ]);
    expect(down.d.kind).toBe('change');
    expect(down.conn.scripts.find((s) => s.includes('apt-get -s'))).toMatch(
      /Install-Recommends\\=no --allow-downgrades -- sl\\=5\.02-1$/,
    );
  });
});

describe('user facts', () => {
  it('reads passwd, groups (primary excluded) and the shadow hash', () => {
    const out =
      'P alice:x:1001:1001:Alice:/home/alice:/bin/bash\nI alice sudo docker\nG alice:x:1001:\nG sudo:x:27:alice\nG docker:x:999:alice\nS alice:$6$abc:19000:0:99999:7:::\n';
    const { user, groupIds } = parseUserFacts(out);
    expect(user).toEqual({
      uid: 1001,
      gid: 1001,
      comment: 'Alice',
      home: '/home/alice',
      shell: '/bin/bash',
      groups: ['sudo', 'docker'],
      hash: '$6$abc',
    });
    expect(groupIds.get('docker')).toBe(999);
  });
  it('never shows the password', async () => {
    const { d } = await decide('user', { name: 'alice', password: '$6$new' }, [
      {
        match: /getent/,
        result: {
          stdout:
            'HAVE usermod\nP alice:x:1001:1001::/home/alice:/bin/sh\nI alice\nG alice:x:1001:\nS alice:$6$old:1::::::\n',
        },
      },
    ]);
    if (d.kind !== 'change') throw new Error(`expected a change, got ${d.kind}`);
    expect(JSON.stringify([d.data, d.diff, d.msg])).not.toMatch(/\$6\$/);
    expect(d.data).toMatchObject({ password: 'NOT_LOGGING_PASSWORD' });
  });
});
