/**
 * What the plays of a run share, in one small object: the settings of the
 * run the executor reads (not the CLI's whole options bag), the template
 * engine, the hosts, how to reach them, the recap counters and the event
 * sink. run.ts builds it once; PlayRun and its helpers take it whole.
 */
import type { PlaybookLoader } from '../playbook/load.js';
import type { SecretMasker } from '../util/secrets.js';
import type { TemplateEngine } from '../template/index.js';
import type { EventSink, HostStats } from './events.js';
import type { Hosts } from './hosts.js';
import type { Reacher } from './reach.js';
import type { RunOptions } from './run.js';

/** The run settings the executor reads while running plays. */
export type RunSettings = Pick<
  RunOptions,
  | 'check'
  | 'diff'
  | 'forks'
  | 'verbosity'
  | 'tags'
  | 'extraVars'
  | 'forceHandlers'
  | 'become'
  | 'becomePassword'
  | 'confirmStep'
  | 'signal'
  | 'runDeadline'
  | 'gathering'
>;

/** Run-wide state that changes as plays run (start-at-task, step answers). */
export interface RunState {
  /** --start-at-task, until the task is found. */
  startAt: string | undefined;
  /** `--step` answered "continue". */
  stepAll: boolean;
  /** Hosts whose facts were gathered in this run (`gathering = smart` does not gather them again). */
  gathered: Set<string>;
}

/** Everything a play needs from its run. */
export interface RunContext {
  settings: RunSettings;
  engine: TemplateEngine;
  loader: PlaybookLoader;
  hosts: Hosts;
  reach: Reacher;
  /** PLAY RECAP counters, per host. */
  stats: Record<string, HostStats>;
  state: RunState;
  /** Events out (already masking secrets). */
  sink: EventSink;
  /** What the sink masks: the executor teaches it the secrets it meets while running (task vars, register). */
  secrets: Pick<SecretMasker, 'learnLayers' | 'addRegistered'>;
}
