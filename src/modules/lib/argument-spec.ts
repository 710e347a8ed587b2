/**
 * Ansible's role argument specs (`meta/argument_specs.yml`: options with
 * type, required, choices, elements, nested options) as JSON Schema, so
 * ajv validates a role's variables before the role runs.
 */

const TYPES: Readonly<Record<string, Record<string, unknown>>> = {
  str: { type: 'string' },
  path: { type: 'string' },
  int: { type: 'integer' },
  float: { type: 'number' },
  bool: { type: 'boolean' },
  list: { type: 'array' },
  dict: { type: 'object' },
  raw: {},
};

/** One option of an argument spec. */
interface OptionSpec {
  type?: string;
  required?: boolean;
  default?: unknown;
  choices?: unknown[];
  elements?: string;
  options?: Record<string, OptionSpec>;
  description?: string | string[];
}

/** Convert the `options:` of an entry point to a JSON schema over the role's variables, and collect defaults. */
export function argumentSpecToSchema(options: Record<string, unknown>): {
  schema: Record<string, unknown>;
  defaults: Record<string, unknown>;
} {
  const defaults: Record<string, unknown> = {};
  for (const [name, opt] of Object.entries(options as Record<string, OptionSpec>)) {
    if (opt.default !== undefined) defaults[name] = opt.default;
  }
  return { schema: objectSchema(options as Record<string, OptionSpec>), defaults };
}

function objectSchema(options: Record<string, OptionSpec>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, opt] of Object.entries(options)) {
    properties[name] = optionSchema(opt);
    if (opt.required) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

function optionSchema(opt: OptionSpec): Record<string, unknown> {
  const base: Record<string, unknown> = { ...(TYPES[opt.type ?? 'str'] ?? {}) };
  if (opt.type === 'dict' && opt.options) Object.assign(base, objectSchema(opt.options));
  if (opt.type === 'list' && opt.elements) {
    base['items'] =
      opt.elements === 'dict' && opt.options ? objectSchema(opt.options) : { ...(TYPES[opt.elements] ?? {}) };
  }
  if (opt.choices) {
    if (opt.type === 'list') base['items'] = { ...(base['items'] as object | undefined), enum: opt.choices };
    else base['enum'] = opt.choices;
  }
  if (typeof opt.description === 'string' || Array.isArray(opt.description))
    base['description'] = [opt.description].flat().join(' ');
  return base;
}

const BOOL_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const BOOL_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** A value that Ansible's type check for `type` would reject: left as it is, for the schema to report. */
const REJECT = Symbol('reject');

/**
 * One value converted the way Ansible's argument-spec type checks convert it
 * (module_utils/common/validation.py: check_type_int, _bool, _list, ...):
 * `"8090"` is an int, `"false"`/`"no"`/`0` a bool, `"a,b"` the list
 * `["a", "b"]`, a number a str. REJECT when the check would fail.
 */
function convert(type: string, v: unknown): unknown {
  switch (type) {
    case 'str':
    case 'path':
      if (typeof v === 'string') return v;
      // Ansible converts a scalar to a string (with a warning), never a list or mapping.
      return typeof v === 'number' || typeof v === 'boolean'
        ? typeof v === 'boolean'
          ? v
            ? 'True'
            : 'False'
          : String(v)
        : REJECT;
    case 'int':
      if (typeof v === 'number') return Number.isInteger(v) ? v : REJECT;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
      return REJECT;
    case 'float':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return REJECT;
    case 'bool': {
      if (typeof v === 'boolean') return v;
      const key = typeof v === 'string' ? v.toLowerCase() : typeof v === 'number' ? String(v) : undefined;
      if (key !== undefined && BOOL_TRUE.has(key)) return true;
      if (key !== undefined && BOOL_FALSE.has(key)) return false;
      return REJECT;
    }
    case 'list':
      if (Array.isArray(v)) return v;
      if (typeof v === 'string') return v.split(',');
      return typeof v === 'number' ? [String(v)] : REJECT;
    case 'dict':
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
      if (typeof v === 'string' && v.trim().startsWith('{')) {
        try {
          return JSON.parse(v) as unknown;
        } catch {
          return REJECT;
        }
      }
      return REJECT;
    default:
      return v;
  }
}

/**
 * The values as Ansible's validation sees them: each option converted to its
 * type (and list elements and nested options too), so `-e port=8090` passes
 * a `type: int` option. What cannot convert stays as given and fails the
 * schema. The variables themselves are not changed (as in ansible-core 2.14).
 */
export function coerceBySpec(
  options: Record<string, unknown>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const [name, opt] of Object.entries(options as Record<string, OptionSpec>)) {
    if (out[name] === undefined || out[name] === null) continue;
    out[name] = coerceOption(opt, out[name]);
  }
  return out;
}

function coerceOption(opt: OptionSpec, value: unknown): unknown {
  const converted = convert(opt.type ?? 'str', value);
  if (converted === REJECT) return value;
  if (opt.type === 'list' && Array.isArray(converted) && opt.elements) {
    return converted.map((e: unknown) => {
      const c = convert(opt.elements!, e);
      if (c === REJECT) return e;
      return opt.elements === 'dict' && opt.options && c && typeof c === 'object'
        ? coerceBySpec(opt.options, c as Record<string, unknown>)
        : c;
    });
  }
  if (opt.type === 'dict' && opt.options && converted && typeof converted === 'object') {
    return coerceBySpec(opt.options, converted as Record<string, unknown>);
  }
  return converted;
}
