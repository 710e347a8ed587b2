/**
 * The parsing half of the system facts (distribution, lsb, selinux, dns,
 * kernel command line, local facts, python), with the meaning Ansible 2.14's
 * collectors give them (ansible/module_utils/facts/system/*). The facts
 * script prints what the files hold; these functions turn that text into
 * facts, so each distribution's files can be tested here without its host.
 */

/** The release files the script reads (Ansible's OSDIST_LIST paths besides os-release), first line first. */
export const RELEASE_FILES = [
  '/etc/altlinux-release',
  '/etc/oracle-release',
  '/etc/slackware-version',
  '/etc/centos-release',
  '/etc/redhat-release',
  '/etc/openwrt_release',
  '/etc/system-release',
  '/etc/alpine-release',
  '/etc/SuSE-release',
  '/etc/gentoo-release',
  '/etc/lsb-release',
] as const;

/** What the distribution facts are computed from: file contents by path (absent or empty files left out). */
export interface DistributionInput {
  /** /etc/os-release as KEY=value lines. */
  osRelease: string;
  /** Contents of the RELEASE_FILES that exist and are not empty. */
  files: Readonly<Record<string, string>>;
  /** /etc/debian_version. */
  debianVersion?: string;
  /** Whether /etc/arch-release exists (it may be empty). */
  archRelease?: boolean;
  /** Whether /etc/vmware-release exists. */
  vmwareRelease?: boolean;
  /** The first line of each other /etc/*-release file (the distro library's release file), by path. */
  otherReleases?: Readonly<Record<string, string>>;
}

/** The /etc/*-release files the distro library never takes as the release file. */
const NOT_RELEASE_FILES = new Set([
  '/etc/os-release',
  '/etc/lsb-release',
  '/etc/system-release',
  '/etc/oem-release',
  '/etc/plesk-release',
  '/etc/iredmail-release',
  '/etc/board-release',
]);

/** A value of an os-release line: unquoted, "double" (with \ escapes) or 'single' quoted. */
export function osReleaseValue(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1);
  return t;
}

/** os-release KEY=value pairs (keys as written). */
export function osReleaseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1]!, osReleaseValue(m[2]!));
  }
  return fields;
}

/** Ansible's OS_FAMILY_MAP, name to family. */
const OS_FAMILY: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    RedHat: [
      'RedHat',
      'RHEL',
      'Fedora',
      'CentOS',
      'Scientific',
      'SLC',
      'Ascendos',
      'CloudLinux',
      'PSBM',
      'OracleLinux',
      'OVS',
      'OEL',
      'Amazon',
      'Virtuozzo',
      'XenServer',
      'Alibaba',
      'EulerOS',
      'openEuler',
      'AlmaLinux',
      'Rocky',
      'TencentOS',
      'EuroLinux',
      'Kylin Linux Advanced Server',
    ],
    Debian: [
      'Debian',
      'Ubuntu',
      'Raspbian',
      'Neon',
      'KDE neon',
      'Linux Mint',
      'SteamOS',
      'Devuan',
      'Kali',
      'Cumulus Linux',
      'Pop!_OS',
      'Parrot',
      'Pardus GNU/Linux',
      'Uos',
      'Deepin',
      'OSMC',
    ],
    Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap'],
    Archlinux: ['Archlinux', 'Antergos', 'Manjaro'],
    Mandrake: ['Mandrake', 'Mandriva'],
    Slackware: ['Slackware'],
    Altlinux: ['Altlinux'],
    SGML: ['SGML'],
    Gentoo: ['Gentoo', 'Funtoo'],
    Alpine: ['Alpine'],
    ClearLinux: ['Clear Linux OS', 'Clear Linux Mix'],
  }).flatMap(([family, names]) => names.map((n) => [n, family])),
);

/** The distro library's normalised ids (what `distro.id()` returns for these os-release IDs). */
const DISTRO_IDS: Readonly<Record<string, string>> = { ol: 'oracle', 'opensuse-leap': 'opensuse' };

/** Ansible's quote stripping of a whole file (`strip('\'"\\')`). */
const stripQuotes = (s: string): string => s.replace(/^['"\\]+|['"\\]+$/g, '');

/** The version a release file states (`CentOS Linux release 7.9.2009 (Core)` -> 7.9.2009), as the distro library reads it. */
function releaseFileVersion(text: string | undefined): { version: string; codename: string } {
  const line = (text ?? '').split('\n')[0] ?? '';
  const m = /([\d.+\-a-z]*\d)(?:\s*\(([^)]*)\))?\s*$/.exec(line.trim()) ?? /([\d.]+\d)/.exec(line);
  return { version: m?.[1] ?? '', codename: m?.[2] ?? '' };
}

/**
 * Ansible's guess before the release files are read: the distro library's id,
 * version and codename (module_utils/common/sys_info.py).
 */
function guessDistribution(input: DistributionInput): Record<string, string> {
  const os = osReleaseFields(input.osRelease);
  const rawId = (os.get('ID') ?? '').toLowerCase();
  const id = DISTRO_IDS[rawId] ?? rawId;
  // distro's release file: the first /etc/*-release (by name) that states a version.
  const releaseFile = Object.entries({ ...input.files, ...input.otherReleases })
    .filter(
      ([p, text]) => p.endsWith('-release') && !NOT_RELEASE_FILES.has(p) && releaseFileVersion(text).version !== '',
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[0];
  const fromFile = releaseFileVersion(releaseFile?.[1]);
  let name = id === '' ? '' : id[0]!.toUpperCase() + id.slice(1);
  if (name === 'Amzn') name = 'Amazon';
  else if (name === 'Rhel') name = 'Redhat';
  else if (name === '') name = 'OtherLinux';
  const candidates = [os.get('VERSION_ID') ?? '', fromFile.version];
  let version = candidates.find((v) => v !== '') ?? '';
  if (id === 'centos' || id === 'debian') {
    // distro's best version: the candidate with the most dots (Debian's point release lives in /etc/debian_version).
    if (id === 'debian') candidates.push((input.debianVersion ?? '').trim());
    let best = '';
    for (const v of candidates) if (/^\d/.test(v) && (best === '' || dots(v) > dots(best))) best = v;
    if (best !== '') version = id === 'centos' ? best.split('.').slice(0, 2).join('.') : best;
  }
  // Ansible's codename: os-release's VERSION_CODENAME or UBUNTU_CODENAME, on Ubuntu lsb_release's (the
  // DISTRIB_CODENAME of /etc/lsb-release), else distro's: the (name) or ", name" of VERSION, else the release file's.
  let codename: string | undefined = os.get('VERSION_CODENAME') ?? os.get('UBUNTU_CODENAME');
  if (codename === undefined && id === 'ubuntu')
    codename = /^DISTRIB_CODENAME=(.*)$/m.exec(input.files['/etc/lsb-release'] ?? '')?.[1]?.trim();
  if (codename === undefined) {
    const fromVersion = /(\(\D+\))|,(\s+)?\D+/.exec(os.get('VERSION') ?? '')?.[0];
    codename =
      fromVersion !== undefined
        ? fromVersion
            .replace(/^\(|\)$/g, '')
            .replace(/^,|,$/g, '')
            .trim()
        : fromFile.codename;
    if (codename === '') codename = undefined;
  }
  const guessedVersion = version || 'NA';
  return {
    distribution: name,
    distribution_version: guessedVersion,
    distribution_release: codename ?? 'NA',
    distribution_major_version: guessedVersion.split('.')[0] || 'NA',
  };
}

const dots = (v: string): number => v.split('.').length - 1;

type Parsed = Record<string, string>;
/** One entry of Ansible's OSDIST_LIST: which file, which name, how its content is parsed (undefined: not this one). */
interface DistFile {
  path: string;
  name: string;
  parse?: (data: string, guess: Parsed, input: DistributionInput) => Parsed | undefined;
}

const SEARCH = (needle: string, name: string) => (data: string) =>
  data.includes(needle)
    ? { distribution: name, distribution_file_search_string: needle }
    : { distribution: data.split(/\s+/)[0] ?? '' };

const DIST_FILES: readonly DistFile[] = [
  { path: '/etc/altlinux-release', name: 'Altlinux', parse: SEARCH('ALT', 'Altlinux') },
  { path: '/etc/oracle-release', name: 'OracleLinux', parse: SEARCH('Oracle Linux', 'OracleLinux') },
  {
    path: '/etc/slackware-version',
    name: 'Slackware',
    parse: (d) => {
      if (!d.includes('Slackware')) return undefined;
      const v = /\w+[.]\w+\+?/.exec(d)?.[0];
      return { distribution: 'Slackware', ...(v ? { distribution_version: v } : {}) };
    },
  },
  {
    path: '/etc/centos-release',
    name: 'CentOS',
    parse: (d) =>
      d.includes('CentOS Stream')
        ? { distribution_release: 'Stream' }
        : d.includes('TencentOS Server')
          ? { distribution: 'TencentOS' }
          : undefined,
  },
  { path: '/etc/redhat-release', name: 'RedHat', parse: SEARCH('Red Hat', 'RedHat') },
  {
    path: '/etc/openwrt_release',
    name: 'OpenWrt',
    parse: (d) => {
      if (!d.includes('OpenWrt')) return undefined;
      const v = /DISTRIB_RELEASE="(.*)"/.exec(d)?.[1];
      const r = /DISTRIB_CODENAME="(.*)"/.exec(d)?.[1];
      return {
        distribution: 'OpenWrt',
        ...(v !== undefined ? { distribution_version: v } : {}),
        ...(r !== undefined ? { distribution_release: r } : {}),
      };
    },
  },
  { path: '/etc/os-release', name: 'Amazon', parse: (d) => amazon(d, true) },
  { path: '/etc/system-release', name: 'Amazon', parse: (d) => amazon(d, false) },
  { path: '/etc/alpine-release', name: 'Alpine', parse: (d) => ({ distribution: 'Alpine', distribution_version: d }) },
  { path: '/etc/os-release', name: 'Archlinux', parse: (d) => (d.includes('Arch Linux') ? {} : undefined) },
  { path: '/etc/os-release', name: 'SUSE', parse: (d) => suseOsRelease(d) },
  { path: '/etc/os-release', name: 'Debian', parse: (d, _g, i) => debian(d, i) },
  { path: '/etc/lsb-release', name: 'Debian', parse: (d, _g, i) => debian(d, i) },
  {
    path: '/etc/lsb-release',
    name: 'Mandriva',
    parse: (d) => {
      if (!d.includes('Mandriva')) return undefined;
      const v = /DISTRIB_RELEASE="(.*)"/.exec(d)?.[1];
      const r = /DISTRIB_CODENAME="(.*)"/.exec(d)?.[1];
      return {
        distribution: 'Mandriva',
        ...(v !== undefined ? { distribution_version: v } : {}),
        ...(r !== undefined ? { distribution_release: r } : {}),
      };
    },
  },
  {
    path: '/etc/os-release',
    name: 'NA',
    parse: (d, g) => {
      const out: Parsed = {};
      for (const line of d.split('\n')) {
        const name = /^NAME=(.*)/.exec(line)?.[1];
        if (name !== undefined) out['distribution'] = name.replace(/^"+|"+$/g, '');
        const version = /^VERSION=(.*)/.exec(line)?.[1];
        if (version !== undefined && g['distribution_version'] === 'NA')
          out['distribution_version'] = version.replace(/^"+|"+$/g, '');
      }
      return out;
    },
  },
];

function amazon(data: string, osRelease: boolean): Parsed | undefined {
  if (!data.includes('Amazon')) return undefined;
  const out: Parsed = { distribution: 'Amazon' };
  if (osRelease) {
    const v = /VERSION_ID="(.*)"/.exec(data)?.[1];
    if (v !== undefined) {
      const parts = v.split('.');
      Object.assign(out, {
        distribution_version: v,
        distribution_major_version: parts[0],
        distribution_minor_version: parts.length > 1 ? parts[1] : 'NA',
      });
    }
  } else {
    out['distribution_version'] = data.split(/\s+/).find((w) => /^\d+$/.test(w)) ?? 'NA';
  }
  return out;
}

function suseOsRelease(data: string): Parsed | undefined {
  if (!data.toLowerCase().includes('suse')) return undefined;
  const out: Parsed = {};
  const lower = data.toLowerCase();
  for (const line of data.split('\n')) {
    const name = /^NAME=(.*)/.exec(line)?.[1];
    if (name !== undefined) out['distribution'] = name.replace(/^"+|"+$/g, '');
    const v = /^VERSION_ID="?([0-9]+\.?[0-9]*)"?/.exec(line)?.[1];
    if (v !== undefined) {
      out['distribution_version'] = v;
      out['distribution_major_version'] = v.split('.')[0]!;
    }
    const minor = /^VERSION_ID="?[0-9]+\.?([0-9]*)"?/.exec(line)?.[1];
    if (lower.includes('open')) {
      if (minor !== undefined) out['distribution_release'] = minor;
    } else if (lower.includes('enterprise') && line.includes('VERSION_ID') && minor !== undefined) {
      out['distribution_release'] = minor || '0';
    }
  }
  return out;
}

function debian(data: string, input: DistributionInput): Parsed | undefined {
  const out: Parsed = {};
  const versionId = /VERSION_ID="(.*)"/.exec(data)?.[1];
  if (data.includes('Debian') || data.includes('Raspbian')) {
    out['distribution'] = 'Debian';
    const release = /PRETTY_NAME=[^(]+ \(?([^)]+?)\)/.exec(data)?.[1];
    if (release !== undefined) out['distribution_release'] = release;
    // Without a codename Ansible asks dpkg for tzdata's Provides (tzdata-bookworm); bosun leaves 'NA' (see ansible-differences.md).
    for (const line of (input.debianVersion ?? '').split('\n')) {
      const m = /(\d+)\.(\d+)/.exec(line.trim());
      if (m) out['distribution_minor_version'] = m[2]!;
    }
  } else if (data.includes('Ubuntu')) out['distribution'] = 'Ubuntu';
  else if (data.includes('SteamOS')) out['distribution'] = 'SteamOS';
  else if (data.includes('Kali') || data.includes('Parrot')) {
    out['distribution'] = data.includes('Kali') ? 'Kali' : 'Parrot';
    const r = /DISTRIB_RELEASE=(.*)/.exec(data)?.[1];
    if (r !== undefined) out['distribution_release'] = r;
  } else if (data.includes('Devuan')) {
    out['distribution'] = 'Devuan';
    const r = /PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?/.exec(data)?.[1];
    if (r !== undefined) out['distribution_release'] = r;
    if (versionId !== undefined) {
      out['distribution_version'] = versionId;
      out['distribution_major_version'] = versionId;
    }
  } else if (data.includes('Cumulus')) {
    out['distribution'] = 'Cumulus Linux';
    const v = /VERSION_ID=(.*)/.exec(data)?.[1];
    if (v !== undefined) {
      out['distribution_version'] = v;
      out['distribution_major_version'] = v.split('.')[0]!;
    }
    const r = /VERSION="(.*)"/.exec(data)?.[1];
    if (r !== undefined) out['distribution_release'] = r;
  } else if (data.includes('Mint')) {
    out['distribution'] = 'Linux Mint';
    if (versionId !== undefined) {
      out['distribution_version'] = versionId;
      out['distribution_major_version'] = versionId.split('.')[0]!;
    }
  } else if (/UOS|Uos|uos|Deepin|deepin/.test(data)) {
    out['distribution'] = /Deepin|deepin/.test(data) && !/UOS|Uos|uos/.test(data) ? 'Deepin' : 'Uos';
    const r = /VERSION_CODENAME="?([^"\n]+)"?/.exec(data)?.[1];
    if (r !== undefined) out['distribution_release'] = r;
    if (versionId !== undefined) {
      out['distribution_version'] = versionId;
      out['distribution_major_version'] = versionId.split('.')[0]!;
    }
  } else return undefined;
  return out;
}

/**
 * Ansible's distribution facts: the distro library's guess, then the first
 * release file of OSDIST_LIST that exists and parses names the distribution
 * (`distribution_file_path`, `_variety`, `_parsed`), then os_family.
 */
export function distributionFacts(input: DistributionInput): Record<string, unknown> {
  const guess = guessDistribution(input);
  const facts: Record<string, unknown> = { ...guess };
  const osText = input.osRelease.trim() === '' ? undefined : input.osRelease;
  const content = (path: string): string | undefined =>
    path === '/etc/os-release' ? osText : (input.files[path] ?? undefined);
  for (const entry of DIST_FILES) {
    if (entry.path === '/etc/os-release' && entry.name === 'Archlinux' && input.archRelease) {
      Object.assign(facts, { distribution: 'Archlinux', distribution_file_path: '/etc/arch-release' });
      facts['distribution_file_variety'] = 'Archlinux';
      break;
    }
    if (entry.name === 'OpenWrt' && input.vmwareRelease) {
      Object.assign(facts, {
        distribution: 'VMwareESX',
        distribution_file_path: '/etc/vmware-release',
        distribution_file_variety: 'VMwareESX',
      });
      break;
    }
    const raw = content(entry.path);
    if (raw === undefined || raw.trim() === '') continue;
    const parsed = entry.parse?.(stripQuotes(raw), guess, input);
    if (parsed === undefined) continue;
    Object.assign(facts, {
      distribution: entry.name,
      distribution_file_path: entry.path,
      distribution_file_variety: entry.name,
      distribution_file_parsed: true,
      ...parsed,
    });
    break;
  }
  const name = String(facts['distribution']);
  facts['os_family'] = OS_FAMILY[name] ?? name;
  return facts;
}

/**
 * `ansible_lsb`: what `lsb_release -a` prints when it is installed (computed
 * from the files it reads, without running it: Debian's lsb_release reads
 * os-release, Ubuntu's agrees with /etc/lsb-release), else /etc/lsb-release's
 * DISTRIB_* lines, else {}.
 */
export function lsbFacts(
  hasLsbRelease: boolean,
  osRelease: string,
  lsbRelease: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const fromFile = (): void => {
    for (const line of (lsbRelease ?? '').split('\n')) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const value = line.slice(eq + 1).trim();
      if (line.includes('DISTRIB_ID')) out['id'] = value;
      else if (line.includes('DISTRIB_RELEASE')) out['release'] = value;
      else if (line.includes('DISTRIB_DESCRIPTION')) out['description'] = value;
      else if (line.includes('DISTRIB_CODENAME')) out['codename'] = value;
    }
  };
  if (hasLsbRelease) {
    if (lsbRelease !== undefined && /^DISTRIB_ID=/m.test(lsbRelease)) fromFile();
    else {
      const os = osReleaseFields(osRelease);
      let id = os.get('ID') ?? '';
      id = id === '' ? '' : id[0]!.toUpperCase() + id.slice(1);
      const name = os.get('NAME');
      if (name?.toLowerCase() === id.toLowerCase()) id = name!;
      out['id'] = id || 'n/a';
      out['description'] = os.get('PRETTY_NAME') || 'n/a';
      out['release'] = os.get('VERSION_ID') || 'n/a';
      out['codename'] = os.get('VERSION_CODENAME') || 'n/a';
    }
  } else if (lsbRelease !== undefined) fromFile();
  if (out['release'] !== undefined) out['major_release'] = out['release'].split('.')[0]!;
  for (const [k, v] of Object.entries(out)) if (v) out[k] = stripQuotes(v);
  return out;
}

/** What the script found of SELinux: the enforce file's content (absent: disabled), policyvers, /etc/selinux/config. */
export function selinuxFacts(enforce: string, policyvers: string, config: string): Record<string, unknown> {
  if (enforce === '') return { status: 'disabled' };
  const modes: Record<string, string> = { '1': 'enforcing', '0': 'permissive' };
  let configMode = 'unknown';
  let type = 'unknown';
  for (const line of config.split('\n')) {
    const m = /^\s*(SELINUX|SELINUXTYPE)\s*=\s*(\S*)/.exec(line);
    if (m?.[1] === 'SELINUX') configMode = ['enforcing', 'permissive', 'disabled'].includes(m[2]!) ? m[2]! : 'unknown';
    else if (m?.[1] === 'SELINUXTYPE') type = m[2]!;
  }
  return {
    status: 'enabled',
    policyvers: /^\d+$/.test(policyvers) ? Number(policyvers) : 'unknown',
    config_mode: configMode,
    mode: modes[enforce] ?? 'unknown',
    type,
  };
}

/** `ansible_dns` from /etc/resolv.conf, as Ansible's dns collector reads it. */
export function dnsFacts(lines: readonly string[]): Record<string, unknown> {
  const dns: Record<string, unknown> = {};
  for (const line of lines) {
    if (line.startsWith('#') || line.startsWith(';') || line.trim() === '') continue;
    const t = line.trim().split(/\s+/);
    const rest = t.slice(1);
    if (t[0] === 'nameserver') dns['nameservers'] = [...((dns['nameservers'] as string[] | undefined) ?? []), ...rest];
    else if (t[0] === 'domain' && rest.length > 0) dns['domain'] = rest[0];
    else if (t[0] === 'search') dns['search'] = rest;
    else if (t[0] === 'sortlist') dns['sortlist'] = rest;
    else if (t[0] === 'options') {
      const options: Record<string, string | true> = {};
      for (const o of rest) {
        const i = o.indexOf(':');
        if (i < 0) options[o] = true;
        else options[o.slice(0, i)] = o.slice(i + 1) || true;
      }
      dns['options'] = options;
    }
  }
  return dns;
}

/** The words of /proc/cmdline as Python's shlex.split(posix=False) gives them: a quoted word keeps its quotes. */
function cmdlineWords(text: string): string[] {
  return text.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
}

/** `ansible_cmdline` (last value wins) and `ansible_proc_cmdline` (repeated keys become lists). */
export function cmdlineFacts(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const cmdline: Record<string, string | true> = {};
  const proc: Record<string, string | true | string[]> = {};
  for (const word of cmdlineWords(text)) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      cmdline[word] = true;
      proc[word] = true;
      continue;
    }
    const [k, v] = [word.slice(0, eq), word.slice(eq + 1)];
    cmdline[k] = v;
    const before = proc[k];
    proc[k] = before === undefined ? v : Array.isArray(before) ? [...before, v] : before === true ? v : [before, v];
  }
  return { cmdline, proc_cmdline: proc };
}

/**
 * INI text as Python's configparser reads it for local facts: [sections],
 * `key = value` or `key: value` (keys lowercased, values stripped),
 * indented continuation lines, # and ; comments; undefined when it is not
 * INI (a line before the first section, a line without a separator).
 */
export function parseConfigParser(text: string): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || /^\s*[#;]/.test(line)) {
      last = undefined;
      continue;
    }
    if (/^\s/.test(line) && section && last !== undefined) {
      section[last] = `${section[last] ?? ''}\n${line.trim()}`;
      continue;
    }
    const head = /^\[([^\]]+)\]/.exec(line);
    if (head) {
      section = out[head[1]!] ??= {};
      last = undefined;
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line.trim());
    if (!section || !m) return undefined;
    last = m[1]!.toLowerCase();
    section[last] = m[2]!;
  }
  return out;
}

/** One local fact (facts.d): JSON, else INI sections, else Ansible's error text. */
export function localFact(path: string, text: string): { value: unknown; warning?: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    // not JSON: INI, as Ansible's configparser reads it
  }
  const ini = parseConfigParser(text);
  if (ini === undefined) {
    const msg = `error loading facts as JSON or ini - please check content: ${path}`;
    return { value: msg, warning: msg };
  }
  return { value: ini };
}

/** `ansible_python` from the probe's `py_*` lines, or undefined when no python was found. */
export function pythonFacts(get: (k: string) => string): Record<string, unknown> | undefined {
  const exe = get('py_exe');
  const v = get('py_version').split(' ');
  if (exe === '' || v.length < 5) return undefined;
  const [major, minor, micro, level, serial] = v;
  const version = {
    major: Number(major),
    minor: Number(minor),
    micro: Number(micro),
    releaselevel: level!,
    serial: Number(serial),
  };
  return {
    python: {
      version,
      version_info: [version.major, version.minor, version.micro, version.releaselevel, version.serial],
      executable: exe,
      has_sslcontext: get('py_ssl') === '1',
      type: get('py_type') || null,
    },
    python_version: `${version.major}.${version.minor}.${version.micro}`,
  };
}
