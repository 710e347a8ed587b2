/**
 * `bosun role init NAME`: a complete role skeleton whose every file is
 * valid, which passes `bosun lint` and `bosun role test` as generated. The
 * variables are declared once (below) and rendered into defaults/main.yml,
 * meta/argument_specs.yml and the README's table, so the three agree.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { BosunError } from '../errors.js';

/** One variable of the generated role. */
interface SkeletonVar {
  name: string;
  type: 'str' | 'path' | 'list';
  default: unknown;
  description: string;
}

/** The role's variable prefix: its name in lower case, `-` as `_`. */
export function varPrefix(role: string): string {
  return role.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function variables(role: string): SkeletonVar[] {
  const p = varPrefix(role);
  return [
    {
      name: `${p}_config_dir`,
      type: 'path',
      default: `/etc/${role}`,
      description: 'Folder the role writes its configuration into.',
    },
    {
      name: `${p}_message`,
      type: 'str',
      default: `hello from ${role}`,
      description: 'Greeting written into the configuration file.',
    },
    {
      name: `${p}_extra_lines`,
      type: 'list',
      default: [],
      description: 'Extra lines appended to the configuration file.',
    },
  ];
}

const yaml = (value: unknown): string => stringify(value, { lineWidth: 0 });

/** Every file of the skeleton: relative path -> content. */
export function roleSkeleton(role: string): Record<string, string> {
  const p = varPrefix(role);
  const vars = variables(role);
  const handler = `${role} configuration changed`;
  return {
    'defaults/main.yml': [
      `# Every knob of the ${role} role, with its default. Documented in README.md`,
      '# and checked against meta/argument_specs.yml before the role runs.',
      ...vars.flatMap((v) => [`\n# ${v.description}`, yaml({ [v.name]: v.default }).trimEnd()]),
      '',
    ].join('\n'),
    'vars/main.yml': [
      '# Values derived from the defaults; not meant to be set by users of the role.',
      `${p}_config_file: "{{ ${p}_config_dir }}/${role}.conf"`,
      '',
    ].join('\n'),
    'tasks/main.yml': [
      `- name: Create the ${role} configuration folder`,
      '  file:',
      `    path: "{{ ${p}_config_dir }}"`,
      '    state: directory',
      '    mode: "0755"',
      '',
      `- name: Install the ${role} banner`,
      '  copy:',
      '    src: banner.txt',
      `    dest: "{{ ${p}_config_dir }}/banner.txt"`,
      '    mode: "0644"',
      '',
      `- name: Write the ${role} configuration file`,
      '  template:',
      `    src: ${role}.conf.hbs`,
      `    dest: "{{ ${p}_config_file }}"`,
      '    mode: "0644"',
      `  notify: ${handler}`,
      '',
    ].join('\n'),
    'handlers/main.yml': [
      '# Restart or reload your service here, e.g.',
      `#   systemd: { name: ${role}, state: restarted }`,
      `- name: ${handler}`,
      '  debug:',
      `    msg: "{{ ${p}_config_file }} changed"`,
      '',
    ].join('\n'),
    [`templates/${role}.conf.hbs`]: [
      `# Managed by bosun (role ${role}); local changes are overwritten.`,
      `message = {{ ${p}_message }}`,
      `{{#each ${p}_extra_lines}}`,
      '{{this}}',
      '{{/each}}',
      '',
    ].join('\n'),
    'files/banner.txt': `This host is configured by the ${role} role.\n`,
    'meta/main.yml': yaml({
      galaxy_info: {
        role_name: role,
        author: 'your name',
        description: `What the ${role} role does, in one line.`,
        license: 'Apache-2.0',
        platforms: [{ name: 'Debian' }, { name: 'Ubuntu' }],
      },
      dependencies: [],
    }),
    'meta/argument_specs.yml': yaml({
      argument_specs: {
        main: {
          short_description: `What the ${role} role does, in one line.`,
          options: Object.fromEntries(
            vars.map((v) => [
              v.name,
              {
                type: v.type,
                ...(v.type === 'list' ? { elements: 'str' } : {}),
                default: v.default,
                description: v.description,
              },
            ]),
          ),
        },
      },
    }),
    'README.md': readme(role, vars),
    'tests/default/scenario.yml': [
      '# bosun role test: create sandbox hosts, converge, converge again (nothing may change),',
      '# change the inputs to check_vars and compare --check with the next converge, verify, destroy.',
      'description: The role on one light sandbox host.',
      'hosts: 1',
      'systemd: false',
      yaml({
        vars: { [`${p}_message`]: 'hello from the test' },
        check_vars: { [`${p}_message`]: 'changed by the check-mode step' },
      }).trimEnd(),
      '',
    ].join('\n'),
    'tests/default/converge.yml': [
      `- name: Converge ${role}`,
      '  hosts: all',
      '  gather_facts: false',
      '  roles:',
      '    - role: ../..',
      '',
    ].join('\n'),
    'tests/default/verify.yml': [
      '# Runs after the last converge, with the same variables (check_vars applied).',
      `- name: Verify ${role}`,
      '  hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: Read the configuration file',
      `      slurp: { src: /etc/${role}/${role}.conf }`,
      '      register: conf',
      '',
      '    - name: The configuration holds the message',
      '      assert:',
      `        that: (in ${p}_message (b64decode conf.content))`,
      `        fail_msg: "{{ ${p}_message }} is not in /etc/${role}/${role}.conf"`,
      '',
    ].join('\n'),
  };
}

function readme(role: string, vars: SkeletonVar[]): string {
  const cell = (v: unknown): string => `\`${JSON.stringify(v)}\``;
  return [
    `# ${role}`,
    '',
    `What the ${role} role does, in one paragraph.`,
    '',
    '## Variables',
    '',
    '| name | type | default | description |',
    '|---|---|---|---|',
    ...vars.map((v) => `| \`${v.name}\` | ${v.type} | ${cell(v.default)} | ${v.description} |`),
    '',
    '## Example',
    '',
    '```yaml',
    '- hosts: all',
    '  roles:',
    `    - role: ${role}`,
    `      ${vars[1]!.name}: hello`,
    '```',
    '',
    '## Testing',
    '',
    '```',
    `bosun lint ${role}`,
    `bosun role test ${role}        # tests/default: sandbox hosts, converge, idempotence, check mode, verify`,
    '```',
    '',
  ].join('\n');
}

/** Write a new role `name` into `parent/name`; refuses to touch a folder that has files. */
export function initRole(name: string, parent = '.'): { dir: string; files: string[] } {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw new BosunError('BAD_OPTION', `'${name}' is not a role name`, {
      hint: 'use letters, digits, _ and -, starting with a letter (e.g. my_app)',
    });
  }
  const dir = path.resolve(parent, name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BosunError('BAD_OPTION', `${dir} already exists and is not empty`, {
      hint: 'pick another name or --path, or remove the folder',
    });
  }
  const files = roleSkeleton(name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return { dir, files: Object.keys(files) };
}
