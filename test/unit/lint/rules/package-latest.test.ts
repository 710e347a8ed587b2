/** package-latest: state: latest on package modules. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('package-latest', {
  valid: [
    { name: 'present', files: { 'site.yml': playbook('    - name: T\n      apt: { name: curl, state: present }') } },
    {
      name: 'latest on a module that is not a package manager',
      files: { 'site.yml': playbook('    - name: T\n      debug: { msg: latest }') },
    },
  ],
  invalid: [
    {
      name: 'apt latest',
      files: { 'site.yml': playbook('    - name: T\n      apt:\n        name: curl\n        state: latest') },
      findings: ['site.yml:8:16'],
      message: 'apt with state: latest',
    },
    {
      name: 'package latest as key=value',
      files: { 'r/tasks/main.yml': '- name: T\n  package: name=curl state=latest\n' },
      findings: ['r/tasks/main.yml:2:12'],
    },
    {
      name: 'dnf latest via args',
      files: {
        'site.yml': playbook('    - name: T\n      dnf:\n        name: curl\n      args:\n        state: latest'),
      },
      findings: ['site.yml:9:16'],
    },
  ],
});
