/**
 * Host ranges, as in Ansible inventories: `node[01:20]` (zero padding kept),
 * `node[1:10:2]` (stride), `web[a:f]` (letters), several ranges in one name.
 * One name makes at most `BOSUN_MAX_HOST_RANGE` hosts (default 10000): the
 * count is worked out before anything is expanded, so a typo such as
 * `node[0:999999999]` is an error at its `[` instead of a controller out of memory.
 */
import { isIP } from 'node:net';
import { BosunError, type SourcePos } from '../errors.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The most hosts one inventory name may expand to unless BOSUN_MAX_HOST_RANGE says otherwise. */
export const DEFAULT_MAX_HOST_RANGE = 10_000;

/** The limit in force: BOSUN_MAX_HOST_RANGE when set, else the default. */
function maxHostRange(): bigint {
  const env = process.env['BOSUN_MAX_HOST_RANGE'];
  if (env === undefined || env === '') return BigInt(DEFAULT_MAX_HOST_RANGE);
  if (!/^[0-9]+$/.test(env) || BigInt(env) < 1n)
    throw new BosunError('BAD_OPTION', `BOSUN_MAX_HOST_RANGE must be a positive integer, not '${env}'`);
  return BigInt(env);
}

/** True if a host name contains a `[...]` range to expand. */
export function hasHostRange(name: string): boolean {
  return name.includes('[');
}

/**
 * Expand every range in `name`, in order. `at` is the position of the name's
 * first character: errors point at the offending `[`.
 */
export function expandHostRange(name: string, at?: SourcePos): string[] {
  // Split into literal parts and ranges first, so that every error points into the name as written.
  const parts: string[][] = [];
  const limit = maxHostRange();
  let total = 1n;
  let pos = 0;
  while (pos < name.length) {
    const open = name.indexOf('[', pos);
    const stray = name.indexOf(']', pos);
    if (stray >= 0 && (open < 0 || stray < open)) throw rangeError(name, stray, 'a "]" without its "["', at);
    if (open < 0) break;
    const close = name.indexOf(']', open);
    if (close < 0) throw rangeError(name, open, 'unterminated range: expected "]"', at);
    parts.push([name.slice(pos, open)]);
    const body = name.slice(open + 1, close);
    const fail = (msg: string): BosunError => rangeError(name, open, msg, at);
    const withinLimit = (count: bigint): void => {
      const makes = total === 1n ? 'makes' : 'takes the name to';
      total *= count;
      if (total > limit)
        throw rangeError(
          name,
          open,
          `host range [${body}] ${makes} ${total} hosts, more than the limit of ${limit}`,
          at,
          {
            hint: 'a typo in the range? To allow more hosts per name, set BOSUN_MAX_HOST_RANGE (see docs/inventory.md)',
          },
        );
    };
    parts.push(rangeValues(body, fail, withinLimit));
    pos = close + 1;
  }
  parts.push([name.slice(pos)]);
  let out = [''];
  for (const choices of parts) out = out.flatMap((prefix) => choices.map((c) => prefix + c));
  return out;
}

/** The values of one range; `withinLimit` hears how many there are before any is made. */
function rangeValues(body: string, fail: (msg: string) => BosunError, withinLimit: (count: bigint) => void): string[] {
  const bounds = body.split(':');
  if (bounds.length !== 2 && bounds.length !== 3)
    throw fail(`host range [${body}] must be [begin:end] or [begin:end:step]`);
  const beg = bounds[0] === '' ? '0' : bounds[0]!;
  const end = bounds[1]!;
  if (end === '') throw fail(`host range [${body}] must give an end value`);
  let step = 1;
  if (bounds.length === 3) {
    if (!/^[0-9]+$/.test(bounds[2]!) || Number(bounds[2]) < 1)
      throw fail(`host range [${body}]: the step must be a positive integer`);
    step = Number(bounds[2]);
  }
  if (/^[a-zA-Z]$/.test(beg) && /^[a-zA-Z]$/.test(end)) {
    const b = LETTERS.indexOf(beg);
    const e = LETTERS.indexOf(end);
    if (b > e) throw fail(`host range [${body}]: begin must come before end`);
    withinLimit(BigInt(Math.floor((e - b) / step) + 1));
    const out: string[] = [];
    for (let i = b; i <= e; i += step) out.push(LETTERS[i]!);
    return out;
  }
  if (!/^[0-9]+$/.test(beg) || !/^[0-9]+$/.test(end)) {
    throw fail(`host range [${body}]: expected numbers ([1:9]) or single letters ([a:f])`);
  }
  const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
  if (width && end.length !== width)
    throw fail(`host range [${body}]: a zero-padded begin needs an end of the same width`);
  // BigInt: the bounds may have more digits than a double holds exactly.
  const b = BigInt(beg);
  const e = BigInt(end);
  const stride = BigInt(step);
  if (b > e) throw fail(`host range [${body}]: begin must not be greater than end`);
  withinLimit((e - b) / stride + 1n);
  const out: string[] = [];
  for (let i = b; i <= e; i += stride) out.push(width ? String(i).padStart(width, '0') : String(i));
  return out;
}

function rangeError(
  whole: string,
  index: number,
  message: string,
  at: SourcePos | undefined,
  extra: { hint?: string } = {},
): BosunError {
  const source = at ? { file: at.file, line: at.line, col: at.col + index } : undefined;
  return new BosunError('INVENTORY', `${message} (in host '${whole}')`, { ...extra, ...(source ? { source } : {}) });
}

/** Host names from one inventory entry (`node[1:3]:2222`, `[::1]:22`, `db.example.com`), with its port if any. */
export function parseHostEntry(entry: string, at?: SourcePos): { names: string[]; port?: number } {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::([0-9]+))?$/.exec(entry);
  if (bracketed && isIP(bracketed[1]!) === 6) {
    return bracketed[2] === undefined
      ? { names: [bracketed[1]!] }
      : { names: [bracketed[1]!], port: Number(bracketed[2]) };
  }
  if (isIP(entry) === 6) return { names: [entry] };
  // The port follows the last ':' outside a range's brackets.
  let depth = 0;
  const colons: number[] = [];
  for (let i = 0; i < entry.length; i++) {
    if (entry[i] === '[') depth++;
    else if (entry[i] === ']') depth--;
    else if (entry[i] === ':' && depth === 0) colons.push(i);
  }
  let name = entry;
  let port: number | undefined;
  if (colons.length > 0) {
    const last = colons[colons.length - 1]!;
    const portText = entry.slice(last + 1);
    if (colons.length > 1 || !/^[0-9]+$/.test(portText) || Number(portText) > 65535) {
      const col = colons.length > 1 ? colons[0]! : last;
      throw new BosunError(
        'INVENTORY',
        `invalid host '${entry}': expected NAME or NAME:PORT (a port from 1 to 65535)`,
        at ? { source: { file: at.file, line: at.line, col: at.col + col } } : {},
      );
    }
    name = entry.slice(0, last);
    port = Number(portText);
  }
  if (name === '') {
    throw new BosunError('INVENTORY', `invalid host '${entry}': the host name is empty`, at ? { source: at } : {});
  }
  const names = hasHostRange(name) ? expandHostRange(name, at) : [name];
  return port === undefined ? { names } : { names, port };
}
