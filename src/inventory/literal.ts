/**
 * Inline INI host values are read like Ansible reads them (Python's
 * `ast.literal_eval`): numbers, booleans, None, quoted strings, lists, tuples
 * and dicts become typed values; anything else stays the string it was.
 * `true`/`false` are booleans too (Ansible later treats them as such anyway).
 */

class NotALiteral extends Error {}

/** Interpret an INI inline value as a literal, or return it unchanged as a string. */
export function parseLiteral(text: string): unknown {
  const parser = new LiteralParser(text);
  try {
    parser.skipSpace();
    const value = parser.value();
    parser.skipSpace();
    if (!parser.atEnd()) return text;
    return value;
  } catch (e) {
    if (e instanceof NotALiteral) return text;
    throw e;
  }
}

const NUMBER_TOKEN = /^[-+]?\.?[0-9][0-9a-zA-Z_.]*(?:(?<=[eE])[-+][0-9_]+)?/;
const DIGITS = '[0-9](?:_?[0-9])*';
const INTEGER = new RegExp(
  `^(?:[1-9](?:_?[0-9])*|0(?:_?0)*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)$`,
);
const FLOAT = new RegExp(`^(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][-+]?${DIGITS})?$`);

class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  value(): unknown {
    const ch = this.text[this.pos];
    if (ch === undefined) throw new NotALiteral();
    if (ch === '[') return this.sequence(']');
    if (ch === '(') return this.sequence(')');
    if (ch === '{') return this.mapping();
    if (ch === '"' || ch === "'") return this.string(ch);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (word !== undefined) {
      this.pos += word.length;
      if (word === 'True' || word === 'true') return true;
      if (word === 'False' || word === 'false') return false;
      if (word === 'None') return null;
      throw new NotALiteral();
    }
    return this.number();
  }

  private number(): number {
    const raw = NUMBER_TOKEN.exec(this.text.slice(this.pos))?.[0];
    if (raw === undefined) throw new NotALiteral();
    const negative = raw.startsWith('-');
    const unsigned = raw.replace(/^[-+]/, '');
    let value: number;
    if (INTEGER.test(unsigned)) {
      value = Number(unsigned.replace(/_/g, ''));
      if (!Number.isSafeInteger(value)) throw new NotALiteral();
    } else if (FLOAT.test(unsigned) && /[.eE]/.test(unsigned)) {
      value = Number(unsigned.replace(/_/g, ''));
    } else {
      throw new NotALiteral(); // 0644, 1.2.3, 10.0.0.1, 12abc: Python rejects them too, so they stay strings
    }
    this.pos += raw.length;
    return negative ? -value : value;
  }

  private string(quote: string): string {
    let out = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++]!;
      if (ch === quote) return out;
      if (ch === '\\') {
        const next = this.text[this.pos++];
        if (next === undefined) break;
        out +=
          ({ n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[next] ??
          `\\${next}`;
      } else {
        out += ch;
      }
    }
    throw new NotALiteral();
  }

  private sequence(close: string): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) throw new NotALiteral();
    }
  }

  private mapping(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const key = this.value();
      if (typeof key === 'object' && key !== null) throw new NotALiteral();
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw new NotALiteral();
      this.pos++;
      this.skipSpace();
      out[String(key)] = this.value();
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') throw new NotALiteral();
    }
  }
}
