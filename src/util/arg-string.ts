/**
 * `key=value` argument strings (`copy: src=a dest=b`) and the free form of
 * `command`/`shell` (`command: ls -l creates=/x`), parsed as Ansible's
 * `split_args` and `parse_kv` (lib/ansible/parsing/splitter.py) do: words
 * split on spaces but kept together inside quotes and `{{ }}`/`{% %}`/`{# #}`,
 * escapes (`\n`, `\t`, `\\`, `\'`, `\"`, `\xHH`, `\uHHHH`, ...) decoded in
 * each word, and one pair of outer quotes taken off a value.
 */
import { BosunError, type SourcePos } from '../errors.js';

/** Options Ansible accepts inside a free-form command string (parse_kv with check_raw). */
const FREE_FORM_OPTIONS: ReadonlySet<string> = new Set([
  'creates',
  'removes',
  'chdir',
  'executable',
  'warn',
  'stdin',
  'stdin_add_newline',
  'strip_empty_ends',
]);

/**
 * Parse `key=value key2="quoted value"` (and a free-form remainder for
 * modules that take one, under the argument name `freeForm`). For a
 * free-form module only the command options above are taken as keys, and
 * the free form keeps the words as written (quotes and escapes included),
 * as Ansible does.
 */
export function parseArgString(
  text: string,
  freeForm: string | undefined,
  source: SourcePos,
  freeFormOptions: ReadonlySet<string> = FREE_FORM_OPTIONS,
): Record<string, unknown> {
  const words = splitArgs(text, source);
  const args: Record<string, unknown> = {};
  const raw: string[] = [];
  for (const word of words) {
    const decoded = decodeEscapes(word);
    const eq = unescapedEquals(decoded);
    if (eq < 0) {
      if (freeForm) raw.push(word);
      else raw.push(decoded.replace(/\\=/g, '='));
      continue;
    }
    const key = decoded.slice(0, eq).trim();
    if (freeForm && !freeFormOptions.has(key)) {
      raw.push(word);
      continue;
    }
    args[key] = unquote(decoded.slice(eq + 1).trim());
  }
  if (raw.length) {
    if (!freeForm) throw new BosunError('MODULE_ARGS', `expected key=value arguments, found '${raw[0]!}'`, { source });
    args[freeForm] = joinArgs(raw).trim();
  }
  return args;
}

/** Ansible's `parse_kv` without free form: every word must be `key=value`; returns the words that are not as `rest`. */
export function parseKeyValues(text: string, source: SourcePos): { values: Record<string, string>; rest: string[] } {
  const values: Record<string, string> = {};
  const rest: string[] = [];
  for (const word of splitArgs(text, source)) {
    const decoded = decodeEscapes(word);
    const eq = unescapedEquals(decoded);
    if (eq < 0) rest.push(decoded.replace(/\\=/g, '='));
    else values[decoded.slice(0, eq).trim()] = unquote(decoded.slice(eq + 1).trim());
  }
  return { values, rest };
}

/** Index of the first `=` after the first character that is not escaped, or -1 (parse_kv's search). */
function unescapedEquals(word: string): number {
  for (let i = 1; i < word.length; i++) if (word[i] === '=' && word[i - 1] !== '\\') return i;
  return -1;
}

const SINGLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Python's `unicode-escape` for the sequences parse_kv decodes; others (`\d`,
 * `\s`, `\.`) stay as written. So `regexp='\b'` is a backspace, as in Ansible;
 * write `'\\b'` for a word boundary.
 */
export function decodeEscapes(s: string): string {
  return s.replace(/\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\'"abfnrtv])/g, (_m, seq: string) => {
    if (seq.length === 1) return SINGLE_ESCAPES[seq]!;
    return String.fromCodePoint(parseInt(seq.slice(1), 16));
  });
}

/** Take one pair of matching outer quotes off (Ansible's `unquote`). */
export function unquote(s: string): string {
  const quoted =
    s.length > 1 && (s.startsWith('"') || s.startsWith("'")) && s.endsWith(s[0]!) && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

/** The quote still open after `token`, starting with `quote` open (Ansible's `_get_quote_state`). */
function quoteState(token: string, quote: string | undefined): string | undefined {
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    if ((c === '"' || c === "'") && (i === 0 || token[i - 1] !== '\\')) {
      if (quote) {
        if (c === quote) quote = undefined;
      } else quote = c;
    }
  }
  return quote;
}

function depthAfter(token: string, depth: number, open: string, close: string): number {
  const opened = token.split(open).length - 1;
  const closed = token.split(close).length - 1;
  return opened === closed ? depth : Math.max(0, depth + opened - closed);
}

/** Join words back the way `split_args` took them apart (Ansible's `join_args`). */
function joinArgs(words: string[]): string {
  let out = '';
  for (const w of words) out += out.length === 0 || out.endsWith('\n') ? w : ` ${w}`;
  return out;
}

/**
 * Split on spaces, keeping quoted spans and template blocks whole and
 * newlines inside them (Ansible's `split_args`, whose quirks are kept).
 */
export function splitArgs(text: string, source: SourcePos): string[] {
  const params: string[] = [];
  const lines = text.split('\n');
  let quote: string | undefined;
  let inside = false;
  let print = 0;
  let block = 0;
  let comment = 0;
  const append = (s: string): void => {
    if (params.length === 0) params.push(s);
    else params[params.length - 1] = params[params.length - 1]! + s;
  };
  for (const [lineIndex, line] of lines.entries()) {
    const tokens = line.split(' ');
    let continuation = false;
    for (const [idx, token] of tokens.entries()) {
      if (token.length === 0 && idx !== 0) {
        append(' ');
        continue;
      }
      if (token === '\\' && !inside) {
        continuation = true;
        continue;
      }
      const wasInside = inside;
      quote = quoteState(token, quote);
      inside = quote !== undefined;
      let appended = false;
      if (inside && !wasInside && !(print || block || comment)) {
        params.push(token);
        appended = true;
      } else if (print || block || comment || inside || wasInside) {
        if (idx === 0 && wasInside) append(token);
        else if (tokens.length > 1) append(`${idx > 0 ? ' ' : ''}${token}`);
        else append(`\n${token}`);
        appended = true;
      }
      const depths: Array<[number, (d: number) => void, string, string]> = [
        [print, (d) => (print = d), '{{', '}}'],
        [block, (d) => (block = d), '{%', '%}'],
        [comment, (d) => (comment = d), '{#', '#}'],
      ];
      for (const [before, set, open, close] of depths) {
        const after = depthAfter(token, before, open, close);
        set(after);
        if (after !== before && !appended) {
          params.push(token);
          appended = true;
        }
      }
      if (!(print || block || comment) && !inside && !appended && token !== '') params.push(token);
    }
    if (lines.length > 1 && lineIndex !== lines.length - 1 && !continuation && params.length)
      params[params.length - 1] = params[params.length - 1]! + '\n';
  }
  if (print || block || comment || inside) {
    throw new BosunError('MODULE_ARGS', 'cannot parse arguments: an unbalanced quote or {{ }} block', {
      source,
      hint: 'close the quote or the template, or quote the whole value',
    });
  }
  return params;
}
