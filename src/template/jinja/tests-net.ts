/**
 * The network tests of ansible.utils (`x is ansible.utils.ipv4`,
 * `ip is ansible.utils.in_network('10.0.0.0/8')`): they read values as
 * Python's ipaddress does (strict: no leading zeros, no host bits in a
 * network, IPv6 zones allowed) and are false for anything else.
 */
import type { TestFn } from './tests.js';
import { type Net, parsePython, within } from './net-addr.js';

const net = (v: unknown): Net | null => (typeof v === 'string' ? parsePython(v, 'network') : null);

function inNetwork(ip: unknown, network: unknown): boolean {
  const a = net(ip);
  const b = net(network);
  return a !== null && b !== null && within(a, b);
}

export const NET_TESTS: Record<string, TestFn> = {
  ip: (v) => net(v) !== null,
  ip_address: (v) => typeof v === 'string' && parsePython(v, 'address') !== null,
  ipv4: (v) => net(v)?.v === 4,
  ipv6: (v) => net(v)?.v === 6,
  in_network: (v, [network]) => inNetwork(v, network),
  // Each item of the list (each character of a text, as the collection iterates it).
  in_any_network: (v, [networks]) =>
    (Array.isArray(networks) ? networks : typeof networks === 'string' ? Array.from(networks) : []).some((n) =>
      inNetwork(v, n),
    ),
};
