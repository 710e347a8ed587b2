/**
 * Shards (`bosun run --shard K/N`): a stable partition of the hosts by
 * inventory hostname, so N controllers can each run one part of a fleet.
 * A host's shard depends on its name and N only: adding or removing other
 * hosts never moves it, every shard computes the same answer without
 * talking to the others, and going from N to N+1 shards moves only about
 * 1/(N+1) of the hosts (jump consistent hashing, Lamping and Veach 2014,
 * keyed by the first 64 bits of the name's SHA-256).
 */
import { createHash } from 'node:crypto';

/** One shard of N: `index` counts from 0 (`--shard-index`), shown counting from 1 (`--shard`). */
export interface Shard {
  index: number;
  count: number;
}

/** The largest N accepted (a shard per controller; AWX warns that thousands of slices overwhelm its scheduler). */
export const MAX_SHARDS = 10_000;

/** The names that are the controller itself: in every shard, since each shard runs on a controller of its own. */
const CONTROLLER_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

const MULTIPLIER = 2862933555777941757n;
const TWO_POW_31 = 2 ** 31;

/** The shard (0-based) a host name falls in, of `count`. */
export function shardOfHost(name: string, count: number): number {
  let key = createHash('sha256').update(name, 'utf8').digest().readBigUInt64BE(0);
  let bucket = -1;
  let next = 0;
  while (next < count) {
    bucket = next;
    key = BigInt.asUintN(64, key * MULTIPLIER + 1n);
    next = Math.floor((bucket + 1) * (TWO_POW_31 / (Number(key >> 33n) + 1)));
  }
  return bucket;
}

/** Whether `host` is run by `shard` (the controller's own names are in every shard). */
export function inShard(host: string, shard: Shard): boolean {
  return CONTROLLER_NAMES.has(host) || shardOfHost(host, shard.count) === shard.index;
}

/** Whether a host name is the controller's (run by every shard). */
export function isControllerName(host: string): boolean {
  return CONTROLLER_NAMES.has(host);
}

/** `2/4`: the shard as `--shard` writes it (counting from 1). */
export function shardLabel(shard: Shard): string {
  return `${shard.index + 1}/${shard.count}`;
}

/**
 * Read `K/N`: `base` 1 for `--shard` (K from 1 to N), 0 for `--shard-index`
 * (K from 0 to N-1, as Kubernetes' JOB_COMPLETION_INDEX and GitHub's
 * strategy.job-index count). Throws an Error whose message says what is wrong.
 */
export function parseShard(text: string, base: 0 | 1): Shard {
  const flag = base === 1 ? '--shard' : '--shard-index';
  const other = base === 1 ? '--shard-index' : '--shard';
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`expected K/N with whole numbers, e.g. ${base === 1 ? '2/4' : '1/4'}`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1) throw new Error(`N, the number of shards, must be at least 1 (${flag} ${base === 1 ? '1/1' : '0/1'})`);
  if (n > MAX_SHARDS) throw new Error(`N, the number of shards, may be at most ${MAX_SHARDS}`);
  const last = n - 1 + base;
  if (k < base || k > last) {
    // 0/N to --shard, or N/N to --shard-index: the other flag's numbering.
    const hint =
      (base === 1 && k === 0) || (base === 0 && k === n)
        ? `; ${flag} counts from ${base}: did you mean ${other} ${k}/${n}?`
        : '';
    throw new Error(`K must be from ${base} to ${last} for ${n} shard(s)${hint}`);
  }
  return { index: k - base, count: n };
}
