/**
 * Host ranges, as in Ansible inventories: `node[01:20]` (zero padding kept),
 * `node[1:10:2]` (stride), `web[a:f]` (letters), several ranges in one name.
 */
import { isIP } from 'node:net';
import { BosunError, type SourcePos } from '../errors.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

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
  let pos = 0;
  while (pos < name.length) {
    const open = name.indexOf('[', pos);
    const stray = name.indexOf(']', pos);
    if (stray >= 0 && (open < 0 || stray < open)) throw rangeError(name, stray, 'a "]" without its "["', at);
    if (open < 0) break;
    const close = name.indexOf(']', open);
    if (close < 0) throw rangeError(name, open, 'unterminated range: expected "]"', at);
    parts.push([name.slice(pos, open)]);
    parts.push(rangeValues(name.slice(open + 1, close), (msg) => rangeError(name, open, msg, at)));
    pos = close + 1;
  }
  parts.push([name.slice(pos)]);
  let out = [''];
  for (const choices of parts) out = out.flatMap((prefix) => choices.map((c) => prefix + c));
  return out;
}

function rangeValues(body: string, fail: (msg: string) => BosunError): string[] {
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
  const b = Number(beg);
  const e = Number(end);
  if (b > e) throw fail(`host range [${body}]: begin must not be greater than end`);
  const out: string[] = [];
  for (let i = b; i <= e; i += step) out.push(width ? String(i).padStart(width, '0') : String(i));
  return out;
}

function rangeError(whole: string, index: number, message: string, at: SourcePos | undefined): BosunError {
  const source = at ? { file: at.file, line: at.line, col: at.col + index } : undefined;
  return new BosunError('INVENTORY', `${message} (in host '${whole}')`, source ? { source } : {});
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
