/**
 * Ansible booleans: `true`/`false` and the strings yes/no/true/false/on/off/1/0
 * in any case, so that `backup: yes` from an old playbook still works.
 */
import { ModuleArgError } from '../../errors.js';

const TRUE_WORDS = new Set(['yes', 'true', 'on', '1', 'y']);
const FALSE_WORDS = new Set(['no', 'false', 'off', '0', 'n']);

/** JSON-schema fragment for an Ansible boolean argument. */
export function boolSchema(description: string, defaultValue?: boolean): Record<string, unknown> {
  const schema: Record<string, unknown> = {
    type: ['boolean', 'string'],
    pattern: '^(?:[Yy]([Ee][Ss])?|[Nn][Oo]?|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Nn]|[Oo][Ff][Ff]|1|0)$',
    description,
  };
  if (defaultValue !== undefined) schema['default'] = defaultValue;
  return schema;
}

/** Convert an Ansible boolean (already validated by `boolSchema`) to a JS boolean; `undefined` gives `fallback`. */
export function toBool(value: unknown, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ModuleArgError(`not a boolean: ${JSON.stringify(value)} (yes/no, true/false, on/off, 1/0)`);
}
