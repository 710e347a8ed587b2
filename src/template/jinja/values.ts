/**
 * Python value rules for Jinja2 content: truthiness, text forms (`True`,
 * `None`, `[80, 443]`, `{'a': 1}`), the undefined value that is an error only
 * when used, and Ansible's literal-eval of rendered text.
 */
import { BosunError, type SourcePos } from '../../errors.js';
import { undefinedError } from '../resolve.js';
import { isPlainObject, isPythonTruthy, isTruthy } from '../values.js';

/** A value that is not there: an error as soon as it is used (Ansible's StrictUndefined). */
export class Undef {
  constructor(
    /** The path as written (`x.y`). */
    readonly name: string,
    readonly detail: string | undefined,
    readonly source: SourcePos | undefined,
    readonly hint?: string,
  ) {}

  /** The positioned UNDEFINED_VAR error, worded as the Handlebars path words it. */
  error(): BosunError {
    const err = undefinedError(this.name, this.detail, this.source);
    if (!this.hint) return err;
    return new BosunError(err.code, err.message, { source: err.source, hint: this.hint });
  }
}

/**
 * A variable whose value is a template that reads something undefined: undefined itself, as Ansible's lazy variables
 * are (`default` and `is defined` see it so), and the error of that read when it is used.
 */
export class FailedUndef extends Undef {
  constructor(
    name: string,
    source: SourcePos | undefined,
    private readonly cause: BosunError,
  ) {
    super(name, undefined, source);
  }

  override error(): BosunError {
    return this.cause;
  }
}

/**
 * A Python float whose value is a whole number (`2.0`, `4 / 2`, `3 | float`): JavaScript has one number type, so
 * such a float is boxed while an expression is evaluated, to print as Python prints it (`2.0`). Other floats (2.5)
 * are plain numbers. It never leaves the evaluator: filters, tests and methods get plain numbers, and a value that is
 * one such float renders as its text, as Ansible renders it.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A float result: boxed when it is a whole number. */
export function floatOf(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** True for a Python float (boxed, or a number with a fraction, or inf/nan). */
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** The plain value (a boxed float as its number). */
export function plain(v: unknown): unknown {
  return v instanceof PyFloat ? v.value : v;
}
/**
 * The value of an inline if whose condition is false and that has no else: Jinja2 makes it a plain Undefined
 * whatever the environment's undefined is, so it prints as '' and is false; any other use is still an error.
 */
export class EmptyUndef extends Undef {}

/** The value, or the undefined error when it is undefined. */
export function use(value: unknown): unknown {
  if (value instanceof Undef) throw value.error();
  return value;
}

/**
 * The value, or the undefined error when it is or holds an undefined value: a list made by `map(attribute=...)` or
 * `map('extract', ...)` keeps its undefined items for `select('defined')`, but a result that still holds one is an
 * error, as printing or returning it is in Jinja2.
 */
export function useDeep(value: unknown): unknown {
  // An inline if's empty Undefined prints as '' (EmptyUndef).
  if (value instanceof Undef && !(value instanceof EmptyUndef)) throw value.error();
  if (Array.isArray(value)) for (const item of value) useDeep(item);
  else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    for (const item of Object.values(value)) useDeep(item);
  return value;
}

/**
 * Truthiness of conditions, `not`, `and`, `or`, inline if: Python's, except that the strings 'false', 'no', 'off' and
 * '0' are false as in bosun's Handlebars conditions, because YAML 1.2 (which bosun reads) keeps an unquoted `no` as a
 * string where Ansible's YAML 1.1 reads false (docs/ansible-differences.md). Using an undefined value is an error.
 */
export function truthy(value: unknown): boolean {
  if (value instanceof EmptyUndef) return false;
  return isTruthy(plain(use(value)));
}

/** Python's truthiness with no special strings (`default(x, true)`). */
export function pyTruthy(value: unknown): boolean {
  return isPythonTruthy(plain(use(value)));
}

/** Python's repr of a string: single quotes unless the text has one and no double quote. */
export function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

function numberText(n: number, float = !Number.isInteger(n)): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (!float) return String(n);
  // Python's float repr: the shortest digits, in exponent form below 1e-4 and from 1e16.
  const [digits, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const text = n.toFixed(Math.max(0, (digits.split('.')[1]?.length ?? 0) - e));
  return text.includes('.') ? text : `${text}.0`;
}

/** Python's repr: how a value appears inside a list or dict that is printed. */
export function repr(value: unknown): string {
  if (typeof value === 'string') return reprString(value);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return numberText(value);
  if (value instanceof PyFloat) return numberText(value.value, true);
  if (Array.isArray(value)) return `[${value.map(repr).join(', ')}]`;
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${reprString(k)}: ${repr(v)}`)
      .join(', ')}}`;
  return typeof value === 'bigint' ? value.toString() : '?';
}

/** Python's str(): how a value appears in text. */
export function pyText(value: unknown): string {
  if (value instanceof EmptyUndef) return '';
  const v = use(value);
  if (typeof v === 'string') return v;
  return repr(v);
}

/** A short description of a value's kind, for messages. */
export function kind(value: unknown): string {
  if (value instanceof Undef) return 'undefined';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a dict';
  if (typeof value === 'string')
    return `the string ${reprString(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'boolean') return `the boolean ${repr(value)}`;
  return `the number ${repr(value)}`;
}

/** Python's type name (type_debug). */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (value instanceof PyFloat) return 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Structural equality with Python's rules (1 == 1.0, True == 1). */
export function pyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'boolean' || typeof a === 'number') && (typeof b === 'boolean' || typeof b === 'number'))
    return Number(a) === Number(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  if (ka.length !== Object.keys(rb).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && pyEqual(ra[k], rb[k]));
}

/** Python ordering for <, >, sort, min, max: numbers (and booleans), strings, lists element-wise. */
export function pyCompare(a: unknown, b: unknown): number {
  const x = use(a);
  const y = use(b);
  const num = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (num(x) && num(y)) return Number(x) - Number(y);
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = pyCompare(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw new Error(`cannot compare ${kind(x)} with ${kind(y)}`);
}

/**
 * Ansible (without jinja2_native) renders to text, then reads text that starts with `[` or `{`, or is `True`/`False`,
 * as a Python literal (JSON's true/false/null too); text that is no literal stays text.
 */
export function literalEval(text: string, parse: (text: string) => unknown): unknown {
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (!text.startsWith('[') && !text.startsWith('{')) return text;
  try {
    return parse(text);
  } catch {
    return text;
  }
}

/** Python's printf-style `fmt % args` (`%s`, `%d`, `%i`, `%f` with flags, width and precision, `%x`, `%o`, `%r`, `%%`). */
export function printf(fmt: string, args: unknown[]): string {
  let i = 0;
  const out = fmt.replace(
    /%(?:\((\w+)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifFeExXorc%])/g,
    (_m, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      const arg = key !== undefined && isPlainObject(args[0]) ? args[0][key] : args[i++];
      if (arg === undefined) throw new Error('not enough arguments for format string');
      let text: string;
      const num = (): number => {
        if (typeof arg === 'number' || typeof arg === 'boolean') return Number(arg);
        throw new Error(`%${conv} format: a number is required, not ${typeName(arg)}`);
      };
      switch (conv) {
        case 's':
          text = pyText(arg);
          if (prec !== undefined) text = text.slice(0, Number(prec));
          break;
        case 'r':
          text = repr(arg);
          break;
        case 'd':
        case 'i':
          text = String(Math.trunc(num()));
          break;
        case 'f':
        case 'F':
          text = num().toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case 'e':
        case 'E': {
          const e = num()
            .toExponential(prec === undefined ? 6 : Number(prec))
            .replace(/e([+-])(\d)$/, 'e$10$2');
          text = conv === 'E' ? e.toUpperCase() : e;
          break;
        }
        case 'x':
          text = Math.trunc(num()).toString(16);
          break;
        case 'X':
          text = Math.trunc(num()).toString(16).toUpperCase();
          break;
        case 'o':
          text = Math.trunc(num()).toString(8);
          break;
        default:
          text = String.fromCharCode(num());
      }
      if (flags.includes('+') && /^[dif]$/.test(conv) && !text.startsWith('-')) text = `+${text}`;
      const w = width === undefined || width === '*' ? 0 : Number(width);
      if (text.length < w) {
        if (flags.includes('-')) text = text.padEnd(w);
        else if (flags.includes('0') && conv !== 's') {
          const sign = /^[-+]/.test(text) ? text[0]! : '';
          text = sign + text.slice(sign.length).padStart(w - sign.length, '0');
        } else text = text.padStart(w);
      }
      return text;
    },
  );
  if (key0(fmt) === undefined && i < args.length)
    throw new Error('not all arguments converted during string formatting');
  return out;
}

function key0(fmt: string): string | undefined {
  return /%\((\w+)\)/.exec(fmt)?.[1];
}
