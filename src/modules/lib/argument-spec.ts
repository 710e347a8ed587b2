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
