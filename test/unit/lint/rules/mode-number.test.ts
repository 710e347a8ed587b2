/** mode-number: bare numbers for mode, read from the source text. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('mode-number', {
  valid: [
    {
      name: 'double-quoted',
      files: { 'site.yml': playbook('    - name: T\n      file: { path: /tmp/x, state: touch, mode: "0644" }') },
    },
    {
      name: 'single-quoted block style',
      files: {
        'site.yml': playbook(
          "    - name: T\n      copy:\n        dest: /tmp/x\n        content: x\n        mode: '0600'",
        ),
      },
    },
    {
      name: 'symbolic',
      files: { 'site.yml': playbook('    - name: T\n      file: { path: /tmp/x, state: touch, mode: u=rw,g=r }') },
    },
    {
      name: 'key=value string',
      files: { 'site.yml': playbook('    - name: T\n      file: path=/tmp/x state=touch mode=0644') },
    },
  ],
  invalid: [
    {
      name: 'leading-zero octal in flow style',
      files: { 'site.yml': playbook('    - name: T\n      file: { path: /tmp/x, state: touch, mode: 0644 }') },
      findings: ['site.yml:6:49'],
      message: 'mode 0644 is a bare number',
    },
    {
      name: 'decimal in block style with a comment',
      files: {
        'r/tasks/main.yml': '- name: T\n  copy:\n    dest: /tmp/x\n    content: x\n    mode: 644  # rw-r--r--\n',
      },
      findings: ['r/tasks/main.yml:5:11'],
    },
    {
      name: 'under args:',
      files: {
        'site.yml': playbook('    - name: T\n      file:\n        path: /tmp/x\n      args:\n        mode: 755'),
      },
      findings: ['site.yml:9:15'],
    },
  ],
});
