import { afterEach, describe, expect, it } from 'vitest';
import { handshakeLimit, paced } from '../../../src/connection/handshake-gate.js';

describe('handshake gate', () => {
  afterEach(() => {
    delete process.env['BOSUN_SSH_HANDSHAKES'];
  });

  it('defaults to 32 per core, at least 64, and takes BOSUN_SSH_HANDSHAKES', () => {
    expect(handshakeLimit({})).toBeGreaterThanOrEqual(64);
    expect(handshakeLimit({ BOSUN_SSH_HANDSHAKES: '5' })).toBe(5);
  });

  it('refuses a value that is not a whole number of 1 or more', () => {
    for (const bad of ['0', '-1', '2.5', 'many'])
      expect(() => handshakeLimit({ BOSUN_SSH_HANDSHAKES: bad })).toThrow(
        /BOSUN_SSH_HANDSHAKES must be a whole number/,
      );
  });

  it('runs at most the limit at once, and tells each how many overlapped it', async () => {
    process.env['BOSUN_SSH_HANDSHAKES'] = '3';
    let running = 0;
    let most = 0;
    const overlaps: Array<() => number> = [];
    const one = () =>
      paced(async (overlapping) => {
        overlaps.push(overlapping);
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      });
    await Promise.all(Array.from({ length: 10 }, one));
    expect(most).toBe(3);
    // The first saw nothing running when it started, but nine more started while or after it ran.
    expect(overlaps[0]!()).toBe(9);
    // The last started with two others running and none after it.
    expect(overlaps[9]!()).toBe(2);
  });

  it('takes a new limit for a later run in the same process', async () => {
    process.env['BOSUN_SSH_HANDSHAKES'] = '1';
    let running = 0;
    let most = 0;
    const one = () =>
      paced(async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
      });
    await Promise.all(Array.from({ length: 4 }, one));
    expect(most).toBe(1);
  });
});
