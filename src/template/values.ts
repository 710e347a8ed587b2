/**
 * Value rules shared by rendering, helpers and conditions: truthiness, how a
 * value becomes text, and equality.
 */

const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/**
 * Truthiness of `when`, `changed_when`, `failed_when`, `until` and `assert`:
 * false, null/undefined, 0, NaN, '', an empty list and an empty dict are false,
 * and so are the strings 'false', 'no', 'off' and '0' (any case, surrounding
 * spaces ignored), because YAML 1.2 keeps `yes`/`no` as strings.
 */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    return s !== '' && !FALSE_WORDS.has(s);
  }
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Python's truthiness (no special strings): what `default v fb true` tests. */
export function isPythonTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (typeof value === 'number' && Number.isNaN(value)) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** True for a dict-like object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How a value appears inside text: strings as is, null/undefined as '', lists and dicts as JSON, the rest via String().
 */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are handled above; a primitive is left
  return String(value);
}

/** Structural equality for YAML-shaped values (scalars, lists, dicts). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every(
    (k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual((a as Record<string, unknown>)[k], rb[k]),
  );
}

/** True when a string holds a template (`{{`), or a structure holds such a string anywhere. */
/** True when a string is a template: it has `{{`, or a Jinja2 statement `{%` (Ansible templates both). */
export function isTemplateText(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplateText(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (isPlainObject(value)) {
    for (const key in value) if (hasTemplate(value[key])) return true;
  }
  return false;
}
