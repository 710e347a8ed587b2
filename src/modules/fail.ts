/** `fail`: fail the task with a message (usually under a `when`). */
import { defineModule } from './types.js';
import { failed } from './lib/result.js';

/** Arguments of `fail`. */
export interface FailArgs {
  msg?: unknown;
}

/** The `fail` module. */
export default defineModule<FailArgs>({
  name: 'fail',
  docs: { short: 'Fail the task with a custom message' },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      msg: { description: 'The failure message (default "Failed as requested from task")' },
    },
  },
  decide(_ctx, args) {
    const msg =
      args.msg === undefined || args.msg === null
        ? 'Failed as requested from task'
        : typeof args.msg === 'string'
          ? args.msg
          : JSON.stringify(args.msg);
    return Promise.resolve(failed(msg));
  },
});
