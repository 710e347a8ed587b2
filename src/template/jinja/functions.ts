/** Global functions of Jinja2 expressions: range(), dict(), lookup(), query() and q(). */
import { BosunError } from '../../errors.js';
import { runLookup, type LookupHost } from '../lookups/index.js';
import { kind } from './values.js';

/** What lookup() needs from the evaluation; absent where no lookups can run (outside the engine). */
export interface FunctionContext {
  lookupHost(): LookupHost;
  warn(message: string): void;
}

/** The most items `range` makes, as the Handlebars helper. */
const RANGE_LIMIT = 1_000_000;

function int(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return Number(v);
  throw new Error(`${what} must be an integer, got ${kind(v)}`);
}

/** Call a global function. */
export function callFunction(
  name: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  ctx?: FunctionContext,
): unknown {
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
    case 'q': {
      if (!ctx) throw new BosunError('TEMPLATE_RENDER', `${name}() cannot run here`);
      const [plugin, ...terms] = args;
      return runLookup(plugin, terms, kwargs, ctx.lookupHost(), {
        query: name !== 'lookup',
        warn: (message) => ctx.warn(message),
      });
    }
    default:
      throw new Error(`unknown function '${name}' (bosun has range(), dict(), lookup(), query(), q())`);
  }
}
