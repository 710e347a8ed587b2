/**
 * `pause`: wait a number of seconds or minutes. Never changes anything; it
 * waits in check mode too, as Ansible does, so timing-dependent plays behave
 * the same. bosun runs unattended: a `prompt` is never answered, as Ansible's
 * pause does when stdin is not interactive (it waits the seconds given, else
 * goes on at once with a warning, `user_input` empty).
 */
import { defineModule } from './types.js';
import { failed } from './lib/result.js';
import { toBool } from './lib/bool.js';

/** Arguments of `pause`. */
export interface PauseArgs {
  seconds?: number | string;
  minutes?: number | string;
  prompt?: string;
  echo?: boolean | string;
}

/** The `pause` module. */
export default defineModule<PauseArgs>({
  name: 'pause',
  docs: {
    short: 'Wait for a number of seconds or minutes',
    description:
      'Waits in check mode too. A prompt is never answered (bosun runs unattended): as Ansible without an interactive stdin, it waits the seconds given, else goes on at once with a warning and an empty user_input.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      seconds: { type: ['number', 'string'], pattern: '^\\d+(\\.\\d+)?$', description: 'Seconds to wait' },
      minutes: { type: ['number', 'string'], pattern: '^\\d+(\\.\\d+)?$', description: 'Minutes to wait' },
      prompt: { type: 'string', description: 'Text shown to ask for input: never answered (see above)' },
      echo: { type: ['boolean', 'string'], description: 'Show what is typed (default true): reported as given' },
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
    const echo = toBool(args.echo, true);
    if (seconds === undefined) {
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      return {
        kind: 'ok',
        msg: 'Paused for 0.0 seconds',
        warnings: ['Not waiting for response to prompt as stdin is not interactive'],
        data: { start: now, stop: now, delta: 0, echo, user_input: '', stdout: 'Paused for 0.0 seconds' },
      };
    }
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
        echo,
        user_input: '',
        stdout,
      },
    };
  },
});
