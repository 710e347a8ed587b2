/** readme-vars: a role README's variables table against meta/argument_specs.yml. */
import { ruleTests } from '../rule-tester.js';

const spec = [
  'argument_specs:',
  '  main:',
  '    options:',
  '      web_port: { type: int, default: 80, description: Port }',
  '      web_vhosts:',
  '        type: list',
  '        elements: dict',
  '        default: []',
  '        options:',
  '          name: { type: str, required: true }',
  '',
].join('\n');
const table = (rows: string[]): string =>
  ['# web', '', '## Variables', '', '| name | type | default | description |', '|---|---|---|---|', ...rows, ''].join(
    '\n',
  );
const tasks = '- name: T\n  debug: { msg: "{{ web_port }} {{ web_vhosts }}" }\n';

ruleTests('readme-vars', {
  valid: [
    {
      name: 'every option listed, nested ones as parent[].child',
      files: {
        'web/meta/argument_specs.yml': spec,
        'web/tasks/main.yml': tasks,
        'web/README.md': table([
          '| `web_port` | int | `80` | Port |',
          '| `web_vhosts` | list | `[]` | |',
          '| `web_vhosts[].name` | str | required | |',
        ]),
      },
    },
    {
      name: 'a README without a variables table, or a role without argument specs',
      files: {
        'web/meta/argument_specs.yml': spec,
        'web/tasks/main.yml': tasks,
        'web/README.md': '# web\n\nServes things.\n',
        'db/tasks/main.yml': '- name: T\n  debug: { msg: hi }\n',
        'db/README.md': table(['| `db_gone` | str | | |']),
      },
    },
    {
      name: 'a README row for a plain default is fine',
      files: {
        'web/meta/argument_specs.yml': spec,
        'web/defaults/main.yml': 'web_port: 80\nweb_vhosts: []\nweb_extra: 1\n',
        'web/tasks/main.yml': tasks,
        'web/README.md': table([
          '| `web_port` | | | |',
          '| `web_vhosts` | | | |',
          '| `web_vhosts[].name` | | | |',
          '| `web_extra` | | | |',
        ]),
      },
    },
  ],
  invalid: [
    {
      name: 'a row the spec no longer has, and options the README leaves out',
      files: {
        'web/meta/argument_specs.yml': spec,
        'web/tasks/main.yml': tasks,
        'web/README.md': table(['| `web_port` | int | `80` | Port |', '| `web_listen` | str | | renamed since |']),
      },
      findings: ['web/meta/argument_specs.yml:5:7', 'web/meta/argument_specs.yml:5:7', 'web/README.md:8:1'],
      message: "option 'web_vhosts' of role web is not in README.md's variables table",
    },
  ],
});
