/** `# bosun-lint: disable=RULE` comments: on the line, on the line before, file-wide at the top; several rules; all. */
import { describe, expect, it } from 'vitest';
import { parseSuppressions } from '../../../src/lint/disable.js';
import { lintTree, playbook } from './rule-tester.js';

describe('disable comments', () => {
  it.each([
    ['on the line', 'a: 1\nb: 2  # bosun-lint: disable=x\n', 'x', 2, true],
    ['on the line, another rule', 'a: 1\nb: 2  # bosun-lint: disable=y\n', 'x', 2, false],
    ['the line before', 'a: 1\n# bosun-lint: disable=x\nb: 2\n', 'x', 3, true],
    ['the line before does not reach two lines down', 'a: 1\n# bosun-lint: disable=x\nb: 2\nc: 3\n', 'x', 4, false],
    ['file-wide in the header', '# comment\n# bosun-lint: disable=x,y\n---\na: 1\nb: 2\n', 'y', 5, true],
    ['all', 'a: 1 # bosun-lint: disable=all\n', 'anything', 1, true],
    ['a Handlebars comment in a template', '{{!-- bosun-lint: disable=x --}}\nport = {{ p }}\n', 'x', 2, true],
  ] as const)('%s', (_n, text, rule, line, expected) => {
    expect(parseSuppressions(text).has(rule, line)).toBe(expected);
  });

  it('silences findings of lint runs, and only the named rule', () => {
    const task = '    - debug: { msg: "{{ nope }}" }  # bosun-lint: disable=undefined-var';
    const found = lintTree({ 'site.yml': playbook(task) });
    expect(found.map((f) => `${f.rule}@${f.line}`)).toEqual(['name-missing@5']);
  });
});
