/**
 * JSON Schemas for playbooks and task lists, validated with ajv before
 * anything runs. Module arguments have their own schemas (src/modules/).
 */

const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const condition = {
  anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }],
};
const boolish = { type: ['boolean', 'string'] };
/** A mapping, or a list of mappings merged in order (Ansible's `_load_vars`). */
const varsMap = { anyOf: [{ type: ['object', 'null'] }, { type: 'array', items: { type: 'object' } }] };
const tagList = { anyOf: [{ type: ['string', 'number'] }, { type: 'array', items: { type: ['string', 'number'] } }] };
const intOrTemplate = { type: ['integer', 'string'] };

/** Keywords that blocks, plays and roles pass down to their tasks. */
const inheritable = {
  when: condition,
  vars: varsMap,
  tags: tagList,
  become: boolish,
  become_user: { type: 'string' },
  remote_user: { type: 'string' },
  connection: { type: 'string' },
  become_method: { type: 'string', enum: ['sudo', 'su'] },
  environment: { type: ['object', 'string'] },
  ignore_errors: boolish,
  ignore_unreachable: boolish,
  check_mode: boolish,
  diff: boolish,
  no_log: boolish,
  any_errors_fatal: boolish,
  delegate_to: { type: 'string' },
  run_once: boolish,
  delegate_facts: boolish,
  throttle: intOrTemplate,
  timeout: intOrTemplate,
};

/** `with_<lookup>` loops that a lookup turns into items (src/playbook/loop-lookups.ts). */
export const LOOKUP_LOOP_KEYS = [
  'with_together',
  'with_sequence',
  'with_nested',
  'with_cartesian',
  'with_subelements',
  'with_fileglob',
  'with_indexed_items',
  'with_first_found',
  // Any other lookup plugin loops as Ansible's with_<name>: query(name, *terms) (src/playbook/loop-lookups.ts).
  'with_env',
  'with_file',
  'with_template',
  'with_password',
  'with_pipe',
  'with_url',
  'with_vars',
  'with_varnames',
  'with_inventory_hostnames',
] as const;

/** Every key that makes a task loop. */
export const LOOP_KEYS = ['loop', 'with_items', 'with_list', 'with_dict', ...LOOKUP_LOOP_KEYS] as const;

/** Task keywords bosun knows (anything else on a task must be a module name). */
export const TASK_KEYWORDS = [
  'name',
  'register',
  ...LOOP_KEYS,
  'loop_control',
  'args',
  'changed_when',
  'failed_when',
  'until',
  'retries',
  'delay',
  'async',
  'poll',
  'notify',
  'listen',
  'action',
  'local_action',
  ...Object.keys(inheritable),
] as const;

/** Keys that make a mapping a block rather than a task. */
export const BLOCK_KEYS = ['block', 'rescue', 'always'] as const;

/** Task keys that include or import tasks and roles instead of calling a module. */
export const INCLUDE_KEYS = ['include_tasks', 'import_tasks', 'include_role', 'import_role'] as const;

/** One of INCLUDE_KEYS. */
export type IncludeKey = (typeof INCLUDE_KEYS)[number];

/** The collection prefixes Ansible's own keywords and modules are written with (`ansible.builtin.copy`). */
export const BUILTIN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'] as const;

/**
 * The include or import a task makes, by bosun's name (`key`) and as the task writes it (`written`:
 * `ansible.builtin.include_tasks` in published roles); undefined when it makes none.
 */
export function includeKeyOf(raw: Record<string, unknown>): { key: IncludeKey; written: string } | undefined {
  for (const key of INCLUDE_KEYS) {
    if (key in raw) return { key, written: key };
    for (const prefix of BUILTIN_PREFIXES) if (`${prefix}${key}` in raw) return { key, written: `${prefix}${key}` };
  }
  return undefined;
}

/** One task (or block, or include): keywords plus one module key (checked in code, with a did-you-mean). */
export const taskSchema = {
  type: 'object',
  properties: {
    ...inheritable,
    name: { type: 'string' },
    register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    loop: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    with_items: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    with_list: { anyOf: [{ type: 'array' }, { type: 'string' }] },
    with_dict: { anyOf: [{ type: 'object' }, { type: 'string' }] },
    ...Object.fromEntries(LOOKUP_LOOP_KEYS.map((k) => [k, { anyOf: [{ type: 'array' }, { type: 'string' }] }])),
    loop_control: {
      type: 'object',
      properties: {
        // A variable name, or a template that renders to one (checked per host).
        loop_var: { type: 'string', pattern: '^([A-Za-z_][A-Za-z0-9_]*|.*\\{\\{.*)$' },
        index_var: { type: 'string', pattern: '^([A-Za-z_][A-Za-z0-9_]*|.*\\{\\{.*)$' },
        label: { type: 'string' },
        pause: { type: ['number', 'string'] },
        extended: boolish,
      },
      additionalProperties: false,
    },
    args: { type: 'object' },
    changed_when: condition,
    failed_when: condition,
    until: condition,
    retries: intOrTemplate,
    delay: { type: ['number', 'string'] },
    async: intOrTemplate,
    poll: intOrTemplate,
    notify: stringOrList,
    listen: stringOrList,
    action: { anyOf: [{ type: 'string' }, { type: 'object' }] },
    local_action: { anyOf: [{ type: 'string' }, { type: 'object' }] },
    block: { type: 'array' },
    rescue: { type: 'array' },
    always: { type: 'array' },
  },
  additionalProperties: true,
} as const;

const taskList = { type: 'array', items: taskSchema };

/** A role reference in a play's `roles:` (or a role's meta dependencies). */
export const roleRefSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      properties: {
        role: { type: 'string', minLength: 1 },
        name: { type: 'string', minLength: 1 },
        vars: varsMap,
        when: condition,
        tags: tagList,
        become: boolish,
        become_user: { type: 'string' },
        environment: { type: ['object', 'string'] },
      },
      additionalProperties: true,
    },
  ],
};

/** One play (or an `import_playbook` entry). */
export const playSchema = {
  type: 'object',
  properties: {
    ...inheritable,
    name: { type: 'string' },
    hosts: stringOrList,
    vars_files: stringOrList,
    gather_facts: boolish,
    gather_subset: stringOrList,
    gather_timeout: intOrTemplate,
    pre_tasks: taskList,
    roles: { type: 'array', items: roleRefSchema },
    tasks: taskList,
    post_tasks: taskList,
    handlers: taskList,
    serial: { anyOf: [{ type: ['integer', 'string'] }, { type: 'array', items: { type: ['integer', 'string'] } }] },
    // linear or free; a template is rendered when the play starts.
    strategy: { type: 'string' },
    order: { type: 'string', enum: ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] },
    max_fail_percentage: { type: ['number', 'string'] },
    force_handlers: boolish,
    import_playbook: { type: 'string' },
  },
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

/** `meta/main.yml` of a role. */
export const roleMetaSchema = {
  $id: 'https://bosun.dev/schema/role-meta.json',
  title: 'bosun role meta',
  type: ['object', 'null'],
  properties: {
    dependencies: { type: 'array', items: roleRefSchema },
    allow_duplicates: boolish,
    galaxy_info: { type: 'object' },
    collections: { type: 'array' },
  },
  additionalProperties: true,
} as const;

/** `meta/argument_specs.yml` of a role (Ansible's format). */
export const argumentSpecsSchema = {
  $id: 'https://bosun.dev/schema/role-args.json',
  title: 'bosun role argument specs',
  type: 'object',
  properties: {
    argument_specs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          short_description: { type: 'string' },
          description: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          author: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          options: { type: 'object', additionalProperties: { $ref: '#/$defs/option' } },
        },
        additionalProperties: true,
      },
    },
  },
  required: ['argument_specs'],
  additionalProperties: false,
  $defs: {
    option: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['str', 'int', 'float', 'bool', 'list', 'dict', 'path', 'raw'] },
        required: { type: 'boolean' },
        default: {},
        choices: { type: 'array' },
        elements: { type: 'string', enum: ['str', 'int', 'float', 'bool', 'list', 'dict', 'path', 'raw'] },
        description: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        options: { type: 'object', additionalProperties: { $ref: '#/$defs/option' } },
        version_added: { type: 'string' },
        aliases: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
  },
} as const;

/** The keywords a `roles:` entry may carry besides `role`/`name` and `vars`; its other keys are role parameters. */
export const ROLE_ENTRY_KEYWORDS: ReadonlySet<string> = new Set([
  'when',
  'tags',
  'become',
  'become_user',
  'become_method',
  'environment',
  'ignore_errors',
  'check_mode',
  'diff',
  'no_log',
  'delegate_to',
  'run_once',
  'remote_user',
  'connection',
  'any_errors_fatal',
  'ignore_unreachable',
  'throttle',
  'timeout',
]);
