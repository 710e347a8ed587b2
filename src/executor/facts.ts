/**
 * Fact gathering (Ansible's `setup`, the "Gathering Facts" task): one sh
 * round trip that reads what roles branch on (distribution, architecture,
 * package and service manager, CPUs, memory), with Ansible's fact names.
 */
import type { Connection } from '../connection/types.js';

/** One script, only reads: uname, /etc/os-release, /proc. */
const FACTS_SCRIPT = [
  'echo "hostname=$(uname -n)"',
  'echo "fqdn=$(hostname -f 2>/dev/null || uname -n)"',
  'echo "system=$(uname -s)"',
  'echo "kernel=$(uname -r)"',
  'echo "machine=$(uname -m)"',
  'echo "user_id=$(id -un)"',
  'echo "user_uid=$(id -u)"',
  'echo "nproc=$(nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo)"',
  'echo "memtotal_kb=$(awk \'/^MemTotal:/{print $2}\' /proc/meminfo 2>/dev/null)"',
  'echo "pid1=$(cat /proc/1/comm 2>/dev/null)"',
  'for pm in apt-get dnf yum zypper apk pacman; do command -v $pm >/dev/null 2>&1 && { echo "pkg=$pm"; break; }; done',
  'if [ -r /etc/os-release ]; then sed -n \'s/^\\([A-Z_]*\\)=/os_\\1=/p\' /etc/os-release; fi',
].join('\n');

const DISTRIBUTIONS: Readonly<Record<string, [name: string, family: string]>> = {
  debian: ['Debian', 'Debian'],
  ubuntu: ['Ubuntu', 'Debian'],
  raspbian: ['Debian', 'Debian'],
  centos: ['CentOS', 'RedHat'],
  rhel: ['RedHat', 'RedHat'],
  rocky: ['Rocky', 'RedHat'],
  almalinux: ['AlmaLinux', 'RedHat'],
  fedora: ['Fedora', 'RedHat'],
  ol: ['OracleLinux', 'RedHat'],
  openeuler: ['openEuler', 'RedHat'],
  kylin: ['Kylin', 'RedHat'],
  amzn: ['Amazon', 'RedHat'],
  sles: ['SLES', 'Suse'],
  'opensuse-leap': ['openSUSE Leap', 'Suse'],
  alpine: ['Alpine', 'Alpine'],
  arch: ['Archlinux', 'Archlinux'],
};

const PKG_MGR: Readonly<Record<string, string>> = { 'apt-get': 'apt', dnf: 'dnf', yum: 'yum', zypper: 'zypper', apk: 'apk', pacman: 'pacman' };

/** Gather facts over the connection; returns `ansible_*` names plus `ansible_facts` (unprefixed), as Ansible does. */
export async function gatherFacts(conn: Connection): Promise<Record<string, unknown>> {
  const res = await conn.exec(FACTS_SCRIPT);
  return parseFacts(res.stdout);
}

/** Turn the script's `key=value` lines into facts. */
export function parseFacts(stdout: string): Record<string, unknown> {
  const raw = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) raw.set(line.slice(0, eq), line.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  const get = (k: string): string => raw.get(k) ?? '';
  const osId = get('os_ID').toLowerCase();
  const [distribution, family] = DISTRIBUTIONS[osId] ?? [get('os_NAME') || 'Unknown', guessFamily(get('os_ID_LIKE'))];
  const version = get('os_VERSION_ID');
  const machine = get('machine');
  const facts: Record<string, unknown> = {
    hostname: get('hostname').split('.')[0],
    nodename: get('hostname'),
    fqdn: get('fqdn'),
    system: get('system'),
    kernel: get('kernel'),
    machine,
    architecture: machine,
    userspace_architecture: machine,
    distribution,
    distribution_version: version,
    distribution_major_version: version.split('.')[0] ?? '',
    distribution_release: get('os_VERSION_CODENAME'),
    os_family: family,
    pkg_mgr: PKG_MGR[get('pkg')] ?? 'unknown',
    service_mgr: get('pid1') === 'systemd' ? 'systemd' : get('pid1') || 'unknown',
    user_id: get('user_id'),
    user_uid: Number(get('user_uid')),
    processor_vcpus: Number(get('nproc')) || 1,
    processor_nproc: Number(get('nproc')) || 1,
    memtotal_mb: Math.floor(Number(get('memtotal_kb')) / 1024) || 0,
  };
  const out: Record<string, unknown> = { ansible_facts: { ...facts } };
  for (const [k, v] of Object.entries(facts)) out[`ansible_${k}`] = v;
  return out;
}

function guessFamily(idLike: string): string {
  const like = idLike.toLowerCase();
  if (/debian|ubuntu/.test(like)) return 'Debian';
  if (/rhel|fedora|centos/.test(like)) return 'RedHat';
  if (/suse/.test(like)) return 'Suse';
  return 'Unknown';
}
