/**
 * The system modules on real sandbox hosts through the real CLI: each
 * playbook runs in check mode first (which must change nothing and predict
 * exactly the tasks the real run changes), then for real (exact effects
 * asserted), then again (changed=0). Light hosts (127.84.0.x) for files,
 * users, packages and modprobe; a systemd host (127.84.1.1) for units and
 * the read-only /proc/sys. No kernel setting or module of this machine is
 * ever changed: sysctl runs with reload: false on light hosts, and loads go
 * to a fake modprobe inside the host.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import type { SandboxHost } from '../../src/sandbox/index.js';
import { runJson } from '../helpers/cli.js';
import { debianMirrorSkip, skipNote } from '../helpers/network.js';
import { withSandbox, type SandboxFixture } from '../helpers/sandbox.js';

interface JsonEvent {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  data?: Record<string, unknown>;
  diff?: Array<{ before: string; after: string }>;
  hosts?: Record<string, Record<string, number>>;
}

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-sys-'));

const bosun = (args: string[]) => runJson<JsonEvent>(args);

const results = (events: JsonEvent[]) => events.filter((e) => e.type === 'task_result');
const changedTasks = (events: JsonEvent[]) =>
  results(events)
    .filter((e) => e.status === 'changed')
    .map((e) => `${e.host}|${e.task}`)
    .sort();
const resultOf = (events: JsonEvent[], task: string) => results(events).find((e) => e.task === task)!;

function playbook(name: string, tasks: string): string {
  const file = path.join(dir, `${name}.yml`);
  writeFileSync(file, `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.replace(/^/gm, '    ').trimEnd()}\n`);
  return file;
}

async function onHost(fixture: SandboxFixture, host: SandboxHost, script: string): Promise<string> {
  const conn = new SshConnection(fixture.specFor(host));
  try {
    await conn.connect();
    return (await conn.exec(script)).stdout;
  } finally {
    await conn.close();
  }
}

/** Path, mode, owner and content hash of each path (or `absent`), on every host. */
async function snapshot(fixture: SandboxFixture, paths: string[], extra = ''): Promise<string[]> {
  const list = paths.map((p) => `'${p}'`).join(' ');
  const script = `for f in ${list}; do if [ -e "$f" ]; then stat -c '%n %a %u %g' "$f"; if [ -f "$f" ]; then sha256sum < "$f"; fi; else echo "$f absent"; fi; done; ${extra}`;
  return Promise.all(fixture.sandbox.hosts.map((h) => onHost(fixture, h, script)));
}

/** Check (nothing changes, prediction recorded), real run (same tasks change), second run (nothing changes). */
async function converge(
  fixture: SandboxFixture,
  file: string,
  paths: string[],
  extra = '',
): Promise<{ check: JsonEvent[]; real: JsonEvent[] }> {
  const inv = fixture.sandbox.inventoryFile;
  const before = await snapshot(fixture, paths, extra);
  const check = await bosun(['run', file, '-i', inv, '--check', '--diff']);
  expect(check.err).toBe('');
  expect(check.code, JSON.stringify(results(check.events).filter((e) => e.status === 'failed'))).toBe(0);
  expect(await snapshot(fixture, paths, extra)).toEqual(before);
  const real = await bosun(['run', file, '-i', inv]);
  expect(real.code, JSON.stringify(results(real.events).filter((e) => e.status === 'failed'))).toBe(0);
  expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
  const again = await bosun(['run', file, '-i', inv]);
  expect(again.code).toBe(0);
  expect(changedTasks(again.events)).toEqual([]);
  return { check: check.events, real: real.events };
}

const light = withSandbox(2, { base: '127.84.0.1' });
/** The apt test installs a package from Debian's mirror. */
const aptSkip = await debianMirrorSkip();

light.describe('system modules on light sandbox hosts', () => {
  it('blockinfile, replace, sysctl (file only), modprobe persistent, command unless: predicted, applied, idempotent', async () => {
    for (const h of light.sandbox.hosts)
      await onHost(light, h, "mkdir -p /etc/demo && printf 'port=80\\nhost=a\\n' > /etc/demo/app.conf");
    const file = playbook(
      'files',
      `
- name: block
  blockinfile: { path: /etc/demo/app.conf, block: "x=1\\ny=2", insertbefore: "^host=" }
- name: replace
  replace: { path: /etc/demo/app.conf, regexp: '^port=(80)$', replace: 'port=\\g<1>80' }
- name: sysctl
  sysctl: { name: net.ipv4.ip_forward, value: '1', reload: false }
- name: modprobe
  modprobe: { name: br_netfilter, state: absent, persistent: present, params: 'x=1' }
- name: probe
  command: { cmd: touch /etc/demo/probed, unless: 'test -e /etc/demo/probed' }
`,
    );
    const paths = [
      '/etc/demo/app.conf',
      '/etc/sysctl.d/99-bosun.conf',
      '/etc/modules-load.d/br_netfilter.conf',
      '/etc/modprobe.d/br_netfilter.conf',
      '/etc/demo/probed',
    ];
    const { check } = await converge(light, file, paths);
    expect(changedTasks(check)).toHaveLength(10);
    expect(resultOf(check, 'replace').msg).toBe('1 replacements made');
    const out = await onHost(
      light,
      light.sandbox.hosts[0]!,
      `cat /etc/demo/app.conf /etc/sysctl.d/99-bosun.conf /etc/modules-load.d/br_netfilter.conf /etc/modprobe.d/br_netfilter.conf; ls /etc/demo/probed`,
    );
    expect(out).toBe(
      'port=8080\n# BEGIN ANSIBLE MANAGED BLOCK\nx=1\ny=2\n# END ANSIBLE MANAGED BLOCK\nhost=a\nnet.ipv4.ip_forward=1\nbr_netfilter\noptions br_netfilter x=1\n/etc/demo/probed\n',
    );
  });

  it('group and user: created, changed, password never shown, removed', async () => {
    const hash = '$6$bosunsalt$Yc1bq2dD3bFZ6dGzN7R8mD7h0jQ8QxkN0ZtVv7B9uT8W5zq0nX1cQ2a3b4c5d6e7f8g9h0i1j2k3l4m5n6o7p8';
    const file = playbook(
      'users',
      `
- name: group
  group: { name: bosunops, gid: 4242 }
- name: user
  user: { name: bosun1, uid: 4243, groups: [bosunops], shell: /bin/sh, comment: Bosun One, password: '${hash}' }
`,
    );
    const { real } = await converge(light, file, ['/etc/passwd', '/etc/group', '/etc/shadow', '/home/bosun1']);
    expect(JSON.stringify(real)).not.toContain(hash);
    const out = await onHost(
      light,
      light.sandbox.hosts[1]!,
      'getent passwd bosun1; id -Gn bosun1; getent shadow bosun1 | cut -d: -f2; stat -c %U /home/bosun1',
    );
    expect(out).toBe(`bosun1:x:4243:4243:Bosun One:/home/bosun1:/bin/sh\nbosun1 bosunops\n${hash}\nbosun1\n`);
    const change = playbook(
      'users2',
      '- name: user\n  user: { name: bosun1, shell: /bin/bash, groups: [], append: false }\n',
    );
    const { check } = await converge(light, change, ['/etc/passwd', '/etc/group']);
    expect(resultOf(check, 'user').diff?.[0]).toEqual(
      expect.objectContaining({ before: 'groups: bosunops\nshell: /bin/sh\n', after: 'groups: \nshell: /bin/bash\n' }),
    );
    const remove = playbook(
      'users3',
      '- name: user\n  user: { name: bosun1, state: absent, remove: true }\n- name: group\n  group: { name: bosunops, state: absent }\n',
    );
    await converge(light, remove, ['/etc/passwd', '/etc/group', '/home/bosun1']);
    expect(
      await onHost(
        light,
        light.sandbox.hosts[0]!,
        'getent passwd bosun1; getent group bosunops; ls -d /home/bosun1 2>&1 | grep -c "No such"',
      ),
    ).toBe('1\n');
  });

  it.skipIf(aptSkip !== undefined)(
    skipNote('apt installs a real package into the host only, check mode asks apt-get, then removes it', aptSkip),
    async () => {
      const install = playbook('apt', '- name: sl\n  apt: { name: sl, install_recommends: false }\n');
      const { check, real } = await converge(light, install, ['/usr/games/sl', '/var/lib/dpkg/status']);
      expect(resultOf(check, 'sl').data).toMatchObject({ packages: ['sl'] });
      expect(resultOf(real, 'sl').data).toMatchObject({ packages: ['sl'], cache_updated: false });
      expect(await onHost(light, light.sandbox.hosts[0]!, "dpkg-query -W -f='${Status}' sl")).toBe(
        'install ok installed',
      );
      const remove = playbook('apt-rm', '- name: sl\n  package: { name: sl, state: absent }\n');
      await converge(light, remove, ['/usr/games/sl', '/var/lib/dpkg/status']);
      expect(await onHost(light, light.sandbox.hosts[0]!, 'ls /usr/games/sl 2>&1 | grep -c "No such"')).toBe('1\n');
    },
    600_000,
  );

  it('modprobe: a builtin module is a no-op; missing binary, failing and predicted loads go through a fake modprobe', async () => {
    const host = light.sandbox.hosts[0]!;
    const noop = playbook('mod-builtin', '- name: m\n  modprobe: { name: bosun_builtin }\n');
    await onHost(
      light,
      host,
      'mkdir -p "/lib/modules/$(uname -r)" && echo kernel/drivers/bosun_builtin.ko >> "/lib/modules/$(uname -r)/modules.builtin"',
    );
    const b = await bosun(['run', noop, '-i', light.sandbox.inventoryFile, '--limit', host.name]);
    expect(resultOf(b.events, 'm').status).toBe('ok');
    const load = playbook('mod-load', '- name: m\n  modprobe: { name: bosun_fake, params: "a=1" }\n');
    const hasModprobe = (await onHost(light, host, 'command -v modprobe || true')).trim();
    if (!hasModprobe) {
      const missing = await bosun(['run', load, '-i', light.sandbox.inventoryFile, '--limit', host.name, '--check']);
      expect(resultOf(missing.events, 'm').msg).toBe(
        'modprobe: the modprobe command is not installed on the host (cannot load bosun_fake)',
      );
    }
    // A fake modprobe first on the PATH: it logs its arguments and refuses unknown modules, like kmod's.
    await onHost(
      light,
      host,
      `printf '%s\\n' '#!/bin/sh' 'echo "$*" >> /tmp/modprobe.log' 'case "$*" in *nosuch*) echo "modprobe: FATAL: Module nosuch not found in directory /lib/modules/x" >&2; exit 1;; "-- bosun_eperm") echo "modprobe: ERROR: could not insert '"'"'bosun_eperm'"'"': Operation not permitted" >&2; exit 1;; esac' > /usr/local/sbin/modprobe && chmod 755 /usr/local/sbin/modprobe`,
    );
    const check = await bosun([
      'run',
      load,
      '-i',
      light.sandbox.inventoryFile,
      '--limit',
      host.name,
      '--check',
      '--diff',
    ]);
    expect(resultOf(check.events, 'm')).toMatchObject({ status: 'changed' });
    expect(await onHost(light, host, 'cat /tmp/modprobe.log')).toBe('-n -- bosun_fake a=1\n');
    const bad = playbook('mod-bad', '- name: m\n  modprobe: { name: nosuch }\n');
    const failed = await bosun(['run', bad, '-i', light.sandbox.inventoryFile, '--limit', host.name, '--check']);
    expect(resultOf(failed.events, 'm')).toMatchObject({
      status: 'failed',
      msg: 'modprobe: FATAL: Module nosuch not found in directory /lib/modules/x',
    });
    // What the kernel answers a host without CAP_SYS_MODULE (every sandbox host): the dry run passes, the load not.
    const eperm = playbook('mod-eperm', '- name: m\n  modprobe: { name: bosun_eperm }\n');
    const refused = await bosun(['run', eperm, '-i', light.sandbox.inventoryFile, '--limit', host.name]);
    expect(resultOf(refused.events, 'm')).toMatchObject({
      status: 'failed',
      msg: "modprobe: this host may not load kernel modules (modprobe: ERROR: could not insert 'bosun_eperm': Operation not permitted); it shares its kernel with the machine it runs on (a container, or a bosun sandbox host)",
    });
  });

  it('systemd and service fail clearly where PID 1 is not systemd', async () => {
    const file = playbook(
      'nosystemd',
      '- name: s\n  systemd: { name: ssh, state: started }\n  ignore_errors: true\n- name: v\n  service: { name: ssh, state: started }\n  ignore_errors: true\n',
    );
    const res = await bosun(['run', file, '-i', light.sandbox.inventoryFile]);
    expect(resultOf(res.events, 's').msg).toBe('systemd: the host has no running systemd (PID 1 is sshd)');
    expect(resultOf(res.events, 'v').msg).toBe(
      "service: the host's init system is not systemd (PID 1 is sshd); only systemd is supported",
    );
  });
});

const sd = withSandbox(1, { base: '127.84.1.1', systemd: true });

sd.describe('systemd on a systemd-booted sandbox host', () => {
  const unitState = 'systemctl show bosun-sleep -p ActiveState,UnitFileState,LoadState,NeedDaemonReload';
  it('unit file, daemon_reload, started+enabled, restarted, stopped, masked: each predicted and idempotent', async () => {
    const unit =
      '[Unit]\\nDescription=bosun test\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n';
    const paths = [
      '/usr/lib/systemd/system/bosun-sleep.service',
      '/etc/systemd/system/bosun-sleep.service',
      '/etc/systemd/system/multi-user.target.wants/bosun-sleep.service',
    ];
    const up = playbook(
      'sd-up',
      `
- name: unit
  copy: { dest: /usr/lib/systemd/system/bosun-sleep.service, content: "${unit}" }
- name: start
  systemd: { name: bosun-sleep, daemon_reload: true, state: started, enabled: true }
`,
    );
    const { check, real } = await converge(sd, up, paths, unitState);
    expect(changedTasks(check)).toHaveLength(2);
    expect(resultOf(real, 'start').data).toMatchObject({ name: 'bosun-sleep', state: 'started', enabled: true });
    expect(await onHost(sd, sd.sandbox.hosts[0]!, unitState)).toBe(
      'LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=no\n',
    );
    // restarted always changes (as in Ansible), so only check its prediction and effect.
    const restart = playbook('sd-restart', '- name: r\n  systemd: { name: bosun-sleep, state: restarted }\n');
    const pid = async () => onHost(sd, sd.sandbox.hosts[0]!, 'systemctl show -p MainPID --value bosun-sleep');
    const pid0 = await pid();
    const rc = await bosun(['run', restart, '-i', sd.sandbox.inventoryFile, '--check']);
    expect(resultOf(rc.events, 'r').status).toBe('changed');
    expect(await pid()).toBe(pid0);
    const rr = await bosun(['run', restart, '-i', sd.sandbox.inventoryFile]);
    expect(resultOf(rr.events, 'r').status).toBe('changed');
    expect(await pid()).not.toBe(pid0);
    // A unit file changed on disk: daemon_reload reloads it, and is no change of its own (as Ansible's module, which
    // runs daemon-reload on every run but in check mode without reporting it).
    for (const [i, args] of ['{ name: bosun-sleep, daemon_reload: true }', '{ daemon_reload: true }'].entries()) {
      await onHost(
        sd,
        sd.sandbox.hosts[0]!,
        `sed -i 's/^Description=.*/Description=bosun test ${i}/' /usr/lib/systemd/system/bosun-sleep.service`,
      );
      const reload = playbook(`sd-reload${i}`, `- name: reload\n  systemd: ${args}\n`);
      const r = await converge(sd, reload, paths, unitState);
      expect(changedTasks(r.check)).toEqual([]);
      expect(await onHost(sd, sd.sandbox.hosts[0]!, 'systemctl show -p Description --value bosun-sleep')).toBe(
        `bosun test ${i}\n`,
      );
    }
    const down = playbook(
      'sd-down',
      '- name: stop\n  systemd: { name: bosun-sleep, state: stopped, enabled: false }\n- name: mask\n  systemd: { name: bosun-sleep, masked: true }\n',
    );
    const d = await converge(sd, down, paths, unitState);
    expect(changedTasks(d.check)).toHaveLength(2);
    expect(await onHost(sd, sd.sandbox.hosts[0]!, unitState)).toBe(
      'LoadState=masked\nActiveState=inactive\nUnitFileState=masked\nNeedDaemonReload=no\n',
    );
    const missing = playbook('sd-missing', '- name: m\n  service: { name: bosun-nope, state: started }\n');
    const m = await bosun(['run', missing, '-i', sd.sandbox.inventoryFile]);
    expect(resultOf(m.events, 'm').msg).toBe('Could not find the requested service bosun-nope: host');
  }, 120_000);

  it('sysctl: the file is written, the live part fails clearly because /proc/sys is read-only here', async () => {
    const file = playbook(
      'sd-sysctl',
      '- name: s\n  sysctl: { name: net.ipv4.ip_forward, value: "1", sysctl_file: /etc/sysctl.d/50-test.conf }\n',
    );
    const res = await bosun(['run', file, '-i', sd.sandbox.inventoryFile]);
    expect(resultOf(res.events, 's')).toMatchObject({
      status: 'failed',
      msg: 'sysctl: /proc/sys is read-only in this host: cannot set net.ipv4.ip_forward live (/etc/sysctl.d/50-test.conf was written); use reload: false to manage only the file',
    });
    expect(await onHost(sd, sd.sandbox.hosts[0]!, 'cat /etc/sysctl.d/50-test.conf')).toBe('net.ipv4.ip_forward=1\n');
  });
});
