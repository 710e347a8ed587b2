/**
 * Waiting for a host to answer again (wait_for_connection, reboot): run a
 * probe over the task's connection until it succeeds or the time is up,
 * dropping the session after a failure so that the next try opens a new one
 * (bosun's persistent shell would otherwise stay on a dead transport).
 */
import type { Connection } from '../../connection/types.js';

/** How the tries are paced: a fixed sleep, or Ansible reboot's backoff (2^n s plus up to 1 s, at most 12 s). */
export type Pace = { kind: 'fixed'; seconds: number } | { kind: 'backoff' };

/** Run `probe` until it resolves; the last error's message when the deadline passes first. */
export async function untilAnswer<T>(
  conn: Connection,
  probe: () => Promise<T>,
  timeoutSeconds: number,
  pace: Pace,
  attemptSeconds?: number,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const end = Date.now() + timeoutSeconds * 1000;
  let error = 'no attempt was made';
  for (let n = 0; Date.now() < end; n++) {
    try {
      return { ok: true, value: await bounded(probe(), attemptSeconds) };
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      await conn.reset?.().catch(() => undefined);
    }
    const wait = pace.kind === 'fixed' ? pace.seconds : Math.min(2 ** n, 12) + Math.random();
    await sleep(Math.max(0, Math.min(wait * 1000, end - Date.now())));
  }
  return { ok: false, error };
}

function bounded<T>(p: Promise<T>, seconds: number | undefined): Promise<T> {
  if (seconds === undefined || seconds <= 0) return p;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Wait `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
