/**
 * `bosun convert` round trip: each Jinja2 value (kubespray / geerlingguy idioms) and its Handlebars conversion render
 * the same on bosun's engine; what is not converted says why.
 */
import { describe, expect, test } from 'vitest';
import { convertCondition, convertValue, NotConvertible } from '../../../src/convert/expression.js';
import { convertYaml, emptyResult } from '../../../src/convert/files.js';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const vars = {
  containerd_version: '1.7.13',
  arch: 'amd64',
  download_mirror: 'https://mirror.local',
  containerd_config_dir: '/etc/containerd',
  registries: ['docker.io', 'quay.io'],
  container_manager: 'containerd',
  proxy: { url: 'http://proxy:3128' },
  enabled: 'yes',
  port: 8080,
  name: 'Web',
};

const VALUES = [
  '{{ download_mirror }}/containerd-{{ containerd_version }}-linux-{{ arch }}.tar.gz',
  '{{ containerd_config_dir }}/config.toml',
  "{{ registries | join(',') }}",
  "{{ missing_var | default('none') }}",
  '{{ registries | length }}',
  '{{ registries[0] }}',
  '{{ name | lower }}',
  '{{ proxy.url }}',
  "{{ (container_manager == 'containerd') | ternary('a', 'b') }}",
  '{{ port }}',
  '{{ registries }}',
];

const CONDITIONS = [
  "container_manager == 'containerd'",
  'proxy is defined and proxy.url',
  'nothing is not defined',
  "'docker.io' in registries",
  'enabled | bool',
  'not (port > 9000)',
];

describe('convert: values render the same in both dialects', () => {
  test.each(VALUES)('%s', (text) => {
    const hbs = convertValue(text);
    expect(engine.renderString(hbs, vars)).toEqual(engine.renderString(text, vars));
  });
  test.each(CONDITIONS)('condition %s', (text) => {
    const hbs = convertCondition(text);
    expect(engine.isTruthy(engine.evaluate(hbs, vars))).toBe(engine.isTruthy(engine.evaluate(text, vars)));
  });
});

describe('convert: a value printed inside a text is named for checking unless it surely is text', () => {
  test('a boolean inside a text prints differently and is named; a joined list and a literal are not', () => {
    const checks: NonNullable<Parameters<typeof convertValue>[1]> = [];
    const text = 'on={{ flag }} {{ name | lower }}';
    const hbs = convertValue(text, checks);
    // The reason it is named: Jinja2 prints Python's True, the Handlebars result true.
    const flagged = { ...vars, flag: true };
    expect(engine.renderString(text, flagged)).toBe('on=True web');
    expect(engine.renderString(hbs, flagged)).toBe('on=true web');
    expect(checks.map((c) => [c.reason, c.loc.col])).toEqual([[expect.stringMatching(/printed inside a text/), 6]]);
    const none: NonNullable<Parameters<typeof convertValue>[1]> = [];
    convertValue("r={{ registries | join(',') }} n={{ registries | length }}", none);
    convertValue('{{ registries }}', none);
    // Read as Jinja2 still (no helper call): renders as before, nothing to check.
    convertValue('on={{ flag }}', none);
    expect(none).toEqual([]);
  });
});

describe('convert: left as Jinja2, with the reason', () => {
  test.each([
    ['{{ x | default(omit) }}', 'omit'],
    ['{{ a ~ b }}', 'operator ~'],
    ['{{ 2.0 }}', 'float'],
    ["{{ x | regex_search('v(\\d+)') }}", 'regex_search'],
    ['{% if a %}b{% endif %}', 'statement'],
  ])('%s', (text, why) => {
    expect(() => convertValue(text)).toThrow(NotConvertible);
    expect(() => convertValue(text)).toThrow(why);
  });
});

describe('convert: a YAML file keeps its comments', () => {
  test('tasks file', () => {
    const result = emptyResult();
    const out = convertYaml(
      [
        '# install containerd',
        '- name: download',
        '  get_url:',
        '    url: "{{ download_mirror }}/c-{{ containerd_version }}.tgz"  # the mirror',
        '    dest: "/tmp/{{ x | default(omit) }}"',
        "  when: container_manager == 'containerd'",
        '',
      ].join('\n'),
      'tasks/main.yml',
      result,
    );
    expect(out).toContain('# install containerd');
    expect(out).toContain('# the mirror');
    expect(out).toContain('when: (eq container_manager "containerd")');
    expect(out).toContain('dest: "/tmp/{{ x | default(omit) }}"');
    expect(result.converted).toBe(2);
    expect(result.left).toEqual([{ where: 'tasks/main.yml:5:11', reason: 'default(omit): Handlebars has no omit' }]);
  });
});
