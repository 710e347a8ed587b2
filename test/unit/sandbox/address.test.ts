import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { blockBase, DEFAULT_BASE, inBlock, SANDBOX_BASE_VARIABLE } from '../../../src/sandbox/address.js';

describe('blockBase: the first address of the sandbox block', () => {
  it.each([
    [undefined, DEFAULT_BASE],
    ['', DEFAULT_BASE],
    ['127.160.0.1', '127.160.0.1'],
    [' 127.1.0.1 ', '127.1.0.1'],
    ['127.254.0.1', '127.254.0.1'],
  ])('%j -> %s', (value, base) => {
    expect(blockBase({ [SANDBOX_BASE_VARIABLE]: value })).toBe(base);
  });

  it.each([
    '10.0.0.1',
    '127.0.0.1',
    '127.255.0.1',
    '127.160.0.2',
    '127.160.1.1',
    '127.160',
    'localhost',
    '127.1600.0.1',
  ])('refuses %s, saying what to set', (value) => {
    let err: unknown;
    try {
      blockBase({ [SANDBOX_BASE_VARIABLE]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).message).toBe(`BOSUN_SANDBOX_BASE=${value} is not the first address of a sandbox block`);
    expect((err as BosunError).hint).toMatch(/^set it to 127\.B\.0\.1 with B from 1 to 254/);
  });
});

describe('inBlock: an address of the default layout moved into a block', () => {
  it.each([
    // [address, block base, moved]
    ['127.79.0.1', DEFAULT_BASE, '127.79.0.1'],
    ['127.77.0.1', '127.160.0.1', '127.160.0.1'],
    ['127.79.9.2', '127.160.0.1', '127.162.9.2'],
    ['127.153.100.1', '127.160.0.1', '127.236.100.1'],
    ['127.88.250.250', '127.1.0.1', '127.12.250.250'],
    // Past 127.254 it wraps to 127.1: 153 + 123 - 254 = 22.
    ['127.153.0.1', '127.200.0.1', '127.22.0.1'],
    ['127.254.3.4', '127.78.0.1', '127.1.3.4'],
    ['127.1.3.4', '127.76.0.1', '127.254.3.4'],
  ])('%s in the block of %s is %s', (address, base, moved) => {
    expect(inBlock(address, base)).toBe(moved);
  });

  it('reads BOSUN_SANDBOX_BASE by default', () => {
    const saved = process.env[SANDBOX_BASE_VARIABLE];
    try {
      process.env[SANDBOX_BASE_VARIABLE] = '127.177.0.1';
      expect(inBlock('127.78.0.1')).toBe('127.178.0.1');
      delete process.env.BOSUN_SANDBOX_BASE;
      expect(inBlock('127.78.0.1')).toBe('127.78.0.1');
    } finally {
      if (saved === undefined) delete process.env.BOSUN_SANDBOX_BASE;
      else process.env[SANDBOX_BASE_VARIABLE] = saved;
    }
  });

  it.each(['10.0.0.1', '127.0.0.2', '127.255.0.1'])('refuses %s (not in any block)', (address) => {
    expect(() => inBlock(address, DEFAULT_BASE)).toThrow(BosunError);
  });

  it('three blocks, 83 apart, each hold the whole default layout (127.77 to 127.159) without overlap', () => {
    const second = (a: string, base: string) => Number(inBlock(a, base).split('.')[1]);
    const layout = Array.from({ length: 83 }, (_, i) => `127.${77 + i}.0.1`);
    const [a, b, c] = ['127.77.0.1', '127.160.0.1', '127.243.0.1'].map(
      (base) => new Set(layout.map((l) => second(l, base))),
    );
    for (const x of a!) expect(b!.has(x) || c!.has(x)).toBe(false);
    for (const x of b!) expect(c!.has(x)).toBe(false);
  });
});
