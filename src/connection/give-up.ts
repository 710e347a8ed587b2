/**
 * Racing an operation that may never call back against the reasons to stop
 * waiting for it. ssh2's SFTP calls back with an error when its channel ends
 * with requests pending, but a file it had opened is then closed with one
 * more request that is never answered, so `writeFile` and `readFile` on a
 * dead connection never settle. Every SFTP operation is therefore raced
 * against the end of the transport, a deadline and the connection's close.
 */

/** Why an operation was given up: the transport ended, the time ran out, or the caller stopped it. */
export type GiveUpKind = 'lost' | 'timeout' | 'stopped';

/** The error an operation that was given up rejects with (turned into a ConnectionError by the connection). */
export class GaveUp extends Error {
  constructor(
    readonly kind: GiveUpKind,
    message: string,
  ) {
    super(message);
  }
}

/** What to race an operation against. */
export interface GiveUpOptions {
  /** Aborted when the transport (the client or the channel) ended; its reason says how. */
  lost: AbortSignal[];
  /** Aborted when the caller stops the operation (the connection is being closed). */
  stopped: AbortSignal;
  /** Give up after this many ms. */
  timeoutMs?: number;
  /** Called synchronously when the operation is given up while the transport lives (to tear it down, remove a partial file). */
  onGiveUp?: (kind: GiveUpKind) => void;
}

/** `work`, or a GaveUp as soon as one of the reasons in `o` happens. */
export function raceGiveUp<T>(work: Promise<T>, o: GiveUpOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const listeners: Array<[AbortSignal, () => void]> = [];
    const done = (): void => {
      clearTimeout(timer);
      for (const [signal, listener] of listeners) signal.removeEventListener('abort', listener);
    };
    const giveUp = (kind: GiveUpKind, message: string): void => {
      done();
      if (kind !== 'lost') o.onGiveUp?.(kind);
      reject(new GaveUp(kind, message));
    };
    const watch = (signal: AbortSignal, kind: GiveUpKind): boolean => {
      const listener = (): void => giveUp(kind, String(signal.reason));
      if (signal.aborted) {
        listener();
        return true;
      }
      signal.addEventListener('abort', listener, { once: true });
      listeners.push([signal, listener]);
      return false;
    };
    for (const signal of o.lost) if (watch(signal, 'lost')) return;
    if (watch(o.stopped, 'stopped')) return;
    if (o.timeoutMs !== undefined && o.timeoutMs > 0) {
      const ms = o.timeoutMs;
      timer = setTimeout(() => giveUp('timeout', `timed out after ${ms} ms`), ms);
    }
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (e: unknown) => {
        done();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
