/**
 * The parsing half of the Linux network facts from `ip` and /sys/class/net:
 * default_ipv4/ipv6, all_ipv4/ipv6_addresses, interfaces and one fact per
 * interface (ansible_eth0), with the meaning Ansible 2.14 gives them
 * (facts/network/linux.py). The script runs `ip` once in batch mode (`route
 * get` for both families, `addr show`) and reads the interface files with
 * the shell's own `read`.
 */

/** The destinations Ansible asks `ip route get` for, to find the default interfaces. */
export const ROUTE_PROBE_V4 = '8.8.8.8';
export const ROUTE_PROBE_V6 = '2404:6800:400a:800::1012';

/** /sys/class/net/<dev>/type to Ansible's names. */
const INTERFACE_TYPE: Readonly<Record<string, string>> = {
  '1': 'ether',
  '32': 'infiniband',
  '512': 'ppp',
  '772': 'loopback',
  '65534': 'tunnel',
};

/** What the script read of one interface under /sys/class/net (file name -> first line). */
export type SysNet = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The dotted IPv4 netmask of a prefix length (24 -> 255.255.255.0). */
export function dottedMask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

/** The network address of an IPv4 address in a prefix. */
export function networkOf(address: string, prefix: number): string {
  const mask = dottedMask(prefix).split('.').map(Number);
  return address
    .split('.')
    .map((o, i) => Number(o) & mask[i]!)
    .join('.');
}

/** `ip route get` output for one probe: interface, address (src) and gateway (via). */
function routeGet(lines: readonly string[], probe: string): Record<string, string> {
  const line = lines.find((l) => l.split(/\s+/)[0] === probe);
  const out: Record<string, string> = {};
  if (line === undefined) return out;
  const words = line.split('\\')[0]!.trim().split(/\s+/);
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] === 'dev') out['interface'] = words[i + 1]!;
    else if (words[i] === 'src') out['address'] = words[i + 1]!;
    else if (words[i] === 'via' && words[i + 1] !== probe) out['gateway'] = words[i + 1]!;
  }
  return out;
}

/** The address lines of `ip -o addr show` by device: the words after `N: dev` and before the `\` of the details. */
function addrLines(lines: readonly string[]): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const line of lines) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?\s.*)$/.exec(line);
    if (!m) continue;
    const words = m[2]!.split('\\')[0]!.trim().split(/\s+/);
    const list = out.get(m[1]!) ?? [];
    list.push(words);
    out.set(m[1]!, list);
  }
  return out;
}

/**
 * The network facts: `ipLines` are what `ip -o` printed (route get lines,
 * address lines), `sys` the files of each interface, in /sys/class/net order.
 */
export function ipNetworkFacts(ipLines: readonly string[], sys: SysNet): Record<string, unknown> {
  const defaultIpv4 = routeGet(ipLines, ROUTE_PROBE_V4) as Record<string, unknown>;
  const defaultIpv6 = routeGet(ipLines, ROUTE_PROBE_V6) as Record<string, unknown>;
  const byDevice = addrLines(ipLines);
  const interfaces: Record<string, Record<string, unknown>> = {};
  const all4: string[] = [];
  const all6: string[] = [];
  for (const [device, files] of sys) {
    const it: Record<string, unknown> = { device };
    interfaces[device] = it;
    const mac = files.get('address');
    if (mac && mac !== '00:00:00:00:00:00') it['macaddress'] = mac;
    const int = (name: string): number | undefined => {
      const v = files.get(name);
      return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
    };
    if (int('mtu') !== undefined) it['mtu'] = int('mtu');
    if (files.has('operstate')) it['active'] = files.get('operstate') !== 'down';
    if (files.has('module')) it['module'] = files.get('module');
    if (files.has('type')) it['type'] = INTERFACE_TYPE[files.get('type')!] ?? 'unknown';
    if (files.has('bridge')) {
      it['type'] = 'bridge';
      it['interfaces'] = (files.get('brif') ?? '').split(' ').filter((s) => s !== '');
      if (files.has('bridge_id')) it['id'] = files.get('bridge_id');
      if (files.has('stp_state')) it['stp'] = files.get('stp_state') === '1';
    }
    if (files.has('bonding')) {
      it['type'] = 'bonding';
      it['slaves'] = (files.get('slaves') ?? '').split(/\s+/).filter((s) => s !== '');
      for (const k of ['mode', 'miimon', 'lacp_rate']) it[k] = (files.get(k) ?? '').split(/\s+/)[0];
      const primary = files.get('primary');
      if (primary) {
        it['primary'] = primary;
        if (files.has('all_slaves_active')) it['all_slaves_active'] = files.get('all_slaves_active') === '1';
      }
    }
    if (files.has('perm_hwaddr')) it['perm_macaddress'] = files.get('perm_hwaddr');
    if (files.has('pciid')) it['pciid'] = files.get('pciid');
    if (int('speed') !== undefined) it['speed'] = int('speed');
    if (files.has('flags')) it['promisc'] = (parseInt(files.get('flags')!, 16) & 0x100) > 0;

    const lines = byDevice.get(device) ?? [];
    const secondary = (w: string[]): boolean => w.includes('secondary') || w.includes('temporary');
    // Ansible asks for the primary addresses, then the secondary ones.
    const ordered: Array<[string[], boolean]> = [
      ...lines.filter((w) => !secondary(w)).map((w): [string[], boolean] => [w, false]),
      ...lines.filter(secondary).map((w): [string[], boolean] => [w, true]),
    ];
    for (const [words, isSecondary] of ordered) {
      if (words[0] === 'inet') {
        const [address, len] = words[1]!.includes('/') ? words[1]!.split('/') : [words[1]!, '32'];
        const broadcast = words.length > 3 && words[2] === 'brd' ? words[3]! : '';
        const v4 = {
          address: address!,
          broadcast,
          netmask: dottedMask(Number(len)),
          network: networkOf(address!, Number(len)),
          prefix: len!,
        };
        const label = words[words.length - 1]!;
        // As Ansible: an address labelled eth0:1 becomes an interface of its own (eth0_1).
        if (label !== device) interfaces[label] = {};
        const target = interfaces[label]!;
        if (!isSecondary && target['ipv4'] === undefined) target['ipv4'] = v4;
        else target['ipv4_secondaries'] = [...((target['ipv4_secondaries'] as unknown[] | undefined) ?? []), v4];
        if (isSecondary && label !== device)
          it['ipv4_secondaries'] = [...((it['ipv4_secondaries'] as unknown[] | undefined) ?? []), v4];
        if (defaultIpv4['address'] === address) {
          Object.assign(defaultIpv4, {
            broadcast,
            netmask: v4.netmask,
            network: v4.network,
            prefix: len,
            macaddress: mac ?? '',
            mtu: it['mtu'],
            type: it['type'] ?? 'unknown',
            alias: label,
          });
        }
        if (!address!.startsWith('127.')) all4.push(address!);
      } else if (words[0] === 'inet6') {
        const peer = words[2] === 'peer';
        const address = peer ? words[1]! : words[1]!.split('/')[0]!;
        const prefix = peer ? (words[3]!.split('/')[1] ?? '') : (words[1]!.split('/')[1] ?? '');
        const scope = peer ? words[5]! : words[3]!;
        it['ipv6'] = [...((it['ipv6'] as unknown[] | undefined) ?? []), { address, prefix, scope }];
        if (defaultIpv6['address'] === address) {
          Object.assign(defaultIpv6, {
            prefix,
            scope,
            macaddress: mac ?? '',
            mtu: it['mtu'],
            type: it['type'] ?? 'unknown',
          });
        }
        if (address !== '::1') all6.push(address);
      }
    }
  }
  const facts: Record<string, unknown> = {};
  const names: string[] = [];
  for (const [name, value] of Object.entries(interfaces)) {
    const key = name.replace(/:/g, '_');
    names.push(key);
    facts[key] = value;
  }
  return {
    interfaces: names,
    ...facts,
    default_ipv4: defaultIpv4,
    default_ipv6: defaultIpv6,
    all_ipv4_addresses: all4,
    all_ipv6_addresses: all6,
  };
}
