/** Global functions of Jinja2 expressions: range(), dict(), and lookup()/query() (not yet). */
import { BosunError } from '../../errors.js';
import { kind } from './values.js';

/** The most items `range` makes, as the Handlebars helper. */
const RANGE_LIMIT = 1_000_000;

function int(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return Number(v);
  throw new Error(`${what} must be an integer, got ${kind(v)}`);
}

export function callFunction(name: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  switch (name) {
    case 'range': {
      const [a, b, c] = args;
      const start = b === undefined ? 0 : int(a, 'range start');
      const stop = b === undefined ? int(a, 'range stop') : int(b, 'range stop');
      const step = c === undefined ? 1 : int(c, 'range step');
      if (step === 0) throw new Error('range step must not be zero');
      const count = Math.max(0, Math.ceil((stop - start) / step));
      if (count > RANGE_LIMIT) throw new Error(`range of ${count} items is over the limit of ${RANGE_LIMIT}`);
      return Array.from({ length: count }, (_, i) => start + i * step);
    }
    case 'dict':
      return { ...kwargs };
    case 'lookup':
    case 'query':
    case 'q':
      throw new BosunError('TEMPLATE_RENDER', `${name}() is not supported yet in Jinja2 expressions`, {
        hint: 'read the value in a task instead (slurp, command with register) or pass it as a variable',
      });
    default:
      throw new Error(`unknown function '${name}' (bosun has range(), dict())`);
  }
}
