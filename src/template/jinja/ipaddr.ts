/**
 * ansible.utils' ipaddr(value, query, version) with the semantics of the
 * collection and netaddr: a value (text, integer or list) is read as an
 * address or network, then the query picks what comes out: the value itself
 * (valid or False), a part of it ('network', 'netmask', ...), a membership
 * ('private', a network to look in) or its Nth address. Python's None is
 * null; the 'int' query gives a BigInt that filters-net turns into a number.
 */
import { kind } from './values.js';
import {
  broadcast,
  first,
  formatAddr,
  formatNet,
  hostmask,
  isLoopback,
  isMulticast,
  isPrivate,
  last,
  MAX4,
  MAX6,
  maxOf,
  maskPrefix,
  type Net,
  netmask,
  parseNetaddr,
  pyInt,
  size,
  within,
  width,
  type Version,
} from './net-addr.js';

type VType = 'address' | 'network';
interface Ctx {
  n: Net;
  vtype: VType;
  value: unknown;
  lookup?: Net;
  alias: string;
}
type Query = (c: Ctx) => unknown;

/** Python truthiness of what a query gives. */
export function pyTrue(x: unknown): boolean {
  if (x === null || x === undefined || x === false || x === '' || x === 0 || x === 0n) return false;
  if (Array.isArray(x)) return x.length > 0;
  return true;
}

const addr = (n: Net, value = n.ip): string => formatAddr(n.v, value);
const withPrefix = (n: Net, value: bigint): string => `${addr(n, value)}/${String(n.prefix)}`;
const network = (n: Net): bigint => first(n);
/** netaddr.IPAddress(int): a value that fits in 32 bits is an IPv4 address, whatever the network's version. */
export function byValue(value: bigint): string {
  if (value < 0n || value > MAX6) throw new Error(`failed to detect a valid IP address from ${value.toString()}`);
  return formatAddr(value <= MAX4 ? 4 : 6, value);
}
const fail = (c: Ctx, msg: string): never => {
  throw new Error(`${c.alias}: ${msg}`);
};

/** netaddr's first and last usable addresses (a /31 uses both). */
function usable(n: Net): [bigint, bigint] | null {
  const s = size(n);
  if (s === 2n) return [first(n), last(n)];
  return s > 1n ? [first(n) + 1n, last(n) - 1n] : null;
}

function onlyNetwork(c: Ctx): Net {
  return c.vtype === 'address' ? fail(c, 'Not a network address') : c.n;
}

function step(c: Ctx, by: bigint): string | null {
  const n = onlyNetwork(c);
  const u = usable(n);
  if (!u) return null;
  const ip = n.ip + by;
  const shown = byValue(ip);
  return ip >= u[0] && ip <= u[1] ? shown : null;
}

function ipQuery({ n }: Ctx): string | null {
  if (size(n) === 1n || n.ip !== network(n) || broadcast(n) === null || n.v === 6) return addr(n);
  return null;
}

function addressPrefix({ n }: Ctx): string | false {
  if (size(n) > 2n && (n.ip === network(n) || n.ip === broadcast(n))) return false;
  return formatNet(n);
}

/** netaddr's IPNetwork.ipv4(): IPv4-compatible or -mapped addresses only, the prefix less 96. */
function toV4(c: Ctx): unknown {
  const { n } = c;
  if (n.v === 4) return c.value;
  let ip: bigint;
  if (n.ip <= MAX4) ip = n.ip;
  else if (n.ip <= 0xffffffffffffn && n.ip >= 0xffff00000000n) ip = n.ip - 0xffff00000000n;
  else return false;
  return n.prefix - 96 < 0 ? false : formatNet({ v: 4, ip, prefix: n.prefix - 96 });
}

function revdns({ n }: Ctx): string {
  if (n.v === 4) return `${addr(n).split('.').reverse().join('.')}.in-addr.arpa.`;
  const hex = n.ip.toString(16).padStart(32, '0');
  return `${Array.from(hex).reverse().join('.')}.ip6.arpa.`;
}

function peer(c: Ctx): string {
  const n = onlyNetwork(c);
  if (size(n) === 2n) return byValue(n.ip ^ 1n);
  if (size(n) === 4n) {
    if (n.ip % 4n === 0n) fail(c, 'Network address of /30 has no peer');
    if (n.ip % 4n === 3n) fail(c, 'Broadcast address of /30 has no peer');
    return byValue(n.ip ^ 3n);
  }
  return fail(c, 'Not a point-to-point network');
}

function isPublic(n: Net): boolean {
  const a: Net = { v: n.v, ip: n.ip, prefix: width(n.v) };
  return (
    !isMulticast(a) &&
    !isPrivate(a) &&
    !isLoopback(n.v, n.ip) &&
    maskPrefix(n.v, n.ip, false) === null &&
    ((n.ip + 1n) & n.ip) !== 0n
  );
}

const when = (test: (c: Ctx) => boolean) => (c: Ctx) => (test(c) ? c.value : null);
const under = (v4: string, v6: string) =>
  when(({ n }) => within({ v: n.v, ip: n.ip, prefix: width(n.v) }, parseNetaddr(n.v === 4 ? v4 : v6) ?? n));

export const QUERIES: Record<string, Query> = {
  '': (c) => (c.vtype === 'address' ? addr(c.n) : formatNet(c.n)),
  '6to4': (c) => fail(c, "the '6to4' query is not supported by bosun"),
  address: ipQuery,
  'address/prefix': addressPrefix,
  bool: () => true,
  broadcast: ({ n }) => (size(n) > 2n ? addr(n, last(n)) : null),
  cidr: ({ n }) => formatNet(n),
  cidr_lookup: (c) => (c.lookup && within(c.n, c.lookup) ? c.value : null),
  first_usable: (c) => {
    const u = usable(onlyNetwork(c));
    return u ? byValue(u[0]) : null;
  },
  gateway: addressPrefix,
  gw: addressPrefix,
  host: ({ n }) => {
    if (size(n) === 1n) return formatNet(n);
    return n.ip !== network(n) || broadcast(n) === null ? formatNet(n) : null;
  },
  'host/prefix': addressPrefix,
  hostmask: ({ n }) => addr(n, hostmask(n)),
  hostnet: addressPrefix,
  int: ({ n, vtype }) => (vtype === 'address' ? n.ip : `${n.ip.toString()}/${String(n.prefix)}`),
  ip: ipQuery,
  'ip/prefix': ({ n }) => (size(n) === 2n || (size(n) > 1n && n.ip !== network(n)) ? formatNet(n) : null),
  ip_netmask: ({ n }) =>
    size(n) === 2n || (size(n) > 1n && n.ip !== network(n)) ? `${addr(n)} ${addr(n, netmask(n))}` : null,
  ipv4: toV4,
  ipv6: (c) => (c.n.v === 6 ? c.value : formatNet({ v: 6, ip: c.n.ip + 0xffff00000000n, prefix: c.n.prefix + 96 })),
  last_usable: (c) => {
    const u = usable(onlyNetwork(c));
    return u ? byValue(u[1]) : null;
  },
  'link-local': under('169.254.0.0/16', 'fe80::/10'),
  lo: when(({ n }) => isLoopback(n.v, n.ip)),
  loopback: when(({ n }) => isLoopback(n.v, n.ip)),
  multicast: when(({ n }) => isMulticast(n)),
  net: ({ n }) => (size(n) > 1n && n.ip === network(n) ? formatNet(n) : null),
  next_usable: (c) => step(c, 1n),
  netmask: ({ n }) => addr(n, netmask(n)),
  network: ({ n }) => addr(n, network(n)),
  network_id: ({ n }) => addr(n, network(n)),
  'network/prefix': ({ n }) => withPrefix(n, network(n)),
  network_netmask: ({ n }) => `${addr(n, network(n))} ${addr(n, netmask(n))}`,
  network_wildcard: ({ n }) => `${addr(n, network(n))} ${addr(n, hostmask(n))}`,
  peer,
  prefix: ({ n }) => n.prefix,
  previous_usable: (c) => step(c, -1n),
  private: when(({ n }) => isPrivate(n)),
  public: when(({ n }) => isPublic(n)),
  range_usable: (c) => {
    const u = usable(onlyNetwork(c));
    return u ? `${byValue(u[0])}-${byValue(u[1])}` : null;
  },
  revdns,
  router: addressPrefix,
  size: ({ n }) => size(n),
  size_usable: ({ n }) => (size(n) === 1n ? 0n : size(n) === 2n ? 2n : size(n) - 2n),
  subnet: ({ n }) => withPrefix(n, network(n)),
  type: ({ n }) => (size(n) === 1n || n.ip !== network(n) ? 'address' : 'network'),
  unicast: when(({ n }) => !isMulticast(n)),
  v4: toV4,
  v6: (c) => QUERIES['ipv6']?.(c),
  version: ({ n }) => n.v,
  wildcard: ({ n }) => addr(n, hostmask(n)),
  wrap: ({ n, vtype, value }) => {
    if (n.v !== 6) return value;
    return vtype === 'address' ? `[${addr(n)}]` : `[${addr(n)}]/${String(n.prefix)}`;
  },
};

/** Python's float(text) accepts it (the numeric-query test of ipaddr). */
const floatLike = (q: string): boolean =>
  /^\s*[-+]?((\d+(_\d+)*)?\.?\d+(_\d+)*([eE][-+]?\d+)?|\d+\.|inf(inity)?|nan)\s*$/i.test(q);

/** The value read as the collection reads it; null when it is not an address or network. */
function read(value: unknown, version: Version | 0): { n: Net; vtype: VType; value: unknown } | null {
  if (typeof value === 'number' && Number.isInteger(value)) value = String(value);
  if (typeof value !== 'string') return null;
  if (/^\d+$/.test(value)) {
    const x = BigInt(value);
    const v: Version | null = version !== 6 && x <= MAX4 ? 4 : x <= MAX6 ? 6 : null;
    if (v === null) return null;
    const n: Net = { v, ip: x, prefix: width(v) };
    return { n, vtype: 'address', value: formatNet(n) };
  }
  const n = parseNetaddr(value);
  if (n) return { n, vtype: value.includes('/') ? 'network' : 'address', value };
  // A numeric CIDR, '167772161/24'.
  const parts = value.split('/');
  if (parts.length !== 2) return null;
  const ip = pyInt(parts[0] ?? '');
  const prefix = pyInt(parts[1] ?? '');
  if (ip === null || prefix === null || ip < 0n || prefix < 0n) return null;
  for (const v of [4, 6] as const) {
    if (ip <= maxOf(v) && prefix <= BigInt(width(v))) {
      const net: Net = { v, ip, prefix: Number(prefix) };
      return { n: net, vtype: 'network', value: formatNet(net) };
    }
  }
  return null;
}

export function ipaddr(value: unknown, query: string, version: Version | 0, alias: string): unknown {
  if (Array.isArray(value)) return value.map((x) => ipaddr(x, query, version, alias)).filter(pyTrue);
  if (!pyTrue(value) || value === true) return false;
  const got = read(value, version);
  if (!got) return false;
  const c: Ctx = { ...got, alias };
  if (query && (!Object.hasOwn(QUERIES, query) || query === 'cidr_lookup') && !/^\d+$/.test(query)) {
    const lookup = ipaddr(query, 'network', 0, alias) ? parseNetaddr(query) : null;
    if (lookup) {
      c.lookup = lookup;
      query = 'cidr_lookup';
    }
  }
  if (version && c.n.v !== version) return false;
  const fn = Object.hasOwn(QUERIES, query) ? QUERIES[query] : undefined;
  if (fn) return fn(c);
  if (!floatLike(query)) throw new Error(`${alias}: unknown filter type: ${query}`);
  const s = size(c.n);
  if (s === 1n) return c.vtype === 'address' ? addr(c.n) : formatNet(c.n);
  const i = pyInt(query);
  if (i === null) return false;
  if (i < 0n && i >= -s) return withPrefix(c.n, last(c.n) + i + 1n);
  if (i >= 0n && i < s) return withPrefix(c.n, first(c.n) + i);
  return false;
}

/** The filters' check of the input type (text, integer or list). */
export function checkInput(value: unknown, filter: string, allowed: string[]): void {
  const k =
    typeof value === 'string'
      ? 'str'
      : Array.isArray(value)
        ? 'list'
        : typeof value === 'boolean'
          ? 'bool'
          : typeof value === 'number' && Number.isInteger(value)
            ? 'int'
            : kind(value);
  const ok = allowed.includes(k) || (k === 'bool' && allowed.includes('int'));
  if (!ok) throw new Error(`Unrecognized type <${k}> for ${filter} filter <value>`);
}
