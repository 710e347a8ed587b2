/**
 * Sandbox addresses: consecutive loopback addresses within 127.0.0.0/8, the
 * only network sandbox hosts may ever use.
 */
import { BosunError } from '../errors.js';

/** The first host address when none is given. */
export const DEFAULT_BASE = '127.77.0.1';

/** Parse a dotted IPv4 address into a 32-bit number; throws on anything else. */
function toNumber(address: string): number {
  const parts = address.split('.');
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (parts.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) {
    throw new BosunError('SANDBOX', `'${address}' is not an IPv4 address`, {
      hint: 'give a base address such as 127.77.0.1',
    });
  }
  return octets.reduce((n, o) => n * 256 + o, 0);
}

/** Format a 32-bit number as a dotted IPv4 address. */
function toAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Throw unless the address is in 127.0.0.0/8. */
export function assertLoopback(address: string): void {
  if (toNumber(address) >>> 24 !== 127) {
    throw new BosunError('SANDBOX', `sandbox hosts may only use loopback addresses (127.0.0.0/8), not ${address}`, {
      hint: 'pick a base such as 127.77.0.1',
    });
  }
}

/**
 * `count` consecutive addresses from `base`, skipping those ending in .0 and
 * .255 (network-like and broadcast-like, confusing in logs); all in 127/8.
 */
export function sandboxAddresses(base: string, count: number): string[] {
  assertLoopback(base);
  if (!Number.isInteger(count) || count < 1)
    throw new BosunError('SANDBOX', `host count must be a positive integer, not ${count}`);
  const out: string[] = [];
  let n = toNumber(base);
  while (out.length < count) {
    const last = n & 255;
    if (last !== 0 && last !== 255) {
      const address = toAddress(n);
      if (n >>> 24 !== 127) {
        throw new BosunError('SANDBOX', `${count} hosts from ${base} would leave 127.0.0.0/8 (at ${address})`, {
          hint: 'pick a lower base address',
        });
      }
      out.push(address);
    }
    n += 1;
  }
  return out;
}
