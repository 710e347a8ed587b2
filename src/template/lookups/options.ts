/** Keyword options of lookups, read as Ansible's option types read them. */
import { pyText } from '../jinja/values.js';
import { LookupError } from './types.js';

/** A lookup was given an option it does not have (Ansible's AnsibleOptionsError: `errors=` does not swallow it). */
export class LookupOptionsError extends LookupError {}

/** Refuse options a lookup does not have. */
export function checkOptions(lookup: string, options: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new LookupOptionsError(
      `the ${lookup} lookup has no option ${unknown.map((k) => `'${k}'`).join(', ')}${known.length ? ` (it has ${known.join(', ')})` : ''}`,
    );
}

/** Ansible's boolean(): true, 'yes', 'on', '1', 'true', 'y', 't' (any case), 1; false for their opposites. */
export function optionBool(options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  const s = pyText(v).toLowerCase();
  if (['y', 'yes', 'on', '1', 'true', 't', '1.0'].includes(s)) return true;
  if (['n', 'no', 'off', '0', 'false', 'f', '0.0'].includes(s)) return false;
  throw new LookupOptionsError(`option ${name} must be a boolean, got '${pyText(v)}'`);
}

/** An integer option (a number or its text). */
export function optionInt(options: Record<string, unknown>, name: string, fallback: number): number {
  const v = options[name];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw new LookupOptionsError(`option ${name} must be an integer, got '${pyText(v)}'`);
  return n;
}

/** A text option (Python's str() of what was given). */
export function optionText(options: Record<string, unknown>, name: string): string | undefined {
  const v = options[name];
  return v === undefined || v === null ? undefined : pyText(v);
}
