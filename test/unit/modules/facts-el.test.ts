/**
 * Facts whose value depends on the distribution, for the hosts this machine
 * has none of (EL: RHEL, Rocky, AlmaLinux, CentOS, Oracle Linux, Fedora,
 * Amazon, openEuler, Kylin; Ubuntu), and the parsing differential-facts
 * cannot reach on a sandbox host (SELinux enabled, aliased and secondary
 * addresses, bridges, several sockets). Each case is the facts script's
 * output for that host's files, and the values Ansible 2.14's collectors give
 * for them (the Debian host itself is compared with Ansible in
 * test/integration/differential-facts.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { cpuFacts, mountFacts, mtabEntries, bindMounts, lsblkUuids } from '../../../src/modules/lib/facts-hardware.js';
import { ipNetworkFacts } from '../../../src/modules/lib/facts-network.js';
import { cmdlineFacts, dnsFacts, localFact, lsbFacts, selinuxFacts } from '../../../src/modules/lib/facts-system.js';
import { parseFacts } from '../../../src/modules/lib/facts.js';

/** The script's lines for a host's files: os-release as os_ lines, release files as rf:PATH= lines, others as xrf=. */
function scriptOutput(files: Record<string, string>, extra: string[] = []): string {
  const lines: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = text.replace(/\n$/, '').split('\n');
    if (path === '/etc/os-release') lines.push(...body.filter((l) => /^[A-Z0-9_]+=/.test(l)).map((l) => `os_${l}`));
    else if (path === '/etc/debian_version') lines.push(`debian_version=${body[0]}`);
    else if (
      [
        '/etc/oracle-release',
        '/etc/centos-release',
        '/etc/redhat-release',
        '/etc/system-release',
        '/etc/alpine-release',
        '/etc/lsb-release',
      ].includes(path)
    )
      lines.push(...body.map((l) => `rf:${path}=${l}`));
    else lines.push(`xrf=${path}|${body[0]}`);
  }
  return [...lines, ...extra].join('\n') + '\n';
}

const distribution = (files: Record<string, string>): Record<string, unknown> =>
  parseFacts(scriptOutput(files), new Set(['distribution']));

const HOSTS: Record<string, { files: Record<string, string>; expected: Record<string, unknown> }> = {
  'RHEL 9.2': {
    files: {
      '/etc/os-release': `NAME="Red Hat Enterprise Linux"
VERSION="9.2 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.2"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.2 (Plow)"
ANSI_COLOR="0;31"`,
      '/etc/redhat-release': 'Red Hat Enterprise Linux release 9.2 (Plow)',
      '/etc/system-release': 'Red Hat Enterprise Linux release 9.2 (Plow)',
    },
    expected: {
      distribution: 'RedHat',
      distribution_version: '9.2',
      distribution_major_version: '9',
      distribution_release: 'Plow',
      distribution_file_path: '/etc/redhat-release',
      distribution_file_variety: 'RedHat',
      distribution_file_parsed: true,
      distribution_file_search_string: 'Red Hat',
      os_family: 'RedHat',
    },
  },
  'RHEL 7.7 Server': {
    files: {
      '/etc/os-release': `NAME="Red Hat Enterprise Linux Server"
VERSION="7.7 (Maipo)"
ID="rhel"
VERSION_ID="7.7"`,
      '/etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.7 (Maipo)',
    },
    expected: { distribution: 'RedHat', distribution_version: '7.7', distribution_major_version: '7' },
  },
  'Rocky 9.3': {
    files: {
      '/etc/os-release': `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"`,
      '/etc/redhat-release': 'Rocky Linux release 9.3 (Blue Onyx)',
      '/etc/rocky-release': 'Rocky Linux release 9.3 (Blue Onyx)',
    },
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
  'AlmaLinux 9.3': {
    files: {
      '/etc/os-release': `NAME="AlmaLinux"
VERSION="9.3 (Shamrock Pampas Cat)"
ID="almalinux"
VERSION_ID="9.3"`,
      '/etc/redhat-release': 'AlmaLinux release 9.3 (Shamrock Pampas Cat)',
    },
    expected: {
      distribution: 'AlmaLinux',
      distribution_version: '9.3',
      distribution_release: 'Shamrock Pampas Cat',
      os_family: 'RedHat',
    },
  },
  'CentOS Stream 9': {
    files: {
      '/etc/os-release': `NAME="CentOS Stream"
VERSION="9"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="9"`,
      '/etc/centos-release': 'CentOS Stream release 9',
      '/etc/redhat-release': 'CentOS Stream release 9',
    },
    expected: {
      distribution: 'CentOS',
      distribution_version: '9',
      distribution_major_version: '9',
      distribution_release: 'Stream',
      distribution_file_path: '/etc/centos-release',
      distribution_file_variety: 'CentOS',
      os_family: 'RedHat',
    },
  },
  'CentOS 7.9': {
    files: {
      '/etc/os-release': `NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
VERSION_ID="7"`,
      '/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)',
      '/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)',
    },
    expected: {
      distribution: 'CentOS',
      // The distro library's best version, cut to two parts for CentOS.
      distribution_version: '7.9',
      distribution_major_version: '7',
      distribution_release: 'Core',
      distribution_file_path: '/etc/redhat-release',
      distribution_file_variety: 'RedHat',
    },
  },
  'Oracle Linux 8.8': {
    files: {
      '/etc/os-release': `NAME="Oracle Linux Server"
VERSION="8.8"
ID="ol"
ID_LIKE="fedora"
VERSION_ID="8.8"`,
      '/etc/oracle-release': 'Oracle Linux Server release 8.8',
      '/etc/redhat-release': 'Red Hat Enterprise Linux release 8.8 (Ootpa)',
    },
    expected: {
      distribution: 'OracleLinux',
      distribution_version: '8.8',
      distribution_major_version: '8',
      distribution_release: 'NA',
      distribution_file_path: '/etc/oracle-release',
      distribution_file_search_string: 'Oracle Linux',
      os_family: 'RedHat',
    },
  },
  'Fedora 39': {
    files: {
      '/etc/os-release': `NAME="Fedora Linux"
VERSION="39 (Server Edition)"
ID=fedora
VERSION_ID=39
VERSION_CODENAME=""`,
      '/etc/redhat-release': 'Fedora release 39 (Thirty Nine)',
    },
    // An empty VERSION_CODENAME is the codename (Ansible keeps the empty string).
    expected: { distribution: 'Fedora', distribution_version: '39', distribution_release: '', os_family: 'RedHat' },
  },
  'Amazon Linux 2': {
    files: {
      '/etc/os-release': `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"`,
      '/etc/system-release': 'Amazon Linux release 2 (Karoo)',
    },
    expected: {
      distribution: 'Amazon',
      distribution_version: '2',
      distribution_major_version: '2',
      distribution_minor_version: 'NA',
      distribution_release: 'NA',
      distribution_file_path: '/etc/os-release',
      distribution_file_variety: 'Amazon',
      os_family: 'RedHat',
    },
  },
  'Amazon Linux 2023': {
    files: {
      '/etc/os-release': `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
VERSION_ID="2023"`,
      '/etc/system-release': 'Amazon Linux release 2023.3.20240131 (Amazon Linux)',
    },
    expected: { distribution: 'Amazon', distribution_version: '2023', distribution_major_version: '2023' },
  },
  'openEuler 22.03': {
    files: {
      '/etc/os-release': `NAME="openEuler"
VERSION="22.03 (LTS-SP3)"
ID="openEuler"
VERSION_ID="22.03"`,
      '/etc/openEuler-release': 'openEuler release 22.03 (LTS-SP3)',
    },
    expected: {
      distribution: 'openEuler',
      distribution_version: '22.03',
      distribution_release: 'LTS-SP3',
      distribution_file_variety: 'NA',
      os_family: 'RedHat',
    },
  },
  'Kylin V10': {
    files: {
      '/etc/os-release': `NAME="Kylin Linux Advanced Server"
VERSION="V10 (Sword)"
ID="kylin"
VERSION_ID="V10"`,
      '/etc/system-release': 'Kylin Linux Advanced Server release V10 (Sword)',
      '/etc/lsb-release': 'DISTRIB_ID=Kylin\nDISTRIB_RELEASE=V10\nDISTRIB_CODENAME=juniper',
    },
    expected: {
      distribution: 'Kylin Linux Advanced Server',
      distribution_version: 'V10',
      distribution_major_version: 'V10',
      distribution_release: 'Sword',
      os_family: 'RedHat',
    },
  },
  'Ubuntu 22.04': {
    files: {
      '/etc/os-release': `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian`,
      '/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy',
      '/etc/debian_version': 'bookworm/sid',
    },
    expected: {
      distribution: 'Ubuntu',
      distribution_version: '22.04',
      distribution_release: 'jammy',
      distribution_file_path: '/etc/os-release',
      distribution_file_variety: 'Debian',
      os_family: 'Debian',
    },
  },
  'Ubuntu 14.04 (codename from lsb-release)': {
    files: {
      '/etc/os-release': `NAME="Ubuntu"
VERSION="14.04.5 LTS, Trusty Tahr"
ID=ubuntu
VERSION_ID="14.04"`,
      '/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty',
    },
    expected: { distribution: 'Ubuntu', distribution_release: 'trusty' },
  },
};

describe('distribution facts of EL and other hosts, as Ansible reads their files', () => {
  it.each(Object.entries(HOSTS))('%s', (_name, { files, expected }) => {
    const facts = distribution(files);
    expect(facts).toMatchObject(expected);
    // Ansible sets a minor version for Debian and Amazon only.
    if (!('distribution_minor_version' in expected)) expect(facts).not.toHaveProperty('distribution_minor_version');
  });
});

describe('lsb', () => {
  const debianOs =
    'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"';
  it.each([
    [
      "Debian's lsb_release (from os-release)",
      true,
      debianOs,
      undefined,
      {
        id: 'Debian',
        description: 'Debian GNU/Linux 12 (bookworm)',
        release: '12',
        codename: 'bookworm',
        major_release: '12',
      },
    ],
    [
      'Ubuntu (its lsb-release)',
      true,
      'ID=ubuntu\nNAME="Ubuntu"',
      'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"',
      { id: 'Ubuntu', release: '22.04', codename: 'jammy', description: 'Ubuntu 22.04.4 LTS', major_release: '22' },
    ],
    ['EL without lsb_release or lsb-release', false, 'ID="rocky"', undefined, {}],
    [
      'no lsb_release, an lsb-release file',
      false,
      'ID="kylin"',
      'DISTRIB_ID=Kylin\nDISTRIB_RELEASE=V10\nDISTRIB_CODENAME=juniper',
      { id: 'Kylin', release: 'V10', codename: 'juniper', major_release: 'V10' },
    ],
  ])('%s', (_name, bin, os, file, expected) => expect(lsbFacts(bin, os, file)).toEqual(expected));
});

describe('selinux', () => {
  it('enabled and enforcing (EL), permissive, disabled', () => {
    const config = '# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n';
    expect(selinuxFacts('1', '33', config)).toEqual({
      status: 'enabled',
      policyvers: 33,
      config_mode: 'enforcing',
      mode: 'enforcing',
      type: 'targeted',
    });
    expect(selinuxFacts('0', '33', 'SELINUX=permissive\nSELINUXTYPE=mls')).toMatchObject({
      mode: 'permissive',
      config_mode: 'permissive',
      type: 'mls',
    });
    expect(selinuxFacts('', '', '')).toEqual({ status: 'disabled' });
  });

  it("with a python but no libselinux, Ansible's status says so", () => {
    const facts = parseFacts('se_enforce=1\nse_policyvers=33\npy_selinux=0\n', new Set(['selinux']));
    expect(facts).toEqual({ selinux: { status: 'Missing selinux Python library' }, selinux_python_present: false });
    const withLib = parseFacts('se_enforce=1\nse_policyvers=33\npy_selinux=1\n', new Set(['selinux']));
    expect(withLib['selinux']).toMatchObject({ status: 'enabled', mode: 'enforcing' });
  });
});

describe('processors, as Ansible counts /proc/cpuinfo', () => {
  const x86 = (sockets: number, cores: number, threads: number): string[] => {
    const lines: string[] = [];
    let n = 0;
    for (let s = 0; s < sockets; s++)
      for (let c = 0; c < cores; c++)
        for (let t = 0; t < threads; t++) {
          lines.push(
            `processor\t: ${n++}`,
            'vendor_id\t: GenuineIntel',
            'model name\t: Intel(R) Xeon(R)',
            `physical id\t: ${s}`,
            `siblings\t: ${cores * threads}`,
            `core id\t\t: ${c}`,
            `cpu cores\t: ${cores}`,
          );
        }
    return lines;
  };

  it('two sockets of four cores with two threads each', () => {
    const f = cpuFacts(x86(2, 4, 2), 'x86_64');
    expect(f).toMatchObject({
      processor_count: 2,
      processor_cores: 4,
      processor_threads_per_core: 2,
      processor_vcpus: 16,
    });
    expect((f['processor'] as string[]).slice(0, 3)).toEqual(['0', 'GenuineIntel', 'Intel(R) Xeon(R)']);
  });

  it('aarch64 without physical ids: the processor lines count', () => {
    const lines = [0, 1, 2, 3].flatMap((n) => [`processor\t: ${n}`, 'BogoMIPS\t: 50.00', 'CPU implementer\t: 0x41']);
    expect(cpuFacts(lines, 'aarch64')).toMatchObject({
      processor: ['0', '1', '2', '3'],
      processor_count: 4,
      processor_cores: 1,
      processor_threads_per_core: 1,
      processor_vcpus: 4,
    });
  });

  it('a Xen paravirtual guest: every processor is a socket', () => {
    expect(cpuFacts(x86(1, 2, 1), 'x86_64', true)).toMatchObject({ processor_count: 2, processor_vcpus: 2 });
  });
});

describe('mounts', () => {
  it("keeps device and host:/path mounts, decodes \\040, adds ,bind where findmnt shows [subtree], takes lsblk's UUIDs", () => {
    const entries = mtabEntries([
      '/dev/mapper/rl-root / xfs rw,seclabel,relatime,attr2,inode64 0 0',
      'proc /proc proc rw,nosuid 0 0',
      '/dev/sda1 /boot xfs rw,relatime 0 0',
      'nfs.example:/export /mnt/my\\040share nfs4 rw,vers=4.2 0 0',
      '/dev/sdb1 /srv/data ext4 rw 0 0',
      '/dev/none /x none rw 0 0',
    ]);
    expect(entries.map((e) => e.mount)).toEqual(['/', '/boot', '/mnt/my share', '/srv/data']);
    const binds = bindMounts([
      '29 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rl-root rw',
      '40 29 8:17 /exports /srv/data rw shared:5 - ext4 /dev/sdb1 rw',
    ]);
    const uuids = lsblkUuids(['/dev/sda1 9c1e-aa', '/dev/mapper/rl-root 4b3c-77', '/dev/sdb', '/dev/sdb1 11-22']);
    const facts = mountFacts(
      entries,
      new Map([['/boot', '4096 4096 261888 200000 200000 524288 524000']]),
      uuids,
      binds,
    );
    expect(facts[1]).toEqual({
      mount: '/boot',
      device: '/dev/sda1',
      fstype: 'xfs',
      options: 'rw,relatime',
      size_total: 4096 * 261888,
      size_available: 4096 * 200000,
      block_size: 4096,
      block_total: 261888,
      block_available: 200000,
      block_used: 61888,
      inode_total: 524288,
      inode_available: 524000,
      inode_used: 288,
      uuid: '9c1e-aa',
    });
    expect(facts[2]).toMatchObject({ uuid: 'N/A', device: 'nfs.example:/export' });
    expect(facts[3]).toMatchObject({ options: 'rw,bind', uuid: '11-22' });
    expect(facts[3]).not.toHaveProperty('size_total');
  });
});

describe('network, from ip and /sys/class/net', () => {
  const sys = (entries: Record<string, Record<string, string>>) =>
    new Map(Object.entries(entries).map(([k, v]) => [k, new Map(Object.entries(v))]));

  it('an aliased address becomes an interface of its own; secondaries; a bridge; default routes of both families', () => {
    const facts = ipNetworkFacts(
      [
        '8.8.8.8 via 10.0.0.1 dev br0 src 10.0.0.5 uid 0 \\    cache ',
        '2404:6800:400a:800::1012 from :: via fe80::1 dev br0 proto ra src 2001:db8::5 metric 100 pref medium',
        '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
        '3: br0    inet 10.0.0.5/24 brd 10.0.0.255 scope global br0\\       valid_lft forever preferred_lft forever',
        '3: br0    inet 10.0.0.6/24 brd 10.0.0.255 scope global secondary br0\\       valid_lft forever',
        '3: br0    inet 192.168.5.1/24 scope global br0:1\\       valid_lft forever preferred_lft forever',
        '3: br0    inet6 2001:db8::5/64 scope global \\       valid_lft forever preferred_lft forever',
        '3: br0    inet6 fe80::5/64 scope link \\       valid_lft forever preferred_lft forever',
      ],
      sys({
        lo: { address: '00:00:00:00:00:00', mtu: '65536', operstate: 'unknown', type: '772', flags: '0x9' },
        br0: {
          address: '52:54:00:aa:bb:cc',
          mtu: '1500',
          operstate: 'up',
          type: '1',
          flags: '0x1103',
          bridge: '1',
          brif: 'eth0 eth1 ',
          bridge_id: '8000.525400aabbcc',
          stp_state: '0',
        },
      }),
    );
    expect(facts['interfaces']).toEqual(['lo', 'br0', 'br0_1']);
    expect(facts['br0']).toMatchObject({
      type: 'bridge',
      interfaces: ['eth0', 'eth1'],
      id: '8000.525400aabbcc',
      stp: false,
      promisc: true,
      active: true,
      ipv4: { address: '10.0.0.5', netmask: '255.255.255.0', network: '10.0.0.0', prefix: '24' },
      ipv4_secondaries: [
        { address: '10.0.0.6', broadcast: '10.0.0.255', netmask: '255.255.255.0', network: '10.0.0.0', prefix: '24' },
      ],
      ipv6: [
        { address: '2001:db8::5', prefix: '64', scope: 'global' },
        { address: 'fe80::5', prefix: '64', scope: 'link' },
      ],
    });
    expect(facts['br0_1']).toEqual({
      ipv4: { address: '192.168.5.1', broadcast: '', netmask: '255.255.255.0', network: '192.168.5.0', prefix: '24' },
    });
    expect(facts['lo']).toMatchObject({ active: true, type: 'loopback', promisc: false });
    expect(facts['default_ipv4']).toEqual({
      interface: 'br0',
      address: '10.0.0.5',
      gateway: '10.0.0.1',
      broadcast: '10.0.0.255',
      netmask: '255.255.255.0',
      network: '10.0.0.0',
      prefix: '24',
      macaddress: '52:54:00:aa:bb:cc',
      mtu: 1500,
      type: 'bridge',
      alias: 'br0',
    });
    expect(facts['default_ipv6']).toEqual({
      interface: 'br0',
      address: '2001:db8::5',
      gateway: 'fe80::1',
      prefix: '64',
      scope: 'global',
      macaddress: '52:54:00:aa:bb:cc',
      mtu: 1500,
      type: 'bridge',
    });
    expect(facts['all_ipv4_addresses']).toEqual(['10.0.0.5', '192.168.5.1', '10.0.0.6']);
    expect(facts['all_ipv6_addresses']).toEqual(['2001:db8::5', 'fe80::5']);
  });
});

describe('kernel command line, resolv.conf, local facts', () => {
  it('cmdline keeps the last value, proc_cmdline lists repeated keys', () => {
    expect(cmdlineFacts('BOOT_IMAGE=/vmlinuz ro console=tty0 console=ttyS0,115200 quiet')).toEqual({
      cmdline: { BOOT_IMAGE: '/vmlinuz', ro: true, console: 'ttyS0,115200', quiet: true },
      proc_cmdline: { BOOT_IMAGE: '/vmlinuz', ro: true, console: ['tty0', 'ttyS0,115200'], quiet: true },
    });
    expect(cmdlineFacts('')).toEqual({});
  });

  it('dns: nameservers add up, search and options replace', () => {
    expect(
      dnsFacts([
        '# generated',
        'nameserver 10.0.0.2',
        'search a.test',
        'nameserver 10.0.0.3',
        'search b.test c.test',
        'domain b.test',
        'sortlist 10.0.0.0/255.0.0.0',
        'options ndots:2 rotate timeout:1',
      ]),
    ).toEqual({
      nameservers: ['10.0.0.2', '10.0.0.3'],
      search: ['b.test', 'c.test'],
      domain: 'b.test',
      sortlist: ['10.0.0.0/255.0.0.0'],
      options: { ndots: '2', rotate: true, timeout: '1' },
    });
  });

  it('local facts: JSON, INI with = and :, and what is neither', () => {
    expect(localFact('/f/a.fact', '{"a": [1, 2]}')).toEqual({ value: { a: [1, 2] } });
    expect(localFact('/f/b.fact', '[s]\nKey = v\nother: w\n  continued\n; c\n')).toEqual({
      value: { s: { key: 'v', other: 'w\ncontinued' } },
    });
    expect(localFact('/f/c.fact', 'plain words')).toEqual({
      value: 'error loading facts as JSON or ini - please check content: /f/c.fact',
      warning: 'error loading facts as JSON or ini - please check content: /f/c.fact',
    });
  });
});

describe('DMI, host keys, uptime', () => {
  it("sysfs DMI with Ansible's chassis names; NA where a file is missing; host keys split into key and type", () => {
    const f = parseFacts(
      'dmi=1\ndmi_chassis_type=17\ndmi_sys_vendor=QEMU\nuptime=1234.56 99.1\nloadavg=0.50 0.25 0.10 1/99 42\n',
      new Set(['hardware']),
    );
    expect(f).toMatchObject({
      form_factor: 'Main Server Chassis',
      system_vendor: 'QEMU',
      bios_date: 'NA',
      uptime_seconds: 1234,
      loadavg: { '1m': 0.5, '5m': 0.25, '15m': 0.1 },
    });
    expect(parseFacts('dmi_chassis_type=99\n', new Set(['hardware']))['form_factor']).toBe('unknown (99)');
    expect(parseFacts('sshkey_ed25519=ssh-ed25519 AAAAC3Nza root@h\n', new Set(['ssh_pub_keys']))).toEqual({
      ssh_host_key_ed25519_public: 'AAAAC3Nza',
      ssh_host_key_ed25519_public_keytype: 'ssh-ed25519',
    });
  });
});
