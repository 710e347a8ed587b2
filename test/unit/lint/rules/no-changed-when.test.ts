/** no-changed-when: command/shell/script must say when they change something. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('no-changed-when', {
  valid: [
    {
      name: 'changed_when: false',
      files: { 'site.yml': playbook('    - name: T\n      command: uname -r\n      changed_when: false') },
    },
    {
      name: 'creates',
      files: {
        'site.yml': playbook(
          '    - name: T\n      command:\n        cmd: make install\n        creates: /usr/local/bin/x',
        ),
      },
    },
    {
      name: 'free-form creates=',
      files: { 'site.yml': playbook('    - name: T\n      shell: make install creates=/usr/local/bin/x') },
    },
    {
      name: 'free-form with creates under args:',
      files: {
        'site.yml': playbook('    - name: T\n      command: cp /bin/true /opt/x\n      args:\n        creates: /opt/x'),
      },
    },
    {
      name: 'unless probe',
      files: {
        'site.yml': playbook(
          '    - name: T\n      shell:\n        cmd: echo 1 > /proc/x\n        unless: grep -q 1 /proc/x',
        ),
      },
    },
    {
      name: 'a module that is not a command',
      files: { 'site.yml': playbook('    - name: T\n      debug: { msg: x }') },
    },
  ],
  invalid: [
    {
      name: 'bare command',
      files: { 'site.yml': playbook('    - name: T\n      command: kubeadm reset -f') },
      findings: ['site.yml:5:7'],
      message: 'always reports changed',
    },
    {
      name: 'shell in a role with register only',
      files: { 'r/tasks/main.yml': '- name: Probe\n  shell: ls /etc | wc -l\n  register: out\n' },
      findings: ['r/tasks/main.yml:1:3'],
    },
  ],
});
