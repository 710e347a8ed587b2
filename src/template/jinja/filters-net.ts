/**
 * The network filters of ansible.utils (ipaddr, ipv4, ipv6, ipwrap, ipmath,
 * ipsubnet, nthhost, next_nth_usable, previous_nth_usable,
 * network_in_usable, network_in_network) with the collection's semantics;
 * ipaddr.ts reads the values and answers the queries.
 */
import type { FilterFn } from './filters.js';
import { byValue, checkInput, ipaddr, pyTrue } from './ipaddr.js';
import {
  first,
  formatAddr,
  formatNet,
  inetAton,
  maxOf,
  type Net,
  parseNetaddr,
  pyInt,
  size,
  strictV6,
  width,
} from './net-addr.js';
import { kind, pyText } from './values.js';

/** A BigInt from the maths as a number (Python's int; past 2**53 JavaScript loses the low digits). */
function plain(x: unknown): unknown {
  if (typeof x === 'bigint') return Number(x);
  return Array.isArray(x) ? x.map(plain) : x;
}

/** An option the collection declares as str: numbers become their text. */
function text(v: unknown, fallback = ''): string {
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' ? v : pyText(v);
}

/** An option the collection declares as int: an integer or its text. */
function int(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  const n = typeof v === 'string' ? pyInt(v) : null;
  if (n === null) throw new Error(`${what} must be an integer, got ${kind(v)}`);
  return n;
}

const arg = (args: unknown[], kw: Record<string, unknown>, i: number, name: string): unknown => args[i] ?? kw[name];

/** ipaddr(value, 'cidr') or ipaddr(value, 'subnet') as nthhost and its kin normalise a value; null when invalid. */
function normalised(value: unknown): Net | null {
  const t = ipaddr(value, 'type', 0, 'ipaddr');
  if (t !== 'address' && t !== 'network') return null;
  return parseNetaddr(String(ipaddr(value, t === 'address' ? 'cidr' : 'subnet', 0, 'ipaddr')));
}

/** The integer of an address for network_in_*: `ipaddr(ipaddr(v, a) or ipaddr(v, b), 'int')`; False is 0. */
function bound(v: unknown, a: string, b: string): bigint {
  const q = (x: unknown, query: string): unknown => (x === false ? false : ipaddr(x, query, 0, 'ipaddr'));
  const r = q(q(v, a) || q(v, b), 'int');
  return typeof r === 'bigint' ? r : 0n;
}

function inNetwork(value: unknown, test: unknown, lowA: string, highA: string): boolean {
  const norm = (x: unknown): unknown => {
    try {
      const t = ipaddr(x, 'type', 0, 'ipaddr');
      return t === 'address' || t === 'network' ? ipaddr(x, 'subnet', 0, 'ipaddr') : false;
    } catch {
      return false;
    }
  };
  const v = norm(value);
  const w = norm(test);
  const [vFirst, vLast] = [bound(v, lowA, 'address'), bound(v, highA, 'address')];
  const [wFirst, wLast] = [bound(w, 'network', 'address'), bound(w, 'broadcast', 'address')];
  return wFirst >= vFirst && wFirst <= vLast && wLast >= vFirst && wLast <= vLast;
}

function nthUsable(value: unknown, offset: unknown, sign: bigint): unknown {
  const n = normalised(value);
  if (!n) return false;
  const by = int(offset, 'the offset') * sign;
  if (size(n) <= 1n) return null;
  const [lo, hi] = size(n) === 2n ? [first(n), first(n) + 1n] : [first(n) + 1n, first(n) + size(n) - 2n];
  const ip = n.ip + by;
  const shown = byValue(ip);
  return ip >= lo && ip <= hi ? shown : null;
}

function ipsubnet(value: unknown, query: string, index: unknown): unknown {
  const n0 = normalised(value);
  if (!n0) return false;
  const n: Net = { ...n0, ip: first(n0) };
  const w = width(n.v);
  const isAddress = size(n) === 1n;
  if (!query) return formatNet(n);
  if (/^\d+$/.test(query)) {
    const q = Number(query);
    if (q > w) return false;
    if (index === undefined || index === null) {
      if (isAddress) {
        if (q >= w) throw new Error(`ipsubnet: no supernet of ${formatNet(n)} with prefix ${query}`);
        return formatNet({ v: n.v, ip: first({ ...n, prefix: q }), prefix: q });
      }
      if (q < n.prefix) throw new Error(`Requested subnet size of ${query} is invalid`);
      return String(1n << BigInt(q - n.prefix));
    }
    let i = int(index, 'the index');
    if (isAddress) {
      // The list of supernets from prefix q to the prefix before the address's, indexed as Python does.
      const count = BigInt(w - q);
      if (i > BigInt(w + 1) - i || i < BigInt(q - w)) return false;
      if (i < 0n) i += count;
      if (i < 0n || i >= count) throw new Error('ipsubnet: supernet index out of range');
      const p = q + Number(i);
      return formatNet({ v: n.v, ip: first({ ...n, prefix: p }), prefix: p });
    }
    if (q < n.prefix) return i === 0n ? formatNet({ ...n, prefix: q }) : false;
    const subnets = 1n << BigInt(q - n.prefix);
    if (i < 0n) i += subnets;
    if (i < 0n || i >= subnets) return false;
    return formatNet({ v: n.v, ip: n.ip + (i << BigInt(w - q)), prefix: q });
  }
  const outer = normalised(query);
  if (!outer) throw new Error(`You must pass a valid subnet or IP address; ${query} is invalid`);
  const shift = BigInt(w - outer.prefix);
  if (n.v === outer.v && n.ip >> shift === outer.ip >> shift && n.prefix >= outer.prefix) {
    const bits = BigInt(w - n.prefix);
    const mask = ((1n << BigInt(n.prefix - outer.prefix)) - 1n) << bits;
    return String(((n.ip & mask) >> bits) + 1n);
  }
  throw new Error(`${formatNet(n)} is not in the subnet ${formatNet({ ...outer, ip: first(outer) })}`);
}

function ipmath(value: unknown, amount: unknown): string {
  const t = text(value);
  let n: Net | null;
  if (t.includes('/')) n = parseNetaddr(t);
  else {
    const v4 = inetAton(t);
    const v6 = v4 === null ? strictV6(t) : null;
    n = v4 !== null ? { v: 4, ip: v4, prefix: 32 } : v6 !== null ? { v: 6, ip: v6, prefix: 128 } : null;
  }
  if (!n) throw new Error(`You must pass a valid IP address; ${t} is invalid`);
  if (typeof amount !== 'number' || !Number.isInteger(amount))
    throw new Error(`You must pass an integer for arithmetic; ${pyText(amount)} is not a valid integer`);
  const ip = n.ip + BigInt(amount);
  if (ip < 0n || ip > maxOf(n.v)) throw new Error(`ipmath: the result of ${t} + ${String(amount)} is out of range`);
  return formatAddr(n.v, ip);
}

export const NET_FILTERS: Record<string, FilterFn> = {
  ipaddr: (v, args, kw) => {
    checkInput(v, 'ipaddr', ['str', 'list', 'int']);
    const version = Number(arg(args, kw, 1, 'version') ?? 0);
    const alias = text(arg(args, kw, 2, 'alias'), 'ipaddr');
    return plain(ipaddr(v, text(arg(args, kw, 0, 'query')), version === 4 || version === 6 ? version : 0, alias));
  },
  ipv4: (v, args, kw) => {
    checkInput(v, 'ipv4', ['str', 'list', 'int']);
    return plain(ipaddr(v, text(arg(args, kw, 0, 'query')), 4, 'ipv4'));
  },
  ipv6: (v, args, kw) => {
    checkInput(v, 'ipv6', ['str', 'list', 'int']);
    return plain(ipaddr(v, text(arg(args, kw, 0, 'query')), 6, 'ipv6'));
  },
  ipwrap: (v, args, kw) => {
    checkInput(v, 'ipwrap', ['str', 'list', 'bool']);
    const query = text(arg(args, kw, 0, 'query'));
    try {
      if (Array.isArray(v))
        return (v as unknown[]).map((x: unknown): unknown =>
          pyTrue(ipaddr(x, query, 0, 'ipwrap')) ? ipaddr(x, 'wrap', 0, 'ipwrap') : x,
        );
      const r = ipaddr(v, query, 0, 'ipwrap');
      return pyTrue(r) ? ipaddr(r, 'wrap', 0, 'ipwrap') : v;
    } catch {
      return v;
    }
  },
  ipmath: (v, args, kw) => ipmath(v, arg(args, kw, 0, 'amount')),
  ipsubnet: (v, args, kw) => ipsubnet(v, text(arg(args, kw, 0, 'query')), arg(args, kw, 1, 'index')),
  nthhost: (v, args, kw) => {
    const n = normalised(v);
    const query = text(arg(args, kw, 0, 'query'));
    if (!n || !query) return false;
    const i = pyInt(query);
    if (i === null) return false;
    const s = size(n);
    if (i >= s || i < -s) return false;
    return formatAddr(n.v, i < 0n ? first(n) + s + i : first(n) + i);
  },
  next_nth_usable: (v, args, kw) => nthUsable(v, arg(args, kw, 0, 'offset'), 1n),
  previous_nth_usable: (v, args, kw) => nthUsable(v, arg(args, kw, 0, 'offset'), -1n),
  network_in_usable: (v, args, kw) => inNetwork(v, arg(args, kw, 0, 'test'), 'first_usable', 'last_usable'),
  network_in_network: (v, args, kw) => inNetwork(v, arg(args, kw, 0, 'test'), 'network', 'broadcast'),
};
