/** name-missing: unnamed tasks and includes; blocks and meta tasks need no name. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('name-missing', {
  valid: [
    { name: 'named task', files: { 'site.yml': playbook('    - name: Say hi\n      debug: { msg: hi }') } },
    {
      name: 'block without a name, its tasks named',
      files: { 'site.yml': playbook('    - block:\n        - name: Inner\n          debug: { msg: hi }') },
    },
    { name: 'meta task', files: { 'site.yml': playbook('    - meta: flush_handlers') } },
    {
      name: 'static import',
      files: {
        'r/tasks/main.yml': '- import_tasks: other.yml\n',
        'r/tasks/other.yml': '- name: Other\n  debug: { msg: x }\n',
      },
    },
  ],
  invalid: [
    {
      name: 'unnamed task in a playbook',
      files: { 'site.yml': playbook('    - debug: { msg: hi }') },
      findings: ['site.yml:5:7'],
      message: 'debug task has no name',
    },
    {
      name: 'unnamed task inside a block',
      files: { 'site.yml': playbook('    - name: B\n      block:\n        - copy: { dest: /tmp/x, content: x }') },
      findings: ['site.yml:7:11'],
    },
    {
      name: 'unnamed include in a role',
      files: {
        'r/tasks/main.yml': '- include_tasks: other.yml\n',
        'r/tasks/other.yml': '- name: Other\n  debug: { msg: x }\n',
      },
      findings: ['r/tasks/main.yml:1:3'],
    },
    {
      name: 'unnamed handler',
      files: {
        'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n  notify: h\n',
        'r/handlers/main.yml': '- debug: { msg: h }\n  listen: h\n',
      },
      findings: ['r/handlers/main.yml:1:3'],
    },
  ],
});
