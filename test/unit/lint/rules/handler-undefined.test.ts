/** handler-undefined: notify names must match a handler name, ROLE : name, or listen topic. */
import { playbook, ruleTests } from '../rule-tester.js';

const role = (notify: string, handlers: string): Record<string, string> => ({
  'r/tasks/main.yml': `- name: Conf\n  copy: { dest: /tmp/c, content: x }\n  notify: ${notify}\n`,
  'r/handlers/main.yml': handlers,
});

ruleTests('handler-undefined', {
  valid: [
    {
      name: 'play handler by name',
      files: {
        'site.yml': playbook(
          '    - name: T\n      copy: { dest: /tmp/x, content: x }\n      notify: restart x',
          '    - name: restart x\n      debug: { msg: r }',
        ),
      },
    },
    { name: 'role handler as ROLE : name', files: role('"r : restart"', '- name: restart\n  debug: { msg: r }\n') },
    {
      name: 'listen topic',
      files: role('[reload all]', '- name: reload one\n  debug: { msg: r }\n  listen: reload all\n'),
    },
    {
      name: 'templated names are not checked',
      files: role('"{{ handler_name }}"', '- name: h\n  debug: { msg: r }\n'),
    },
  ],
  invalid: [
    {
      name: 'misspelled handler in a playbook',
      files: {
        'site.yml': playbook(
          '    - name: T\n      copy: { dest: /tmp/x, content: x }\n      notify: restart y',
          '    - name: restart x\n      debug: { msg: r }',
        ),
      },
      findings: ['site.yml:7:15'],
      message: "'restart y' is not defined",
    },
    {
      name: 'second of a list in a role',
      files: role('[restart, reload]', '- name: restart\n  debug: { msg: r }\n'),
      findings: ['r/tasks/main.yml:3:21'],
    },
  ],
});
