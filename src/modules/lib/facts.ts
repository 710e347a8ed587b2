/**
 * Fact gathering (Ansible's `setup`, the "Gathering Facts" task): one sh
 * round trip that reads what Ansible 2.14's setup gives on Linux (platform,
 * distribution, user, environment, date, package and service manager, fips,
 * selinux, apparmor, lsb, dns, kernel command line, local facts, python,
 * host keys; hardware: processors, memory, mounts, DMI; network: routes,
 * addresses, interfaces; virtualization), with Ansible's fact names and
 * value shapes. The script is built from the subsets asked for
 * (`gather_subset`), so `min` runs no network or hardware commands. The
 * parsing lives beside it (facts-system.ts, facts-hardware.ts,
 * facts-network.ts).
 */
import type { Connection } from '../../connection/types.js';
import { BosunError } from '../../errors.js';
import { shq } from '../../util/shell.js';
import {
  bindMounts,
  cpuFacts,
  cpuListCount,
  CPUINFO_KEYS,
  lsblkUuids,
  mountFacts,
  mtabEntries,
} from './facts-hardware.js';
import { dottedMask, ipNetworkFacts, networkOf, ROUTE_PROBE_V4, ROUTE_PROBE_V6 } from './facts-network.js';
import {
  cmdlineFacts,
  distributionFacts,
  dnsFacts,
  localFact,
  lsbFacts,
  pythonFacts,
  RELEASE_FILES,
  selinuxFacts,
} from './facts-system.js';

export { osReleaseValue } from './facts-system.js';

/** A command's raw output comes between `@@bosun:NAME` and `@@bosun:end` lines. */
const SECTION = '@@bosun:';
const SECTION_END = '@@bosun:end';
/** DMI facts and the sysfs files they come from. */
const DMI = '/sys/devices/virtual/dmi/id';
const DMI_FILES: Readonly<Record<string, string>> = {
  bios_date: 'bios_date',
  bios_vendor: 'bios_vendor',
  bios_version: 'bios_version',
  board_asset_tag: 'board_asset_tag',
  board_name: 'board_name',
  board_serial: 'board_serial',
  board_vendor: 'board_vendor',
  board_version: 'board_version',
  chassis_asset_tag: 'chassis_asset_tag',
  chassis_serial: 'chassis_serial',
  chassis_vendor: 'chassis_vendor',
  chassis_version: 'chassis_version',
  form_factor: 'chassis_type',
  product_name: 'product_name',
  product_serial: 'product_serial',
  product_uuid: 'product_uuid',
  product_version: 'product_version',
  system_vendor: 'sys_vendor',
};
/** SMBIOS chassis types, as Ansible names them. */
const FORM_FACTOR = [
  'Unknown',
  'Other',
  'Unknown',
  'Desktop',
  'Low Profile Desktop',
  'Pizza Box',
  'Mini Tower',
  'Tower',
  'Portable',
  'Laptop',
  'Notebook',
  'Hand Held',
  'Docking Station',
  'All In One',
  'Sub Notebook',
  'Space-saving',
  'Lunch Box',
  'Main Server Chassis',
  'Expansion Chassis',
  'Sub Chassis',
  'Bus Expansion Chassis',
  'Peripheral Chassis',
  'RAID Chassis',
  'Rack Mount Chassis',
  'Sealed-case PC',
  'Multi-system',
  'CompactPCI',
  'AdvancedTCA',
  'Blade',
  'Blade Enclosure',
  'Tablet',
  'Convertible',
  'Detachable',
  'IoT Gateway',
  'Embedded PC',
  'Mini PC',
  'Stick PC',
];

/** The marker before the local facts, each file's start and its exit code. */
const LOCAL_MARKER = '@@bosun-local@@';

/** The subsets Ansible's `min` stands for. */
const MIN_SUBSETS = [
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
] as const;
/** Every subset bosun gathers (Ansible's names). */
export const FACT_SUBSETS = [...MIN_SUBSETS, 'hardware', 'network', 'virtual'] as const;
/** One subset of facts. */
export type FactSubset = (typeof FACT_SUBSETS)[number];

/** Where Ansible's setup reads local facts by default. */
export const DEFAULT_FACT_PATH = '/etc/ansible/facts.d';

/** What the script is built for besides its subsets. */
export interface FactsScriptOptions {
  /** The facts.d folder (`fact_path`). */
  factPath?: string;
  /** A python to describe first (the host's ansible_python_interpreter). */
  python?: string;
  /** Where to look for a python before PATH (default: platform-python, then /usr/bin/python3). */
  pythonCandidates?: readonly string[];
}

/**
 * Shell functions the script uses: `rd KEY FILE` prints each line of FILE as
 * KEY=line, `rd1 VAR FILE` sets VAR to FILE's first line (empty when
 * unreadable), both with the shell's own read: no process.
 */
const PRELUDE = [
  'rd() { [ -r "$2" ] || return 0; while IFS= read -r l || [ -n "$l" ]; do printf \'%s=%s\\n\' "$1" "$l"; done < "$2"; }',
  'rd1() { eval "$1="; [ -r "$2" ] && { IFS= read -r "$1" < "$2" || :; } 2>/dev/null; :; }',
  // The network step follows links with cd -P; where the shell was, and its OLDPWD, are put back after it.
  'here=$PWD; opset=${OLDPWD+1}; op=${OLDPWD-}',
];

/**
 * Script lines per subset: only reads; each line prints `key=value` (local
 * facts and the environment come last, framed by markers). Every process
 * started costs the target a fork and an exec (about 1 ms of CPU each), so
 * files are read with the shell's own `read`, one command's output is split
 * by parameter expansion, and a value comes from a command only when no file
 * holds it: per gathering `uname`, `hostname -f`, `getent`, `date`, `awk`,
 * `ip`, `systemd-detect-virt` and `env`, python when there is one, and
 * `stat -f` and `lsblk` only when there are mounts to describe.
 */
const SCRIPTS: Record<Exclude<FactSubset, 'env' | 'local' | 'python'>, string[]> = {
  platform: [
    // `uname -snrvm` prints the fields in that order, space-separated; only the kernel version holds spaces.
    'u=$(uname -snrvm); m=${u##* }; u=${u% *}; s=${u%% *}; u=${u#* }; n=${u%% *}; u=${u#* }; r=${u%% *}; v=${u#* }',
    'echo "hostname=$n"',
    // The FQDN as the resolver gives it (Ansible asks socket.getfqdn; hostname -f costs a millisecond, python ten).
    'fq=$(hostname -f 2>/dev/null) && echo "fqdn=$fq" || :',
    'echo "system=$s"',
    'echo "kernel=$r"',
    'echo "kernel_version=$v"',
    'echo "machine=$m"',
    'rd1 x /var/lib/dbus/machine-id; [ -n "$x" ] || rd1 x /etc/machine-id; [ -n "$x" ] && echo "machine_id=$x"',
  ],
  // Each type's public host key, from the first of Ansible's folders that has it.
  ssh_pub_keys: [
    'for t in dsa rsa ecdsa ed25519; do for d in /etc/ssh /etc/openssh /etc; do rd1 x "$d/ssh_host_${t}_key.pub"; [ -n "$x" ] && { echo "sshkey_$t=$x"; break; }; done; done',
  ],
  distribution: [],
  lsb: [
    // Whether lsb_release is installed (Ansible runs it; bosun reads the files it reads).
    'command -v lsb_release >/dev/null 2>&1 && echo "lsb_bin=1"',
  ],
  fips: ['rd1 x /proc/sys/crypto/fips_enabled; echo "fips=$x"'],
  apparmor: ['[ -e /sys/kernel/security/apparmor ] && echo "apparmor=1"'],
  selinux: [
    'if [ -e /sys/fs/selinux/enforce ]; then rd1 x /sys/fs/selinux/enforce; echo "se_enforce=$x"; rd1 x /sys/fs/selinux/policyvers; echo "se_policyvers=$x"; rd se_config /etc/selinux/config; fi',
  ],
  cmdline: ['rd1 x /proc/cmdline; echo "cmdline=$x"'],
  dns: ['rd resolv /etc/resolv.conf'],
  user: [
    // Real and effective ids are this shell's own, as `id` would inherit them; the name is the passwd entry's.
    'uu= ug= ru= rg= ca=',
    'if [ -r /proc/self/status ]; then while read -r k a b c; do case $k in Uid:) ru=$a; uu=$b ;; Gid:) rg=$a; ug=$b ;; Cpus_allowed_list:) ca=$a ;; esac; done < /proc/self/status; fi',
    '[ -n "$uu" ] || uu=$(id -u); [ -n "$ug" ] || ug=$(id -g); [ -n "$ru" ] || ru=$(id -ru); [ -n "$rg" ] || rg=$(id -rg)',
    'echo "user_uid=$uu"',
    'echo "user_gid=$ug"',
    'echo "real_uid=$ru"',
    'echo "real_gid=$rg"',
    'echo "home=$HOME"',
    'pw=; if command -v getent >/dev/null 2>&1; then pw=$(getent passwd "$uu" 2>/dev/null); else while IFS= read -r l; do case $l in *:*:"$uu":*) pw=$l; break ;; esac; done < /etc/passwd; fi',
    'echo "passwd=$pw"',
  ],
  date_time: [
    'date "+dt_epoch=%s%ndt_nanos=%N%ndt_local=%Y-%m-%dT%H:%M:%S%ndt_tz=%Z%ndt_offset=%z%ndt_weekday=%A%ndt_wday=%w%ndt_week=%W"',
  ],
  pkg_mgr: [
    'for pm in apt-get dnf yum zypper apk pacman; do command -v $pm >/dev/null 2>&1 && { echo "pkg=$pm"; break; }; done',
  ],
  service_mgr: [
    'rd1 pid1 /proc/1/comm',
    'echo "pid1=$pid1"',
    '[ -d /run/systemd/system ] && echo "run_systemd=1"',
    '{ [ -x /sbin/openrc ] || [ -x /sbin/openrc-run ]; } && echo "openrc=1"',
  ],
  // Processors and memory come from the /proc/cpuinfo step (cpuinfoScript); the CPUs this shell may run on from its status.
  hardware: [
    '[ -n "${ca+x}" ] || { ca=; while read -r k a; do [ "$k" = Cpus_allowed_list: ] && ca=$a; done < /proc/self/status; } 2>/dev/null',
    'echo "cpus_allowed=$ca"',
    '[ -e /proc/xen ] && echo "xen=1"',
    // Ansible's chroot test: debian_chroot set, else / and PID 1's root differ (where PID 1's root can be seen).
    'if [ -n "${debian_chroot-}" ]; then echo "chroot=1"; elif [ -e /proc/1/root/. ]; then if [ / -ef /proc/1/root/. ]; then echo "chroot=0"; else echo "chroot=1"; fi; fi',
    'rd1 x /proc/uptime; echo "uptime=$x"; rd1 x /proc/loadavg; echo "loadavg=$x"',
    // DMI from sysfs (Ansible runs dmidecode where sysfs has none; bosun then says NA, as Ansible without dmidecode).
    `if [ -e ${DMI}/product_name ]; then echo "dmi=1"; for f in ${Object.values(DMI_FILES).join(' ')}; do rd1 x "${DMI}/$f"; [ -n "$x" ] && echo "dmi_$f=$x"; done; fi`,
    'rd1 x /sys/hypervisor/type; [ "$x" = xen ] && echo "xen=1"',
    // The mounts Ansible describes (a device path or host:/path, fstype not none), their statvfs numbers and UUIDs.
    "mt=/etc/mtab; [ -e $mt ] || mt=/proc/mounts; mps=; nl='",
    "'",
    'if [ -r $mt ]; then while read -r dev mp fst opts rest; do case $dev in /*|\\\\*|*:/*) [ "$fst" = none ] && continue; printf \'mtab=%s %s %s %s\\n\' "$dev" "$mp" "$fst" "$opts"; mps="$mps$mp$nl" ;; esac; done < $mt; fi',
    'if [ -n "$mps" ]; then',
    "  IFS=$nl; set -f; stat -f -c 'statfs=%n|%S %s %b %f %a %c %d' $mps 2>/dev/null; set +f; unset IFS",
    `  command -v lsblk >/dev/null 2>&1 && { echo ${SECTION}lsblk; lsblk --list --noheadings --paths --output NAME,UUID --exclude 2 2>/dev/null; echo ${SECTION_END}; }`,
    '  command -v findmnt >/dev/null 2>&1 && { echo "findmnt=1"; rd mountinfo /proc/self/mountinfo; }',
    'fi',
  ],
  network: [
    'if command -v ip >/dev/null 2>&1; then',
    // One ip for both default routes (as Ansible finds them: route get) and every address.
    `  ipo=$(ip -o -force -b - 2>/dev/null <<BOSUN_IP`,
    `route get ${ROUTE_PROBE_V4}`,
    `route get ${ROUTE_PROBE_V6}`,
    'addr show',
    'BOSUN_IP',
    '  )',
    // An ip without batch mode (busybox): the three commands one by one.
    `  [ -n "$ipo" ] || ipo=$(ip -o route get ${ROUTE_PROBE_V4} 2>/dev/null; ip -o route get ${ROUTE_PROBE_V6} 2>/dev/null; ip -o addr show 2>/dev/null)`,
    `  echo ${SECTION}ip; printf '%s\\n' "$ipo"; echo ${SECTION_END}`,
    'elif [ -r /proc/net/route ]; then',
    '  first=1; dev=',
    '  while IFS= read -r l || [ -n "$l" ]; do',
    '    if [ -n "$first" ]; then first=; continue; fi',
    '    printf \'proc_route=%s\\n\' "$l"',
    '    set -f; set -- $l; set +f',
    '    [ -z "$dev" ] && [ "$2" = 00000000 ] && dev=$1',
    '  done < /proc/net/route',
    '  if [ -n "$dev" ] && command -v ifconfig >/dev/null 2>&1; then',
    '    ic=$(ifconfig "$dev" 2>/dev/null)',
    '    [ -n "$ic" ] && while IFS= read -r l; do printf \'ifconfig=%s\\n\' "$l"; done <<BOSUN_IFCONFIG',
    '$ic',
    'BOSUN_IFCONFIG',
    '  fi',
    'fi',
    // Each interface's files, as `if=NAME|FILE|first line` (a link's target: pciid and module, through cd -P).
    'for i in /sys/class/net/*; do',
    '  { [ -e "$i" ] || [ -L "$i" ]; } || continue; d=${i##*/}; echo "if=$d||"',
    '  for f in address mtu operstate type flags speed bridge/bridge_id bridge/stp_state bonding/slaves bonding/mode bonding/miimon bonding/lacp_rate bonding/primary bonding/all_slaves_active bonding_slave/perm_hwaddr; do',
    '    [ -e "$i/$f" ] || continue; x=; { IFS= read -r x < "$i/$f"; } 2>/dev/null || [ -n "$x" ] || continue; echo "if=$d|${f##*/}|$x"',
    '  done',
    '  [ -e "$i/bridge" ] && { b=; for x in "$i"/brif/*; do [ -e "$x" ] && b="$b${x##*/} "; done; echo "if=$d|bridge|1"; echo "if=$d|brif|$b"; }',
    '  [ -e "$i/bonding" ] && echo "if=$d|bonding|1"',
    '  [ -e "$i/device" ] && cd -P "$i/device" 2>/dev/null && echo "if=$d|pciid|${PWD##*/}"',
    '  [ -e "$i/device/driver/module" ] && cd -P "$i/device/driver/module" 2>/dev/null && echo "if=$d|module|${PWD##*/}"',
    'done',
    'cd "$here" 2>/dev/null; if [ -n "$opset" ]; then OLDPWD=$op; else unset OLDPWD; fi',
  ],
  virtual: [
    // A container found wins over a VM (virtualFacts), so the VM is asked for only when there is none.
    'if command -v systemd-detect-virt >/dev/null 2>&1; then vc=$(systemd-detect-virt -c 2>/dev/null); echo "virt_container=$vc"; case $vc in \'\'|none) echo "virt_vm=$(systemd-detect-virt -v 2>/dev/null)" ;; esac; fi',
    '[ -e /.dockerenv ] && echo "virt_file=docker"',
    '[ -e /run/.containerenv ] && echo "virt_file=podman"',
  ],
};

/** The release files the distribution and lsb facts read (each line as rf:PATH=line). */
function releaseScript(): string[] {
  return [
    // Each KEY=value line of os-release (KEY of A-Z, 0-9 and _) as os_KEY=value.
    'if [ -r /etc/os-release ]; then while IFS= read -r l || [ -n "$l" ]; do case $l in *=*) case ${l%%=*} in *[!A-Z0-9_]*) ;; *) printf \'os_%s\\n\' "$l" ;; esac ;; esac; done < /etc/os-release; fi',
    `for f in ${RELEASE_FILES.join(' ')}; do rd "rf:$f" "$f"; done`,
    // The first line of the other /etc/*-release files (openEuler-release, rocky-release): the distro library's release file.
    `for f in /etc/*-release; do case " ${RELEASE_FILES.join(' ')} /etc/os-release " in *" $f "*) continue ;; esac; [ -f "$f" ] && rd1 x "$f" && [ -n "$x" ] && echo "xrf=$f|$x"; done`,
    '[ -r /etc/debian_version ] && { rd1 l /etc/debian_version; echo "debian_version=$l"; }',
    '[ -e /etc/arch-release ] && echo "arch_release=1"',
    '[ -e /etc/vmware-release ] && echo "vmware_release=1"',
  ];
}

/**
 * The python probe: the interpreter Ansible would describe (the host's
 * ansible_python_interpreter, else platform-python, /usr/bin/python3, then
 * python3 and python on PATH), asked once for its version and ssl; whether
 * Ansible's selinux bindings would load is a file test. Without python: no
 * python facts (bosun needs none on the target).
 */
function pythonScript(opts: FactsScriptOptions): string[] {
  // -E -s -S: no environment, user site or site module, and no module loaded that the answers do not need
  // (ssl is looked for, not loaded): about 8 ms of CPU.
  const code = [
    'import sys, os',
    's = int(any(f.startswith("_ssl.") for p in sys.path if os.path.isdir(p) for f in os.listdir(p)))',
    'v = sys.version_info',
    'print("py_exe=" + (sys.executable or ""))',
    'print("py_version=%d %d %d %s %d" % tuple(v[:5]))',
    'print("py_ssl=%d" % s)',
    'print("py_type=" + getattr(getattr(sys, "implementation", None), "name", ""))',
  ].join('\n');
  const candidates = [
    ...(opts.python ? [opts.python] : []),
    ...(opts.pythonCandidates ?? ['/usr/libexec/platform-python', '/usr/bin/python3']),
  ].map((p) => shq(p));
  return [
    `py=; for p in ${candidates.join(' ')}; do [ -x "$p" ] && { py=$p; break; }; done`,
    'if [ -z "$py" ]; then set -f; IFS=:; for p in python3 python; do for d in $PATH; do [ -x "$d/$p" ] && { py=$d/$p; break 2; }; done; done; unset IFS; set +f; fi',
    `if [ -n "$py" ]; then "$py" -E -s -S -c '${code}' 2>/dev/null; fi`,
    // Whether Ansible's selinux bindings would load (ctypes on libselinux.so.1): the library in the loader's folders.
    '[ -n "$py" ] && { se=0; for f in /lib64/libselinux.so.1 /usr/lib64/libselinux.so.1 /lib/*/libselinux.so.1 /usr/lib/*/libselinux.so.1 /lib/libselinux.so.1 /usr/lib/libselinux.so.1; do [ -e "$f" ] && { se=1; break; }; done; echo "py_selinux=$se"; }',
  ];
}

/** Local facts (facts.d): each *.fact framed by markers, its text (or an executable's output) and exit code. */
function localScript(factPath: string): string[] {
  return [
    `fp=${shq(factPath)}`,
    `echo ${LOCAL_MARKER}`,
    'if [ -d "$fp" ]; then for f in "$fp"/*.fact; do',
    '  [ -e "$f" ] || continue',
    `  echo "${LOCAL_MARKER} $f"`,
    '  if [ -x "$f" ]; then "$f" 2>/dev/null; rc=$?; else rc=0; while IFS= read -r l || [ -n "$l" ]; do printf \'%s\\n\' "$l"; done < "$f" || rc=$?; fi',
    `  echo "${LOCAL_MARKER}-rc $rc"`,
    'done; fi',
  ];
}

const MEMINFO_KEYS = '/^(MemTotal|MemFree|Buffers|Cached|SwapTotal|SwapFree|SwapCached):/';
const CPUINFO_RE = `/^(${CPUINFO_KEYS.map((k) => k).join('|')}|flags)[ \\t]*:/`;

/**
 * One awk for /proc/cpuinfo and /proc/meminfo: the processor lines Ansible
 * counts (hardware), memory (hardware) and the hypervisor flag (virtual).
 * Without awk, grep for the vCPU count and the flag, as before.
 */
function cpuinfoScript(hardware: boolean, virtual: boolean): string[] {
  const program = [
    'BEGIN {',
    '  while ((r = (getline l < "/proc/cpuinfo")) > 0) {',
    '    if (l ~ /^flags.* hypervisor/) hv = 1',
    ...(hardware
      ? [`    if (l ~ ${CPUINFO_RE}) { if (l ~ /^flags/) { if (l !~ / vme( |$)/) nv = 1 } else print "cpu=" l }`]
      : []),
    '  }',
    ...(hardware
      ? [
          '  if (nv) print "cpu_novme=1"',
          `  while ((getline < "/proc/meminfo") > 0) if ($0 ~ ${MEMINFO_KEYS}) { sub(":", "", $1); print "mem_" $1 "=" $2 }`,
        ]
      : []),
    ...(virtual ? ['  if (hv) print "virt_hypervisor=1"'] : []),
    '}',
  ].join('\n');
  return [
    'if command -v awk >/dev/null 2>&1; then',
    `  awk '${program}'`,
    'else',
    ...(hardware ? ['  echo "vcpus=$(grep -c ^processor /proc/cpuinfo 2>/dev/null)"'] : []),
    ...(virtual ? ['  grep -q "^flags.* hypervisor" /proc/cpuinfo 2>/dev/null && echo "virt_hypervisor=1"'] : []),
    '  :',
    'fi',
  ];
}

const ENV_MARKER = '@@bosun-env@@';
const ENV_SCRIPT = `echo ${ENV_MARKER}; env -0 2>/dev/null || env`;

const PKG_MGR: Readonly<Record<string, string>> = {
  'apt-get': 'apt',
  dnf: 'dnf',
  yum: 'yum',
  zypper: 'zypper',
  apk: 'apk',
  pacman: 'pacman',
};
/** `uname -m` to Go's GOARCH names (bosun_arch), as download URLs use them. */
const GO_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loongarch64: 'loong64',
  i386: '386',
  i486: '386',
  i586: '386',
  i686: '386',
};

/** The names Ansible 2.14's setup takes in gather_subset (its collectors and their facts), sorted as it lists them. */
const ANSIBLE_SUBSET_NAMES: readonly string[] = [
  'all_ipv4_addresses',
  'all_ipv6_addresses',
  'apparmor',
  'architecture',
  'caps',
  'chroot',
  'cmdline',
  'date_time',
  'default_ipv4',
  'default_ipv6',
  'devices',
  'distribution',
  'distribution_major_version',
  'distribution_release',
  'distribution_version',
  'dns',
  'effective_group_ids',
  'effective_user_id',
  'env',
  'facter',
  'fibre_channel_wwn',
  'fips',
  'hardware',
  'interfaces',
  'is_chroot',
  'iscsi',
  'kernel',
  'kernel_version',
  'loadavg',
  'local',
  'lsb',
  'machine',
  'machine_id',
  'mounts',
  'network',
  'nvme',
  'ohai',
  'os_family',
  'pkg_mgr',
  'platform',
  'processor',
  'processor_cores',
  'processor_count',
  'python',
  'python_version',
  'real_user_id',
  'selinux',
  'service_mgr',
  'ssh_host_key_dsa_public',
  'ssh_host_key_ecdsa_public',
  'ssh_host_key_ed25519_public',
  'ssh_host_key_rsa_public',
  'ssh_host_pub_keys',
  'ssh_pub_keys',
  'system',
  'system_capabilities',
  'system_capabilities_enforced',
  'user',
  'user_dir',
  'user_gecos',
  'user_gid',
  'user_id',
  'user_shell',
  'user_uid',
  'virtual',
  'virtualization_role',
  'virtualization_tech_guest',
  'virtualization_tech_host',
  'virtualization_type',
];

/**
 * The subsets that `gather_subset` selects, as Ansible resolves it: the
 * named subsets (all when only exclusions are given), minus the `!` ones,
 * plus `min` unless `!min`.
 */
export function resolveSubsets(spec: readonly string[] = ['all']): Set<FactSubset> {
  const add = new Set<FactSubset>();
  const drop = new Set<FactSubset>();
  const expand = (name: string, exclude = false): readonly FactSubset[] => {
    if (name === 'all') return FACT_SUBSETS;
    if (name === 'min') return MIN_SUBSETS;
    if ((FACT_SUBSETS as readonly string[]).includes(name)) return [name as FactSubset];
    // As Ansible: excluding a subset bosun does not gather (or nobody knows) changes nothing.
    if (exclude) return [];
    if (!ANSIBLE_SUBSET_NAMES.includes(name))
      throw new BosunError(
        'MODULE_ARGS',
        `Bad subset '${name}' given to Ansible. gather_subset options allowed: all, ${ANSIBLE_SUBSET_NAMES.join(', ')}`,
      );
    throw new BosunError('MODULE_ARGS', `gather_subset: unknown subset '${name}'`, {
      hint: `use ${['all', 'min', ...FACT_SUBSETS].join(', ')}, each optionally with a leading !`,
    });
  };
  let dropMin = false;
  for (const raw of spec) {
    const name = raw.trim();
    if (name.startsWith('!')) {
      const what = name.slice(1);
      if (what === 'min') dropMin = true;
      for (const s of what === 'all'
        ? FACT_SUBSETS.filter((x) => !(MIN_SUBSETS as readonly string[]).includes(x))
        : expand(what, true))
        drop.add(s);
    } else {
      for (const s of expand(name)) add.add(s);
    }
  }
  // Named subsets win over exclusions ('!all', 'network' is min plus network).
  const result = new Set<FactSubset>(add.size === 0 ? FACT_SUBSETS : add);
  for (const s of drop) if (!add.has(s)) result.delete(s);
  if (!dropMin) for (const s of MIN_SUBSETS) if (!drop.has(s) || add.has(s)) result.add(s);
  return result;
}

/** The one script that gathers the given subsets. */
export function factsScript(subsets: ReadonlySet<FactSubset>, opts: FactsScriptOptions = {}): string {
  const has = (s: FactSubset): boolean => subsets.has(s);
  const lines = [...PRELUDE];
  if (has('distribution') || has('lsb')) lines.push(...releaseScript());
  for (const s of FACT_SUBSETS) {
    if (s === 'env' || s === 'local' || s === 'python' || !has(s)) continue;
    lines.push(...SCRIPTS[s]);
  }
  if (has('python')) lines.push(...pythonScript(opts));
  if (has('hardware') || has('virtual')) lines.push(...cpuinfoScript(has('hardware'), has('virtual')));
  if (has('local')) lines.push(...localScript(opts.factPath ?? DEFAULT_FACT_PATH));
  if (has('env')) lines.push(ENV_SCRIPT);
  return lines.join('\n');
}

/** Gather facts over the connection; returns `ansible_*` names plus `ansible_facts` (unprefixed), as Ansible does. */
export async function gatherFacts(
  conn: Connection,
  opts: { subsets?: ReadonlySet<FactSubset> } & FactsScriptOptions = {},
): Promise<Record<string, unknown>> {
  const subsets = opts.subsets ?? resolveSubsets();
  const res = await conn.exec(factsScript(subsets, opts));
  return factVars(parseFacts(res.stdout, subsets));
}

/** The variables facts become: `ansible_facts` (unprefixed) and each fact as `ansible_<name>` (`bosun_*` kept as is). */
export function factVars(facts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ansible_facts: { ...facts } };
  for (const [k, v] of Object.entries(facts)) out[prefixedName(k)] = v;
  return out;
}

/** A fact's top-level variable name. */
export function prefixedName(fact: string): string {
  return fact.startsWith('bosun_') || fact.startsWith('ansible_') ? fact : `ansible_${fact}`;
}

/** Merge the `ansible_facts` a module returned (setup: Ansible's prefixed names; getent: `getent_passwd`) into a host's fact variables. */
export function mergeFacts(
  current: Record<string, unknown>,
  moduleFacts: Record<string, unknown>,
): Record<string, unknown> {
  const plain = Object.fromEntries(Object.entries(moduleFacts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));
  const before = (current['ansible_facts'] ?? {}) as Record<string, unknown>;
  // As Ansible injects them: each fact under the name the module gave (getent's `getent_passwd`, setup's
  // `ansible_distribution`), and in `ansible_facts` without the `ansible_` prefix.
  return { ...current, ...moduleFacts, ansible_facts: { ...before, ...plain } };
}

/** The script's output taken apart: key=value lines, command sections, local facts, the environment. */
interface ScriptOutput {
  get: (k: string) => string;
  all: (k: string) => string[];
  has: (k: string) => boolean;
  section: (name: string) => string[] | undefined;
  local: Array<{ path: string; text: string; rc: number }> | undefined;
  env: string | undefined;
}

function splitOutput(stdout: string): ScriptOutput {
  const envAt = stdout.indexOf(`${ENV_MARKER}\n`);
  let head = envAt >= 0 ? stdout.slice(0, envAt) : stdout;
  const env = envAt >= 0 ? stdout.slice(envAt + ENV_MARKER.length + 1) : undefined;
  let local: ScriptOutput['local'];
  const localAt = head.indexOf(`${LOCAL_MARKER}\n`);
  if (localAt >= 0) {
    local = [];
    const text = head.slice(localAt + LOCAL_MARKER.length + 1);
    head = head.slice(0, localAt);
    let current: { path: string; lines: string[] } | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${LOCAL_MARKER}-rc `) && current) {
        local.push({
          path: current.path,
          text: current.lines.join('\n'),
          rc: Number(line.slice(LOCAL_MARKER.length + 4)),
        });
        current = undefined;
      } else if (line.startsWith(`${LOCAL_MARKER} `))
        current = { path: line.slice(LOCAL_MARKER.length + 1), lines: [] };
      else current?.lines.push(line);
    }
  }
  const multi = new Map<string, string[]>();
  const sections = new Map<string, string[]>();
  let inSection: string[] | undefined;
  for (const line of head.split('\n')) {
    if (inSection) {
      if (line === SECTION_END) inSection = undefined;
      else inSection.push(line);
      continue;
    }
    if (line.startsWith(SECTION)) {
      inSection = [];
      sections.set(line.slice(SECTION.length), inSection);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const list = multi.get(key) ?? [];
    list.push(line.slice(eq + 1));
    multi.set(key, list);
  }
  return {
    get: (k) => multi.get(k)?.at(-1) ?? '',
    all: (k) => multi.get(k) ?? [],
    has: (k) => multi.has(k),
    section: (n) => sections.get(n),
    local,
    env,
  };
}

/** Turn the script's output into unprefixed facts (Ansible's names and shapes). */
export function parseFacts(
  stdout: string,
  subsets: ReadonlySet<FactSubset> = resolveSubsets(),
): Record<string, unknown> {
  return parseFactOutput(stdout, subsets).facts;
}

/** parseFacts, with the warnings Ansible would give (local facts that do not load). */
export function parseFactOutput(
  stdout: string,
  subsets: ReadonlySet<FactSubset> = resolveSubsets(),
): { facts: Record<string, unknown>; warnings: string[] } {
  const out = splitOutput(stdout);
  const { get } = out;
  const facts: Record<string, unknown> = {};
  const warnings: string[] = [];
  const osText = stdout
    .split('\n')
    .filter((l) => l.startsWith('os_'))
    .map((l) => l.slice(3))
    .join('\n');
  const file = (path: string): string | undefined => {
    const lines = out.all(`rf:${path}`);
    return lines.length === 0 ? undefined : lines.join('\n');
  };
  if (subsets.has('platform')) Object.assign(facts, platformFacts(get));
  if (subsets.has('distribution')) {
    const files = Object.fromEntries(
      RELEASE_FILES.map((p) => [p, file(p)]).filter((e): e is [string, string] => e[1] !== undefined),
    );
    Object.assign(
      facts,
      distributionFacts({
        osRelease: osText,
        files,
        debianVersion: get('debian_version'),
        archRelease: get('arch_release') === '1',
        vmwareRelease: get('vmware_release') === '1',
        otherReleases: Object.fromEntries(
          out.all('xrf').map((l) => [l.slice(0, l.indexOf('|')), l.slice(l.indexOf('|') + 1)] as const),
        ),
      }),
    );
  }
  if (subsets.has('lsb')) facts['lsb'] = lsbFacts(get('lsb_bin') === '1', osText, file('/etc/lsb-release'));
  if (subsets.has('fips')) facts['fips'] = get('fips') === '1';
  if (subsets.has('apparmor')) facts['apparmor'] = { status: get('apparmor') === '1' ? 'enabled' : 'disabled' };
  if (subsets.has('selinux')) {
    // With a python, as Ansible: its status comes through libselinux, and says so when that is missing.
    const lib = out.has('py_selinux') ? get('py_selinux') === '1' : undefined;
    facts['selinux'] =
      lib === false
        ? { status: 'Missing selinux Python library' }
        : selinuxFacts(get('se_enforce'), get('se_policyvers'), out.all('se_config').join('\n'));
    if (lib !== undefined) facts['selinux_python_present'] = lib;
  }
  if (subsets.has('cmdline')) Object.assign(facts, cmdlineFacts(get('cmdline')));
  if (subsets.has('dns')) facts['dns'] = dnsFacts(out.all('resolv'));
  if (subsets.has('python')) Object.assign(facts, pythonFacts(get) ?? {});
  if (subsets.has('ssh_pub_keys')) {
    for (const t of ['dsa', 'rsa', 'ecdsa', 'ed25519']) {
      const [keytype, key] = get(`sshkey_${t}`).split(/\s+/);
      if (keytype && key)
        Object.assign(facts, { [`ssh_host_key_${t}_public`]: key, [`ssh_host_key_${t}_public_keytype`]: keytype });
    }
  }
  if (subsets.has('user')) Object.assign(facts, userFacts(get));
  if (subsets.has('date_time')) facts['date_time'] = dateTimeFacts(get);
  if (subsets.has('pkg_mgr')) facts['pkg_mgr'] = PKG_MGR[get('pkg')] ?? 'unknown';
  if (subsets.has('service_mgr')) facts['service_mgr'] = serviceManager(get);
  if (subsets.has('hardware'))
    Object.assign(
      facts,
      hardwareFacts(out, typeof facts['architecture'] === 'string' ? facts['architecture'] : get('machine')),
    );
  if (subsets.has('network')) {
    const ip = out.section('ip');
    if (ip !== undefined) {
      const sys = new Map<string, Map<string, string>>();
      for (const line of out.all('if')) {
        const [name = '', key = '', ...rest] = line.split('|');
        const files = sys.get(name) ?? new Map<string, string>();
        sys.set(name, files);
        if (key !== '') files.set(key, rest.join('|'));
      }
      Object.assign(facts, ipNetworkFacts(ip, sys));
    } else {
      Object.assign(facts, networkFacts(undefined, [], out.all('proc_route'), out.all('ifconfig'), get));
    }
  }
  if (subsets.has('virtual')) Object.assign(facts, virtualFacts(get));
  if (subsets.has('local')) {
    const local: Record<string, unknown> = {};
    for (const f of out.local ?? []) {
      const name = f.path.replace(/^.*\//, '').replace(/\.fact$/, '');
      if (f.rc !== 0) {
        const msg = `Failure executing fact script (${f.path}), rc: ${f.rc}, err: `;
        local[name] = msg;
        warnings.push(msg);
        continue;
      }
      const { value, warning } = localFact(f.path, f.text);
      local[name] = value;
      if (warning) warnings.push(warning);
    }
    facts['local'] = local;
  }
  if (subsets.has('env') && out.env !== undefined) facts['env'] = parseEnv(out.env);
  return { facts, warnings };
}

function platformFacts(get: (k: string) => string): Record<string, unknown> {
  const machine = get('machine');
  const architecture = /^i[3-6]86$/.test(machine) ? 'i386' : machine;
  const nodename = get('hostname');
  const fqdn = get('fqdn') || nodename;
  // As Ansible: hostname is the node name up to its first dot, domain what the FQDN has after it.
  const hostname = nodename.split('.')[0] ?? '';
  const dot = fqdn.indexOf('.');
  return {
    hostname,
    nodename,
    fqdn,
    domain: dot >= 0 ? fqdn.slice(dot + 1) : '',
    system: get('system'),
    kernel: get('kernel'),
    kernel_version: get('kernel_version'),
    machine,
    architecture,
    userspace_architecture: architecture,
    userspace_bits: /64|s390x/.test(machine) ? '64' : '32',
    ...(get('machine_id') ? { machine_id: get('machine_id') } : {}),
    bosun_arch: GO_ARCH[machine] ?? (machine.startsWith('arm') ? 'arm' : machine),
  };
}

function userFacts(get: (k: string) => string): Record<string, unknown> {
  const pw = get('passwd').split(':');
  const num = (k: string): number => Number(get(k));
  return {
    user_id: pw[0] || get('user_uid'),
    user_uid: num('user_uid'),
    user_gid: num('user_gid'),
    user_gecos: pw[4] ?? '',
    user_dir: pw[5] || get('home'),
    user_shell: pw[6] ?? '',
    effective_user_id: num('user_uid'),
    effective_group_id: num('user_gid'),
    real_user_id: num('real_uid'),
    real_group_id: num('real_gid'),
  };
}

/** `ansible_date_time`: local fields from the target's clock and zone, UTC ones computed (all strings, as Ansible). */
function dateTimeFacts(get: (k: string) => string): Record<string, string> {
  const epoch = Number(get('dt_epoch'));
  const nanos = /^\d{9}$/.test(get('dt_nanos')) ? get('dt_nanos') : '000000000';
  const local = get('dt_local');
  const [date = '', time = ''] = local.split('T');
  const [year = '', month = '', day = ''] = date.split('-');
  const [hour = '', minute = '', second = ''] = time.split(':');
  const utc = new Date(epoch * 1000).toISOString().slice(0, 19);
  const micro = nanos.slice(0, 6);
  return {
    date,
    day,
    epoch: String(epoch),
    epoch_int: String(epoch),
    hour,
    iso8601: `${utc}Z`,
    iso8601_basic: `${local.replace(/[-:]/g, '')}${micro}`,
    iso8601_basic_short: local.replace(/[-:]/g, ''),
    iso8601_micro: `${utc}.${micro}Z`,
    minute,
    month,
    second,
    time,
    tz: get('dt_tz'),
    tz_dst: get('dt_tz'),
    tz_offset: get('dt_offset'),
    weekday: get('dt_weekday'),
    weekday_number: get('dt_wday'),
    weeknumber: get('dt_week'),
    year,
  };
}

/** Ansible's service_mgr: PID 1's name, with `init` resolved to systemd, openrc or sysvinit. */
function serviceManager(get: (k: string) => string): string {
  const pid1 = get('pid1');
  if (pid1 === 'systemd' || get('run_systemd') === '1') return 'systemd';
  if (pid1 === 'init' || pid1 === '') return get('openrc') === '1' ? 'openrc' : pid1 === '' ? 'unknown' : 'sysvinit';
  return pid1;
}

function hardwareFacts(out: ScriptOutput, architecture: string): Record<string, unknown> {
  const { get } = out;
  const mb = (k: string): number => Math.floor(Number(get(`mem_${k}`) || 0) / 1024);
  const total = mb('MemTotal');
  const free = mb('MemFree');
  const nocacheFree = mb('MemFree') + mb('Buffers') + mb('Cached');
  const cpuLines = out.all('cpu');
  const cpus =
    cpuLines.length > 0
      ? cpuFacts(cpuLines, architecture, get('xen') === '1' && get('cpu_novme') === '1')
      : { processor_vcpus: Number(get('vcpus')) || 1 };
  const nproc = cpuListCount(get('cpus_allowed')) ?? cpuLines.filter((l) => /^processor\s*:/.test(l)).length;
  const entries = mtabEntries(out.all('mtab'));
  const stats = new Map<string, string>();
  for (const line of out.all('statfs')) {
    const bar = line.lastIndexOf('|');
    if (bar > 0) stats.set(line.slice(0, bar), line.slice(bar + 1));
  }
  const binds = get('findmnt') === '1' ? bindMounts(out.all('mountinfo')) : undefined;
  const dmi = Object.fromEntries(
    Object.entries(DMI_FILES).map(([fact, file]) => {
      const v = get(`dmi_${file}`);
      if (fact !== 'form_factor' || v === '') return [fact, v || 'NA'];
      return [fact, FORM_FACTOR[Number(v)] ?? `unknown (${v})`];
    }),
  );
  const uptime = Number.parseFloat(get('uptime'));
  const load = get('loadavg').split(' ').map(Number);
  return {
    // Ansible's chroot collector is not part of min: gathered with the hardware subset.
    ...(get('chroot') !== '' ? { is_chroot: get('chroot') === '1' } : {}),
    ...dmi,
    ...(Number.isFinite(uptime) ? { uptime_seconds: Math.trunc(uptime) } : {}),
    ...(load.length >= 3 && load.slice(0, 3).every(Number.isFinite)
      ? { loadavg: { '1m': load[0], '5m': load[1], '15m': load[2] } }
      : {}),
    ...cpus,
    processor_nproc: nproc || 1,
    memtotal_mb: total,
    memfree_mb: free,
    swaptotal_mb: mb('SwapTotal'),
    swapfree_mb: mb('SwapFree'),
    memory_mb: {
      nocache: { free: nocacheFree, used: total - nocacheFree },
      real: { free, total, used: total - free },
      swap: {
        cached: mb('SwapCached'),
        free: mb('SwapFree'),
        total: mb('SwapTotal'),
        used: mb('SwapTotal') - mb('SwapFree'),
      },
    },
    mounts: mountFacts(entries, stats, lsblkUuids(out.section('lsblk') ?? []), binds),
  };
}

/** One IPv4 address of `ip -4 -o addr show`: `2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\ ...`. */
export function parseIpAddrLine(
  line: string,
): { interface: string; address: string; prefix: number; broadcast: string } | undefined {
  const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?(?:\s+brd\s+(\S+))?/.exec(line.trim());
  if (!m) return undefined;
  return { interface: m[1]!, address: m[2]!, prefix: m[3] === undefined ? 32 : Number(m[3]), broadcast: m[4] ?? '' };
}

/** The default route of /proc/net/route (little-endian hex): interface and gateway. */
export function parseProcRoute(lines: readonly string[]): { interface: string; gateway: string } | undefined {
  for (const line of lines) {
    const [iface, dest, gw, , , , , mask] = line.trim().split(/\s+/);
    if (iface && dest === '00000000' && (mask === undefined || mask === '00000000') && gw) {
      const bytes =
        gw
          .match(/../g)
          ?.map((h) => parseInt(h, 16))
          .reverse() ?? [];
      return { interface: iface, gateway: bytes.join('.') };
    }
  }
  return undefined;
}

/** `ansible_default_ipv4`, `ansible_all_ipv4_addresses`, `ansible_interfaces` from `ip` (or /proc/net/route and ifconfig). */
export function networkFacts(
  route: string | undefined,
  addrLines: readonly string[],
  procRoute: readonly string[],
  ifconfig: readonly string[],
  get: (k: string) => string = () => '',
): Record<string, unknown> {
  const addrs = addrLines.map(parseIpAddrLine).filter((a) => a !== undefined);
  let iface: string | undefined;
  let gateway: string | undefined;
  if (route !== undefined) {
    iface = /\bdev\s+(\S+)/.exec(route)?.[1];
    gateway = /\bvia\s+(\S+)/.exec(route)?.[1];
  } else {
    const r = parseProcRoute(procRoute);
    iface = r?.interface;
    gateway = r?.gateway;
  }
  const defaultIpv4: Record<string, unknown> = {};
  if (iface !== undefined) {
    let own = addrs.find((a) => a.interface === iface);
    if (!own && ifconfig.length > 0) {
      const text = ifconfig.join('\n');
      const address = /inet (?:addr:)?(\d+\.\d+\.\d+\.\d+)/.exec(text)?.[1];
      const mask = /(?:netmask |Mask:)(\d+\.\d+\.\d+\.\d+)/.exec(text)?.[1];
      const bcast = /(?:broadcast |Bcast:)(\d+\.\d+\.\d+\.\d+)/.exec(text)?.[1];
      const prefix =
        mask === undefined
          ? 32
          : mask.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
      if (address) own = { interface: iface, address, prefix, broadcast: bcast ?? '' };
    }
    if (own) {
      Object.assign(defaultIpv4, {
        address: own.address,
        alias: iface,
        broadcast: own.broadcast,
        gateway: gateway ?? '',
        interface: iface,
        netmask: dottedMask(own.prefix),
        network: networkOf(own.address, own.prefix),
        prefix: String(own.prefix),
      });
    } else {
      Object.assign(defaultIpv4, { interface: iface, gateway: gateway ?? '' });
    }
    if (get('dev_mac')) defaultIpv4['macaddress'] = get('dev_mac');
    if (get('dev_mtu')) defaultIpv4['mtu'] = Number(get('dev_mtu'));
    if (get('dev_type'))
      defaultIpv4['type'] = get('dev_type') === '1' ? 'ether' : get('dev_type') === '772' ? 'loopback' : 'unknown';
  }
  const all = addrs.map((a) => a.address).filter((a) => !a.startsWith('127.'));
  if (addrs.length === 0 && typeof defaultIpv4['address'] === 'string') all.push(defaultIpv4['address']);
  return {
    default_ipv4: defaultIpv4,
    all_ipv4_addresses: [...new Set(all)],
    interfaces: get('interfaces')
      .split(' ')
      .filter((n) => n !== ''),
  };
}

function virtualFacts(get: (k: string) => string): Record<string, unknown> {
  const container = get('virt_container').trim();
  const vm = get('virt_vm').trim();
  if (container !== '' && container !== 'none')
    return { virtualization_type: container === 'podman' ? 'podman' : container, virtualization_role: 'guest' };
  if (get('virt_file') !== '') return { virtualization_type: get('virt_file'), virtualization_role: 'guest' };
  if (vm !== '' && vm !== 'none') return { virtualization_type: vm, virtualization_role: 'guest' };
  if (get('virt_hypervisor') === '1') return { virtualization_type: 'NA', virtualization_role: 'guest' };
  return { virtualization_type: 'NA', virtualization_role: 'NA' };
}

/** The environment: `env -0` output (NUL-separated), or `env` lines when -0 is not supported. */
export function parseEnv(text: string): Record<string, string> {
  const entries = text.includes('\0') ? text.split('\0') : text.split('\n');
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(entry.slice(0, eq))) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
