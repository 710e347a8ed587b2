/**
 * IP addresses and networks for the ansible.utils filters and tests: the
 * text forms netaddr 0.8 reads (the filters: partial IPv4 like '10.1',
 * netmask and hostmask prefixes) and the stricter ones Python's ipaddress
 * reads (the tests: no leading zeros, IPv6 zones, host bits refused), the
 * text forms netaddr prints, and the maths on BigInt. IPv6 text is read by
 * ip-address; IPv6 zones are refused where netaddr refuses them.
 */
import { Address6 } from 'ip-address';

export type Version = 4 | 6;

/** An address with a prefix, as netaddr's IPNetwork: `ip` keeps its host bits. */
export interface Net {
  v: Version;
  ip: bigint;
  prefix: number;
}

export const MAX4 = (1n << 32n) - 1n;
export const MAX6 = (1n << 128n) - 1n;

export const width = (v: Version): number => (v === 4 ? 32 : 128);
export const maxOf = (v: Version): bigint => (v === 4 ? MAX4 : MAX6);
export const size = (n: Net): bigint => 1n << BigInt(width(n.v) - n.prefix);
export const hostmask = (n: Net): bigint => size(n) - 1n;
export const netmask = (n: Net): bigint => maxOf(n.v) ^ hostmask(n);
export const first = (n: Net): bigint => n.ip & netmask(n);
export const last = (n: Net): bigint => n.ip | hostmask(n);
/** netaddr 0.8 has no broadcast address for an IPv4 network of one or two addresses (IPv6 networks all have one). */
export const broadcast = (n: Net): bigint | null => (n.v === 4 && n.prefix >= 31 ? null : last(n));

/** Python's int(text): spaces around, a sign, digits with single underscores between them. */
export function pyInt(text: string): bigint | null {
  const m = /^\s*([-+]?)(\d+(?:_\d+)*)\s*$/.exec(text);
  if (!m) return null;
  const n = BigInt((m[2] ?? '').replace(/_/g, ''));
  return m[1] === '-' ? -n : n;
}

/** The text of an IPv4 (dotted quad) or IPv6 address (as glibc's inet_ntop prints it, as netaddr does). */
export function formatAddr(v: Version, value: bigint): string {
  if (v === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const words = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((value >> s) & 0xffffn));
  let base = -1;
  let len = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > len) [base, len] = [i, j - i];
    i = j;
  }
  if (len < 2) base = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (base >= 0 && i >= base && i < base + len) {
      if (i === base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && base === 0 && (len === 6 || (len === 5 && words[5] === 0xffff)))
      return out + formatAddr(4, value & MAX4);
    out += (words[i] ?? 0).toString(16);
  }
  return base >= 0 && base + len === 8 ? out + ':' : out;
}

/** str(IPNetwork): the address as given, then the prefix. */
export const formatNet = (n: Net): string => `${formatAddr(n.v, n.ip)}/${String(n.prefix)}`;

/** inet_pton's IPv4: four decimal parts, no leading zeros. */
export function strictV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

/** inet_pton's IPv6 (no zone); ip-address reads the text. */
export function strictV6(text: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !Address6.isValid(text)) return null;
  return new Address6(text).bigInt();
}

/** glibc's inet_aton (netaddr's IPAddress): 1 to 4 parts in C notation (0x hex, 0 octal), the last filling the rest; text after a space is ignored. */
export function inetAton(text: string): bigint | null {
  const m = /^([^\s]*)(\s.*)?$/s.exec(text);
  const parts = (m?.[1] ?? '').split('.');
  if (parts.length > 4) return null;
  const nums: bigint[] = [];
  for (const p of parts) {
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) nums.push(p.length > 2 ? BigInt(p) : 0n);
    else if (/^0[0-7]*$/.test(p)) nums.push(BigInt(`0o${p.slice(1) || '0'}`));
    else if (/^[1-9]\d*$/.test(p)) nums.push(BigInt(p));
    else return null;
  }
  const tail = nums.pop() ?? 0n;
  if (nums.some((n) => n > 255n) || tail >= 1n << BigInt(8 * (4 - nums.length))) return null;
  return nums.reduce((acc, n, i) => acc | (n << BigInt(24 - 8 * i)), 0n) | tail;
}

/** netaddr's IPv4 with its partial form: '10.1' is 10.1.0.0, each part read as Python's int. */
function partialV4(text: string): bigint | null {
  if (text.includes(':')) return null;
  const parts = text.split('.');
  if (parts.length > 4) return null;
  let out = 0n;
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    const n = part === undefined ? 0n : pyInt(part);
    if (n === null || n < 0n || n > 255n) return null;
    out = (out << 8n) | n;
  }
  return out;
}

/** The prefix length a netmask (ones then zeros) or, failing that, a hostmask (zeros then ones) gives. */
export function maskPrefix(v: Version, mask: bigint, hostmaskToo: boolean): number | null {
  const w = width(v);
  for (let p = 0; p <= w; p++) {
    const host = (1n << BigInt(w - p)) - 1n;
    if (mask === (maxOf(v) ^ host)) return p;
  }
  if (hostmaskToo) for (let p = 0; p <= w; p++) if (mask === (1n << BigInt(w - p)) - 1n) return p;
  return null;
}

/** netaddr.IPNetwork(text): IPv4 first (partial forms too), then IPv6; prefix as an int, a netmask or a hostmask. */
export function parseNetaddr(text: string): Net | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const pfx = slash < 0 ? undefined : text.slice(slash + 1);
  for (const v of [4, 6] as const) {
    const ip = v === 4 ? partialV4(addr) : strictV6(addr);
    if (ip === null) continue;
    let prefix: number | null = width(v);
    if (pfx !== undefined) {
      const n = pyInt(pfx);
      if (n !== null) prefix = n >= 0n && n <= BigInt(width(v)) ? Number(n) : null;
      else {
        const mask = v === 4 ? strictV4(pfx) : strictV6(pfx);
        prefix = mask === null ? null : maskPrefix(v, mask, true);
      }
    }
    if (prefix !== null) return { v, ip, prefix };
  }
  return null;
}

/** What Python's ipaddress reads: ip_network (strict: no host bits) or ip_address; IPv6 may carry a zone. */
export function parsePython(text: string, kind: 'network' | 'address'): Net | null {
  const slash = text.indexOf('/');
  if (kind === 'address' && slash >= 0) return null;
  const addr = slash < 0 ? text : text.slice(0, slash);
  const pfx = slash < 0 ? undefined : text.slice(slash + 1);
  const prefixOf = (v: Version): number | null => {
    if (pfx === undefined) return width(v);
    if (/^\d+$/.test(pfx)) return Number(pfx) <= width(v) ? Number(pfx) : null;
    const mask = v === 4 ? strictV4(pfx) : null;
    return mask === null ? null : maskPrefix(v, mask, true);
  };
  const v4 = strictV4(addr);
  if (v4 !== null) {
    const prefix = prefixOf(4);
    if (prefix === null) return null;
    const n: Net = { v: 4, ip: v4, prefix };
    return first(n) === n.ip ? n : null;
  }
  const pct = addr.indexOf('%');
  const zone = pct < 0 ? undefined : addr.slice(pct + 1);
  if (zone !== undefined && (zone === '' || zone.includes('%'))) return null;
  const v6 = strictV6(pct < 0 ? addr : addr.slice(0, pct));
  const prefix = prefixOf(6);
  if (v6 === null || prefix === null) return null;
  const n: Net = { v: 6, ip: v6, prefix };
  return first(n) === n.ip ? n : null;
}

/** Whether the range of `inner` lies inside the range of `outer` (same version). */
export const within = (inner: Net, outer: Net): boolean =>
  inner.v === outer.v && first(inner) >= first(outer) && last(inner) <= last(outer);

const cidr = (v: Version, text: string, prefix: number): Net => ({
  v,
  ip: (v === 4 ? strictV4(text) : strictV6(text)) ?? 0n,
  prefix,
});

/** netaddr's ranges (its IPV4_PRIVATE, IPV6_PRIVATE, link-local, loopback and multicast networks). */
export const RANGES = {
  private4: [
    cidr(4, '10.0.0.0', 8),
    cidr(4, '100.64.0.0', 10),
    cidr(4, '172.16.0.0', 12),
    cidr(4, '192.0.0.0', 24),
    cidr(4, '192.168.0.0', 16),
    cidr(4, '198.18.0.0', 15),
    cidr(4, '239.0.0.0', 8),
  ],
  private6: [cidr(6, 'fc00::', 7), cidr(6, 'fec0::', 10)],
  linkLocal4: cidr(4, '169.254.0.0', 16),
  linkLocal6: cidr(6, 'fe80::', 10),
  loopback4: cidr(4, '127.0.0.0', 8),
  multicast4: cidr(4, '224.0.0.0', 4),
  multicast6: cidr(6, 'ff00::', 8),
};

export const isMulticast = (n: Net): boolean => within(n, n.v === 4 ? RANGES.multicast4 : RANGES.multicast6);
export const isLinkLocal = (n: Net): boolean => within(n, n.v === 4 ? RANGES.linkLocal4 : RANGES.linkLocal6);
export const isPrivate = (n: Net): boolean =>
  (n.v === 4 ? RANGES.private4 : RANGES.private6).some((r) => within(n, r)) || isLinkLocal(n);
export const isLoopback = (v: Version, ip: bigint): boolean =>
  v === 4 ? within({ v, ip, prefix: 32 }, RANGES.loopback4) : ip === 1n;
