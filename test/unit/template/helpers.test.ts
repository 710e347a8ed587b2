import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isBosunError } from '../../../src/errors.js';
import { createTemplateEngine, HELPERS } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const vars = {
  s: 'Hello World',
  n: 3,
  list: ['a', 'b', 'c'],
  nums: [1, 2],
  dict: { x: 1, y: 2 },
  empty: '',
  nil: null,
  path: '/etc/containerd/config.toml',
  pairs: [
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
  ],
  json: '{"a":[1,2]}',
  yamlText: 'a: 1\nb: [x, y]\n',
  ver: 'v1.7.13',
};

/** [helper, expression (condition form), expected value] */
const cases: Array<[string, string, unknown]> = [
  ['default', 'default missing "fb"', 'fb'],
  ['default', 'default missing.deep.path "fb"', 'fb'],
  ['default', 'default nil "fb"', 'fb'],
  ['default', 'default s "fb"', 'Hello World'],
  ['default', 'default empty "fb"', ''],
  ['default', 'default empty "fb" true', 'fb'],
  ['defined', 'defined s', true],
  ['defined', 'defined missing', false],
  ['defined', 'defined dict.z', false],
  ['defined', 'defined nil', true],
  ['undefined', 'undefined missing', true],
  ['undefined', 'undefined s', false],
  ['mandatory', 'mandatory n', 3],
  ['eq', 'eq n 3', true],
  ['eq', 'eq n "3"', false],
  ['eq', 'eq list (split "a b c")', true],
  ['ne', 'ne n 4', true],
  ['lt', 'lt n 4', true],
  ['lt', 'lt "a" "b"', true],
  ['gt', 'gt n 4', false],
  ['gt', 'gt "10" 9', true],
  ['le', 'le n 3', true],
  ['ge', 'ge n 4', false],
  ['and', 'and true n', 3],
  ['and', 'and true 0 n', 0],
  ['and', 'and true true true true', true],
  ['or', 'or false empty "x"', 'x'],
  ['or', 'or false 0', 0],
  ['not', 'not empty', true],
  ['not', 'not "no"', true],
  ['in', 'in "b" list', true],
  ['in', 'in "World" s', true],
  ['in', 'in "x" dict', true],
  ['in', 'in "z" dict', false],
  ['contains', 'contains list "c"', true],
  ['contains', 'contains nums 5', false],
  ['join', 'join list ","', 'a,b,c'],
  ['join', 'join nums', '12'],
  ['split', 'split "a,b" ","', ['a', 'b']],
  ['split', 'split "  a  b "', ['a', 'b']],
  ['to_json', 'to_json dict', '{"x":1,"y":2}'],
  ['to_nice_json', 'to_nice_json nums', '[\n    1,\n    2\n]'],
  ['to_yaml', 'to_yaml dict', 'x: 1\ny: 2\n'],
  ['from_json', 'from_json json', { a: [1, 2] }],
  ['from_yaml', 'from_yaml yamlText', { a: 1, b: ['x', 'y'] }],
  ['b64encode', 'b64encode "héllo"', 'aMOpbGxv'],
  ['b64decode', 'b64decode "aMOpbGxv"', 'héllo'],
  ['regex_replace', 'regex_replace "a-b-c" "-" "_"', 'a_b_c'],
  ['regex_replace', 'regex_replace "a-b-c" "-" "_" ""', 'a_b-c'],
  ['regex_replace', 'regex_replace ver "^v(\\d+)\\.(\\d+).*" "\\2.\\1"', '7.1'],
  ['regex_replace', 'regex_replace "ABC" "b" "x" "gi"', 'AxC'],
  ['regex_search', 'regex_search s "W\\w+"', 'World'],
  ['regex_search', 'regex_search s "zzz"', null],
  ['regex_search', 'regex_search ver "v(?P<major>\\d+)\\.(\\d+)" "\\g<major>" "\\2"', ['1', '7']],
  ['replace', 'replace s "o" "0"', 'Hell0 W0rld'],
  ['upper', 'upper s', 'HELLO WORLD'],
  ['lower', 'lower s', 'hello world'],
  ['trim', 'trim "  x \n"', 'x'],
  ['length', 'length list', 3],
  ['length', 'length s', 11],
  ['length', 'length dict', 2],
  ['first', 'first list', 'a'],
  ['last', 'last list', 'c'],
  ['int', 'int "42"', 42],
  ['int', 'int "4.7"', 4],
  ['int', 'int "abc"', 0],
  ['int', 'int "abc" -1', -1],
  ['string', 'string n', '3'],
  ['string', 'string nums', '[1,2]'],
  ['bool', 'bool "yes"', true],
  ['bool', 'bool "No"', false],
  ['bool', 'bool 1', true],
  ['basename', 'basename path', 'config.toml'],
  ['dirname', 'dirname path', '/etc/containerd'],
  ['version_compare', 'version_compare ver ">=" "1.7"', true],
  ['version_compare', 'version_compare "1.7.13" "lt" "2.0.0-rc.1"', true],
  ['version_compare', 'version_compare "2.0.0-rc.1" "<" "2.0.0"', true],
  ['version_compare', 'version_compare "v1.7" "==" "1.7.0"', true],
  ['version_compare', 'version_compare "1.29.3" "ne" "1.29.3"', false],
  ['concat', 'concat list nums', ['a', 'b', 'c', 1, 2]],
  ['concat', 'concat nums 3', [1, 2, 3]],
  [
    'dict2items',
    'dict2items dict',
    [
      { key: 'x', value: 1 },
      { key: 'y', value: 2 },
    ],
  ],
  [
    'dict2items',
    'dict2items dict key_name="k" value_name="v"',
    [
      { k: 'x', v: 1 },
      { k: 'y', v: 2 },
    ],
  ],
  ['items2dict', 'items2dict pairs', { a: 1, b: 2 }],
  ['add', 'add 2 3', 5],
  ['add', 'add nums.0 1', 2],
  ['range', 'range 3', [0, 1, 2]],
  ['range', 'range 1 7 2', [1, 3, 5]],
  ['range', 'range 3 0 -1', [3, 2, 1]],
  ['quote', 'quote "it\'s a file"', `"it's a file"`],
  ['quote', 'quote "a b"', `'a b'`],
  ['quote', 'quote "plain"', 'plain'],
  ['ternary', 'ternary true "a" "b"', 'a'],
  ['ternary', 'ternary empty "a" "b"', 'b'],
  ['ternary', 'ternary nil "a" "b" "none"', 'none'],
  ['list', 'list "a" 1 true', ['a', 1, true]],
  ['list', 'list', []],
  ['dict', 'dict name="kk" v=ver', { name: 'kk', v: 'v1.7.13' }],
  ['dict', 'dict "a" 1 "b" (list 2 3)', { a: 1, b: [2, 3] }],
];

describe('helpers', () => {
  test.each(cases)('%s: %s', (_name, expr, expected) => {
    expect(engine.evaluate(expr, vars)).toEqual(expected);
  });

  test('every registered helper has a case above', () => {
    const tested = new Set(cases.map((c) => c[0]));
    expect(HELPERS.map((h) => h.name).filter((n) => !tested.has(n))).toEqual([]);
  });

  test('every registered helper is documented in docs/templates.md', () => {
    const docs = readFileSync(new URL('../../../docs/templates.md', import.meta.url), 'utf8');
    const missing = HELPERS.filter(
      (h) => !docs.includes(`| \`${h.name}\` |`) || !docs.includes(h.doc.replace(/\|/g, '\\|')),
    );
    expect(missing.map((h) => h.name)).toEqual([]);
  });

  test('every helper has a one-line doc', () => {
    for (const h of HELPERS) expect(h.doc).toMatch(/^[^\n]+\.$/);
  });

  const errors: Array<[string, string, RegExp]> = [
    ['bad regex', 'regex_replace s "(" "x"', /regex_replace: bad regular expression/],
    ['join of a string', 'join s ","', /join: first argument must be a list/],
    ['length of a number', 'length n', /length: no length/],
    ['from_json of bad text', 'from_json s', /from_json:/],
    ['version_compare bad op', 'version_compare "1" "~" "2"', /unknown operator/],
    ['version_compare not a version', 'version_compare "abc" "<" "2"', /is not a version/],
    ['compare str and list', 'lt s list', /lt cannot compare/],
    ['dict2items of a list', 'dict2items list', /must be a dict/],
    ['range step 0', 'range 1 2 0', /step must not be 0/],
  ];
  test.each(errors)('%s is a TEMPLATE_RENDER error at the helper', (_what, expr, message) => {
    const source = { file: 'play.yml', line: 4, col: 12 };
    try {
      engine.evaluate(expr, vars, source);
      expect.unreachable();
    } catch (err) {
      expect(isBosunError(err) && err.code).toBe('TEMPLATE_RENDER');
      expect((err as Error).message).toMatch(message);
      expect(isBosunError(err) && err.source).toEqual(source);
    }
  });

  test('mandatory on an undefined variable uses its message', () => {
    expect(() => engine.evaluate('mandatory token "set token with -e"', vars)).toThrow(/set token with -e/);
  });

  test('n-ary helpers ignore the Handlebars options argument', () => {
    expect(engine.renderString('{{ concat nums }}', vars)).toEqual([1, 2]);
    expect(engine.renderString('{{ and }}', vars)).toBe(true);
    expect(engine.renderString('{{ or }}', vars)).toBe(false);
  });
});
