import Handlebars from 'handlebars';
import { describe, expect, test, vi } from 'vitest';
import { BosunError, isBosunError, type SourcePos } from '../../../src/errors.js';
import { createTemplateEngine, hasTemplate } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const src: SourcePos = { file: 'play.yml', line: 5, col: 10 };

const vars = {
  ports: [80, 443],
  name: 'hello',
  n: 3,
  yes: true,
  cfg: { url: 'http://x', nested: { deep: 1 } },
  hosts: [
    { name: 'a', ip: '10.0.0.1' },
    { name: 'b', ip: '10.0.0.2' },
  ],
  labels: { app: 'web', tier: 'front' },
  csv: 'a,b',
  first: 'the variable',
};

/** Catch the BosunError a call throws. */
function failure(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    if (isBosunError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('renderString: native types and text', () => {
  const cases: Array<[string, unknown]> = [
    ['{{ ports }}', [80, 443]],
    ['  {{ ports }}\n', [80, 443]],
    ['{{ name }}\n', 'hello\n'],
    ['  {{ name }}', '  hello'],
    ['{{ 3 }}', 3],
    ['{{ n }}', 3],
    ['{{ yes }}', true],
    ['{{ (eq name "hello") }}', true],
    ['{{ eq n 4 }}', false],
    ['{{ cfg }}', { url: 'http://x', nested: { deep: 1 } }],
    ['{{ name }}', 'hello'],
    ['{{{ name }}}', 'hello'],
    ['{{ "text" }}', 'text'],
    ['{{ null }}', null],
    ['{{ ports.0 }}', 80],
    ['{{ ports.[1] }}', 443],
    ['{{ hosts.1.ip }}', '10.0.0.2'],
    ['{{ ports.length }}', 2],
    ['{{ split csv "," }}', ['a', 'b']],
    ['{{ first ports }}', 80],
    ['{{ this.first }}', 'the variable'],
    ['{{ @root.name }}', 'hello'],
    // Read as Jinja2 (docs/templates.md, the dialect rule): Python's text forms, as Ansible prints them.
    ['x {{ ports }}', 'x [80, 443]'],
    ['{{ cfg }}!', "{'url': 'http://x', 'nested': {'deep': 1}}!"],
    ['{{ yes }}/{{ n }}', 'True/3'],
    // Handlebars (a block helper): JSON and JavaScript's forms, as before.
    ['{{#with ports}}x {{ this }}{{/with}}', 'x [80,443]'],
    ['{{#if yes}}{{ yes }}{{/if}}/{{ n }}', 'true/3'],
    ['{{ name }} & <b>', 'hello & <b>'],
    ['{{ default missing "" }}-{{ default missing "" }}', '-'],
    ['no braces at all', 'no braces at all'],
    ['{{! a comment }}', ''],
    ['\\{{ name }}', '{{ name }}'],
    ['{{{{raw}}}}{{ .State }}{{{{/raw}}}}', '{{ .State }}'],
    ['{{lookup labels "app"}}', 'web'],
    ['{{#if yes}}y{{else}}n{{/if}}', 'y'],
    ['{{#unless yes}}y{{else if n}}n{{/unless}}', 'n'],
    ['{{#each hosts}}{{name}}={{ip}}{{#unless @last}},{{/unless}}{{/each}}', 'a=10.0.0.1,b=10.0.0.2'],
    ['{{#each hosts}}{{@index}}{{this.name}}{{../name}}{{@root.n}};{{/each}}', '0ahello3;1bhello3;'],
    ['{{#each hosts as |h i|}}{{i}}:{{h.name}}{{#if (eq h.name "b")}}!{{/if}} {{/each}}', '0:a 1:b! '],
    ['{{#each labels}}{{@key}}={{this}};{{/each}}', 'app=web;tier=front;'],
    ['{{#each (split csv ",")}}[{{this}}]{{/each}}', '[a][b]'],
    ['{{#each (dict2items labels)}}{{key}}:{{value}} {{/each}}', 'app:web tier:front '],
    ['{{#with cfg}}{{url}} {{nested.deep}}{{/with}}', 'http://x 1'],
    ['{{#with cfg as |c|}}{{c.url}}{{/with}}', 'http://x'],
    ['{{#each ports}}{{this}}{{else}}none{{/each}}', '80443'],
  ];
  test.each(cases)('%j', (text, expected) => {
    expect(engine.renderString(text, vars, src)).toEqual(expected);
  });

  test('strings without {{ and non-strings pass through', () => {
    const obj = { a: 1 };
    expect(engine.renderString(obj as unknown as string, vars)).toBe(obj);
    expect(engine.renderString('{ not a template }', vars)).toBe('{ not a template }');
  });

  test('hasTemplate', () => {
    expect(hasTemplate('a {{ b }}')).toBe(true);
    expect(hasTemplate('a { b }')).toBe(false);
    expect(hasTemplate({ a: [1, { b: 'x{{y}}' }] })).toBe(true);
    expect(hasTemplate({ a: [1, { b: 'xy' }] })).toBe(false);
    expect(hasTemplate(3)).toBe(false);
  });
});

describe("undefined variables are errors with the variable's position", () => {
  const cases: Array<[string, string, SourcePos, string]> = [
    ['{{ nope }}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 13 }, 'plain mustache'],
    [
      'x: {{ cfg.nope }}',
      "undefined variable 'cfg.nope' ('cfg' has no key 'nope')",
      { file: 'play.yml', line: 5, col: 16 },
      'missing key',
    ],
    [
      '{{ cfg.nested.deep.x }}',
      "'cfg.nested.deep' has no key 'x', it is a number",
      { file: 'play.yml', line: 5, col: 13 },
      'key of a number',
    ],
    ['{{ ports.5 }}', "'ports' has no key '5'", { file: 'play.yml', line: 5, col: 13 }, 'index out of range'],
    ['{{ join nope "," }}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 18 }, 'helper argument'],
    [
      '{{ join (split nope ",") "," }}',
      "undefined variable 'nope'",
      { file: 'play.yml', line: 5, col: 25 },
      'nested helper argument',
    ],
    ['{{ to_json x=nope }}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 23 }, 'hash argument'],
    ['{{#if nope}}x{{/if}}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 16 }, '#if'],
    ['{{#unless nope}}x{{/unless}}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 20 }, '#unless'],
    ['{{#each nope}}x{{/each}}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 18 }, '#each'],
    ['{{#with nope}}x{{/with}}', "undefined variable 'nope'", { file: 'play.yml', line: 5, col: 18 }, '#with'],
    [
      '{{#each hosts}}{{port}}{{/each}}',
      "undefined variable 'port' ('hosts.0' has no key 'port')",
      { file: 'play.yml', line: 5, col: 27 },
      'inside #each',
    ],
    [
      '{{#each hosts}}{{#if this.port}}{{/if}}{{/each}}',
      "'hosts.0' has no key 'port'",
      { file: 'play.yml', line: 5, col: 31 },
      '#if inside #each',
    ],
    [
      '{{#each hosts as |h|}}{{h.port}}{{/each}}',
      "undefined variable 'h.port'",
      { file: 'play.yml', line: 5, col: 34 },
      'block param',
    ],
    [
      '{{#each hosts}}{{../nope}}{{/each}}',
      "undefined variable '../nope'",
      { file: 'play.yml', line: 5, col: 27 },
      'parent context',
    ],
    [
      '{{#with cfg}}{{urll}}{{/with}}',
      "('cfg' has no key 'urll')",
      { file: 'play.yml', line: 5, col: 25 },
      'inside #with',
    ],
    [
      '{{#each (split csv ",")}}{{this.x}}{{/each}}',
      "undefined variable 'this.x'",
      { file: 'play.yml', line: 5, col: 37 },
      'item of a helper result',
    ],
    ['{{ @root.nope }}', "undefined variable '@root.nope'", { file: 'play.yml', line: 5, col: 13 }, '@root'],
    [
      'line one\n  {{ name }} {{ nope }}',
      "undefined variable 'nope'",
      { file: 'play.yml', line: 6, col: 17 },
      'multi-line value',
    ],
    [
      '{{ hosts.0.x }} {{ nope }}',
      "undefined variable 'hosts.0.x'",
      { file: 'play.yml', line: 5, col: 13 },
      'index rewrite keeps columns',
    ],
    [
      '{{ hosts.0 }} {{ nope }}',
      "undefined variable 'nope'",
      { file: 'play.yml', line: 5, col: 27 },
      'columns after a.0 rewrite',
    ],
    [
      '{{ (eq nope 1) }}',
      "undefined variable 'nope'",
      { file: 'play.yml', line: 5, col: 17 },
      'columns after (expr) rewrite',
    ],
  ];
  test.each(cases)('%j (%s)', (text, message, pos) => {
    const err = failure(() => engine.renderString(text, vars, src));
    expect(err.code).toBe('UNDEFINED_VAR');
    expect(err.message).toContain(message);
    expect(err.source).toEqual(pos);
  });

  test('template files: line and column inside the file', () => {
    const text = 'a = 1\n{{#if yes}}\n  b = {{ cfg.url }}\n  c = {{ cfg.nope }}\n{{/if}}\n';
    const err = failure(() => engine.renderText(text, vars, 'templates/x.conf.hbs'));
    expect(err.source).toEqual({ file: 'templates/x.conf.hbs', line: 4, col: 10 });
    expect(err.message).toBe("undefined variable 'cfg.nope' ('cfg' has no key 'nope')");
  });

  test('the first argument of default/defined/undefined may be undefined', () => {
    expect(engine.renderString('{{ default a.b.c "x" }}', vars)).toBe('x');
    expect(engine.evaluate('(defined a.b)', vars)).toBe(false);
    expect(engine.evaluate('(undefined cfg.nope)', vars)).toBe(true);
    expect(engine.renderString('{{#each hosts}}{{ default this.port 22 }}{{/each}}', vars)).toBe('2222');
    expect(engine.renderString('{{#each (split csv ",")}}{{ default this.x "-" }}{{/each}}', vars)).toBe('--');
    expect(failure(() => engine.renderString('{{ default "x" nope }}', vars)).code).toBe('UNDEFINED_VAR');
  });

  test('else branch of #each runs with the outer context', () => {
    expect(engine.renderString('{{#each empty}}{{x}}{{else}}{{name}}{{/each}}', { ...vars, empty: [] })).toBe('hello');
  });
});

describe('lazy variables', () => {
  const lazy = {
    base: 'https://mirror',
    version: '1.7.13',
    url: '{{ base }}/containerd/v{{ version }}',
    ports: '{{ port_list }}',
    port_list: [1, 2],
    cri: { socket: '{{ sock_dir }}/containerd.sock', other: '{{ undefined_thing }}' },
    sock_dir: '/run/containerd',
    mirrors: ['{{ base }}/a', { host: '{{ base }}' }],
    unused: '{{ not_defined_anywhere }}',
    a: '{{ b }}',
    b: '{{ c }}',
    c: '{{ a }}',
    self: 'x{{ self }}',
    count: '{{ length port_list }}',
  };
  test.each([
    ['{{ url }}', 'https://mirror/containerd/v1.7.13'],
    ['{{ ports }}', [1, 2]],
    ['{{ length ports }}', 2],
    ['{{ count }}', 2],
    ['{{ cri.socket }}', '/run/containerd/containerd.sock'],
    ['{{ mirrors }}', ['https://mirror/a', { host: 'https://mirror' }]],
    ['{{#each mirrors}}{{this}};{{/each}}', 'https://mirror/a;{"host":"https://mirror"};'],
  ] as Array<[string, unknown]>)('%j', (text, expected) => {
    expect(engine.renderString(text, lazy, src)).toEqual(expected);
  });

  test("the caller's variables are not changed", () => {
    const copy = structuredClone(lazy);
    engine.renderString('{{ url }} {{ cri.socket }} {{ mirrors }}', lazy);
    expect(lazy).toEqual(copy);
  });

  test('unused variables with undefined references do not fail', () => {
    expect(engine.renderString('{{ base }}', lazy)).toBe('https://mirror');
  });

  test('an undefined reference inside a used lazy value names the variable', () => {
    const err = failure(() => engine.renderString('x {{ cri.other }}', lazy, src));
    expect(err.code).toBe('UNDEFINED_VAR');
    expect(err.message).toBe("undefined variable 'undefined_thing' in the value of variable 'cri.other'");
    expect(err.source).toEqual({ file: 'play.yml', line: 5, col: 15 });
  });

  test.each([
    ['{{ a }}', 'a'],
    ['{{ b }}', 'b'],
    ['{{ self }}', 'self'],
  ])('cycle %s', (text, name) => {
    const err = failure(() => engine.renderString(text, lazy, src));
    expect(err.code).toBe('TEMPLATE_RENDER');
    expect(err.message).toBe(`variable '${name}' refers to itself`);
  });
});

describe('renderDeep and renderText', () => {
  test('renders every string, keys untouched, positions per path', () => {
    const value = { '{{ name }}': '{{ ports }}', list: ['{{ n }}', 'plain', 4], nested: { s: 'v={{ name }}' } };
    expect(engine.renderDeep(value, vars)).toEqual({
      '{{ name }}': [80, 443],
      list: [3, 'plain', 4],
      nested: { s: 'v=hello' },
    });
    const posOf = (path: ReadonlyArray<string | number>): SourcePos => ({
      file: 'p.yml',
      line: 10 + path.length,
      col: 7,
    });
    const err = failure(() => engine.renderDeep({ a: { b: 'x {{ nope }}' } }, vars, posOf));
    expect(err.source).toEqual({ file: 'p.yml', line: 12, col: 12 });
  });

  test('renderText always gives a string', () => {
    expect(engine.renderText('{{ n }}', vars, 't')).toBe('3');
    expect(engine.renderText('ports = {{ to_json ports }}\n{{#each hosts}}\n{{name}}\n{{/each}}\n', vars, 't')).toBe(
      'ports = [80,443]\na\nb\n',
    );
  });
});

describe('evaluate', () => {
  const cases: Array<[string, unknown]> = [
    ['cfg.nested.deep', 1],
    ['(eq name "hello")', true],
    ['eq name "hello"', true],
    ['(not yes)', false],
    ['not yes', false],
    ['true', true],
    ['false', false],
    ['3', 3],
    ['"text"', 'text'],
    ['ports', [80, 443]],
    ['(and yes (in 80 ports))', true],
    ['{{ n }}', 3],
    [' (or false n) ', 3],
  ];
  test.each(cases)('%j', (expr, expected) => expect(engine.evaluate(expr, vars)).toEqual(expected));

  test('non-string conditions (YAML booleans) pass through', () => {
    expect(engine.evaluate(true as unknown as string, vars)).toBe(true);
  });

  test('undefined variable in a condition points into the expression', () => {
    const err = failure(() => engine.evaluate('(and yes (eq nope 1))', vars, src));
    expect(err.code).toBe('UNDEFINED_VAR');
    expect(err.source).toEqual({ file: 'play.yml', line: 5, col: 23 });
  });
});

describe('isTruthy', () => {
  const table: Array<[unknown, boolean]> = [
    [false, false],
    [null, false],
    [undefined, false],
    [0, false],
    [Number.NaN, false],
    ['', false],
    [[], false],
    [{}, false],
    ['false', false],
    ['False', false],
    ['no', false],
    ['NO', false],
    ['off', false],
    ['0', false],
    [' no ', false],
    [true, true],
    [1, true],
    [-1, true],
    ['yes', true],
    ['true', true],
    ['abc', true],
    [[0], true],
    [{ a: 0 }, true],
    ['00', true],
  ];
  test.each(table)('%j -> %s', (value, expected) => expect(engine.isTruthy(value)).toBe(expected));
});

describe('check and checkExpression', () => {
  const bad: Array<[string, RegExp, SourcePos]> = [
    ['{{ foo "bar }}', /unexpected character/, { file: 'play.yml', line: 5, col: 17 }],
    ['{{#if x}}no end', /unexpected end of template/, { file: 'play.yml', line: 5, col: 25 }],
    ['{{#if x}}\n{{/each}}', /\{\{\/each\}\} closes the block \{\{#if\}\}/, { file: 'play.yml', line: 5, col: 13 }],
    ['{{ frob x }}', /unknown helper 'frob'/, { file: 'play.yml', line: 5, col: 13 }],
    ['a\n {{ join (frob x) "," }}', /unknown helper 'frob'/, { file: 'play.yml', line: 6, col: 11 }],
    ['{{#frob x}}{{/frob}}', /unknown block helper '#frob'/, { file: 'play.yml', line: 5, col: 10 }],
    ['{{#join x}}{{/join}}', /'join' is not a block helper/, { file: 'play.yml', line: 5, col: 10 }],
    ['{{> partial}}', /partials/, { file: 'play.yml', line: 5, col: 10 }],
    ['{{#each}}{{/each}}', /#each takes exactly one argument/, { file: 'play.yml', line: 5, col: 10 }],
  ];
  test.each(bad)('%j', (text, message, pos) => {
    const err = failure(() => engine.check(text, src));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.message).toMatch(message);
    expect(err.source).toEqual(pos);
  });

  // Parser jargon (token names such as CLOSE_BLOCK_PARAMS, "Expecting 'ID', got 'EOF'") never reaches the user:
  // a plain sentence with what was found and what was expected, at the template's position.
  test.each([
    ['{{#each xs as |x}}{{/each}}', /unexpected '\}\}'; expected a name or '\|'/],
    ['{{ (eq a }}', /unexpected '\}\}'; expected .*'\)'/],
    ['{{#if x}}yes', /unexpected end of template .*; expected \{\{else\}\} or the block's \{\{\/\.\.\.\}\}/],
    ['{{ a.[ }}', /unexpected character .*; expected a name here/],
    ['{{/if}}', /unexpected '\{\{\/'/],
    ['{% if %}{% endif %}', /the statement ends too early: a value or a name is expected before %\}/],
    ['{{ a(1,) }}', /unexpected '\)' here: a value was expected/],
    ['{{ a | }}', /a name is expected here \(a filter's name after '\|'/],
  ])('a syntax error in words: %j', (text, message) => {
    const err = failure(() => engine.check(text, src));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.message).toMatch(/^(template|Jinja2) syntax error: /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/[A-Z]+_[A-Z_]+|Expecting|got '|variable-end|block-end/);
    expect(err.source?.file).toBe('play.yml');
  });

  test('valid templates and expressions pass without variables', () => {
    expect(() => engine.check('{{#each xs as |x|}}{{x.a}}{{/each}} {{ default y "z" }}', src)).not.toThrow();
    expect(() => engine.check('no template', src)).not.toThrow();
    expect(() => engine.checkExpression('(eq a "b")', src)).not.toThrow();
    expect(() => engine.checkExpression('eq a "b"', src)).not.toThrow();
  });

  test.each([
    ['(eq a "b"', /unexpected/],
    ['', /empty condition/],
    ['(frob a)', /unknown helper 'frob'/],
    ['a }} {{ b', /one expression/],
  ])('bad expression %j', (expr, message) => {
    const err = failure(() => engine.checkExpression(expr, src));
    expect(err.code).toBe('TEMPLATE_SYNTAX');
    expect(err.message).toMatch(message);
  });
});

describe('performance', () => {
  test('a cached template is not parsed or compiled again', () => {
    const create = vi.spyOn(Handlebars, 'create');
    const fresh = createTemplateEngine();
    const hb = create.mock.results[0]!.value as typeof Handlebars;
    create.mockRestore();
    const parse = vi.spyOn(hb, 'parse');
    const parseRaw = vi.spyOn(hb, 'parseWithoutProcessing');
    const compile = vi.spyOn(hb, 'compile');
    const texts = ['{{ name }}-{{ n }}', '{{ ports }}', '{{#each hosts}}{{name}}{{/each}}'];
    for (const t of texts) fresh.renderString(t, vars);
    fresh.evaluate('(eq n 3)', vars);
    const counts = [parse.mock.calls.length, parseRaw.mock.calls.length, compile.mock.calls.length];
    // Only the Handlebars texts ('{{#each ...}}', '(eq n 3)') reach Handlebars; the others are Jinja2.
    expect(counts[1]).toBe(2);
    for (let i = 0; i < 100; i++) {
      for (const t of texts) fresh.renderString(t, { ...vars, n: i });
      expect(fresh.evaluate('(eq n 3)', { ...vars, n: i })).toBe(i === 3);
    }
    expect([parse.mock.calls.length, parseRaw.mock.calls.length, compile.mock.calls.length]).toEqual(counts);
  });

  test('the no-{{ fast path does not touch Handlebars', () => {
    const create = vi.spyOn(Handlebars, 'create');
    const fresh = createTemplateEngine();
    const hb = create.mock.results[0]!.value as typeof Handlebars;
    create.mockRestore();
    const parseRaw = vi.spyOn(hb, 'parseWithoutProcessing');
    fresh.renderString('plain value', vars);
    fresh.renderDeep({ a: ['x', 1] }, vars);
    fresh.renderText('plain file\n', vars, 'f');
    expect(parseRaw).not.toHaveBeenCalled();
  });
});
