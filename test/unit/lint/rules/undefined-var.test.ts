/** undefined-var: every template and condition read checked against what the project defines. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('undefined-var', {
  valid: [
    {
      name: 'play vars, register, set_fact, loop var, magic vars and facts',
      files: {
        'site.yml': [
          '- name: Test',
          '  hosts: all',
          '  vars: { base: /opt }',
          '  tasks:',
          '    - name: Probe',
          '      stat: { path: "{{ base }}/x" }',
          '      register: st',
          '    - name: Fact',
          '      set_fact: { answer: 42 }',
          '    - name: Loop',
          '      debug: { msg: "{{ pkg }} {{ idx }} {{ answer }} {{ inventory_hostname }} {{ ansible_os_family }}" }',
          '      loop: [a, b]',
          '      loop_control: { loop_var: pkg, index_var: idx }',
          '      when: st.stat.exists and (eq role_name "x")',
        ].join('\n'),
      },
    },
    {
      name: 'role defaults, vars and templates',
      files: {
        'r/defaults/main.yml': 'port: 80\nitems: []\n',
        'r/vars/main.yml': 'url: "http://x:{{ port }}"\n',
        'r/tasks/main.yml': '- name: T\n  template: { src: c.hbs, dest: "/tmp/{{ url }}" }\n',
        'r/templates/c.hbs':
          '{{#each items as |it|}}{{it.name}} {{../port}}{{/each}}\n{{#with url}}{{this}}{{/with}}\n',
      },
    },
    {
      name: 'guarded by default/defined',
      files: {
        'site.yml': playbook(
          '    - name: T\n      debug: { msg: "{{ default proxy \\"none\\" }}" }\n      when: (defined extra)',
        ),
      },
    },
    {
      name: 'group_vars beside the playbook and scenario vars',
      files: {
        'site.yml': playbook('    - name: T\n      debug: { msg: "{{ region }}" }'),
        'group_vars/all.yml': 'region: eu\n',
      },
    },
    {
      name: 'a disable comment on the line before',
      files: {
        'site.yml': playbook(
          '    - name: T\n      # bosun-lint: disable=undefined-var\n      debug: { msg: "{{ given_with_e }}" }',
        ),
      },
    },
  ],
  invalid: [
    {
      name: 'a typo in a task argument',
      files: {
        'site.yml': [
          '- name: Test',
          '  hosts: all',
          '  vars: { config_dir: /etc/x }',
          '  tasks:',
          '    - name: T',
          '      file: { path: "{{ confg_dir }}", state: directory }',
        ].join('\n'),
      },
      findings: ['site.yml:6:25'],
      message: "undefined variable 'confg_dir'",
    },
    {
      name: 'in a condition',
      files: { 'site.yml': playbook('    - name: T\n      debug: { msg: x }\n      when: (eq osfamily "Debian")') },
      findings: ['site.yml:7:17'],
    },
    {
      name: 'in a role template file',
      files: {
        'r/defaults/main.yml': 'port: 80\n',
        'r/tasks/main.yml': '- name: T\n  template: { src: c.hbs, dest: /tmp/c }\n',
        'r/templates/c.hbs': 'port = {{ port }}\nhost = {{ hostname }}\n',
      },
      findings: ['r/templates/c.hbs:2:11'],
    },
    {
      name: 'the loop variable outside any loop',
      files: { 'site.yml': playbook('    - name: T\n      debug: { msg: "{{ item }}" }') },
      findings: ['site.yml:6:25'],
    },
  ],
});
