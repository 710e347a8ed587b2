/**
 * `debug`: print a message or a variable's value. Never changes anything.
 */
import { isBosunError } from '../errors.js';
import { notBoth } from './lib/schema.js';
import { defineModule } from './types.js';

/** Arguments of `debug`. */
export interface DebugArgs {
  msg?: unknown;
  var?: string;
  verbosity?: number;
}

/** The `debug` module. */
export default defineModule<DebugArgs>({
  name: 'debug',
  docs: {
    short: 'Print a message or the value of an expression',
    description:
      "`var` is an expression without braces, evaluated like a condition; an undefined variable prints 'VARIABLE IS NOT DEFINED!' as in Ansible.",
  },
  rawArgs: ['var'],
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      msg: { description: "The message (any value; default 'Hello world!')" },
      var: { type: 'string', minLength: 1, description: 'An expression to print (without braces)' },
      verbosity: { type: 'integer', minimum: 0, default: 0, description: 'Print only at this -v level or above' },
    },
    ...notBoth('msg', 'var'),
  },
  decide(ctx, args) {
    if ((args.verbosity ?? 0) > (ctx.verbosity ?? 0)) {
      return Promise.resolve({
        kind: 'skip',
        msg: 'Verbosity threshold not met.',
        data: { skipped_reason: 'Verbosity threshold not met.' },
      });
    }
    if (args.var !== undefined) {
      let value: unknown;
      try {
        value = ctx.evaluate(args.var);
      } catch (e) {
        if (isBosunError(e) && e.code === 'UNDEFINED_VAR') value = 'VARIABLE IS NOT DEFINED!';
        else throw e;
      }
      return Promise.resolve({ kind: 'ok', data: { [args.var]: value } });
    }
    const msg = args.msg === undefined ? 'Hello world!' : args.msg;
    return Promise.resolve({ kind: 'ok', ...(typeof msg === 'string' ? { msg } : {}), data: { msg } });
  },
});
