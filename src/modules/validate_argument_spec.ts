/**
 * `validate_argument_spec`: check variables against an argument spec in
 * Ansible's format (type, required, choices, elements, nested options).
 * bosun runs it automatically at the start of a role that has
 * `meta/argument_specs.yml`.
 */
import { compileSchema } from '../util/schema.js';
import { argumentSpecToSchema, coerceBySpec } from './lib/argument-spec.js';
import { defineModule } from './types.js';

/** Arguments of `validate_argument_spec`. */
export interface ValidateArgumentSpecArgs {
  argument_spec: Record<string, unknown>;
  provided_arguments?: Record<string, unknown>;
}

const schemas = new WeakMap<object, Record<string, unknown>>();

/** The `validate_argument_spec` module. */
export default defineModule<ValidateArgumentSpecArgs>({
  name: 'validate_argument_spec',
  docs: {
    short: 'Validate variables against an argument spec (run automatically for roles with meta/argument_specs.yml)',
    description: 'Without `provided_arguments`, the variables visible to the task are checked. Never changes anything.',
  },
  rawArgs: ['argument_spec'],
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['argument_spec'],
    properties: {
      argument_spec: {
        type: 'object',
        description: "The options, in the format of meta/argument_specs.yml's `options:`",
      },
      provided_arguments: { type: 'object', description: 'The values to check (default: the task variables)' },
    },
  },
  decide(ctx, args) {
    let schema = schemas.get(args.argument_spec);
    if (!schema) {
      schema = argumentSpecToSchema(args.argument_spec).schema;
      schemas.set(args.argument_spec, schema);
    }
    const source = args.provided_arguments ?? ctx.vars;
    const values: Record<string, unknown> = {};
    // null stands for "not given" (the role check passes `{{ default name null }}` for each option).
    for (const name of Object.keys(args.argument_spec))
      if (source[name] !== undefined && source[name] !== null) values[name] = source[name];
    const validate = compileSchema(schema);
    // Checked as Ansible checks them: converted to each option's type first (-e gives strings).
    if (validate(coerceBySpec(args.argument_spec, values))) {
      return Promise.resolve({
        kind: 'ok',
        msg: 'The arg spec validation passed',
        data: { validate_args_context: {}, argument_spec_data: args.argument_spec },
      });
    }
    const errors = (validate.errors ?? []).map((e) => {
      // The path as a variable is written: webserver_vhosts[0].name.
      const where = e.instancePath
        .split('/')
        .slice(1)
        .map((seg, i) =>
          /^\d+$/.test(seg) ? `[${seg}]` : `${i ? '.' : ''}${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`,
        )
        .join('');
      if (e.keyword === 'required') {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        return `missing required argument: ${where ? `${where}.` : ''}${missing}`;
      }
      if (e.keyword === 'enum')
        return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      return `${where}: ${e.message ?? 'invalid'}`;
    });
    return Promise.resolve({
      kind: 'fail',
      msg: `Validation of arguments failed:\n${errors.join('\n')}`,
      data: { argument_errors: errors, argument_spec_data: args.argument_spec },
    });
  },
});
