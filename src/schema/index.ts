/**
 * The JSON Schemas bosun validates with, for editors (`bosun schema KIND`):
 * the playbook, task list, role meta and argument specs schemas of
 * src/playbook/schema.ts, the inventory schema, the scenario schema, and
 * for task lists and playbooks every module's argument schema composed in,
 * so an editor completes module names and their arguments. Draft-07, as ajv
 * compiles them.
 */
import { longNames, moduleRegistry } from '../modules/index.js';
import { inventorySchema } from '../inventory/index.js';
import {
  argumentSpecsSchema,
  playbookSchema,
  roleMetaSchema,
  taskSchema,
  tasksFileSchema,
} from '../playbook/schema.js';
import { scenarioSchema } from '../role-test/scenario.js';

/** The schemas `bosun schema` prints. */
export const SCHEMA_KINDS = ['playbook', 'tasks', 'inventory', 'role-args', 'role-meta', 'scenario'] as const;

/** One of SCHEMA_KINDS. */
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

const DRAFT = 'http://json-schema.org/draft-07/schema#';
/** A templated value: accepted wherever the argument's own type is not a string. */
const TEMPLATE = { type: 'string', pattern: '\\{\\{', description: 'a template, rendered at run time' };
/** Cross-argument rules are left to the run: `args:` may supply what the module key lacks. */
const CROSS_ARGUMENT = [
  'required',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'dependentRequired',
  'dependencies',
];
const FQCN = ['ansible.builtin.', 'ansible.legacy.'];

type Schema = Record<string, unknown>;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** True when any string is valid here (so a template is too). */
function takesAnyString(s: Schema): boolean {
  const types = [s['type']].flat();
  return (
    types.includes('string') && !['pattern', 'enum', 'const', 'format', 'minLength', 'maxLength'].some((k) => k in s)
  );
}

/** An argument's schema that also accepts a template, recursively for nested options. */
function templatable(s: Schema): Schema {
  const out = clone(s);
  const props = out['properties'] as Record<string, Schema> | undefined;
  if (props) for (const [k, v] of Object.entries(props)) props[k] = templatable(v);
  if (out['items'] && typeof out['items'] === 'object' && !Array.isArray(out['items']))
    out['items'] = templatable(out['items'] as Schema);
  if (takesAnyString(out) || Object.keys(out).length === 0 || Object.keys(out).every((k) => k === 'description'))
    return out;
  const { description, ...rest } = out;
  return { ...(description ? { description } : {}), anyOf: [rest, TEMPLATE] };
}

/** A module's arguments as an editor sees them: each argument templatable, cross-argument rules dropped. */
function moduleArgs(schema: Schema): Schema {
  const top: Schema = Object.fromEntries(Object.entries(schema).filter(([k]) => !CROSS_ARGUMENT.includes(k)));
  return templatable(top);
}

/** Task keywords (everything of taskSchema but the block keys and action forms). */
function keywordProps(): Record<string, unknown> {
  const { block: _b, rescue: _r, always: _a, action: _ac, local_action: _la, ...rest } = taskSchema.properties;
  return clone(rest);
}

/** definitions: `task` (anyOf: block, include, action, one branch per module) and each module's arguments. */
function taskDefinitions(): Record<string, unknown> {
  const keywords = keywordProps();
  const taskRef = { $ref: '#/definitions/task' };
  const list = { type: 'array', items: taskRef };
  const branch = (key: string, value: unknown, extra: Record<string, unknown> = {}, alias: string[] = []): Schema => {
    const keys = [key, ...alias];
    return {
      type: 'object',
      properties: { ...keywords, ...extra, ...Object.fromEntries(keys.map((k) => [k, value])) },
      ...(keys.length === 1
        ? { required: [key] }
        : { anyOf: keys.map((k) => ({ required: [k], properties: { [k]: true } })) }),
      additionalProperties: false,
    };
  };
  const definitions: Record<string, unknown> = {};
  const branches: Schema[] = [
    { ...branch('block', list, { rescue: list, always: list }), description: 'a block: tasks with rescue and always' },
    ...['include_tasks', 'import_tasks']
      .flatMap((k) => [k, ...FQCN.map((p) => `${p}${k}`)])
      .map((k) =>
        branch(k, {
          anyOf: [
            { type: 'string' },
            {
              type: 'object',
              properties: { file: { type: 'string' }, apply: { type: 'object' } },
              additionalProperties: false,
            },
          ],
        }),
      ),
    ...['include_role', 'import_role']
      .flatMap((k) => [k, ...FQCN.map((p) => `${p}${k}`)])
      .map((k) =>
        branch(k, {
          type: 'object',
          properties: {
            ...Object.fromEntries(
              ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from'].map((p) => [p, { type: 'string' }]),
            ),
            apply: { type: 'object' },
            public: { type: ['boolean', 'string'] },
            allow_duplicates: { type: ['boolean', 'string'] },
          },
          required: ['name'],
          additionalProperties: false,
        }),
      ),
    branch('action', { anyOf: [{ type: 'string' }, { type: 'object' }] }),
    branch('local_action', { anyOf: [{ type: 'string' }, { type: 'object' }] }),
  ];
  for (const [name, def] of [...moduleRegistry].sort(([a], [b]) => a.localeCompare(b))) {
    definitions[`module_${name}`] = { description: def.docs.short, ...moduleArgs(def.schema) };
    const value = {
      description: def.docs.short,
      anyOf: [{ $ref: `#/definitions/module_${name}` }, { type: ['string', 'null'] }],
    };
    branches.push(branch(name, value, {}, longNames(name)));
  }
  definitions['task'] = { type: 'object', anyOf: branches };
  return definitions;
}

/** The schema of a task list (tasks/main.yml, handlers/main.yml), modules included. */
export function editorTasksSchema(): Schema {
  return {
    $schema: DRAFT,
    $id: tasksFileSchema.$id,
    title: tasksFileSchema.title,
    type: 'array',
    items: { $ref: '#/definitions/task' },
    definitions: taskDefinitions(),
  };
}

/** The schema of a playbook, modules included. */
export function editorPlaybookSchema(): Schema {
  const play = clone(playbookSchema.items) as { properties: Record<string, unknown> };
  for (const key of ['pre_tasks', 'tasks', 'post_tasks', 'handlers'])
    play.properties[key] = { type: 'array', items: { $ref: '#/definitions/task' } };
  return {
    $schema: DRAFT,
    $id: playbookSchema.$id,
    title: playbookSchema.title,
    type: 'array',
    items: play,
    definitions: taskDefinitions(),
  };
}

/** The schema of one kind, as `bosun schema KIND` prints it. */
export function editorSchema(kind: SchemaKind): Schema {
  switch (kind) {
    case 'playbook':
      return editorPlaybookSchema();
    case 'tasks':
      return editorTasksSchema();
    case 'inventory':
      return { ...clone(inventorySchema), $schema: DRAFT, $id: 'https://bosun.dev/schema/inventory.json' };
    case 'role-args':
      return { $schema: DRAFT, ...clone(argumentSpecsSchema) };
    case 'role-meta':
      return { $schema: DRAFT, ...clone(roleMetaSchema) };
    case 'scenario':
      return clone(scenarioSchema);
  }
}
