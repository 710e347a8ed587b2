/**
 * The parsing half of the hardware facts: processors from /proc/cpuinfo and
 * mounts from /etc/mtab with their statvfs numbers, with the meaning Ansible
 * 2.14's Linux hardware collector gives them (facts/hardware/linux.py).
 */

/** The /proc/cpuinfo keys the processor facts read. */
export const CPUINFO_KEYS = [
  'model name',
  'Processor',
  'vendor_id',
  'cpu',
  'Vendor',
  'processor',
  'physical id',
  'core id',
  'cpu cores',
  'siblings',
  '# processors',
  'ncpus active',
] as const;

/**
 * processor, processor_count, _cores, _threads_per_core, _vcpus from the
 * cpuinfo lines (`key: value`), as Ansible counts them (sockets by physical
 * id, cores of the first socket, threads from siblings / cores).
 */
export function cpuFacts(lines: readonly string[], architecture: string, xenParavirt = false): Record<string, unknown> {
  const processor: string[] = [];
  let i = 0;
  let vendorIds = 0;
  let modelNames = 0;
  let processors = 0;
  let physid = '0';
  let coreid = '0';
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  let declaredCores: number | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const key = (colon < 0 ? line : line.slice(0, colon)).trim();
    const val = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor'].includes(key)) {
      processor.push(val);
      if (key === 'vendor_id') vendorIds++;
      if (key === 'model name') modelNames++;
      if (key === 'processor') processors++;
      i++;
    } else if (key === 'physical id') {
      physid = val;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === 'core id') {
      coreid = val;
      // Ansible tests the socket table here (not the core one): kept, the counts depend on it.
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === 'cpu cores') sockets.set(physid, Number.parseInt(val, 10));
    else if (key === 'siblings') cores.set(coreid, Number.parseInt(val, 10));
    else if (key === '# processors') declaredCores = Number.parseInt(val, 10);
    else if (key === 'ncpus active') i = Number.parseInt(val, 10);
  }
  if (vendorIds > 0 && vendorIds === modelNames) i = vendorIds;
  if (/^(armv|aarch|ppc)/.test(architecture)) i = processors;
  const facts: Record<string, unknown> = { processor };
  if (declaredCores !== undefined) facts['processor_cores'] = declaredCores;
  if (architecture === 's390x') return facts;
  if (xenParavirt) {
    return { ...facts, processor_count: i, processor_cores: i, processor_threads_per_core: 1, processor_vcpus: i };
  }
  const count = sockets.size > 0 ? sockets.size : i;
  const firstSocket = [...sockets.values()][0];
  const coresPerSocket = firstSocket !== undefined && firstSocket > 0 ? firstSocket : 1;
  const firstCore = [...cores.values()][0];
  const threads = Math.floor((firstCore ?? 1) / coresPerSocket);
  return {
    ...facts,
    processor_count: count,
    processor_cores: coresPerSocket,
    processor_threads_per_core: threads,
    processor_vcpus: threads * count * coresPerSocket,
  };
}

/** The CPUs of a Cpus_allowed_list (`0-3,8`): what sched_getaffinity counts (Ansible's processor_nproc). */
export function cpuListCount(list: string): number | undefined {
  if (!/^\d/.test(list.trim())) return undefined;
  let n = 0;
  for (const part of list.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return n;
}

/** One /etc/mtab field with its octal escapes (\040) decoded. */
const unescape = (s: string): string => s.replace(/\\[0-7]{3}/g, (m) => String.fromCharCode(parseInt(m.slice(1), 8)));

/** A mount Ansible reports: a device path (or host:/path), not a pseudo file system. */
export interface MtabEntry {
  device: string;
  mount: string;
  fstype: string;
  options: string;
}

/** The entries of /etc/mtab Ansible keeps (devices starting with / or \, or with :/; fstype not none). */
export function mtabEntries(lines: readonly string[]): MtabEntry[] {
  const out: MtabEntry[] = [];
  for (const line of lines) {
    const f = line.split(/\s+/).filter((x) => x !== '');
    if (f.length < 4) continue;
    const [device, mount, fstype, options] = f.slice(0, 4).map(unescape) as [string, string, string, string];
    if ((!/^[/\\]/.test(device) && !device.includes(':/')) || fstype === 'none') continue;
    out.push({ device, mount, fstype, options });
  }
  return out;
}

/**
 * The mount points bind-mounted from a subtree (findmnt prints their source as
 * `dev[/path]`): from /proc/self/mountinfo, whose fourth field is the root.
 */
export function bindMounts(mountinfo: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const line of mountinfo) {
    const f = line.split(' ');
    if (f.length > 5 && f[3] !== '/') out.add(unescape(f[4]!));
  }
  return out;
}

/** `stat -f -c '%S %s %b %f %a %c %d'` per mount: frsize bsize blocks bfree bavail files ffree. */
export function mountFacts(
  entries: readonly MtabEntry[],
  statLines: ReadonlyMap<string, string>,
  uuids: ReadonlyMap<string, string>,
  binds: ReadonlySet<string> | undefined,
): Array<Record<string, unknown>> {
  return entries.map((e) => {
    const info: Record<string, unknown> = { ...e };
    if (binds?.has(e.mount) && !e.options.includes('bind')) info['options'] = `${e.options},bind`;
    const nums = (statLines.get(e.mount) ?? '').split(' ').map(Number);
    if (nums.length === 7 && nums.every((n) => Number.isFinite(n))) {
      const [frsize, bsize, blocks, , bavail, files, ffree] = nums as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      Object.assign(info, {
        size_total: frsize * blocks,
        size_available: frsize * bavail,
        block_size: bsize,
        block_total: blocks,
        block_available: bavail,
        block_used: blocks - bavail,
        inode_total: files,
        inode_available: ffree,
        inode_used: files - ffree,
      });
    }
    info['uuid'] = uuids.get(e.device) || 'N/A';
    return info;
  });
}

/** `lsblk --list --noheadings --paths --output NAME,UUID` lines: device to UUID (first one wins). */
export function lsblkUuids(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2) continue;
    const uuid = f.pop()!;
    const dev = f.join(' ');
    if (!out.has(dev)) out.set(dev, uuid);
  }
  return out;
}
