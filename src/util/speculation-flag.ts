/**
 * The flag that marks a speculative render (src/executor/speculation.ts): while the executor renders a later
 * task's arguments ahead of time to learn its probes, anything a render could do besides computing a value (a
 * lookup, which may run a command or write a password file on the controller; a warning, which is an event)
 * must not happen. Rendering is synchronous, so a flag set around the call covers exactly that render.
 */

let speculating = false;

/** Thrown where a speculative render would have had an effect: the speculation of that task is dropped. */
export class SpeculationAbort extends Error {
  constructor(what: string) {
    super(`not speculated: ${what}`);
  }
}

/** Run `fn` (synchronous) as a speculative render. */
export function asSpeculation<T>(fn: () => T): T {
  const outer = speculating;
  speculating = true;
  try {
    return fn();
  } finally {
    speculating = outer;
  }
}

/** Throws SpeculationAbort inside a speculative render: `what` would have an effect outside the value. */
export function refuseInSpeculation(what: string): void {
  if (speculating) throw new SpeculationAbort(what);
}
