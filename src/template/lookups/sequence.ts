/**
 * The `sequence` lookup (and `with_sequence`): `[start-]end[/stride][:format]`
 * or `start= end= count= stride= format=`, each number as Python's
 * `int(text, 0)`, formatted with Python's `%`, quirks included.
 */
import { BosunError } from '../../errors.js';
import { parseKeyValues } from '../../util/arg-string.js';
import { LookupError } from './types.js';

const HINT =
  'sequence takes start=N end=N (or count=N), stride=N, format=%d, or the short form [start-]end[/stride][:format]';

/** parse_kv of a term; a quoting error is the lookup's. */
function keyValues(term: string): { values: Record<string, string>; rest: string[] } {
  try {
    return parseKeyValues(term, { file: '<sequence>', line: 1, col: 1 });
  } catch (err) {
    if (err instanceof BosunError) throw new LookupError(err.message, HINT);
    throw err;
  }
}

const NUM = '(0?x?[0-9a-f]+)';
const SHORTCUT = new RegExp(`^(${NUM}-)?${NUM}(/${NUM})?(:(.+))?$`, 'is');

/** Python's int(text, 0): decimal without leading zeros, 0x, 0o, 0b. */
function pyInt(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  const m = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0+))$/.exec(t);
  if (!m) return undefined;
  const n =
    m[2] !== undefined
      ? parseInt(m[2], 16)
      : m[3] !== undefined
        ? parseInt(m[3], 8)
        : m[4] !== undefined
          ? parseInt(m[4], 2)
          : parseInt(m[5]!, 10);
  return m[1] === '-' ? -n : n;
}

/** One with_sequence term: `[start-]end[/stride][:format]` or `start= end= count= stride= format=`. */
export function sequence(term: string): string[] {
  const fail = (msg: string): never => {
    throw new LookupError(msg, HINT);
  };
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const num = (name: string, raw: string): number => pyInt(raw) ?? fail(`can't parse ${name}=${raw} as integer`);
  const short = SHORTCUT.exec(term);
  if (short) {
    if (short[2] !== undefined) start = num('start', short[2]);
    end = num('end', short[3]!);
    if (short[5] !== undefined) stride = num('stride', short[5]);
    if (short[7] !== undefined) format = short[7];
  } else {
    const { values, rest } = keyValues(term);
    if (rest.length) fail(`unrecognized arguments to with_sequence: ['_raw_params']`);
    for (const [k, v] of Object.entries(values)) {
      if (k === 'start') start = num(k, v);
      else if (k === 'end') end = num(k, v);
      else if (k === 'count') count = num(k, v);
      else if (k === 'stride') stride = num(k, v);
      else if (k === 'format') format = v;
      else
        fail(
          `unrecognized arguments to with_sequence: [${Object.keys(values)
            .filter((x) => !['start', 'end', 'count', 'stride', 'format'].includes(x))
            .map((x) => `'${x}'`)
            .join(', ')}]`,
        );
    }
  }
  if (count === undefined && end === undefined) fail('must specify count or end in with_sequence');
  if (count !== undefined && end !== undefined) fail("can't specify both count and end in with_sequence");
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1;
    else [start, end, stride] = [0, 0, 0];
  }
  const last = end!;
  if (stride > 0 && last < start) fail('to count backwards make stride negative');
  if (stride < 0 && last > start) fail("to count forward don't make stride negative");
  if (format.split('%').length - 1 !== 1) fail(`bad formatting string: ${format}`);
  if (stride === 0) return [];
  const out: string[] = [];
  // Python's range(start, end + adjust, stride).
  const stop = last + (stride > 0 ? 1 : -1);
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(printf(format, i));
  return out;
}

/** Python's `format % i` for a format with one conversion. */
function printf(format: string, n: number): string {
  const m = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrs])/.exec(format);
  if (!m) throw new LookupError(`problem formatting ${n} with '${format}'`);
  const [whole, flags = '', width, precision, conv] = m;
  let body: string;
  const abs = Math.abs(n);
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
      body = String(abs);
      break;
    case 'o':
      body = (flags.includes('#') ? '0o' : '') + abs.toString(8);
      break;
    case 'x':
      body = (flags.includes('#') ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (flags.includes('#') ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'f':
    case 'F':
      body = abs.toFixed(precision === undefined ? 6 : Number(precision));
      break;
    case 'e':
    case 'E': {
      // toExponential always writes `<mantissa>e<sign><digits>`.
      const [mant, exp] = abs.toExponential(precision === undefined ? 6 : Number(precision)).split('e') as [
        string,
        string,
      ];
      body = `${mant}e${exp.startsWith('-') ? '-' : '+'}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
      if (conv === 'E') body = body.toUpperCase();
      break;
    }
    case 'g':
    case 'G':
      body = String(abs);
      break;
    case 'c':
      body = String.fromCodePoint(n);
      break;
    default:
      body = String(abs);
  }
  const numeric = conv !== 'c' && conv !== 's' && conv !== 'r';
  const sign = numeric ? (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') : n < 0 ? '-' : '';
  if ((conv === 's' || conv === 'r') && precision !== undefined) body = body.slice(0, Number(precision));
  let text = sign + body;
  const w = width === undefined ? 0 : Number(width);
  if (text.length < w) {
    if (flags.includes('-')) text = text.padEnd(w);
    else if (flags.includes('0') && numeric) text = sign + body.padStart(w - sign.length, '0');
    else text = text.padStart(w);
  }
  return format.replace(whole, () => text);
}
