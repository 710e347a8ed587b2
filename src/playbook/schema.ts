/**
 * JSON Schemas for playbooks and task lists, validated with ajv before
 * anything runs. Module arguments have their own schemas (src/modules/).
 */

const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const condition = { anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }] };
const boolish = { type: ['boolean', 'string'] };
const varsMap = { type: 'object' };
const tagList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: ['string', 'number'] } }] };

/** Task keywords bosun knows (anything else on a task must be a module name). */
export const TASK_KEYWORDS = [
  'name', 'when', 'register', 'loop', 'with_items', 'args', 'vars',
  'changed_when', 'failed_when', 'ignore_errors', 'no_log', 'action',
  'become', 'become_user', 'become_method', 'tags',
] as const;

/** Task keywords of Ansible that bosun does not support yet, with a reason for the error. */
export const UNSUPPORTED_TASK_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['notify', 'handlers are not supported yet'],
  ['block', 'blocks are not supported yet'],
  ['delegate_to', 'delegate_to is not supported yet'],
  ['until', 'until/retries are not supported yet'],
  ['loop_control', 'loop_control is not supported yet'],
  ['include_tasks', 'include_tasks is not supported yet'],
  ['import_tasks', 'import_tasks is not supported yet'],
]);

/** One task: keywords plus exactly one module key (checked in code, with a did-you-mean). */
export const taskSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    when: condition,
    register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    loop: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    with_items: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    args: { type: 'object' },
    vars: varsMap,
    changed_when: condition,
    failed_when: condition,
    ignore_errors: boolish,
    no_log: boolish,
    action: { anyOf: [{ type: 'string' }, { type: 'object' }] },
    become: boolish,
    become_user: { type: 'string' },
    become_method: { type: 'string' },
    tags: tagList,
  },
  additionalProperties: true,
} as const;

const taskList = { type: 'array', items: taskSchema };

/** A role reference in a play's `roles:`. */
const roleRef = {
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      properties: {
        role: { type: 'string', minLength: 1 },
        name: { type: 'string', minLength: 1 },
        vars: varsMap,
        when: condition,
      },
      additionalProperties: true,
    },
  ],
};

/** One play. */
export const playSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    hosts: stringOrList,
    vars: varsMap,
    vars_files: stringOrList,
    gather_facts: boolish,
    pre_tasks: taskList,
    roles: { type: 'array', items: roleRef },
    tasks: taskList,
    post_tasks: taskList,
    become: boolish,
    become_user: { type: 'string' },
    become_method: { type: 'string' },
    tags: tagList,
  },
  required: ['hosts'],
  additionalProperties: false,
} as const;

/** A playbook file: a list of plays. */
export const playbookSchema = {
  $id: 'https://bosun.dev/schema/playbook.json',
  title: 'bosun playbook',
  type: 'array',
  items: playSchema,
} as const;

/** A task file (a role's tasks/main.yml): a list of tasks. */
export const tasksFileSchema = {
  $id: 'https://bosun.dev/schema/tasks.json',
  title: 'bosun task list',
  type: 'array',
  items: taskSchema,
} as const;
