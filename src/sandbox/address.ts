/**
 * Sandbox addresses: consecutive loopback addresses within 127.0.0.0/8, the
 * only network sandbox hosts may ever use.
 */
import { BosunError } from '../errors.js';

/**
 * The first address of bosun's default address block. Everything that starts
 * sandbox hosts without an explicit base is laid out from it: `bosun sandbox
 * up` at the block's first address, the test files, `bosun role test`, the
 * benchmark and the demo at fixed second octets after it. The layout spans
 * 127.77 to 127.159, so blocks 83 apart (127.77, 127.160, 127.243) never
 * overlap.
 */
export const DEFAULT_BASE = '127.77.0.1';

/** The environment variable that moves the whole block, so two users or CI jobs on one machine do not collide. */
export const SANDBOX_BASE_VARIABLE = 'BOSUN_SANDBOX_BASE';

/** The second octet of DEFAULT_BASE: addresses of the default layout move by (block's second octet - this). */
const DEFAULT_BLOCK = 77;

/**
 * The block's first address: BOSUN_SANDBOX_BASE when set (it must be `127.B.0.1`, B from 1 to 254), else
 * DEFAULT_BASE.
 */
export function blockBase(env: Record<string, string | undefined> = process.env): string {
  const value = env[SANDBOX_BASE_VARIABLE];
  if (value === undefined || value === '') return DEFAULT_BASE;
  const m = /^127\.(\d{1,3})\.0\.1$/.exec(value.trim());
  const block = m ? Number(m[1]) : NaN;
  if (!(block >= 1 && block <= 254)) {
    throw new BosunError('SANDBOX', `${SANDBOX_BASE_VARIABLE}=${value} is not the first address of a sandbox block`, {
      hint: `set it to 127.B.0.1 with B from 1 to 254 (the default block is ${DEFAULT_BASE}; e.g. 127.160.0.1)`,
    });
  }
  return `127.${block}.0.1`;
}

/**
 * An address of the default layout (127.X.Y.Z, laid out from DEFAULT_BASE) moved into the block of `base`: the
 * second octet moves by the block's second octet minus 77, wrapping within 1-254; Y and Z stay.
 */
export function inBlock(address: string, base: string = blockBase()): string {
  const [, x, y, z] = address.split('.').map(Number) as [number, number, number, number];
  assertLoopback(address);
  if (!(x >= 1 && x <= 254))
    throw new BosunError('SANDBOX', `${address} is not in a sandbox block (127.1.0.0 to 127.254.255.255)`);
  const block = (toNumber(base) >>> 16) & 255;
  const moved = ((((x - 1 + block - DEFAULT_BLOCK) % 254) + 254) % 254) + 1;
  return `127.${moved}.${y}.${z}`;
}

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
