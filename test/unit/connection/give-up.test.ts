import { describe, expect, it } from 'vitest';
import { GaveUp, raceGiveUp, type GiveUpKind } from '../../../src/connection/give-up.js';

/** A promise that never settles, as ssh2's SFTP close on a dead channel. */
const never = new Promise<never>(() => undefined);

describe('raceGiveUp', () => {
  it('passes the result and the error of work that settles', async () => {
    const stopped = new AbortController().signal;
    await expect(raceGiveUp(Promise.resolve(7), { lost: [], stopped, timeoutMs: 1000 })).resolves.toBe(7);
    await expect(raceGiveUp(Promise.reject(new Error('refused')), { lost: [], stopped })).rejects.toThrow('refused');
  });

  const cases: Array<{ kind: GiveUpKind; start: (lost: AbortController, stop: AbortController) => void }> = [
    { kind: 'lost', start: (lost) => lost.abort('connection closed') },
    { kind: 'stopped', start: (_lost, stop) => stop.abort('closed') },
    { kind: 'timeout', start: () => undefined },
  ];
  for (const c of cases) {
    it(`gives up work that never settles: ${c.kind}`, async () => {
      const lost = new AbortController();
      const stop = new AbortController();
      const told: GiveUpKind[] = [];
      const raced = raceGiveUp(never, {
        lost: [lost.signal],
        stopped: stop.signal,
        timeoutMs: 30,
        onGiveUp: (kind) => told.push(kind),
      });
      c.start(lost, stop);
      const e = await raced.catch((err: unknown) => err);
      expect(e).toBeInstanceOf(GaveUp);
      expect((e as GaveUp).kind).toBe(c.kind);
      // A lost transport has nothing left to tear down; the others do.
      expect(told).toEqual(c.kind === 'lost' ? [] : [c.kind]);
    });
  }

  it('gives up at once when a signal was aborted before', async () => {
    const lost = new AbortController();
    lost.abort('gone');
    const e = await raceGiveUp(never, { lost: [lost.signal], stopped: new AbortController().signal }).catch(
      (err: unknown) => err,
    );
    expect((e as GaveUp).kind).toBe('lost');
    expect((e as GaveUp).message).toBe('gone');
  });
});
