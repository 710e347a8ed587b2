/** A reporter listens to run events; it is the only place (with cli/) that writes output. */
import type { RunEvent } from '../executor/events.js';

/** An object that receives every event of a run, in order. */
export interface Reporter {
  /** Called for each event as it happens. */
  onEvent(event: RunEvent): void;
}
