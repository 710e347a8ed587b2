/**
 * `seboolean` (ansible.posix): set an SELinux boolean with the target's getsebool and setsebool (`-P` for
 * persistent). Where SELinux is absent or disabled the task fails with the module's own message, "SELinux is
 * disabled on this host.", unless `ignore_selinux_state`.
 */
import { sh } from '../util/shell.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `seboolean`. */
export interface SebooleanArgs {
  name: string;
  state: boolean | string;
  persistent?: boolean | string;
  ignore_selinux_state?: boolean | string;
}

/** sh that prints `SELINUX on` when SELinux is enabled (selinuxfs mounted with an enforce file). */
export const SELINUX_PROBE = 'if [ -f /sys/fs/selinux/enforce ]; then echo "SELINUX on"; else echo "SELINUX off"; fi';

/** The `seboolean` module. */
export default defineModule<SebooleanArgs>({
  name: 'seboolean',
  docs: {
    short: 'Set an SELinux boolean',
    description:
      'Registers `name`, `state` and `persistent`. Needs SELinux: where it is absent or disabled the task fails with "SELinux is disabled on this host."',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'state'],
    properties: {
      name: { type: 'string', description: 'The boolean' },
      state: boolSchema('Its value'),
      persistent: boolSchema('Keep the value across reboots (setsebool -P)', false),
      ignore_selinux_state: boolSchema('Go on although SELinux looks disabled (for image builds)', false),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = toBool(args.state);
      const persistent = toBool(args.persistent);
      const probe = await ctx.conn.exec(`${SELINUX_PROBE}\n${sh`getsebool ${args.name} 2>&1`}`);
      if (!probe.stdout.includes('SELINUX on') && !toBool(args.ignore_selinux_state))
        return failed('SELinux is disabled on this host.');
      const m = /^(\S+) --> (on|off)$/m.exec(probe.stdout);
      if (!m) return failed(`SELinux boolean ${args.name} does not exist.`);
      const data = { name: args.name, persistent, state };
      if ((m[2] === 'on') === state) return { kind: 'ok', data };
      return {
        kind: 'change',
        data,
        diff: [{ path: `SELinux boolean ${args.name}`, before: `${m[2]!}\n`, after: `${state ? 'on' : 'off'}\n` }],
        apply: () =>
          applying(async () => {
            const res = await ctx.conn.exec(
              persistent
                ? sh`setsebool -P ${args.name} ${state ? 'on' : 'off'}`
                : sh`setsebool ${args.name} ${state ? 'on' : 'off'}`,
            );
            return res.rc === 0
              ? { kind: 'applied', data }
              : applyFailed(`Failed to set boolean ${args.name} to ${state ? 'True' : 'False'}`);
          }),
      };
    }),
});
