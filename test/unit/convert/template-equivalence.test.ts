/**
 * `bosun convert` of template files: each converted template, rendered as Handlebars, gives the same bytes as the
 * original rendered by bosun's Jinja2 front end (a table of templates and of expressions, each under several sets of
 * variables, and the fixture role test/fixtures/convert/roles/runtime written in Galaxy/kubespray idioms); what is not
 * converted stays Jinja2 with its place and reason.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { convertTree } from '../../../src/convert/files.js';
import { convertTemplate } from '../../../src/convert/template.js';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();

/** Variable sets every table template is rendered under (flags on and off, lists full and empty, "false" as text). */
const VARS: Array<Record<string, unknown>> = [
  {
    name: 'Web',
    on: true,
    flag: 'yes',
    n: 3,
    xs: ['a', 'b', 'c'],
    d: { b: 1, a: 'two', c: 'x y' },
    empty: [],
    mirrors: [
      { host: 'docker.io', eps: ['https://m1', 'https://m2'] },
      { host: 'quay.io', eps: [] },
    ],
    first: 'F',
    mode: 'systemd',
    inventory_hostname: 'node1',
  },
  {
    name: 'db',
    on: false,
    flag: 'false',
    n: 0,
    xs: [],
    d: {},
    empty: [],
    mirrors: [],
    first: '',
    mode: 'cgroupfs',
    inventory_hostname: 'node2',
  },
  {
    name: 'X',
    on: 'no',
    flag: {},
    n: 2,
    xs: ['only'],
    d: { k: 'v' },
    empty: [],
    mirrors: [{ host: 'h', eps: ['e'] }],
    first: 'f',
    mode: 'other',
    inventory_hostname: 'node3',
    proxy: { url: 'http://p:3128' },
  },
];

const TEMPLATES: Array<[string, string]> = [
  ['plain text and a value', 'name = {{ name }}\nport = {{ n }}\n'],
  ['if/elif/else', "{% if mode == 'systemd' %}\nA\n{% elif mode == 'cgroupfs' %}\nB\n{% else %}\nC\n{% endif %}\n"],
  [
    'if on a variable (bosun truthiness: "false", "no", {} are false)',
    '{% if flag %}\nyes\n{% else %}\nno\n{% endif %}\n',
  ],
  ['if with and/or/not/in', "{% if on and not (n > 2) or 'a' in xs %}\nhit\n{% endif %}\nend\n"],
  ['is defined guards the read', '{% if proxy is defined and proxy.url %}\nproxy={{ proxy.url }}\n{% endif %}\n'],
  ['is not defined', '{% if proxy is not defined %}\nnone\n{% endif %}\n'],
  [
    'for with loop.index, first, last, length',
    '{% for x in xs %}\n{{ loop.index }}/{{ loop.length }} {{ loop.index0 }} {{ x }}{% if loop.first %} (first){% endif %}{% if loop.last %} (last){% endif %}\n{% endfor %}\n',
  ],
  ['for over k, v in d.items()', '{% for k, v in d.items() %}\n{{ k }}={{ v }}\n{% endfor %}\n'],
  ['for over d.values()', '{% for v in d.values() %}[{{ v }}]{% endfor %}\n'],
  ['for with else', '{% for x in xs %}\n- {{ x }}\n{% else %}\n# none\n{% endfor %}\n'],
  ['for over an empty list at the end of the file', '[list]\n{% for x in xs %}\n{{ x }}\n{% endfor %}\n'],
  [
    'nested loops, the outer name inside',
    '{% for m in mirrors %}\n[{{ m.host }}] {{ name }}\n{% for e in m.eps %}  {{ e }}{% if not loop.last %},{% endif %}\n\n{% endfor %}\n{% endfor %}\n',
  ],
  ['range', '{% for i in range(3) %}{{ i }} {% endfor %}\n'],
  [
    'set, then used in a loop',
    '{% set prefix = name | lower %}\n{% for x in xs %}\n{{ prefix }}-{{ x }}\n{% endfor %}\n',
  ],
  ['set inside a loop body', '{% for x in xs %}{% set up = x | upper %}{{ up }}{{ x }} {% endfor %}\n'],
  ['set again after use', "{% set a = 'one' %}{{ a }}\n{% set a = 'two' %}{{ a }}\n"],
  ['raw', '{% raw %}{{ .Names }} {% if %}{% endraw %}\n'],
  ['comments', '{# header comment #}\nA\n  {#- trimmed -#}\nB {# inline #} C\n'],
  ['whitespace control', 'A\n  {%- if on %}  x  {% endif -%}  \nB {{- name -}} C\n'],
  ['trim_blocks leaves indentation', '  {% if on %}\n  on\n  {% endif %}\nend\n'],
  ['blank lines around blocks', '[a]\n{% if n > 2 %}\n\nbig\n\n{% elif n == 2 %}\ntwo\n{% endif %}\n\n'],
  ['literal braces', "{{ '{{' }} x {{ '}}' }} and {{ '{%' }}\n"],
  ['a variable named like a helper', '{{ first }}\n'],
  ['inline if', "{{ 'on' if on else 'off' }} {{ name if n else '' }}\n"],
  ['~ concatenation', "{{ name ~ '-' ~ n }} {% set s = name ~ '/' ~ n %}{{ s }}\n"],
  [
    'filters that map to helpers',
    "{{ xs | join(',') }} {{ name | lower }} {{ name | upper }} {{ xs | length }} {{ missing | default('dflt') }} {{ 'a-b' | replace('-', '_') }} {{ '/etc/x.conf' | basename }} {{ '/etc/x.conf' | dirname }} {{ ' t ' | trim }} {{ '7' | int }}\n",
  ],
  ['default with a dict and length', '{% set extra = nothing | default({}) %}{{ extra | length }}\n'],
  ['dict2items', '{% for item in d | dict2items %}{{ item.key }}:{{ item.value }};{% endfor %}\n'],
  ['no trailing newline', 'A{% if on %}B{% endif %}'],
  ['two trailing newlines', 'A\n{% if on %}\nB\n{% endif %}\n\n'],
  ['backslashes in text', 'C:\\path\\ {{ name }}\\\n'],
  ['a #jinja2 header', '#jinja2: trim_blocks: False\n{% if on %}\nA\n{% endif %}\n'],
];

/** Expressions: each printed, and each as an {% if %} condition. */
const EXPRESSIONS = [
  'name',
  'n',
  "xs | join(' ')",
  "missing | default('none')",
  "d.a | default('no a')",
  'xs | length',
  "(mode == 'systemd') | ternary('sd', 'cg')",
  "name | replace('e', 'E')",
  'name if n else "none"',
];
const CONDITIONS = [
  'on',
  'flag',
  'not on',
  'n',
  'n > 2',
  'xs',
  "'a' in xs",
  "mode != 'systemd'",
  'proxy is defined',
  'on and n',
  'on or flag',
  'flag | bool',
  'd',
];

function render(text: string, file: string, vars: Record<string, unknown>): string {
  try {
    return engine.renderText(text, vars, file);
  } catch (err) {
    return `ERROR ${(err as Error).message}`;
  }
}

function expectSame(source: string, vars: Array<Record<string, unknown>>): string {
  const r = convertTemplate(source, 'x.j2');
  if (!r.ok) throw new Error(`not converted: ${JSON.stringify(r.left)}`);
  for (const v of vars) expect(render(r.text, 'x.hbs', v)).toBe(render(source, 'x.j2', v));
  return r.text;
}

describe('convert templates: the Handlebars form renders the same bytes', () => {
  test.each(TEMPLATES)('%s', (_name, source) => {
    const out = expectSame(source, VARS);
    // Rendered, not errors (an error in both would prove nothing).
    for (const v of VARS) expect(render(out, 'x.hbs', v)).not.toMatch(/^ERROR/);
  });

  test.each(EXPRESSIONS)('printed: {{ %s }}', (expr) => {
    expectSame(`v={{ ${expr} }}\n`, VARS);
  });

  test.each(CONDITIONS)('condition: if %s', (cond) => {
    expectSame(`{% if ${cond} %}\nT\n{% else %}\nF\n{% endif %}\n`, VARS);
  });

  test('a read in a branch that may not exist when the branch does not run is listed to check', () => {
    // Jinja2 reads xs[0] only when xs is not empty; bosun's Handlebars checks every read before rendering.
    const source = 'v={{ xs[0] if xs else "empty" }}\n';
    const r = convertTemplate(source, 'x.j2');
    expect(r.ok && r.checks.map((c) => c.reason).filter((c) => c.includes('branch'))).toEqual([
      expect.stringMatching(/'xs\.0' is read in a branch/),
    ]);
    expect(render(source, 'x.j2', VARS[1]!)).toBe('v=empty\n');
    if (r.ok) expect(render(r.text, 'x.hbs', VARS[1]!)).toMatch(/^ERROR undefined variable 'xs.0'/);
    // Guarded by `is defined`, or known from the defaults: not listed.
    const guarded = convertTemplate('{% if p is defined %}{{ p.url }}{% endif %}\n', 'x.j2');
    expect(guarded.ok && guarded.checks.filter((c) => c.reason.includes('branch'))).toEqual([]);
  });

  test('the standalone-line rule is kept from dropping newlines', () => {
    const out = expectSame('A\n{% if on %}\n\nB\n{% endif %}\n', VARS);
    expect(out).toContain('{{!}}');
  });

  test('a printed value that may be no text is listed to check; a text or a number is not', () => {
    const r = convertTemplate('{{ name }} {{ xs | join(",") }} {{ on }}\n', 'x.j2', new Map([['name', 'Web']]));
    expect(r.ok && r.checks.map((c) => `${c.line}:${c.col}`).sort()).toEqual(['1:36', '2:1']);
    // Why: Jinja2 prints Python's True, Handlebars true.
    if (r.ok) expect(render(r.text, 'x.hbs', VARS[0]!)).not.toBe(render('{{ on }}', 'x.j2', VARS[0]!));
  });
});

describe('convert templates: left as Jinja2, with the place and the reason', () => {
  test.each([
    ['{{ x | to_nice_json }}\n', '1:8', 'to_nice_json'],
    ['a\n{% macro m() %}x{% endmacro %}\n', '2:4', 'macros'],
    ["{% include 'other.j2' %}\n", '1:4', 'include'],
    ['{% for x in xs %}{{ loop.revindex }}{% endfor %}\n', '1:25', 'loop.revindex'],
    ['{% for a, b in pairs %}{{ a }}{% endfor %}\n', '1:4', 'unpacks'],
    ['{% for x in xs if x %}{{ x }}{% endfor %}\n', '1:4', 'loop filter'],
    ['{% if a %}{% set v = 1 %}{% endif %}{{ v }}\n', '1:40', 'set inside an {% if %}'],
    ['{{ 4 / 2 }}\n', '1:4', 'operator /'],
    ['{% for x in xs %}{% for x in ys %}{% endfor %}{% endfor %}\n', '1:21', 'hides'],
    ['{{ x.split(",") }}\n', '1:11', 'call'],
    ['{% for x in xs %}\n{{ x }}\n{% endfor %}{% if a %}\n\n{% endif %}\n', '', 'last newlines'],
  ])('%s', (source, where, why) => {
    const r = convertTemplate(source, 'x.j2');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.left.map((l) => l.reason).join('; ')).toContain(why);
    if (where) expect(r.left.map((l) => `${l.line}:${l.col}`)).toContain(where);
  });

  test('every reason in a file is listed, each at its place', () => {
    const r = convertTemplate('{{ a | to_json }}\n{{ b | to_yaml }}\n', 'x.j2');
    expect(!r.ok && r.left.map((l) => `${l.line}:${l.col}`)).toEqual(['1:8', '2:8']);
  });
});

describe('convert: a role in Galaxy/kubespray idioms', () => {
  const role = path.resolve('test/fixtures/convert/roles/runtime');
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'bosun-convert-')), 'runtime');
  afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));
  const result = convertTree(role, out);
  const defaults = parseYaml(readFileSync(path.join(role, 'defaults/main.yml'), 'utf8')) as Record<string, unknown>;
  const host = { inventory_hostname: 'node1', ansible_managed: 'Ansible managed' };
  const sets: Array<Record<string, unknown>> = [
    { ...defaults, ...host },
    {
      ...defaults,
      ...host,
      runtime_debug: true,
      runtime_cgroup_driver: 'cgroupfs',
      runtime_registry_mirrors: [],
      runtime_insecure_registries: ['reg.local:5000'],
      runtime_extra_args: { a: 1 },
      runtime_http_proxy: 'http://proxy:3128',
      runtime_log_level: 'debug',
      runtime_sysctl: {},
    },
    { ...defaults, ...host, runtime_debug: 'false', runtime_cgroup_driver: 'other', runtime_labels: {} },
  ];

  test('templates become .hbs, the task src follows, to_nice_json stays Jinja2', () => {
    expect(readdirSync(path.join(out, 'templates')).sort()).toEqual([
      'client.yaml.hbs',
      'config.toml.hbs',
      'daemon.json.j2',
      'proxy.conf.hbs',
      'sysctl.conf.hbs',
    ]);
    expect(result.templatesConverted).toBe(4);
    expect(result.templatesLeft).toBe(1);
    expect(result.left).toEqual([
      {
        where: 'runtime/templates/daemon.json.j2:1:29',
        reason: "the filter 'to_nice_json' (no helper with the same meaning)",
      },
    ]);
    const tasks = readFileSync(path.join(out, 'tasks/main.yml'), 'utf8');
    expect(tasks).toContain('src: config.toml.hbs');
    expect(tasks).toContain('src: daemon.json.j2');
    expect(tasks).not.toMatch(/src: (config\.toml|client\.yaml|sysctl\.conf|proxy\.conf)\.j2/);
  });

  test.each(['config.toml', 'client.yaml', 'sysctl.conf', 'proxy.conf'])('%s renders the same bytes', (name) => {
    const j2 = readFileSync(path.join(role, 'templates', `${name}.j2`), 'utf8');
    const hbs = readFileSync(path.join(out, 'templates', `${name}.hbs`), 'utf8');
    for (const vars of sets) {
      const want = render(j2, `${name}.j2`, vars);
      expect(want).not.toMatch(/^ERROR/);
      expect(render(hbs, `${name}.hbs`, vars)).toBe(want);
    }
  });
});
