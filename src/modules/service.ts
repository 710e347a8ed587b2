/**
 * `service`: the init-system-neutral service module. bosun supports systemd
 * hosts (PID 1 is systemd) and fails with the init system's name elsewhere.
 */
import systemdModule from './systemd.js';
import { deciding, failed } from './lib/result.js';
import { decideUnit, type UnitArgs } from './lib/systemd-unit.js';
import { unitProps } from './systemd.js';
import { defineModule } from './types.js';

/** Arguments of `service`. */
export interface ServiceArgs extends UnitArgs {
  use?: 'auto' | 'systemd';
}

/** The `service` module. */
export default defineModule<ServiceArgs>({
  name: 'service',
  docs: {
    short: 'Manage services: state and enabled, through the host init system',
    description:
      'Chooses by the init system: systemd when PID 1 is systemd; other init systems are a clear error for now.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      // On a systemd host Ansible's service action hands the task to the systemd module with its arguments
      // (daemon_reload, masked, ...): they are taken here too.
      ...(systemdModule.schema['properties'] as Record<string, unknown>),
      ...unitProps,
      use: {
        type: 'string',
        enum: ['auto', 'systemd'],
        default: 'auto',
        description: 'The service manager: auto (detect) or systemd',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      if (args.state === undefined && args.enabled === undefined) return failed('one of state or enabled is required');
      const { use: _use, ...unit } = args;
      return decideUnit(ctx, unit, 'service');
    }),
});
