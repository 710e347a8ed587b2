/** handler-unused: handlers nothing notifies. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('handler-unused', {
  valid: [
    {
      name: 'notified by name',
      files: {
        'site.yml': playbook(
          '    - name: T\n      copy: { dest: /tmp/x, content: x }\n      notify: h',
          '    - name: h\n      debug: { msg: r }',
        ),
      },
    },
    {
      name: 'notified through listen',
      files: {
        'r/tasks/main.yml': '- name: T\n  copy: { dest: /tmp/x, content: x }\n  notify: topic\n',
        'r/handlers/main.yml': '- name: h\n  debug: { msg: r }\n  listen: topic\n',
      },
    },
    {
      name: 'a role handler notified from a playbook as ROLE : name',
      files: {
        'site.yml': playbook('    - name: T\n      copy: { dest: /tmp/x, content: x }\n      notify: "r : h"'),
        'roles/r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n',
        'roles/r/handlers/main.yml': '- name: h\n  debug: { msg: r }\n',
      },
    },
  ],
  invalid: [
    {
      name: 'play handler never notified',
      files: {
        'site.yml': playbook('    - name: T\n      debug: { msg: x }', '    - name: lonely\n      debug: { msg: r }'),
      },
      findings: ['site.yml:8:7'],
      message: "handler 'lonely' is never notified",
    },
    {
      name: 'role handler never notified',
      files: {
        'r/tasks/main.yml': '- name: T\n  debug: { msg: x }\n',
        'r/handlers/main.yml': '- name: one\n  debug: { msg: r }\n- name: two\n  debug: { msg: r }\n',
      },
      findings: ['r/handlers/main.yml:1:3', 'r/handlers/main.yml:3:3'],
    },
  ],
});
