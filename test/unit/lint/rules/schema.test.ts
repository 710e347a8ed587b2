/** schema: YAML syntax, file schemas, module names and arguments, template syntax, all at their positions. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('schema', {
  valid: [
    {
      name: 'a correct playbook',
      files: {
        'site.yml': playbook(
          '    - name: T\n      copy: { dest: /tmp/x, content: "{{ inventory_hostname }}", mode: "0644" }\n      when: (eq 1 1)',
        ),
      },
    },
    {
      name: 'a correct role with meta and argument specs',
      files: {
        'r/tasks/main.yml': '- name: T\n  ansible.builtin.debug: { msg: x }\n',
        'r/meta/main.yml': 'dependencies: []\n',
        'r/meta/argument_specs.yml': 'argument_specs:\n  main:\n    options:\n      x: { type: str, default: a }\n',
      },
    },
    {
      name: 'a correct scenario',
      files: {
        'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n',
        'r/tests/default/scenario.yml': 'hosts: 2\ngroups: { web: [node01] }\nvars: {}\n',
      },
    },
  ],
  invalid: [
    { name: 'YAML syntax', files: { 'site.yml': '- hosts: all\n  tasks: [\n' }, findings: ['site.yml:3:1'] },
    {
      name: 'an unknown play key',
      files: { 'site.yml': '- hosts: all\n  taks: []\n' },
      findings: ['site.yml:2:3'],
      message: "unknown key 'taks'",
    },
    {
      name: 'an unknown module with a suggestion',
      files: { 'site.yml': playbook('    - name: T\n      cpoy: { dest: /tmp/x, content: x }') },
      findings: ['site.yml:6:7'],
      message: "unknown module 'cpoy'",
    },
    {
      name: 'an unknown module argument',
      files: { 'site.yml': playbook('    - name: T\n      file: { path: /tmp/x, stat: touch }') },
      findings: ['site.yml:6:29'],
      message: "unknown key 'stat'",
    },
    {
      name: 'a wrong enum value',
      files: { 'site.yml': playbook('    - name: T\n      file: { path: /tmp/x, state: folder }') },
      findings: ['site.yml:6:36'],
      message: 'expected one of',
    },
    {
      name: 'a template syntax error',
      files: { 'site.yml': playbook('    - name: T\n      debug: { msg: "{{ x | }}" }') },
      findings: ['site.yml:6:29'],
    },
    {
      name: 'a bad argument spec type',
      files: {
        'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n',
        'r/meta/argument_specs.yml': 'argument_specs:\n  main:\n    options:\n      x: { type: string }\n',
      },
      findings: ['r/meta/argument_specs.yml:4:18'],
    },
    {
      name: 'role defaults that are a list',
      files: { 'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n', 'r/defaults/main.yml': '- a\n- b\n' },
      findings: ['r/defaults/main.yml:1:1'],
      message: 'must be a mapping',
    },
    {
      name: 'a bad scenario key',
      files: { 'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n', 'r/tests/default/scenario.yml': 'host: 2\n' },
      findings: ['r/tests/default/scenario.yml:1:1'],
      message: "unknown key 'host'",
    },
  ],
});
