/**
 * The one adapter from the executor's event stream to reporters' hooks.
 * The executor's sink is synchronous; hooks may be async. Each event goes
 * to every reporter in the order they were given; when any hook returns a
 * promise, later events wait (queued) until all of that event's hooks have
 * settled, so no reporter sees events out of order and reporters never
 * see two events at once. Reporters that are all synchronous cost no
 * promise at all: events go straight through.
 */
import type { EventSink, RunEvent } from '../executor/events.js';
import { callHook, type Reporter } from './types.js';

/** A sink for the executor and the promise of the reporters having finished. */
export interface Dispatcher {
  /** Give this to the executor (`RunOptions.sink`). */
  sink: EventSink;
  /** Resolves when every event so far has been handled by every reporter; rejects with the first hook error. */
  flush(): Promise<void>;
}

/** Dispatch events to these reporters' hooks, in order. */
export function dispatchTo(reporters: readonly Reporter[]): Dispatcher {
  /** Settles when the last queued event has been handled; undefined while nothing is pending. */
  let pending: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;

  const deliver = (event: RunEvent): Promise<void> | undefined => {
    let waits: Array<Promise<void>> | undefined;
    for (const r of reporters) {
      const done = callHook(r, event);
      if (done) (waits ??= []).push(done);
    }
    return waits ? Promise.all(waits).then(() => undefined) : undefined;
  };
  const remember = (error: unknown): void => {
    failure ??= { error };
  };

  const sink: EventSink = (event) => {
    if (failure) return;
    if (!pending) {
      // Synchronous reporters: delivered now; a throw reaches the executor as it always did.
      const done = deliver(event);
      if (done) pending = track(done);
      return;
    }
    pending = track(pending.then(() => (failure ? undefined : deliver(event))));
  };
  const track = (p: Promise<void>): Promise<void> => {
    const tracked: Promise<void> = p.catch(remember).finally(() => {
      if (pending === tracked) pending = undefined;
    });
    return tracked;
  };

  return {
    sink,
    async flush() {
      while (pending) await pending;
      if (failure) throw failure.error;
    },
  };
}
