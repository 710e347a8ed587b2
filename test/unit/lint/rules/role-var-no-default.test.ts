/** role-var-no-default: role inputs without defaults or argument specs, optional options without defaults. */
import { ruleTests } from '../rule-tester.js';

const task = '- name: T\n  debug: { msg: "{{ app_port }}" }\n';

ruleTests('role-var-no-default', {
  valid: [
    { name: 'a default', files: { 'r/tasks/main.yml': task, 'r/defaults/main.yml': 'app_port: 80\n' } },
    {
      name: 'a required argument spec option',
      files: {
        'r/tasks/main.yml': task,
        'r/meta/argument_specs.yml':
          'argument_specs:\n  main:\n    options:\n      app_port: { type: int, required: true }\n',
      },
    },
    {
      name: 'an optional option with a default in defaults/',
      files: {
        'r/tasks/main.yml': task,
        'r/defaults/main.yml': 'app_port: 80\n',
        'r/meta/argument_specs.yml': 'argument_specs:\n  main:\n    options:\n      app_port: { type: int }\n',
      },
    },
    {
      name: 'set by the role itself',
      files: { 'r/tasks/main.yml': '- name: S\n  set_fact: { app_port: 1 }\n' + task },
    },
    { name: 'defined nowhere (that is undefined-var)', files: { 'r/tasks/main.yml': task } },
  ],
  invalid: [
    {
      name: 'an input set only by the playbook that applies the role',
      files: { 'site.yml': '- hosts: all\n  vars: { app_port: 8080 }\n  roles: [r]\n', 'roles/r/tasks/main.yml': task },
      findings: ['roles/r/tasks/main.yml:2:21'],
      message: "uses 'app_port'",
    },
    {
      name: 'an input set only by the test scenario',
      files: { 'r/tasks/main.yml': task, 'r/tests/default/scenario.yml': 'vars: { app_port: 1 }\n' },
      findings: ['r/tasks/main.yml:2:21'],
    },
    {
      name: 'an optional option without a default',
      files: {
        'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n',
        'r/meta/argument_specs.yml': 'argument_specs:\n  main:\n    options:\n      app_port: { type: int }\n',
      },
      findings: ['r/meta/argument_specs.yml:4:7'],
      message: "optional argument 'app_port'",
    },
  ],
});
