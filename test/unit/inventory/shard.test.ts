/**
 * The shard partition (`--shard K/N`): pinned values (the rule is a promise
 * between bosun versions running shards of one run), stability as an
 * inventory grows and as N grows, balance, the controller in every shard,
 * and reading K/N.
 */
import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardLabel, shardOfHost } from '../../../src/inventory/shard.js';

const names = (n: number, prefix = 'host'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('shardOfHost', () => {
  // Computed independently (Python: jump consistent hash over the first 8 bytes, big-endian, of sha256(name)).
  it.each([
    ['node01', 3, 3, 988],
    ['node02', 0, 6, 16],
    ['web1', 0, 0, 448],
    ['web2', 1, 1, 687],
    ['db-primary', 0, 0, 23],
    ['k8s-worker-017', 3, 5, 229],
    ['10.0.0.5', 3, 5, 408],
    ['example.com', 2, 2, 974],
    ['ünïcode', 3, 6, 315],
    ['a', 1, 1, 912],
  ])('puts %s in shard %i of 4, %i of 7, %i of 1000 (0-based)', (name, of4, of7, of1000) => {
    expect(shardOfHost(name, 4)).toBe(of4);
    expect(shardOfHost(name, 7)).toBe(of7);
    expect(shardOfHost(name, 1000)).toBe(of1000);
  });

  it('puts every host in shard 0 of 1, and each host in exactly one shard of N', () => {
    for (const h of names(200)) expect(shardOfHost(h, 1)).toBe(0);
    for (const h of names(200)) {
      const of5 = [0, 1, 2, 3, 4].filter((index) => inShard(h, { index, count: 5 }));
      expect(of5).toEqual([shardOfHost(h, 5)]);
    }
  });

  it('keeps every host in its shard when the inventory grows (or shrinks)', () => {
    const partition = (hosts: string[], count: number): Map<string, number> =>
      new Map(hosts.map((h) => [h, [...Array(count).keys()].find((index) => inShard(h, { index, count }))!]));
    const before = partition(names(300), 4);
    const grown = partition([...names(300), ...names(500, 'new-'), ...names(700).slice(300)], 4);
    for (const [h, shard] of before) expect(grown.get(h)).toBe(shard);
    const shrunk = partition(
      names(300).filter((_, i) => i % 3 === 0),
      4,
    );
    for (const [h, shard] of shrunk) expect(before.get(h)).toBe(shard);
  });

  it('moves only about 1/(N+1) of the hosts when N grows by one, and only into the new shard', () => {
    const hosts = names(20_000);
    for (const n of [1, 3, 4, 9]) {
      const moved = hosts.filter((h) => shardOfHost(h, n) !== shardOfHost(h, n + 1));
      for (const h of moved) expect(shardOfHost(h, n + 1)).toBe(n);
      expect(moved.length / hosts.length).toBeCloseTo(1 / (n + 1), 1);
    }
  });

  it('spreads many hosts evenly (within 5% of N-th at 20,000 hosts)', () => {
    for (const n of [2, 4, 8, 16]) {
      const counts = new Array<number>(n).fill(0);
      for (const h of names(20_000)) counts[shardOfHost(h, n)]!++;
      for (const c of counts) expect(Math.abs(c - 20_000 / n) / (20_000 / n)).toBeLessThan(0.05);
    }
  });

  it("puts the controller's own names in every shard, and no other name", () => {
    for (const h of ['localhost', '127.0.0.1', '::1'])
      for (let index = 0; index < 4; index++) expect(inShard(h, { index, count: 4 })).toBe(true);
    expect([0, 1, 2, 3].filter((index) => inShard('localhost.example.com', { index, count: 4 }))).toHaveLength(1);
  });
});

describe('parseShard', () => {
  it.each([
    ['1/4', 1, { index: 0, count: 4 }],
    ['4/4', 1, { index: 3, count: 4 }],
    ['1/1', 1, { index: 0, count: 1 }],
    [' 2 / 3 ', 1, { index: 1, count: 3 }],
    ['0/4', 0, { index: 0, count: 4 }],
    ['3/4', 0, { index: 3, count: 4 }],
    ['007/10', 1, { index: 6, count: 10 }],
  ] as const)('reads %j (counting from %i)', (text, base, shard) => {
    expect(parseShard(text, base)).toEqual(shard);
    expect(shardLabel(shard)).toBe(`${shard.index + 1}/${shard.count}`);
  });

  it.each([
    ['0/0', 1, 'N, the number of shards, must be at least 1 (--shard 1/1)'],
    ['0/0', 0, 'N, the number of shards, must be at least 1 (--shard-index 0/1)'],
    ['5/4', 1, 'K must be from 1 to 4 for 4 shard(s)'],
    ['5/4', 0, 'K must be from 0 to 3 for 4 shard(s)'],
    ['0/4', 1, 'K must be from 1 to 4 for 4 shard(s); --shard counts from 1: did you mean --shard-index 0/4?'],
    ['4/4', 0, 'K must be from 0 to 3 for 4 shard(s); --shard-index counts from 0: did you mean --shard 4/4?'],
    ['abc', 1, 'expected K/N with whole numbers, e.g. 2/4'],
    ['abc', 0, 'expected K/N with whole numbers, e.g. 1/4'],
    ['', 1, 'expected K/N'],
    ['1/', 1, 'expected K/N'],
    ['/4', 1, 'expected K/N'],
    ['1/4x', 1, 'expected K/N'],
    ['-1/4', 0, 'expected K/N'],
    ['1e1/20', 1, 'expected K/N'],
    ['1/10001', 1, 'N, the number of shards, may be at most 10000'],
  ] as const)('refuses %j (counting from %i): %s', (text, base, message) => {
    expect(() => parseShard(text, base)).toThrow(message);
  });
});
