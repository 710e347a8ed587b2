/**
 * `assert`: check that expressions are true; the first false one fails the
 * task and is named in the message.
 */
import { notBoth } from './lib/schema.js';
import { defineModule } from './types.js';
import { boolSchema } from './lib/bool.js';

/** Arguments of `assert`. */
export interface AssertArgs {
  that: string | string[];
  fail_msg?: unknown;
  msg?: unknown;
  success_msg?: unknown;
  quiet?: boolean | string;
}

/** The `assert` module. */
export default defineModule<AssertArgs>({
  name: 'assert',
  docs: {
    short: 'Fail unless every expression is true',
    description: 'Each expression is a condition without braces, as in `when`. The message names the first one that is false.',
  },
  rawArgs: ['that'],
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: { type: ['string', 'array'], items: { type: 'string' }, description: 'Expression or list of expressions, all of which must be true' },
      fail_msg: { description: 'Message when an assertion fails' },
      msg: { description: 'Alias of fail_msg' },
      success_msg: { description: 'Message when all assertions pass' },
      quiet: boolSchema('Print less (accepted; output is already short)', false),
    },
    ...notBoth('fail_msg', 'msg'),
  },
  async decide(ctx, args) {
    const list = Array.isArray(args.that) ? args.that : [args.that];
    for (const assertion of list) {
      if (!ctx.isTruthy(ctx.evaluate(assertion))) {
        const custom = args.fail_msg ?? args.msg;
        const msg = custom === undefined ? `Assertion failed: ${assertion}` : typeof custom === 'string' ? custom : JSON.stringify(custom);
        return { kind: 'fail', msg, data: { assertion, evaluated_to: false, msg } };
      }
    }
    const msg = args.success_msg === undefined ? 'All assertions passed' : String(args.success_msg);
    return { kind: 'ok', msg, data: { msg } };
  },
});
