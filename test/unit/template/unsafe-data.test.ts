/**
 * Unsafe data (issue 15): values the executor stores at run time (facts,
 * set_fact, register) and `!unsafe` values are never rendered as templates;
 * templates written by the author still render lazily; a rendering that runs
 * too long stops with a positioned error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BosunError, isBosunError } from '../../../src/errors.js';
import { hostVarLayers, loadInventory } from '../../../src/inventory/index.js';
import { varsOf } from '../../../src/playbook/inherit.js';
import { createTemplateEngine, RENDER_BUDGET_MS } from '../../../src/template/index.js';
import { extendVars, isUnsafeKey, markUnsafe } from '../../../src/util/unsafe.js';
import { parseYaml } from '../../../src/util/yaml.js';
import { VarScope, type VarLayer } from '../../../src/vars/scope.js';

const engine = createTemplateEngine();
const EVIL = 'pw={{ secret }} tok={{ hostvars.h2.token }}';

const config = (values: Record<string, unknown>): VarLayer => ({ level: 'play_vars', source: 'play', values });
const data = (values: Record<string, unknown>, level: VarLayer['level'] = 'set_fact'): VarLayer => ({
  level,
  source: 'set_fact/register',
  values,
  unsafe: true,
});

/** The merged variables of layers, as the executor builds them. */
function varsOfLayers(...layers: VarLayer[]): Record<string, unknown> {
  return new VarScope(layers.slice(0, 1)).mergeWith(layers.slice(1));
}

describe('data from a target or the run is returned verbatim', () => {
  const base = config({ secret: 'S3CRET', via: '{{ out.stdout }}', via_dict: '{{ out }}', lazy: '{{ secret }}' });
  const vars = varsOfLayers(
    base,
    data({ out: { stdout: EVIL, stdout_lines: [EVIL] }, copied: EVIL }),
    data({ ansible_env: { EVIL }, ansible_facts: { env: { EVIL } } }, 'facts'),
  );

  test.each([
    ['{{ out.stdout }}', EVIL],
    ['{{ out.stdout_lines.0 }}', EVIL],
    ['{{ copied }}', EVIL],
    ['x {{ copied }} y', `x ${EVIL} y`],
    ['{{ ansible_env.EVIL }}', EVIL],
    ['{{ ansible_facts.env.EVIL }}', EVIL],
    ['{{ via }}', EVIL],
    ['{{ via_dict.stdout }}', EVIL],
    ['{{ via_dict.stdout }} {{ via_dict.stdout_lines.0 }} {{ via }}', `${EVIL} ${EVIL} ${EVIL}`],
    ['{{#each out.stdout_lines}}{{this}}{{/each}}', EVIL],
    ['{{ lazy }}', 'S3CRET'],
  ])('%s', (template, expected) => {
    expect(engine.renderString(template, vars)).toBe(expected);
  });

  test('a structure holding data is returned as it is, deep inside too', () => {
    expect(engine.renderString('{{ out }}', vars)).toEqual({ stdout: EVIL, stdout_lines: [EVIL] });
    expect(engine.renderDeep({ a: ['{{ copied }}'] }, vars)).toEqual({ a: [EVIL] });
  });

  test('an author template above a data name of the same name is still rendered', () => {
    const over = varsOfLayers(base, data({ copied: EVIL }), {
      level: 'extra_vars',
      source: '-e',
      values: { copied: '{{ secret }}' },
    });
    expect(engine.renderString('{{ copied }}', over)).toBe('S3CRET');
  });

  test('extendVars keeps the marks of both sides (loop items are data, the rest as before)', () => {
    const item = extendVars(vars, { item: '{{ secret }}' }, true);
    expect(engine.renderString('{{ item }} {{ copied }} {{ lazy }}', item)).toBe(`{{ secret }} ${EVIL} S3CRET`);
    const params = extendVars(vars, { p: '{{ secret }}' }, false);
    expect(engine.renderString('{{ p }} {{ copied }}', params)).toBe(`S3CRET ${EVIL}`);
  });

  test('hostvars of another host: its set_fact values are data', () => {
    const other = new VarScope([config({ token: 'tok-{{ secret }}', secret: 'x' }), data({ fact: EVIL })]).toObject();
    const hv = extendVars(vars, { hostvars: { h2: { ...other } } }, false);
    expect(engine.renderString('{{ hostvars.h2.fact }}', hv)).toBe(EVIL);
  });

  test('a template bomb in data costs nothing', () => {
    const bomb = '{{#each (range 100000)}}{{#each (range 100000)}}x{{/each}}{{/each}}';
    const t0 = Date.now();
    expect(engine.renderString('{{ out }}', varsOfLayers(base, data({ out: bomb })))).toBe(bomb);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('!unsafe', () => {
  test('vars: a tagged text is never templated, its neighbours are', () => {
    const yaml = parseYaml(
      'vars:\n  a: !unsafe "{{ secret }}"\n  b: "{{ secret }}"\n  l: [!unsafe "{{ secret }}", "{{ secret }}"]\n  d: { k: !unsafe "{{ x | y }}" }\n',
      'play.yml',
    );
    const { values } = varsOf((yaml.value as { vars: unknown }).vars, yaml, ['vars']);
    expect(isUnsafeKey(values, 'a')).toBe(true);
    const vars = varsOfLayers(config({ ...values, secret: 'S3CRET' }));
    expect(engine.renderString('{{ a }}|{{ b }}|{{ l.0 }}|{{ l.1 }}|{{ d.k }}', vars)).toBe(
      '{{ secret }}|S3CRET|{{ secret }}|S3CRET|{{ x | y }}',
    );
  });

  test('module arguments: a tagged text reaches the module as written', () => {
    const yaml = parseYaml('args: { content: !unsafe "{{ secret }}", dest: "/{{ secret }}" }\n', 'play.yml');
    const args = (yaml.value as { args: Record<string, unknown> }).args;
    expect(engine.renderDeep(args, { secret: 'S' })).toEqual({ content: '{{ secret }}', dest: '/S' });
  });

  test('a YAML inventory and group_vars', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-unsafe-inv-'));
    writeFileSync(
      path.join(dir, 'hosts.yml'),
      'all:\n  vars:\n    g: !unsafe "{{ secret }}"\n  hosts:\n    h1:\n      h: !unsafe "{{ secret }}"\n      secret: S3CRET\n',
    );
    const inv = await loadInventory([path.join(dir, 'hosts.yml')]);
    const vars = new VarScope(await hostVarLayers(inv, 'h1', {})).toObject();
    expect(engine.renderString('{{ g }}|{{ h }}|{{ secret }}', vars)).toBe('{{ secret }}|{{ secret }}|S3CRET');
  });

  test('on a mapping it is an error with a position', () => {
    expect(() => parseYaml('a: !unsafe { b: 1 }\n', 'play.yml')).toThrow(/!unsafe must tag a text/);
  });
});

describe('a rendering that runs too long', () => {
  test('stops with a positioned error within the budget', () => {
    const bomb = '{{#each (range 100000)}}{{#each (range 100000)}}x{{/each}}{{/each}}';
    const t0 = Date.now();
    let err: unknown;
    try {
      engine.renderString(bomb, {}, { file: 'play.yml', line: 7, col: 12 });
    } catch (e) {
      err = e;
    }
    const ms = Date.now() - t0;
    expect(isBosunError(err)).toBe(true);
    const e = err as BosunError;
    expect(e.code).toBe('TEMPLATE_RENDER');
    expect(e.message).toMatch(/rendering stopped: it ran longer than/);
    expect(e.source).toMatchObject({ file: 'play.yml', line: 7 });
    expect(ms).toBeGreaterThanOrEqual(RENDER_BUDGET_MS - 50);
    expect(ms).toBeLessThan(RENDER_BUDGET_MS + 2000);
    // The engine is usable again afterwards.
    expect(engine.renderString('{{#each (range 3)}}{{this}}{{/each}}', {})).toBe('012');
  }, 20_000);

  test('markUnsafe on a whole container', () => {
    const v = markUnsafe({ a: '{{ secret }}' });
    expect(engine.renderString('{{ v.a }}', { v, secret: 'S' })).toBe('{{ secret }}');
  });
});
