import { describe, expect, it } from 'vitest';
import { PyRandom } from '../../../src/util/py-random.js';

// Every `want` is what CPython 3.11 (the Python of ansible-core here) gave for the same calls.
describe("PyRandom gives CPython's seeded results", () => {
  it('text seed: choice and randrange', () => {
    const r = PyRandom.seeded('web1');
    const chars = Array.from('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3));
    expect(r.choice(chars)).toBe('7');
    expect([0, 1, 2].map(() => r.randrange(0, 100, 1))).toEqual([41, 33, 98]);
    expect(r.randrange(1, 100, 7)).toBe(36);
  });

  it('text seed: twenty choices', () => {
    const r = PyRandom.seeded('seed');
    expect(Array.from({ length: 20 }, () => r.choice(Array.from('abcdefghij'))).join('')).toBe('cadfehajfiigjghbgadd');
  });

  it('integer seeds, small and over 64 bits', () => {
    expect(PyRandom.seeded(42).shuffle([...Array(10).keys()])).toEqual([7, 3, 2, 8, 5, 6, 9, 4, 0, 1]);
    const big = PyRandom.seeded(2n ** 70n + 5n);
    expect([0, 1, 2].map(() => big.randrange(0, 1000, 1))).toEqual([478, 399, 486]);
    const zero = PyRandom.seeded(0);
    expect([zero.randrange(10, 50, 5), zero.randrange(50, 10, -3)]).toEqual([40, 14]);
  });

  it('refuses empty ranges and sequences', () => {
    expect(() => PyRandom.seeded(1).randrange(5, 5, 1)).toThrow(/empty range/);
    expect(() => PyRandom.seeded(1).choice([])).toThrow(/empty sequence/);
    expect(() => PyRandom.seeded(1).randrange(0, 5, 0)).toThrow(/zero step/);
  });

  it('without a seed, stays in range', () => {
    const r = PyRandom.system();
    for (let i = 0; i < 50; i++) expect(r.randrange(3, 9, 2)).toBeOneOf([3, 5, 7]);
  });
});
