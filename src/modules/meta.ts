/**
 * `meta`: instructions to the executor itself (flush_handlers, end_play,
 * end_host, clear_host_errors, noop). The executor acts on them; the module
 * only validates the action.
 */
import { defineModule } from './types.js';

/** The actions `meta` takes. */
export const META_ACTIONS = [
  'flush_handlers',
  'end_play',
  'end_host',
  'end_batch',
  'clear_host_errors',
  'noop',
  'refresh_inventory',
  'clear_facts',
] as const;

/** Arguments of `meta`. */
export interface MetaArgs {
  action: (typeof META_ACTIONS)[number];
}

/** The `meta` module. */
export default defineModule<MetaArgs>({
  name: 'meta',
  docs: {
    short: 'Executor instructions: flush_handlers, end_play, end_host, end_batch, clear_host_errors, clear_facts, noop',
    description:
      'Written as `meta: flush_handlers`. refresh_inventory is accepted and does nothing (the inventory is static for a run).',
  },
  freeForm: 'action',
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['action'],
    properties: { action: { type: 'string', enum: [...META_ACTIONS], description: 'What the executor should do' } },
  },
  decide(_ctx, args) {
    return Promise.resolve({ kind: 'ok', data: { meta_action: args.action } });
  },
});
