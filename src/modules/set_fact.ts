/**
 * `set_fact`: set host variables for the rest of the run (the executor puts
 * `ansible_facts` into the host's variables). Never changes the target.
 */
import { defineModule } from './types.js';
import { boolSchema } from './lib/bool.js';

/** The `set_fact` module. */
export default defineModule<Record<string, unknown>>({
  name: 'set_fact',
  docs: { short: 'Set variables for this host for the rest of the run' },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: true,
    minProperties: 1,
    properties: {
      cacheable: boolSchema('Accepted and ignored (bosun keeps no fact cache)', false),
    },
  },
  decide(_ctx, args) {
    const facts = Object.fromEntries(Object.entries(args).filter(([k]) => k !== 'cacheable'));
    return Promise.resolve({ kind: 'ok', facts });
  },
});
