/**
 * Python's `random.Random(seed)`: the Mersenne Twister (MT19937) seeded as
 * CPython 3 seeds it (version 2: a text seed is its UTF-8 bytes followed by
 * their SHA-512, read as one big integer), with `choice`, `shuffle` and
 * `randrange` drawing numbers as CPython does (`_randbelow` by rejection of
 * `getrandbits(n.bit_length())`). A seeded `random`/`shuffle` filter or
 * `password` lookup therefore gives the same result as Ansible's.
 */
import { createHash, randomInt } from 'node:crypto';

const N = 624;
const M = 397;

/** A seeded generator with Python's results; without a seed, the OS's randomness (SystemRandom). */
export class PyRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  constructor(private readonly seeded: boolean) {}

  /** `random.Random(seed)`: a text or an integer seed. */
  static seeded(seed: string | number | bigint): PyRandom {
    const r = new PyRandom(true);
    r.seedByArray(seedKey(seed));
    return r;
  }

  /** `random.SystemRandom()`. */
  static system(): PyRandom {
    return new PyRandom(false);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private seedByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private next32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff);
        mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(k)` for k >= 1: 32-bit words from the least significant end. */
  private getrandbits(k: number): bigint {
    if (k <= 32) return BigInt(this.next32() >>> (32 - k));
    let out = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let word = this.next32();
      if (left < 32) word >>>= 32 - left;
      out |= BigInt(word) << shift;
      shift += 32n;
    }
    return out;
  }

  /** An integer in [0, n), n > 0. */
  below(n: number): number {
    if (!this.seeded) return randomInt(n);
    const k = n.toString(2).length;
    let r = this.getrandbits(k);
    while (r >= BigInt(n)) r = this.getrandbits(k);
    return Number(r);
  }

  /** `choice(seq)`. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot choose from an empty sequence');
    return items[this.below(items.length)]!;
  }

  /** `shuffle(x)`, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** `randrange(start, stop, step)`. */
  randrange(start: number, stop: number, step: number): number {
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + this.below(width);
      throw new Error(`empty range for randrange() (${start}, ${stop}, ${width})`);
    }
    if (step === 0) throw new Error('zero step for randrange()');
    const n = step > 0 ? Math.floor((width + step - 1) / step) : Math.floor((width + step + 1) / step);
    if (n <= 0) throw new Error('empty range for randrange()');
    return start + step * this.below(n);
  }
}

/** The 32-bit words (least significant first) of the integer CPython makes of a seed. */
function seedKey(seed: string | number | bigint): number[] {
  let n: bigint;
  if (typeof seed === 'string') {
    const bytes = Buffer.from(seed, 'utf8');
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
    n = BigInt(`0x${all.toString('hex')}`);
  } else {
    if (typeof seed === 'number' && !Number.isInteger(seed)) throw new Error('a seed must be an integer or a text');
    n = BigInt(seed);
    if (n < 0n) n = -n;
  }
  const key: number[] = [];
  while (n > 0n) {
    key.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return key.length ? key : [0];
}
