/**
 * Jinja2 in YAML values and conditions: the dialect rule, the fixes around
 * nunjucks' parser, positions, lazy undefined, lazy variables across
 * dialects, unsafe data, omit. The ansible-core comparison is
 * jinja-engine.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { isHandlebars } from '../../../src/template/dialect.js';
import { createTemplateEngine, OMIT } from '../../../src/template/index.js';
import { decodePythonString } from '../../../src/template/jinja/parse.js';
import { markUnsafe } from '../../../src/util/unsafe.js';

const engine = createTemplateEngine();
const src = { file: 'play.yml', line: 7, col: 12 };

function failure(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BosunError) return err;
    throw err;
  }
  throw new Error('expected a BosunError');
}

describe('the dialect rule', () => {
  test.each([
    ['{{ x }}', false],
    ['{{ a.b }}', false],
    ['{{ item.0 }}', false],
    ["{{ x | default('a') }}", false],
    ["{{ 'a' if c else 'b' }}", false],
    ['{{ not x }}', false],
    ['{{ (x) }}', false],
    ['{{ (a and b) or c }}', false],
    ['{{ x is defined }}', false],
    ['{{ x if y else z }}', false],
    ["{{ lookup('env', 'HOME') }}", false],
    ['{{#if x}}a{{/if}}', true],
    ['{{#each xs}}{{this}}{{/each}}', true],
    ['{{else}}', true],
    ['{{^x}}n{{/x}}', true],
    ['{{! comment }}', true],
    ['{{> partial }}', true],
    ['{{{ raw }}}', true],
    ['{{~ x ~}}', true],
    ['{{ default x "a" }}', true],
    ['{{ eq a "b" }}', true],
    ['{{ join xs "," }}', true],
    ['{{ (eq a "b") }}', true],
    ['{{ x }} and {{ (not (eq a 1)) }}', true],
    ['{{ and a b }}', true],
    ['{{ in "b" list }}', true],
    ['{{ @index }}', true],
    ['{{ @root.x }}', true],
    ['{{ ../x }}', true],
    ['{{ this.name }}', true],
    ['{{ a.[0] }}', true],
    ['{{ and }}', true],
    ['{{ list }}', true],
    ['\\{{ literal }}', true],
    ['{{ \'eq a "b"\' }}', false],
    ['{{ x | join(" ") }}', false],
  ])('%s -> handlebars %s', (text, hbs) => {
    expect(isHandlebars(text)).toBe(hbs);
  });
});

describe('nunjucks parser fixes', () => {
  test.each([
    // Python string escapes in conditions (nunjucks drops every backslash).
    ['\\d', '\\d'],
    ['\\n', '\n'],
    ['\\t', '\t'],
    ['\\\\', '\\'],
    ["\\'", "'"],
    ['\\x41', 'A'],
    ['a\\.b', 'a\\.b'],
  ])('decodePythonString(%s)', (body, want) => {
    expect(decodePythonString(body)).toBe(want);
  });

  test('a condition reads strings with Python escapes', () => {
    expect(engine.evaluate("'a\\d' == 'a' ~ '\\\\' ~ 'd'", {})).toBe(true);
    expect(engine.evaluate("'x\\ty' | length", {})).toBe(3);
  });

  test("inside {{ }} of a value, backslashes stay as written (Ansible's _escape_backslashes)", () => {
    expect(engine.renderString("{{ 'a\\d' }}", {})).toBe('a\\d');
    expect(engine.renderString("{{ 'v1.2' | regex_replace('v(\\d+)\\.(\\d+)', '\\2.\\1') }}", {})).toBe('2.1');
    expect(engine.renderString("{{ s.split('\\n') }}", { s: 'a\\nb' })).toEqual(['a', 'b']);
  });

  test('item.0, a test argument without parentheses, dict literals closing with }}, chained inline if', () => {
    expect(engine.renderString('{{ item.0 }}-{{ item.1.x }}', { item: ['a', { x: 'b' }] })).toBe('a-b');
    expect(engine.renderString('{{ v is sameas false }}', { v: false })).toBe(true);
    expect(engine.renderString('{{ 9 is divisibleby 3 }}', {})).toBe(true);
    expect(engine.renderString("{{ {'a': {'b': 1}} }}", {})).toEqual({ a: { b: 1 } });
    expect(engine.renderString("{{ 'a' if n > 2 else 'b' if n > 1 else 'c' }}", { n: 2 })).toBe('b');
    expect(engine.renderString('{{ x is not defined }}', {})).toBe(true);
  });
});

describe('positions', () => {
  test('a syntax error is TEMPLATE_SYNTAX at the YAML value, no parser jargon', () => {
    const err = failure(() => engine.check('port {{ 1 + }}', src));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.message).toMatch(/^Jinja2 syntax error: /);
    expect(err.message).not.toMatch(/token|parse/i);
    expect(err.source).toEqual({ file: 'play.yml', line: 7, col: 12 + 12 });
  });

  test('an unclosed string and an unknown filter are load errors with positions', () => {
    expect(failure(() => engine.check("{{ 'open }}", src)).message).toContain('string is not closed');
    const err = failure(() => engine.check('{{ x | nosuch }}', src));
    expect(err.message).toBe("unknown filter 'nosuch'");
    expect(err.source).toEqual({ file: 'play.yml', line: 7, col: 12 + 7 });
    expect(failure(() => engine.checkExpression('x is nosuch', src)).message).toBe("unknown test 'nosuch'");
  });

  test('an undefined variable that is used is UNDEFINED_VAR at its name, worded as in Handlebars', () => {
    const err = failure(() => engine.renderString('a {{ d.b.c }}', { d: { b: {} } }, src));
    expect(err.code).toBe('UNDEFINED_VAR');
    expect(err.message).toBe("undefined variable 'd.b.c' ('d.b' has no key 'c')");
    expect(err.source).toEqual({ file: 'play.yml', line: 7, col: 12 + 5 });
    const multi = failure(() => engine.renderString('line1\n  {{ x\n  + nope }}', { x: 1 }, src));
    expect(multi.source).toEqual({ file: 'play.yml', line: 9, col: 5 });
  });

  test('positions after item.0 (an inserted character) are mapped back', () => {
    const err = failure(() => engine.renderString('{{ item.0 ~ nope }}', { item: ['a'] }, src));
    expect(err.source).toEqual({ file: 'play.yml', line: 7, col: 12 + 12 });
  });
});

describe('lazy undefined', () => {
  test.each([
    ['x is defined and x.y', false],
    ["x.y if x is defined else 'z'", 'z'],
    ["x | default('a')", 'a'],
    ["d.nope | default('a')", 'a'],
    ["x.y.z | default('a')", 'a'],
    ["x | default(y) | default('b')", 'b'],
    ["'' | default('a', true)", 'a'],
    ["none_v | default('a')", null],
    ['x is undefined or x > 1', true],
  ])('%s', (expr, want) => {
    expect(engine.evaluate(expr, { d: {}, none_v: null })).toEqual(want);
  });

  test('a used undefined value is an error', () => {
    expect(failure(() => engine.evaluate('x.y == 1', {})).code).toBe('UNDEFINED_VAR');
    expect(failure(() => engine.evaluate('x + 1', {})).code).toBe('UNDEFINED_VAR');
    expect(failure(() => engine.evaluate('x | upper', {})).code).toBe('UNDEFINED_VAR');
  });
});

describe('variables through the Resolver', () => {
  test('a lazy variable in either dialect, read from the other', () => {
    const vars = { n: 2, jinja: '{{ n * 10 }}', hbs: '{{ default nope 5 }}', both: '{{ jinja + hbs }}' };
    expect(engine.renderString('{{ both }}', vars)).toBe(25);
    expect(engine.renderString('{{#if jinja}}{{ jinja }}{{/if}}', vars)).toBe('20');
  });

  test('unsafe data is never rendered', () => {
    const vars = markUnsafe({ out: '{{ secret }}' }, ['out']);
    expect(engine.renderString('{{ out }}', vars)).toBe('{{ secret }}');
    expect(engine.renderString("{{ out ~ '!' }}", vars)).toBe('{{ secret }}!');
  });

  test('a lazy variable that refers to itself is an error', () => {
    expect(failure(() => engine.renderString('{{ a | length }}', { a: '{{ b }}', b: '{{ a }}' })).message).toMatch(
      /refers to itself/,
    );
  });
});

describe('values as Ansible makes them', () => {
  test.each([
    ['{{ [1, 2] }}', [1, 2]],
    ['x {{ [80, 443] }}', 'x [80, 443]'],
    ["x {{ {'a': 1} }}", "x {'a': 1}"],
    ["x {{ ['a', \"it's\"] }}", "x ['a', \"it's\"]"],
    ['{{ t }} {{ f }}', 'True False'],
    ['[{{ n }}, {{ n }}]', [3, 3]],
    ["{{ '{' }}", '{'],
    ["{{ 'True' }}", true],
    ['{{ d | to_json }}', '{"a": 1}'],
    ['{{ n }}\n', '3\n'],
  ])('%s', (text, want) => {
    expect(engine.renderString(text, { n: 3, t: true, f: false, d: { a: 1 } })).toEqual(want);
  });

  test('omit leaves an argument out', () => {
    const args = engine.renderDeep({ path: '/x', mode: '{{ m | default(omit) }}', list: ['a', '{{ omit }}'] }, {});
    expect(args).toEqual({ path: '/x', list: ['a'] });
    expect(OMIT).toMatch(/^__omit_place_holder__/);
  });

  test('an unknown lookup plugin is an error at the call', () => {
    const err = failure(() => engine.renderString("{{ lookup('nope', 'HOME') }}", {}, src));
    expect(err.message).toBe('lookup plugin (nope) not found');
    expect(err.source?.col).toBe(src.col + 3);
  });

  test('conditions: YAML 1.2 strings no/false are false, as in Handlebars conditions', () => {
    expect(engine.isTruthy(engine.evaluate('flag', { flag: 'no' }))).toBe(false);
    expect(engine.isTruthy(engine.evaluate('not flag', { flag: 'no' }))).toBe(true);
    expect(engine.isTruthy(engine.evaluate("flag and 'x'", { flag: 'false' }))).toBe(false);
  });

  test('each expression is parsed once per text', () => {
    const text = '{{ n + 1 }} and {{ n | string }}';
    for (let n = 0; n < 50; n++) expect(engine.renderString(text, { n })).toBe(`${n + 1} and ${n}`);
  });
});
