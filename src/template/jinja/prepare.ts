/**
 * The first read of Jinja2 text, before nunjucks' parser sees it: fixes and
 * rules nunjucks does not have, applied by rewriting the text so that its line
 * count stays (error positions stay right; inserted characters are recorded
 * and mapped back out, see positions.ts):
 * - string literals are read with Python's rules (nunjucks' lexer drops
 *   backslashes: `'\d'` -> `'d'`) and put back into the AST by position;
 * - `item.0` -> `item[0]` and `x is sameas false` -> `x is sameas(false)`;
 * - Jinja2's whitespace rules as Ansible sets them (trim_blocks, lstrip_blocks,
 *   `{%+` and `+%}`; nunjucks' own options differ: they skip comments): the
 *   newline after a block or comment tag is moved inside the tag, and the
 *   indentation before one is moved after its opening, where the lexer skips
 *   both;
 * - `{% raw %}` bodies are copied as they are;
 * - other delimiters (`variable_start_string` and the rest) are read where the
 *   defaults are (nunjucks' lexer takes the same ones).
 */

import type { Insertions } from '../positions.js';

export const KEYWORDS = new Set(['and', 'or', 'if', 'else', 'not', 'in', 'is']);

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/** A string literal's body with Python's escapes (an unknown escape such as `\d` keeps its backslash). */
export function decodePythonString(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1]!;
    const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex && /^[0-9a-fA-F]+$/.test(body.slice(i + 2, i + 2 + hex)) && body.length >= i + 2 + hex) {
      out += String.fromCodePoint(Number.parseInt(body.slice(i + 2, i + 2 + hex), 16));
      i += 1 + hex;
    } else if (next in ESCAPES) {
      out += ESCAPES[next]!;
      i += 1;
    } else out += ch;
  }
  return out;
}

export interface Prepared {
  text: string;
  inserted: Map<number, number[]>;
  /** Decoded string literals by `line:col` (0-based, as nunjucks counts) of their opening quote. */
  strings: Map<string, string>;
  /** Positions (`line:col`, 0-based) of the digits after a `[` that was written as `.` (`item.0`). */
  dotDigits: Set<string>;
}

/** Jinja2's delimiters (the template module's block_start_string and the rest), by nunjucks' lexer names. */
export interface Delimiters {
  blockStart: string;
  blockEnd: string;
  variableStart: string;
  variableEnd: string;
  commentStart: string;
  commentEnd: string;
}

export const DEFAULT_DELIMITERS: Readonly<Delimiters> = {
  blockStart: '{%',
  blockEnd: '%}',
  variableStart: '{{',
  variableEnd: '}}',
  commentStart: '{#',
  commentEnd: '#}',
};

/** A text's characters for a regular expression. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type TagKind = 'variable' | 'block' | 'comment';

/** How a text is read: Jinja2 environment settings that change the text before parsing. */
export interface PrepareOptions {
  /** Strings inside `{{ }}` keep their backslashes as written (a YAML value, as Ansible templates one). */
  verbatim: boolean;
  /** The newline after a block or comment tag is dropped (Ansible's default: true). */
  trimBlocks: boolean;
  /** Spaces and tabs from the start of a line to a block or comment tag are dropped (default false). */
  lstripBlocks: boolean;
  /** Other delimiters than `{{ }}`, `{% %}` and `{# #}`. */
  delimiters?: Delimiters;
}

/**
 * Read the text once: decode string literals, rewrite `a.0` -> `a[0]` and `is test arg` -> `is test(arg)` inside tags,
 * outside strings; apply the whitespace rules; copy raw bodies.
 */
export function prepare(text: string, opts: PrepareOptions): Prepared {
  const verbatim = opts.verbatim;
  const d = opts.delimiters ?? DEFAULT_DELIMITERS;
  // The openers, longest first (as Jinja2's lexer tries them).
  const openers = (
    [
      ['variable', d.variableStart, d.variableEnd],
      ['block', d.blockStart, d.blockEnd],
      ['comment', d.commentStart, d.commentEnd],
    ] as Array<[TagKind, string, string]>
  ).sort((a, b) => b[1].length - a[1].length);
  const rawOpen = new RegExp(`^[-+]?\\s*raw\\s*(-?)${escapeRe(d.blockEnd)}`);
  const rawEnd = new RegExp(`${escapeRe(d.blockStart)}-?\\s*endraw\\s*-?${escapeRe(d.blockEnd)}`, 'g');
  const inserted = new Map<number, number[]>();
  const strings = new Map<string, string>();
  const quotedAt = new Set<string>(); // dotDigits
  let out = '';
  let line = 0;
  let col = 0;
  const emit = (s: string): void => {
    for (const ch of s) {
      out += ch;
      if (ch === '\n') {
        line += 1;
        col = 0;
      } else col += 1;
    }
  };
  const insert = (s: string): void => {
    for (const ch of s) {
      const cols = inserted.get(line + 1) ?? [];
      cols.push(col);
      inserted.set(line + 1, cols);
      emit(ch);
    }
  };
  let close = '';
  let kind: TagKind | '' = '';
  // Open `{` of dict literals inside a tag: their `}}` is no end of the tag (`{{ {'a': {'b': 1}} }}`).
  let braces = 0;
  // `x[a:b:c]` -> `x[__slice__(a,b,c)]` (nunjucks has no slices): the colons and the closing bracket to rewrite.
  const sliceColons = new Set<number>();
  const sliceCloses = new Set<number>();
  const emptyPartAt = (j: number): boolean => /^\s*[:\]]/.test(text.slice(j));
  /** Emit the end of a block or comment tag at `i`; with trim_blocks the newline after it goes before it. */
  const closeTag = (tag: string, i: number, stripped: boolean): number => {
    const nl = /^\r?\n/.exec(text.slice(i + tag.length))?.[0];
    if (opts.trimBlocks && !stripped && nl) {
      emit(nl);
      insert(tag);
      return i + tag.length - 1 + nl.length;
    }
    emit(tag);
    return i + tag.length - 1;
  };
  /** Copy a `{% raw %}` tag (its rest from `from`, `len` characters) and its body as they are; the index of the last character used. */
  const copyRaw = (from: number, len: number): number => {
    const body = rawEnd;
    body.lastIndex = from + len;
    const m = body.exec(text);
    if (!m) throw new PrepareError('Jinja2 syntax error: {% raw %} without {% endraw %}', line + 1, col);
    const head = text.slice(from, from + len - d.blockEnd.length);
    emit(head);
    close = '';
    kind = '';
    closeTag(d.blockEnd, from + len - d.blockEnd.length, head.endsWith('-'));
    const afterOpen =
      from +
      len +
      (opts.trimBlocks && !head.endsWith('-') ? (/^\r?\n/.exec(text.slice(from + len))?.[0].length ?? 0) : 0);
    emit(text.slice(afterOpen, m.index + m[0].length));
    // nunjucks steps back over `{% endraw %}` and cannot step back over a newline: a trimmed one goes into a comment.
    const end = m.index + m[0].length;
    const nl = /^\r?\n/.exec(text.slice(end))?.[0];
    if (!opts.trimBlocks || m[0].endsWith(`-${d.blockEnd}`) || !nl) return end - 1;
    insert(d.commentStart);
    emit(nl);
    insert(d.commentEnd);
    return end - 1 + nl.length;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!close) {
      const opener = openers.find(([, open]) => text.startsWith(open, i));
      if (opener) {
        const two = opener[1];
        kind = opener[0];
        close = opener[2];
        const mark = text[i + two.length];
        let moved = '';
        if (kind !== 'variable' && opts.lstripBlocks && mark !== '+' && mark !== '-') {
          // The indentation before the tag, when nothing else precedes it on its line, goes inside the tag.
          // (Judged on the text as written: a trimmed newline moved before the previous tag's end is still a line start.)
          const lineStart = text.lastIndexOf('\n', i - 1) + 1;
          if (/^[ \t]+$/.test(text.slice(lineStart, i)) && out.endsWith(text.slice(lineStart, i))) {
            moved = text.slice(lineStart, i);
            out = out.slice(0, out.length - moved.length);
            col -= moved.length;
          }
        }
        emit(two);
        emit(moved);
        i += two.length - 1;
        if (kind === 'block' && mark === '+') {
          emit(' ');
          i += 1;
        }
        if (kind === 'block') {
          const raw = rawOpen.exec(text.slice(i + 1));
          if (raw) i = copyRaw(i + 1, raw[0].length);
        }
        continue;
      }
      emit(ch);
      continue;
    }
    if (kind === 'comment') {
      if (text.startsWith(close, i)) {
        const tag = close;
        close = '';
        kind = '';
        i = closeTag(tag, i, text[i - 1] === '-');
      } else emit(ch);
      continue;
    }
    // A trailing comma in a list or dict literal (`{'a': 1,}`, `[1, 2,]`), which nunjucks cannot read: a space.
    if ((ch === '}' && braces > 0) || ch === ']') {
      const m = /,(\s*)$/.exec(out);
      if (m) out = `${out.slice(0, out.length - m[0].length)} ${m[1]!}`;
    }
    if (ch === '{') braces++;
    if (ch === '}' && braces > 0) {
      braces--;
      emit('}');
      if (text[i + 1] === '}') insert(' ');
      continue;
    }
    if (text.startsWith(close, i) || ((text[i] === '-' || text[i] === '+') && text.startsWith(close, i + 1))) {
      braces = 0;
      const tag = close;
      const wasVariable = kind === 'variable';
      close = '';
      kind = '';
      if (wasVariable || text[i] === '-') {
        const end = text[i] === '-' ? `-${tag}` : tag;
        emit(end);
        i += end.length - 1;
      } else if (text[i] === '+') {
        // `+%}`: this tag keeps the newline after it.
        emit(` ${tag}`);
        i += tag.length;
      } else i = closeTag(tag, i, false);
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) {
        emit(text.slice(i));
        throw new PrepareError('Jinja2 syntax error: a string is not closed (a missing quote?)', line + 1, col);
      }
      const body = text.slice(i + 1, j);
      // Ansible doubles the backslashes of strings inside {{ }} of a YAML value (_escape_backslashes): they stay as
      // written, so '\d' and '\1' need no second backslash; a backslash cannot escape the quote there.
      const asWritten = verbatim && kind === 'variable';
      if (asWritten && body.includes(`\\${ch}`)) {
        throw new PrepareError(
          `Jinja2 syntax error: inside {{ }} a backslash keeps its meaning as written and cannot escape ${ch} (use the other quote)`,
          line + 1,
          col,
        );
      }
      strings.set(`${line}:${col}`, asWritten ? body : decodePythonString(body));
      emit(text.slice(i, j + 1));
      i = j;
      continue;
    }
    if (ch === '[' && /[\w\])'"]/.test(text[i - 1] ?? '')) {
      const slice = sliceParts(text, i);
      if (slice) {
        emit('[');
        insert(`${SLICE}(`);
        if (emptyPartAt(i + 1)) insert('none');
        for (const c of slice.colons) sliceColons.add(c);
        sliceCloses.add(slice.close);
        continue;
      }
    }
    if (sliceColons.has(i)) {
      emit(',');
      if (emptyPartAt(i + 1)) insert('none');
      continue;
    }
    if (sliceCloses.has(i)) {
      insert(')');
      emit(']');
      continue;
    }
    // `item.0` -> `item[0]`, unless the dot is in a number (`1.5`).
    if (ch === '.' && /[\w\])]/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')) {
      const token = /[\w]*$/.exec(text.slice(0, i))![0];
      if (!/^\d/.test(token) || text[i - 1] === ']' || text[i - 1] === ')') {
        const digits = /^\d+/.exec(text.slice(i + 1))![0];
        quotedAt.add(`${line}:${col + 1}`);
        emit('[');
        emit(digits);
        insert(']');
        i += digits.length;
        continue;
      }
    }
    // `x is sameas false` -> `x is sameas(false)`: one argument without parentheses.
    if (ch === 'i' && text.startsWith('is', i) && !/\w/.test(text[i - 1] ?? '')) {
      const m = /^is(\s+not)?\s+(?!not\b)([A-Za-z_]\w*)(\s+)(?=(["'\w[({-]))/.exec(text.slice(i));
      if (m) {
        const word = /^[A-Za-z_]\w*/.exec(text.slice(i + m[0].length))?.[0];
        if (!word || !KEYWORDS.has(word)) {
          const arg = argumentEnd(text, i + m[0].length);
          if (arg > i + m[0].length) {
            emit(m[0].slice(0, -1));
            emit('(');
            // The argument is copied as is; a string inside it is recorded by the loop, so only simple ones here.
            const argText = text.slice(i + m[0].length, arg);
            if (/^["']/.test(argText)) {
              const body = argText.slice(1, -1);
              strings.set(`${line}:${col}`, verbatim && kind === 'variable' ? body : decodePythonString(body));
            }
            emit(argText);
            insert(')');
            i = arg - 1;
            continue;
          }
        }
      }
    }
    emit(ch);
  }
  if (close) throw new PrepareError(`Jinja2 syntax error: the expression is not closed with ${close}`, line + 1, col);
  return { text: out, inserted, strings, dotDigits: quotedAt };
}

/** A problem found before parsing, at the end of the text read so far (1-based line, 0-based column). */
export class PrepareError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    readonly inserted: Insertions = new Map(),
  ) {
    super(message);
  }
}

/** The function name a slice is rewritten to before nunjucks parses it. */
export const SLICE = '__slice__';

/** The `:` of a subscript opened at `open` and its closing `]` (undefined when it has no colon: no slice). */
function sliceParts(text: string, open: number): { colons: number[]; close: number } | undefined {
  const colons: number[] = [];
  let depth = 0;
  for (let j = open + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"' || c === "'") {
      j++;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === '}' || (c === ']' && depth > 0)) depth--;
    else if (c === ']') return colons.length && colons.length <= 2 ? { colons, close: j } : undefined;
    else if (c === ':' && depth === 0) colons.push(j);
    if (depth < 0) return undefined;
  }
  return undefined;
}

/** End of one simple argument (a string, a number, a dotted name, a negative number) at `start`. */
function argumentEnd(text: string, start: number): number {
  const rest = text.slice(start);
  const m = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/.exec(rest);
  return m ? start + m[0].length : start;
}
