/** template-dialect: a template file whose name says one dialect while bosun reads it in the other. */
import { ruleTests } from '../rule-tester.js';

ruleTests('template-dialect', {
  valid: [
    {
      name: 'Jinja2 in .j2, Handlebars in .hbs, a plain {{ x }} in either',
      files: {
        'r/tasks/main.yml': '- name: T\n  template: { src: a.j2, dest: /tmp/a }\n',
        'r/templates/a.j2': '{% for x in xs %}{{ x }}{% endfor %}\n',
        'r/templates/b.hbs': '{{#each xs}}{{this}}{{/each}}\n',
        'r/templates/c.j2': 'port={{ port }}\n',
        'r/templates/d.hbs': 'port={{ port }}\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a .j2 file using Handlebars blocks is read as Handlebars',
      files: {
        'r/tasks/main.yml': '- name: T\n  template: { src: a.j2, dest: /tmp/a }\n',
        'r/templates/a.j2': 'head\n{{#each xs}}{{ this }}{{/each}}\n',
      },
      findings: ['r/templates/a.j2:2:1'],
      message: 'read as Handlebars',
    },
    {
      name: 'a .hbs file with a Jinja2 statement',
      files: {
        'r/tasks/main.yml': '- name: T\n  template: { src: b.hbs, dest: /tmp/b }\n',
        'r/templates/b.hbs': 'x={{ x }}\n  {% if y %}y{% endif %}\n',
      },
      findings: ['r/templates/b.hbs:2:3'],
      message: 'a Jinja2 statement in a Handlebars (.hbs) file is written out as text',
    },
  ],
});
