import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localConnection } from '../../helpers/module-harness.js';
import type { Connection } from '../../../src/connection/types.js';
import {
  factsScript,
  factVars,
  gatherFacts,
  type FactSubset,
  type FactsScriptOptions,
  mergeFacts,
  networkFacts,
  osReleaseValue,
  parseEnv,
  parseFacts,
  parseIpAddrLine,
  parseProcRoute,
  resolveSubsets,
} from '../../../src/modules/lib/facts.js';
import setup from '../../../src/modules/setup.js';
import type { ModuleContext } from '../../../src/modules/types.js';

/** The os-release lines as the facts script prints them (`os_` prefixed). */
const osRelease = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((l) => `os_${l}`)
    .join('\n');

const OS_RELEASES: Record<string, { text: string; extra?: string; expected: Record<string, string> }> = {
  debian: {
    text: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian`,
    extra: 'debian_version=12.11',
    expected: {
      distribution: 'Debian',
      distribution_version: '12.11',
      distribution_major_version: '12',
      distribution_minor_version: '11',
      distribution_release: 'bookworm',
      os_family: 'Debian',
    },
  },
  ubuntu: {
    text: `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy`,
    extra: 'debian_version=bookworm/sid',
    expected: {
      distribution: 'Ubuntu',
      distribution_version: '22.04',
      distribution_major_version: '22',
      distribution_release: 'jammy',
      distribution_file_path: '/etc/os-release',
      distribution_file_variety: 'Debian',
      os_family: 'Debian',
    },
  },
  rocky: {
    text: `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"`,
    extra: 'rf:/etc/redhat-release=Rocky Linux release 9.3 (Blue Onyx)',
    expected: {
      distribution: 'Rocky',
      distribution_version: '9.3',
      distribution_major_version: '9',
      distribution_release: 'Blue Onyx',
      distribution_file_path: '/etc/redhat-release',
      distribution_file_variety: 'RedHat',
      os_family: 'RedHat',
    },
  },
  openeuler: {
    text: `NAME="openEuler"
VERSION="22.03 (LTS-SP3)"
ID="openEuler"
VERSION_ID="22.03"
PRETTY_NAME="openEuler 22.03 (LTS-SP3)"
ANSI_COLOR="0;31"`,
    extra: 'xrf=/etc/openEuler-release|openEuler release 22.03 (LTS-SP3)',
    expected: {
      distribution: 'openEuler',
      distribution_version: '22.03',
      distribution_major_version: '22',
      distribution_release: 'LTS-SP3',
      distribution_file_path: '/etc/os-release',
      distribution_file_variety: 'NA',
      os_family: 'RedHat',
    },
  },
  alpine: {
    text: `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"`,
    extra: 'rf:/etc/alpine-release=3.19.1',
    expected: {
      distribution: 'Alpine',
      distribution_version: '3.19.1',
      distribution_major_version: '3',
      distribution_release: 'NA',
      distribution_file_path: '/etc/alpine-release',
      os_family: 'Alpine',
    },
  },
  unknown: {
    // Ansible reads no ID_LIKE: a name it does not know is its own family.
    text: `NAME="Some Linux"
ID=somelinux
ID_LIKE="suse"
VERSION_ID='1.2'`,
    expected: { distribution: 'Some Linux', distribution_version: '1.2', os_family: 'Some Linux' },
  },
};

describe('distribution facts from /etc/os-release', () => {
  it.each(Object.entries(OS_RELEASES))('%s', (_name, { text, extra, expected }) => {
    const facts = parseFacts(`${osRelease(text)}\n${extra ?? ''}\n`, new Set(['distribution']));
    expect(facts).toMatchObject(expected);
    // As Ansible: a minor version only where Debian's /etc/debian_version (or Amazon's os-release) states one.
    if (!('distribution_minor_version' in expected)) expect(facts).not.toHaveProperty('distribution_minor_version');
  });

  it.each([
    ['"quoted \\"x\\" \\$y"', 'quoted "x" $y'],
    ["'single'", 'single'],
    ['bare', 'bare'],
    ['""', ''],
  ])('os-release value %s', (raw, value) => expect(osReleaseValue(raw)).toBe(value));
});

describe('network facts', () => {
  it('default route and address from ip', () => {
    const facts = networkFacts(
      'default via 192.0.2.1 dev eth0 proto dhcp src 192.0.2.2 metric 100',
      [
        '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
        '4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever',
        '5: eth1    inet 10.1.0.7/16 brd 10.1.255.255 scope global eth1',
        '5: eth1    inet 10.1.0.8/16 scope global secondary eth1',
      ],
      [],
      [],
      (k) => ({ dev_mac: '02:fc:00:00:00:01', dev_mtu: '1400', dev_type: '1', interfaces: 'eth0 eth1 lo ' })[k] ?? '',
    );
    expect(facts).toEqual({
      default_ipv4: {
        address: '192.0.2.2',
        alias: 'eth0',
        broadcast: '192.0.2.255',
        gateway: '192.0.2.1',
        interface: 'eth0',
        netmask: '255.255.255.0',
        network: '192.0.2.0',
        prefix: '24',
        macaddress: '02:fc:00:00:00:01',
        mtu: 1400,
        type: 'ether',
      },
      all_ipv4_addresses: ['192.0.2.2', '10.1.0.7', '10.1.0.8'],
      interfaces: ['eth0', 'eth1', 'lo'],
    });
  });

  it('a veth name with @peer, and no default route', () => {
    expect(parseIpAddrLine('9: veth0@if8    inet 172.17.0.2/16 brd 172.17.255.255 scope global veth0')).toEqual({
      interface: 'veth0',
      address: '172.17.0.2',
      prefix: 16,
      broadcast: '172.17.255.255',
    });
    expect(networkFacts(undefined, [], [], []).default_ipv4).toEqual({});
  });

  it('/proc/net/route and ifconfig when ip is missing', () => {
    const proc = [
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    ];
    expect(parseProcRoute(proc)).toEqual({ interface: 'eth0', gateway: '192.0.2.1' });
    const facts = networkFacts(undefined, [], proc, [
      'eth0      Link encap:Ethernet  HWaddr 02:42:AC:11:00:02',
      '          inet addr:192.0.2.2  Bcast:192.0.2.255  Mask:255.255.255.0',
    ]);
    expect(facts['default_ipv4']).toMatchObject({
      address: '192.0.2.2',
      gateway: '192.0.2.1',
      interface: 'eth0',
      prefix: '24',
      network: '192.0.2.0',
    });
    expect(facts['all_ipv4_addresses']).toEqual(['192.0.2.2']);
  });
});

describe('other facts', () => {
  it('architecture as Ansible and as Go', () => {
    const arch = (m: string) => {
      const f = parseFacts(`machine=${m}\n`, new Set(['platform']));
      return [f['architecture'], f['bosun_arch']];
    };
    expect(arch('x86_64')).toEqual(['x86_64', 'amd64']);
    expect(arch('aarch64')).toEqual(['aarch64', 'arm64']);
    expect(arch('ppc64le')).toEqual(['ppc64le', 'ppc64le']);
    expect(arch('s390x')).toEqual(['s390x', 's390x']);
    expect(arch('armv7l')).toEqual(['armv7l', 'arm']);
    expect(arch('i686')).toEqual(['i386', '386']);
  });

  it('service manager, package manager, memory, user, date', () => {
    const out = [
      'pid1=init',
      'openrc=1',
      'pkg=apk',
      'nproc=4',
      'vcpus=4',
      'mem_MemTotal=8046120',
      'mem_MemFree=1024000',
      'mem_Buffers=102400',
      'mem_Cached=2048000',
      'user_id=alice',
      'user_uid=1000',
      'user_gid=1000',
      'real_uid=1000',
      'real_gid=1000',
      'home=/home/alice',
      'passwd=alice:x:1000:1000:Alice A,,,:/home/alice:/bin/bash',
      'dt_epoch=1700000000',
      'dt_nanos=123456789',
      'dt_local=2023-11-15T08:13:20',
      'dt_tz=CET',
      'dt_offset=+0100',
      'dt_weekday=Wednesday',
      'dt_wday=3',
      'dt_week=46',
    ].join('\n');
    const f = parseFacts(out, resolveSubsets(['all']));
    expect(f).toMatchObject({
      service_mgr: 'openrc',
      pkg_mgr: 'apk',
      processor_vcpus: 4,
      memtotal_mb: 7857,
      memfree_mb: 1000,
      user_shell: '/bin/bash',
      user_dir: '/home/alice',
      user_gecos: 'Alice A,,,',
      user_uid: 1000,
    });
    expect(f['memory_mb']).toMatchObject({ real: { total: 7857, free: 1000, used: 6857 }, nocache: { free: 3100 } });
    expect(f['date_time']).toMatchObject({
      epoch: '1700000000',
      iso8601: '2023-11-14T22:13:20Z',
      iso8601_micro: '2023-11-14T22:13:20.123456Z',
      date: '2023-11-15',
      time: '08:13:20',
      tz: 'CET',
      tz_offset: '+0100',
      weekday: 'Wednesday',
      year: '2023',
      hour: '08',
    });
    expect(parseFacts('pid1=systemd\n', new Set(['service_mgr']))['service_mgr']).toBe('systemd');
    expect(parseFacts('pid1=init\nrun_systemd=1\n', new Set(['service_mgr']))['service_mgr']).toBe('systemd');
    expect(parseFacts('pid1=sshd\n', new Set(['service_mgr']))['service_mgr']).toBe('sshd');
  });

  it('the environment: env -0 keeps values with newlines; plain env works too', () => {
    expect(parseEnv('PATH=/bin:/usr/bin\0MULTI=a\nb=c\0EMPTY=\0')).toEqual({
      PATH: '/bin:/usr/bin',
      MULTI: 'a\nb=c',
      EMPTY: '',
    });
    expect(parseEnv('PATH=/bin\nHOME=/root\n')).toEqual({ PATH: '/bin', HOME: '/root' });
  });

  it('exposes ansible_facts (unprefixed) and ansible_* names; setup results merge in', () => {
    const vars = factVars({ distribution: 'Debian', bosun_arch: 'amd64' });
    expect(vars).toEqual({
      ansible_facts: { distribution: 'Debian', bosun_arch: 'amd64' },
      ansible_distribution: 'Debian',
      bosun_arch: 'amd64',
    });
    const merged = mergeFacts(vars, { ansible_distribution: 'Ubuntu', ansible_memtotal_mb: 100 });
    expect(merged['ansible_facts']).toEqual({ distribution: 'Ubuntu', bosun_arch: 'amd64', memtotal_mb: 100 });
    expect(merged['ansible_memtotal_mb']).toBe(100);
  });
});

describe('gather_subset', () => {
  const sorted = (spec: string[]) => [...resolveSubsets(spec)].sort();
  const min = [
    'apparmor',
    'cmdline',
    'date_time',
    'distribution',
    'dns',
    'env',
    'fips',
    'local',
    'lsb',
    'pkg_mgr',
    'platform',
    'python',
    'selinux',
    'service_mgr',
    'ssh_pub_keys',
    'user',
  ];
  it.each([
    [['all'], [...min, 'hardware', 'network', 'virtual'].sort()],
    [['min'], min],
    [['!all'], min],
    [['!all', '!min'], []],
    [['!all', 'network'], [...min, 'network'].sort()],
    [['!hardware'], [...min, 'network', 'virtual'].sort()],
    [['!all', '!min', 'distribution'], ['distribution']],
    [['!env'], [...min.filter((s) => s !== 'env'), 'hardware', 'network', 'virtual'].sort()],
  ])('%j', (spec, expected) => expect(sorted(spec)).toEqual(expected));

  it("an unknown subset is an error in Ansible's words; one Ansible knows and bosun does not gather, in bosun's", () => {
    expect(() => resolveSubsets(['nope'])).toThrow(
      /^Bad subset 'nope' given to Ansible\. gather_subset options allowed: all, all_ipv4_addresses, /,
    );
    expect(() => resolveSubsets(['nvme'])).toThrow(/unknown subset 'nvme'/);
  });

  it('excluding a subset nobody knows changes nothing, as in Ansible', () => {
    expect(sorted(['!nope', '!facter', 'min'])).toEqual(sorted(['min']));
  });

  it('min runs no network or hardware commands', () => {
    const script = factsScript(resolveSubsets(['min']));
    expect(script).not.toContain('ip -o');
    expect(script).not.toContain('meminfo');
    expect(script).toContain('os-release');
  });
});

/** Commands the facts script may call, each replaced by a wrapper that logs its name and runs the real one (or a fake). */
const COMMANDS = [
  'uname',
  'hostname',
  'id',
  'getent',
  'grep',
  'date',
  'nproc',
  'ip',
  'env',
  'sed',
  'cat',
  'ls',
  'tr',
  'awk',
  'systemd-detect-virt',
  'ifconfig',
];

/** Run the facts script with `sh` here, the commands on PATH logged; `fakes` replaces (script text) or removes (null) commands. */
function runScript(
  subsets: ReadonlySet<FactSubset>,
  fakes: Record<string, string | null> = {},
  opts: FactsScriptOptions = {},
): { facts: Record<string, unknown>; stdout: string; calls: string[] } {
  const bin = mkdtempSync(path.join(tmpdir(), 'bosun-facts-bin-'));
  const log = path.join(bin, 'calls.log');
  for (const name of COMMANDS) {
    if (fakes[name] === null) continue;
    let real = '';
    try {
      real = execFileSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      if (fakes[name] === undefined) continue;
    }
    const body = fakes[name] ?? `exec ${real} "$@"`;
    writeFileSync(path.join(bin, name), `#!/bin/sh\necho ${name} >> ${log}\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  }
  writeFileSync(log, '');
  const stdout = execFileSync(
    '/bin/sh',
    ['-c', 'export LC_ALL=C LANG=C\n( eval "$1" ) </dev/null', 'facts', factsScript(subsets, opts)],
    {
      encoding: 'utf8',
      env: { PATH: bin, HOME: process.env['HOME'] ?? '/' },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return { facts: parseFacts(stdout, subsets), stdout, calls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe.runIf(process.platform === 'linux')('the facts script (sh, here)', () => {
  it("reads files with the shell's own read: no cat, sed, grep, ls, tr, id, nproc; one process per command still needed", () => {
    const { calls } = runScript(resolveSubsets(['all']));
    expect(calls.filter((c) => ['cat', 'sed', 'grep', 'ls', 'tr', 'id', 'nproc'].includes(c))).toEqual([]);
    for (const once of ['uname', 'hostname', 'getent', 'date', 'ip', 'awk', 'env'])
      expect(calls.filter((c) => c === once)).toEqual([once]);
    expect(calls.length).toBeLessThanOrEqual(9);
    // Without a python: no python facts, nothing else missing.
    const bare = runScript(resolveSubsets(['all']), {}, { pythonCandidates: [] });
    expect(bare.facts['python']).toBeUndefined();
    expect(bare.facts['selinux_python_present']).toBeUndefined();
    expect(Object.keys(bare.facts).length).toBeGreaterThan(40);
  });

  it('gives the values the files and the kernel hold', () => {
    const { facts, stdout } = runScript(resolveSubsets(['all']));
    const f = (k: string): unknown => facts[k];
    expect(f('user_uid')).toBe(process.getuid!());
    expect(f('real_user_id')).toBe(process.getuid!());
    expect(f('user_gid')).toBe(process.getgid!());
    expect(f('user_id')).toBe(userInfo().username);
    expect(f('user_dir')).toBe(userInfo().homedir);
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    expect(f('processor_vcpus')).toBe(
      cpuinfo.split('\n').filter((l) => l.startsWith('processor')).length || f('processor_nproc'),
    );
    const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(f('memtotal_mb')).toBe(Math.floor(memTotal / 1024));
    expect(stdout).toContain(`\npid1=${readFileSync('/proc/1/comm', 'utf8').replace(/\n$/, '')}\n`);
    expect(f('interfaces')).toEqual(
      readdirSync('/sys/class/net')
        .filter((n) => !n.startsWith('.'))
        .sort(),
    );
    expect(f('kernel')).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect(f('kernel_version')).toBe(readFileSync('/proc/sys/kernel/version', 'utf8').trim());
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    for (const line of osRelease.split('\n').filter((l) => /^[A-Z_]*=/.test(l)))
      expect(`\n${stdout}`).toContain(`\nos_${line}\n`);
  });

  it('splits one uname call, and falls back to the node name when hostname -f fails', () => {
    const { facts } = runScript(new Set(['platform']), {
      uname: 'printf "%s\\n" "Linux box.example 6.1.0-1 #1 SMP  PREEMPT_DYNAMIC Debian 6.1 (2024-01-01) aarch64"',
      hostname: 'exit 1',
    });
    expect(facts).toMatchObject({
      system: 'Linux',
      nodename: 'box.example',
      hostname: 'box',
      fqdn: 'box.example',
      domain: 'example',
      kernel: '6.1.0-1',
      kernel_version: '#1 SMP  PREEMPT_DYNAMIC Debian 6.1 (2024-01-01)',
      machine: 'aarch64',
      bosun_arch: 'arm64',
    });
  });

  it("asks one ip for both default routes and every address (batch mode), and reads each interface's files", () => {
    const ip = [
      'while read -r l; do :; done',
      'printf "%s\\n" "8.8.8.8 via 127.0.0.9 dev lo src 127.0.0.1 uid 0 \\    cache "',
      'printf "%s\\n" "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever"',
      'printf "%s\\n" "1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever"',
    ].join('\n');
    const { facts, calls } = runScript(new Set(['network']), { ip });
    expect(calls).toEqual(['ip']);
    // As Ansible: the default interface's own files, and the MAC as read even when it is all zeros.
    expect(facts['default_ipv4']).toEqual({
      address: '127.0.0.1',
      alias: 'lo',
      broadcast: '',
      gateway: '127.0.0.9',
      interface: 'lo',
      netmask: '255.0.0.0',
      network: '127.0.0.0',
      prefix: '8',
      macaddress: '00:00:00:00:00:00',
      mtu: 65536,
      type: 'loopback',
    });
    expect(facts['default_ipv6']).toEqual({});
    expect(facts['lo']).toMatchObject({
      device: 'lo',
      active: true,
      mtu: 65536,
      type: 'loopback',
      ipv4: { address: '127.0.0.1', prefix: '8' },
      ipv6: [{ address: '::1', prefix: '128', scope: 'host' }],
    });
    expect(facts['lo']).not.toHaveProperty('macaddress');
    expect(facts['all_ipv4_addresses']).toEqual([]);
    expect(facts['all_ipv6_addresses']).toEqual([]);
  });

  it('an ip without batch mode (busybox): route get and addr show one by one, the same facts', () => {
    const ip = [
      'case "$2" in -force) exit 1 ;; esac',
      'case "$*" in',
      '  *"route get 8.8.8.8"*) printf "%s\\n" "8.8.8.8 via 127.0.0.9 dev lo src 127.0.0.1" ;;',
      '  *"route get"*) exit 2 ;;',
      '  *"addr show"*) printf "%s\\n" "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever" ;;',
      'esac',
    ].join('\n');
    const { facts, calls } = runScript(new Set(['network']), { ip });
    expect(calls).toEqual(['ip', 'ip', 'ip', 'ip']);
    expect(facts['default_ipv4']).toMatchObject({
      interface: 'lo',
      address: '127.0.0.1',
      gateway: '127.0.0.9',
      prefix: '8',
    });
  });

  it('without ip: /proc/net/route and ifconfig', () => {
    const route = parseProcRoute(readFileSync('/proc/net/route', 'utf8').split('\n').slice(1));
    const { facts, calls } = runScript(new Set(['network']), {
      ip: null,
      ifconfig:
        'printf "%s\\n" "$1: flags=4163<UP>  mtu 1400" "        inet 192.0.2.2  netmask 255.255.255.0  broadcast 192.0.2.255"',
    });
    expect(calls).toEqual(route ? ['ifconfig'] : []);
    if (route)
      expect(facts['default_ipv4']).toMatchObject({
        interface: route.interface,
        gateway: route.gateway,
        address: '192.0.2.2',
        prefix: '24',
      });
  });

  it('without awk: the vCPU count and the hypervisor flag from grep, as before', () => {
    const { facts, calls } = runScript(new Set(['hardware', 'virtual']), { awk: null });
    expect(calls.filter((c) => c === 'grep').length).toBe(2);
    expect(facts['processor_vcpus']).toBeGreaterThan(0);
  });
});

describe('facts of this machine (local connection)', () => {
  const conn = () => localConnection();

  it('gathers in one round trip', async () => {
    const c = conn();
    let calls = 0;
    const counting: Connection = {
      spec: c.spec,
      exec: (s, o) => {
        calls++;
        return c.exec(s, o);
      },
      connect: () => c.connect(),
      writeFile: c.writeFile.bind(c),
      readFile: c.readFile.bind(c),
      close: () => c.close(),
    };
    const facts = await gatherFacts(counting);
    await c.close();
    expect(calls).toBe(1);
    const f = facts['ansible_facts'] as Record<string, unknown>;
    expect(typeof f['hostname']).toBe('string');
    expect(facts['ansible_system']).toBe('Linux');
    expect((f['env'] as Record<string, string>)['PATH']).toBeTruthy();
    expect(Number((f['date_time'] as Record<string, string>)['epoch'])).toBeGreaterThan(1_600_000_000);
    expect(f['memtotal_mb']).toBeGreaterThan(0);
  });

  it('setup: gather_subset and filter', async () => {
    const c = conn();
    const ctx = { host: 'local', conn: c, check: false, diff: false, vars: {} } as unknown as ModuleContext;
    const d = await setup.decide(ctx, { gather_subset: '!all,!min,distribution', filter: ['ansible_distribution*'] });
    await c.close();
    expect(d.kind).toBe('ok');
    const facts = d.facts!;
    // As Ansible: the filter applies to gather_subset and module_setup too.
    expect(Object.keys(facts).every((k) => k.startsWith('ansible_distribution'))).toBe(true);
    expect(facts).toHaveProperty('ansible_distribution_file_path');
    expect(facts).not.toHaveProperty('gather_subset');
    const all = await setup.decide(ctx, { gather_subset: '!all,!min,distribution' });
    expect(all.facts!['gather_subset']).toEqual(['!all', '!min', 'distribution']);
    expect(all.facts!['module_setup']).toBe(true);
  });
});
