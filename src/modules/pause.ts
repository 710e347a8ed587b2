/**
 * `pause`: wait a number of seconds or minutes. Never changes anything; it
 * waits in check mode too, as Ansible does, so timing-dependent plays behave
 * the same.
 */
import { defineModule } from './types.js';
import { failed } from './lib/result.js';

/** Arguments of `pause`. */
export interface PauseArgs {
  seconds?: number | string;
  minutes?: number | string;
}

/** The `pause` module. */
export default defineModule<PauseArgs>({
  name: 'pause',
  docs: {
    short: 'Wait for a number of seconds or minutes',
    description: 'No interactive prompt: bosun runs unattended. Waits in check mode too.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      seconds: { type: ['number', 'string'], pattern: '^\\d+(\\.\\d+)?$', description: 'Seconds to wait' },
      minutes: { type: ['number', 'string'], pattern: '^\\d+(\\.\\d+)?$', description: 'Minutes to wait' },
    },
    not: { required: ['seconds', 'minutes'], properties: { seconds: true, minutes: true } },
  },
  async decide(_ctx, args) {
    const seconds =
      args.seconds !== undefined
        ? Number(args.seconds)
        : args.minutes !== undefined
          ? Number(args.minutes) * 60
          : undefined;
    if (seconds === undefined) return failed('pause needs seconds or minutes (bosun has no interactive prompt)');
    if (!Number.isFinite(seconds) || seconds < 0)
      return failed(`cannot pause for ${String(args.seconds ?? args.minutes)}`);
    const start = new Date();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const stop = new Date();
    const elapsed = (stop.getTime() - start.getTime()) / 1000;
    const shown = Math.round((args.minutes !== undefined ? elapsed / 60 : elapsed) * 100) / 100;
    // Python prints a float: 1.0, 0.5
    const stdout = `Paused for ${Number.isInteger(shown) ? shown.toFixed(1) : String(shown)} ${args.minutes !== undefined ? 'minutes' : 'seconds'}`;
    const delta = Math.floor(elapsed);
    return {
      kind: 'ok',
      msg: stdout,
      data: {
        start: start.toISOString().replace('T', ' ').replace('Z', ''),
        stop: stop.toISOString().replace('T', ' ').replace('Z', ''),
        delta,
        echo: true,
        user_input: '',
        stdout,
      },
    };
  },
});
