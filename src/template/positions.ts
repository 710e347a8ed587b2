/**
 * Positions: from a Handlebars AST location to a place in the user's file,
 * and the one rewrite of the template text (`a.0` -> `a.[0]`) whose shifted
 * columns must be mapped back.
 */
import type { SourcePos } from '../errors.js';

/** Where, in the rewritten text, characters were inserted: line -> 0-based columns. */
export type Insertions = ReadonlyMap<number, readonly number[]>;

/** How to map a location of a parsed template back to the user's file. */
export interface PosContext {
  /** Start of the YAML value, or line 1 col 1 of a template file. */
  source: SourcePos | undefined;
  inserted: Insertions;
  /** Characters the engine added in front of line 1 (`{{` around a condition). */
  colShift: number;
}

const DELIMITER = /[\s(={}|~]/;

/** The helper that `{{ (expr) }}` is rewritten to call (Handlebars 4.7 wants a helper name first). */
export const VALUE_HELPER = '__bosun_value';

/**
 * Two rewrites of the template text, inside mustaches and outside string
 * literals: Handlebars reads `a.0` at the end of a path as the number `.0`, so
 * it becomes `a.[0]`; and `{{ (expr) }}` becomes `{{ __bosun_value (expr) }}`.
 */
export function rewriteTemplate(text: string): { text: string; inserted: Insertions } {
  const inserted = new Map<number, number[]>();
  if (!/[\w\]]\.\d/.test(text) && !/\{\{[{~]?\s*\(/.test(text)) return { text, inserted };
  let out = '';
  let line = 1;
  let col = 0;
  let inMustache = false;
  let quote = '';
  const emit = (s: string): void => {
    for (const ch of s) {
      out += ch;
      if (ch === '\n') {
        line += 1;
        col = 0;
      } else col += 1;
    }
  };
  const mark = (): void => {
    const cols = inserted.get(line) ?? [];
    cols.push(col);
    inserted.set(line, cols);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!inMustache) {
      if (ch === '{' && text[i + 1] === '{') {
        inMustache = true;
        const open = /^\{\{\{?~?\s*/.exec(text.slice(i))![0];
        emit(open);
        i += open.length - 1;
        if (text[i + 1] === '(') {
          for (const c of `${VALUE_HELPER} `) {
            mark();
            emit(c);
          }
        }
        continue;
      }
      emit(ch);
      continue;
    }
    if (quote) {
      if (ch === quote) quote = '';
      emit(ch);
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '}' && text[i + 1] === '}') inMustache = false;
    else if (ch === '.' && /[\w\]]/.test(text[i - 1] ?? '')) {
      const digits = /^\d+/.exec(text.slice(i + 1))?.[0];
      const after = text[i + 1 + (digits?.length ?? 0)];
      let start = i - 1;
      while (start >= 0 && !DELIMITER.test(text[start]!)) start--;
      const token = text.slice(start + 1, i);
      if (digits && (after === undefined || /[~}\s)]/.test(after)) && !/^-?\d/.test(token)) {
        emit('.');
        mark();
        emit(`[${digits}`);
        mark();
        emit(']');
        i += digits.length;
        continue;
      }
    }
    emit(ch);
  }
  return { text: out, inserted };
}

/** A Handlebars location (1-based line, 0-based column) as a position in the user's file. */
export function toSourcePos(line: number, column: number, ctx: PosContext): SourcePos | undefined {
  if (!ctx.source) return undefined;
  const shifts = ctx.inserted.get(line);
  let col = column - (shifts ? shifts.filter((c) => c < column).length : 0);
  if (line === 1) col = Math.max(0, col - ctx.colShift);
  if (line === 1) return { file: ctx.source.file, line: ctx.source.line, col: ctx.source.col + col };
  return { file: ctx.source.file, line: ctx.source.line + line - 1, col: col + 1 };
}
