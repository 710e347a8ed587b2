/** undefined-var: every template and condition read checked against what the project defines. */
import { playbook, ruleTests } from '../rule-tester.js';

ruleTests('undefined-var', {
  valid: [
    {
      name: 'Jinja2: names a template binds (for targets, loop, set, namespace, macros and their parameters, imports)',
      files: {
        'r/defaults/main.yml': 'users: []\nport: 80\n',
        'r/tasks/main.yml':
          "- name: T\n  template: { src: c.j2, dest: /tmp/c }\n- name: V\n  debug: { msg: \"{{ users | map(attribute='name') | join(',') }} {{ maybe | default(port) }}\" }\n  when: other is defined and other.x\n",
        'r/templates/c.j2': [
          "{% import 'm.j2' as m %}{% from 'm.j2' import line as l %}",
          '{% set ns = namespace(n=0) %}',
          '{% for u in users if u.enabled %}{{ loop.index }} {{ u.name }} {{ m.kv(u) }}{{ l(u) }}{% set ns.n = ns.n + 1 %}{% endfor %}',
          '{% for k, v in {"a": 1}.items() %}{{ k }}={{ v }}{% endfor %}',
          '{% macro row(x, sep=":") %}{{ x }}{{ sep }}{{ port }}{{ caller() }}{% endmacro %}',
          '{% call row(ns.n) %}inner{% endcall %}',
          '{{ range(3) | list }} {{ lookup("env", "HOME") }} {{ undefined_but_guarded | default("x") }}',
          '',
        ].join('\n'),
        'r/templates/m.j2': '{% macro kv(u) %}{{ u }}{% endmacro %}{% macro line(u) %}{{ u }}{% endmacro %}\n',
      },
    },
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
          '    - name: Loaded under one name',
          '      include_vars: { file: v.yml, name: loaded }',
          '    - name: Loop',
          '      debug: { msg: "{{ pkg }} {{ idx }} {{ answer }} {{ loaded.x }} {{ inventory_hostname }} {{ ansible_os_family }}" }',
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
      name: 'Jinja2: an undefined name in a .j2 template and in a Jinja2 value, at its position',
      files: {
        'r/defaults/main.yml': 'users: []\n',
        'r/tasks/main.yml': '- name: T\n  template: { src: c.j2, dest: "/tmp/{{ users | length }}{{ tpyo }}" }\n',
        'r/templates/c.j2': '{% for u in users %}\n{{ u }} {{ nope }}\n{% endfor %}\n',
      },
      findings: ['r/tasks/main.yml:2:61', 'r/templates/c.j2:2:12'],
    },
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
