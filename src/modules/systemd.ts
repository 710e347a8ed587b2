/**
 * `systemd`: start, stop, restart or reload a unit, enable or mask it, and
 * reload systemd's configuration. Decides from one `systemctl show`.
 */
import { boolSchema } from './lib/bool.js';
import { deciding } from './lib/result.js';
import { decideUnit, type UnitArgs } from './lib/systemd-unit.js';
import { defineModule } from './types.js';

/** Arguments of `systemd`. */
export interface SystemdArgs extends UnitArgs {
  scope?: 'system';
}

/** Schema properties shared with `service`. */
export const unitProps = {
  name: { type: 'string', minLength: 1, description: 'Unit name (.service is assumed without a suffix)' },
  state: {
    type: 'string',
    enum: ['started', 'stopped', 'restarted', 'reloaded'],
    description: 'started/stopped only act when needed; restarted/reloaded always act',
  },
  enabled: boolSchema('Whether the unit starts at boot'),
} as const;

/** The `systemd` module. */
export default defineModule<SystemdArgs>({
  name: 'systemd',
  docs: {
    short: 'Manage systemd units: state, enabled, masked, daemon-reload',
    description:
      'Needs systemd running as PID 1 on the target, or SYSTEMD_OFFLINE=1 in the task environment (unit files only: enabled and masked; a state is left alone with a warning, as in Ansible). Reads the unit with one `systemctl show`; restarted and reloaded always change, as in Ansible.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...unitProps,
      masked: boolSchema('Whether the unit is masked (cannot be started at all)'),
      daemon_reload: boolSchema(
        'Run daemon-reload first when a unit file changed on disk (alias: daemon-reload)',
        false,
      ),
      'daemon-reload': boolSchema('Alias of daemon_reload'),
      scope: {
        type: 'string',
        enum: ['system'],
        default: 'system',
        description: 'Only the system manager is supported',
      },
      no_block: boolSchema('Do not wait for start/stop jobs to finish', false),
      force: boolSchema('Pass --force to enable/mask (replace conflicting symlinks)', false),
    },
  },
  decide: (ctx, args) => deciding(() => decideUnit(ctx, args, 'systemd')),
});
