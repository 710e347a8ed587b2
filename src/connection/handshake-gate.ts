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

/** The run-wide limit of simultaneous handshakes (`BOSUN_SSH_HANDSHAKES`, else from the CPU count). */
export function handshakeLimit(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['BOSUN_SSH_HANDSHAKES'];
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (Number.isInteger(n) && n >= 1) return n;
  }
  return Math.max(64, 32 * availableParallelism());
}

let gate: LimitFunction | undefined;

/** Run one handshake in a slot of the run-wide gate. */
export function paced<T>(handshake: () => Promise<T>): Promise<T> {
  gate ??= pLimit(handshakeLimit());
  return gate(handshake);
}

/** Handshakes running now, and waiting for a slot (for the retry decision and tests). */
export function handshakeLoad(): { active: number; pending: number } {
  return { active: gate?.activeCount ?? 0, pending: gate?.pendingCount ?? 0 };
}
