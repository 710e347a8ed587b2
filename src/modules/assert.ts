/**
 * `assert`: check that expressions are true; the first false one fails the
 * task and is named in the message.
 */
import { notBoth } from './lib/schema.js';
import { defineModule } from './types.js';
import { boolSchema } from './lib/bool.js';
import { toText } from '../template/values.js';

/** Arguments of `assert`. */
export interface AssertArgs {
  that: Assertion | Assertion[];
  fail_msg?: unknown;
  msg?: unknown;
  success_msg?: unknown;
  quiet?: boolean | string;
}

/** One `that:` entry: an expression, or a YAML boolean, number or null (as Ansible: null and '' hold, a boolean is itself). */
export type Assertion = string | boolean | number | null;

/** The `assert` module. */
export default defineModule<AssertArgs>({
  name: 'assert',
  docs: {
    short: 'Fail unless every expression is true',
    description:
      'Each expression is a condition without braces, as in `when`. The message names the first one that is false.',
  },
  rawArgs: ['that'],
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: {
        type: ['string', 'boolean', 'number', 'null', 'array'],
        items: { type: ['string', 'boolean', 'number', 'null'] },
        description:
          'Expression or list of expressions, all of which must be true (a YAML boolean is itself; null and an empty string hold)',
      },
      fail_msg: { description: 'Message when an assertion fails' },
      msg: { description: 'Alias of fail_msg' },
      success_msg: { description: 'Message when all assertions pass' },
      quiet: boolSchema('Print less (accepted; output is already short)', false),
    },
    ...notBoth('fail_msg', 'msg'),
  },
  decide(ctx, args) {
    const list = Array.isArray(args.that) ? args.that : [args.that];
    for (const assertion of list) {
      if (!holds(assertion, (expr) => ctx.isTruthy(ctx.evaluate(expr)))) {
        const custom = args.fail_msg ?? args.msg;
        const msg =
          custom === undefined
            ? `Assertion failed: ${String(assertion)}`
            : typeof custom === 'string'
              ? custom
              : JSON.stringify(custom);
        return Promise.resolve({ kind: 'fail', msg, data: { assertion, evaluated_to: false, msg } });
      }
    }
    const msg = args.success_msg === undefined ? 'All assertions passed' : toText(args.success_msg);
    return Promise.resolve({ kind: 'ok', msg, data: { msg } });
  },
});

/** Whether one `that:` entry holds, as Ansible's evaluate_conditional decides for non-strings. */
function holds(assertion: Assertion, evaluate: (expr: string) => boolean): boolean {
  if (assertion === null) return true;
  if (typeof assertion === 'boolean') return assertion;
  if (typeof assertion === 'number') return assertion !== 0;
  const expr = assertion.trim();
  if (expr === '') return true;
  // YAML 1.1 booleans (which bosun's YAML 1.2 reads as strings), as `when:` takes them.
  if (/^(yes|on|true)$/i.test(expr)) return true;
  if (/^(no|off|false)$/i.test(expr)) return false;
  return evaluate(expr);
}
