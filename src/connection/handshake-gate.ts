/**
 * Pacing of connection set-up. A handshake (TCP connect, key exchange, host
 * key check, authentication, the remote shell started) is the costliest step
 * of a connection for both ends: on two cores, 1,000 handshakes at once all
 * ran past their 10 s timeout and every host was reported unreachable.
 *
 * At most `limit` handshakes run at a time, run-wide (default: 32 per CPU
 * core, at least 64; `BOSUN_SSH_HANDSHAKES` sets it). A handshake's timeout
 * counts from when it leaves the queue, so waiting for a slot is never a
 * timeout. What runs after the handshake (tasks) is not paced here: that is
 * `forks`.
 */
import { availableParallelism } from 'node:os';
import pLimit, { type LimitFunction } from 'p-limit';
import { BosunError } from '../errors.js';

/** The run-wide limit of simultaneous handshakes: `BOSUN_SSH_HANDSHAKES`, else from the CPU count; BAD_OPTION for a bad value. */
export function handshakeLimit(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['BOSUN_SSH_HANDSHAKES'];
  if (given === undefined || given === '') return Math.max(64, 32 * availableParallelism());
  if (!/^\s*[0-9]+\s*$/.test(given) || Number(given) < 1)
    throw new BosunError(
      'BAD_OPTION',
      `BOSUN_SSH_HANDSHAKES must be a whole number of handshakes, 1 or more, not '${given}'`,
    );
  return Number(given);
}

let gate: LimitFunction | undefined;
/** Handshakes started so far in this process, and running now. */
let started = 0;
let running = 0;

/**
 * Run one handshake in a slot of the run-wide gate. `handshake` gets a
 * function that tells how many other handshakes overlapped it so far (those
 * running when it started and those started since): the measure of load a
 * timed-out handshake is judged by.
 */
export function paced<T>(handshake: (overlapping: () => number) => Promise<T>): Promise<T> {
  const limit = handshakeLimit();
  gate ??= pLimit(limit);
  const g = gate;
  // A later run in the same process (tests, the API) may set another limit.
  if (g.concurrency !== limit) g.concurrency = limit;
  return g(async () => {
    const before = running++;
    const at = ++started;
    try {
      return await handshake(() => before + (started - at));
    } finally {
      running--;
    }
  });
}
