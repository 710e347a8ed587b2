/**
 * Fact gathering (Ansible's `setup`, the "Gathering Facts" task): one sh
 * round trip that reads what roles branch on (distribution, architecture,
 * package and service manager, CPUs, memory, default IPv4, environment),
 * with Ansible's fact names and value shapes. The script is built from the
 * subsets asked for (`gather_subset`), so `min` runs no network commands.
 */
import type { Connection } from '../../connection/types.js';
import { BosunError } from '../../errors.js';

/** The subsets Ansible's `min` stands for. */
const MIN_SUBSETS = ['platform', 'distribution', 'user', 'env', 'date_time', 'pkg_mgr', 'service_mgr'] as const;
/** Every subset bosun gathers (Ansible's names). */
export const FACT_SUBSETS = [...MIN_SUBSETS, 'hardware', 'network', 'virtual'] as const;
/** One subset of facts. */
export type FactSubset = (typeof FACT_SUBSETS)[number];

/**
 * Script lines per subset: only reads; each line prints `key=value` (the
 * environment comes last, NUL-separated). Every process started costs the
 * target a fork and an exec (about 1 ms of CPU each), so files are read with
 * the shell's own `read`, one command's output is split by parameter
 * expansion, and a value comes from a command only when no file holds it.
 * `echo` stays where the values were always printed with it (dash's `echo`
 * reads backslashes), `printf '%s'` where a command's lines went out as is.
 */
const SCRIPTS: Record<Exclude<FactSubset, 'env'>, string[]> = {
  platform: [
    // `uname -snrvm` prints the fields in that order, space-separated; only the kernel version holds spaces.
    'u=$(uname -snrvm); m=${u##* }; u=${u% *}; s=${u%% *}; u=${u#* }; n=${u%% *}; u=${u#* }; r=${u%% *}; v=${u#* }',
    'echo "hostname=$n"',
    'fqdn=$(hostname -f 2>/dev/null) || fqdn=$n',
    'echo "fqdn=$fqdn"',
    'echo "system=$s"',
    'echo "kernel=$r"',
    'echo "kernel_version=$v"',
    'echo "machine=$m"',
  ],
  distribution: [
    // Each KEY=value line of os-release (KEY of A-Z and _) as os_KEY=value.
    'if [ -r /etc/os-release ]; then while IFS= read -r l || [ -n "$l" ]; do case $l in *=*) case ${l%%=*} in *[!A-Z_]*) ;; *) printf \'os_%s\\n\' "$l" ;; esac ;; esac; done < /etc/os-release; fi',
    '[ -r /etc/debian_version ] && { l=; IFS= read -r l < /etc/debian_version; echo "debian_version=$l"; }',
    '[ -r /etc/alpine-release ] && { l=; IFS= read -r l < /etc/alpine-release; echo "alpine_release=$l"; }',
  ],
  user: [
    'un=$(id -un)',
    'echo "user_id=$un"',
    // Real and effective ids are this shell's own, as `id` would inherit them.
    'uu= ug= ru= rg=',
    'if [ -r /proc/self/status ]; then while read -r k a b c; do case $k in Uid:) ru=$a; uu=$b ;; Gid:) rg=$a; ug=$b; break ;; esac; done < /proc/self/status; fi',
    '[ -n "$uu" ] || uu=$(id -u); [ -n "$ug" ] || ug=$(id -g); [ -n "$ru" ] || ru=$(id -ru); [ -n "$rg" ] || rg=$(id -rg)',
    'echo "user_uid=$uu"',
    'echo "user_gid=$ug"',
    'echo "real_uid=$ru"',
    'echo "real_gid=$rg"',
    'echo "home=$HOME"',
    'pw=$(getent passwd "$un" 2>/dev/null) || pw=$(grep "^$un:" /etc/passwd)',
    'echo "passwd=$pw"',
  ],
  date_time: [
    'date "+dt_epoch=%s%ndt_nanos=%N%ndt_local=%Y-%m-%dT%H:%M:%S%ndt_tz=%Z%ndt_offset=%z%ndt_weekday=%A%ndt_wday=%w%ndt_week=%W"',
  ],
  pkg_mgr: [
    'for pm in apt-get dnf yum zypper apk pacman; do command -v $pm >/dev/null 2>&1 && { echo "pkg=$pm"; break; }; done',
  ],
  service_mgr: [
    'pid1=; { IFS= read -r pid1 < /proc/1/comm; } 2>/dev/null',
    'echo "pid1=$pid1"',
    '[ -d /run/systemd/system ] && echo "run_systemd=1"',
    '{ [ -x /sbin/openrc ] || [ -x /sbin/openrc-run ]; } && echo "openrc=1"',
  ],
  // vcpus and memory come from the /proc/cpuinfo step (cpuinfoScript).
  hardware: ['np=$(nproc 2>/dev/null) || np=$(grep -c ^processor /proc/cpuinfo)', 'echo "nproc=$np"'],
  network: [
    "nl='",
    "'",
    'dev=',
    'if command -v ip >/dev/null 2>&1; then',
    '  rt=$(ip -4 route show default 2>/dev/null)',
    '  [ -n "$rt" ] && printf \'route=%s\\n\' "${rt%%"$nl"*}"',
    // The first "dev" word (not last on its line) of the routes, as awk would find it.
    '  while read -r l; do set -f; set -- $l; set +f; while [ $# -gt 1 ]; do [ "$1" = dev ] && dev=$2 && break 2; shift; done; done <<BOSUN_ROUTES',
    '$rt',
    'BOSUN_ROUTES',
    '  ad=$(ip -4 -o addr show 2>/dev/null)',
    '  [ -n "$ad" ] && while IFS= read -r l; do printf \'addr=%s\\n\' "$l"; done <<BOSUN_ADDRS',
    '$ad',
    'BOSUN_ADDRS',
    'elif [ -r /proc/net/route ]; then',
    '  first=1',
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
    'ifs=; for i in /sys/class/net/*; do { [ -e "$i" ] || [ -L "$i" ]; } && ifs="$ifs${i##*/} "; done',
    'echo "interfaces=$ifs"',
    'if [ -n "$dev" ]; then',
    '  x=; { IFS= read -r x < "/sys/class/net/$dev/address"; } 2>/dev/null; echo "dev_mac=$x"',
    '  x=; { IFS= read -r x < "/sys/class/net/$dev/mtu"; } 2>/dev/null; echo "dev_mtu=$x"',
    '  x=; { IFS= read -r x < "/sys/class/net/$dev/type"; } 2>/dev/null; echo "dev_type=$x"',
    'fi',
  ],
  virtual: [
    // A container found wins over a VM (virtualFacts), so the VM is asked for only when there is none.
    'if command -v systemd-detect-virt >/dev/null 2>&1; then vc=$(systemd-detect-virt -c 2>/dev/null); echo "virt_container=$vc"; case $vc in \'\'|none) echo "virt_vm=$(systemd-detect-virt -v 2>/dev/null)" ;; esac; fi',
    '[ -e /.dockerenv ] && echo "virt_file=docker"',
    '[ -e /run/.containerenv ] && echo "virt_file=podman"',
  ],
};

const MEMINFO_KEYS = '/^(MemTotal|MemFree|Buffers|Cached|SwapTotal|SwapFree|SwapCached):/';

/**
 * One awk for /proc/cpuinfo and /proc/meminfo: the vCPU count and memory
 * (hardware) and the hypervisor flag (virtual). Without awk, grep as before
 * (and no memory, as before).
 */
function cpuinfoScript(hardware: boolean, virtual: boolean): string[] {
  const program = [
    'BEGIN {',
    '  while ((r = (getline l < "/proc/cpuinfo")) > 0) { if (l ~ /^processor/) n++; if (l ~ /^flags.* hypervisor/) hv = 1 }',
    ...(hardware
      ? [
          '  print "vcpus=" (r < 0 ? "" : n + 0)',
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

/** The marker after which the environment follows (`env -0`, else `env`). */
const ENV_MARKER = '@@bosun-env@@';
const ENV_SCRIPT = `echo ${ENV_MARKER}; env -0 2>/dev/null || env`;

const DISTRIBUTIONS: Readonly<Record<string, [name: string, family: string]>> = {
  debian: ['Debian', 'Debian'],
  ubuntu: ['Ubuntu', 'Debian'],
  raspbian: ['Debian', 'Debian'],
  linuxmint: ['Linux Mint', 'Debian'],
  centos: ['CentOS', 'RedHat'],
  rhel: ['RedHat', 'RedHat'],
  rocky: ['Rocky', 'RedHat'],
  almalinux: ['AlmaLinux', 'RedHat'],
  fedora: ['Fedora', 'RedHat'],
  ol: ['OracleLinux', 'RedHat'],
  openeuler: ['openEuler', 'RedHat'],
  kylin: ['Kylin', 'RedHat'],
  amzn: ['Amazon', 'RedHat'],
  anolis: ['Anolis', 'RedHat'],
  sles: ['SLES', 'Suse'],
  'opensuse-leap': ['openSUSE Leap', 'Suse'],
  alpine: ['Alpine', 'Alpine'],
  arch: ['Archlinux', 'Archlinux'],
};
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

/**
 * The subsets that `gather_subset` selects, as Ansible resolves it: the
 * named subsets (all when only exclusions are given), minus the `!` ones,
 * plus `min` unless `!min`.
 */
export function resolveSubsets(spec: readonly string[] = ['all']): Set<FactSubset> {
  const add = new Set<FactSubset>();
  const drop = new Set<FactSubset>();
  const expand = (name: string): readonly FactSubset[] => {
    if (name === 'all') return FACT_SUBSETS;
    if (name === 'min') return MIN_SUBSETS;
    if ((FACT_SUBSETS as readonly string[]).includes(name)) return [name as FactSubset];
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
        : expand(what))
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
export function factsScript(subsets: ReadonlySet<FactSubset>): string {
  const lines = FACT_SUBSETS.filter((s) => s !== 'env' && subsets.has(s)).flatMap(
    (s) => SCRIPTS[s as Exclude<FactSubset, 'env'>],
  );
  if (subsets.has('hardware') || subsets.has('virtual'))
    lines.push(...cpuinfoScript(subsets.has('hardware'), subsets.has('virtual')));
  if (subsets.has('env')) lines.push(ENV_SCRIPT);
  return lines.join('\n');
}

/** Gather facts over the connection; returns `ansible_*` names plus `ansible_facts` (unprefixed), as Ansible does. */
export async function gatherFacts(
  conn: Connection,
  opts: { subsets?: ReadonlySet<FactSubset> } = {},
): Promise<Record<string, unknown>> {
  const subsets = opts.subsets ?? resolveSubsets();
  const res = await conn.exec(factsScript(subsets));
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

/** Turn the script's output into unprefixed facts (Ansible's names and shapes). */
export function parseFacts(
  stdout: string,
  subsets: ReadonlySet<FactSubset> = resolveSubsets(),
): Record<string, unknown> {
  const envAt = stdout.indexOf(`${ENV_MARKER}\n`);
  const head = envAt >= 0 ? stdout.slice(0, envAt) : stdout;
  const raw = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const line of head.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    raw.set(key, value);
    multi.set(key, [...(multi.get(key) ?? []), value]);
  }
  const get = (k: string): string => raw.get(k) ?? '';
  const facts: Record<string, unknown> = {};
  if (subsets.has('platform')) Object.assign(facts, platformFacts(get));
  if (subsets.has('distribution')) Object.assign(facts, distributionFacts(get));
  if (subsets.has('user')) Object.assign(facts, userFacts(get));
  if (subsets.has('date_time')) facts['date_time'] = dateTimeFacts(get);
  if (subsets.has('pkg_mgr')) facts['pkg_mgr'] = PKG_MGR[get('pkg')] ?? 'unknown';
  if (subsets.has('service_mgr')) facts['service_mgr'] = serviceManager(get);
  if (subsets.has('hardware')) Object.assign(facts, hardwareFacts(get));
  if (subsets.has('network'))
    Object.assign(
      facts,
      networkFacts(
        multi.get('route')?.[0],
        multi.get('addr') ?? [],
        multi.get('proc_route') ?? [],
        multi.get('ifconfig') ?? [],
        get,
      ),
    );
  if (subsets.has('virtual')) Object.assign(facts, virtualFacts(get));
  if (subsets.has('env') && envAt >= 0) facts['env'] = parseEnv(stdout.slice(envAt + ENV_MARKER.length + 1));
  return facts;
}

function platformFacts(get: (k: string) => string): Record<string, unknown> {
  const machine = get('machine');
  const architecture = /^i[3-6]86$/.test(machine) ? 'i386' : machine;
  const fqdn = get('fqdn');
  const hostname = get('hostname').split('.')[0] ?? '';
  return {
    hostname,
    nodename: get('hostname'),
    fqdn,
    domain: fqdn.startsWith(`${hostname}.`) ? fqdn.slice(hostname.length + 1) : '',
    system: get('system'),
    kernel: get('kernel'),
    kernel_version: get('kernel_version'),
    machine,
    architecture,
    userspace_architecture: architecture,
    userspace_bits: /64|s390x/.test(machine) ? '64' : '32',
    bosun_arch: GO_ARCH[machine] ?? (machine.startsWith('arm') ? 'arm' : machine),
  };
}

/** A value of an os-release line: unquoted, "double" (with \ escapes) or 'single' quoted. */
export function osReleaseValue(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1);
  return t;
}

function distributionFacts(get: (k: string) => string): Record<string, unknown> {
  const os = (k: string): string => osReleaseValue(get(`os_${k}`));
  const osId = os('ID').toLowerCase();
  const [distribution, family] = DISTRIBUTIONS[osId] ?? [os('NAME') || 'Unknown', guessFamily(os('ID_LIKE'))];
  let version = os('VERSION_ID');
  // Debian's point release lives in /etc/debian_version (12.11), as Ansible reports it.
  const debianVersion = get('debian_version').trim();
  if (osId === 'debian' && /^\d+(\.\d+)*$/.test(debianVersion)) version = debianVersion;
  const alpine = get('alpine_release').trim();
  if (osId === 'alpine' && alpine !== '') version = alpine;
  const parts = version.split('.');
  const fromVersion = /\(([^)]+)\)/.exec(os('VERSION'))?.[1];
  return {
    distribution,
    distribution_version: version,
    distribution_major_version: parts[0] ?? '',
    distribution_minor_version: parts[1] ?? '',
    distribution_release: os('VERSION_CODENAME') || os('UBUNTU_CODENAME') || fromVersion || 'NA',
    os_family: family,
  };
}

function guessFamily(idLike: string): string {
  const like = idLike.toLowerCase();
  if (/debian|ubuntu/.test(like)) return 'Debian';
  if (/rhel|fedora|centos/.test(like)) return 'RedHat';
  if (like.includes('suse')) return 'Suse';
  return 'Unknown';
}

function userFacts(get: (k: string) => string): Record<string, unknown> {
  const pw = get('passwd').split(':');
  const num = (k: string): number => Number(get(k));
  return {
    user_id: get('user_id'),
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

function hardwareFacts(get: (k: string) => string): Record<string, unknown> {
  const mb = (k: string): number => Math.floor(Number(get(`mem_${k}`) || 0) / 1024);
  const nproc = Number(get('nproc')) || 1;
  const total = mb('MemTotal');
  const free = mb('MemFree');
  const nocacheFree = mb('MemFree') + mb('Buffers') + mb('Cached');
  return {
    processor_vcpus: Number(get('vcpus')) || nproc,
    processor_nproc: nproc,
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

function dottedMask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

function networkOf(address: string, prefix: number): string {
  const mask = dottedMask(prefix).split('.').map(Number);
  return address
    .split('.')
    .map((o, i) => Number(o) & mask[i]!)
    .join('.');
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
