import { describe, expect, it } from 'vitest';
import { createTemplateEngine } from '../../../src/template/index.js';
import { jinjaHint } from '../../../src/template/jinja-hints.js';

describe('Jinja2 hints', () => {
  const table: Array<[string, string]> = [
    ["st.stat.mode == '0644'", 'comparisons are helpers here: (eq st.stat.mode "0644")'],
    ['{{ x | default("a") }}', 'Jinja2 filters are helpers here: {{ default x "a" }}'],
    ['{{ names | join }}', 'Jinja2 filters are helpers here: {{ join names }} instead of {{ names | join }}'],
    ['x is defined', "Jinja2 'x is defined' is (defined x) here"],
    ['x is not defined', "Jinja2 'x is not defined' is (not (defined x)) here"],
    ['a and b', "'and' is a helper here: (and a b)"],
    ['not done', "'not' is a helper here: (not done)"],
    ['"x" in items', '\'in\' is a helper here: (in "x" items)'],
    ['{% if a %}x{% endif %}', 'Jinja2 {% if %} is {{#if cond}}...{{else}}...{{/if}} here'],
  ];
  for (const [text, hint] of table) {
    it(`explains ${text}`, () => expect(jinjaHint(text)).toContain(hint));
  }
  it('has nothing to say about valid Handlebars', () => expect(jinjaHint('(eq a "b")')).toBeUndefined());

  it('a Jinja2 condition is no syntax error any more: it is read as Jinja2', () => {
    const engine = createTemplateEngine();
    expect(() => engine.checkExpression("st.stat.mode == '0644'", { file: 'p.yml', line: 3, col: 9 })).not.toThrow();
    expect(engine.evaluate("st.stat.mode == '0644'", { st: { stat: { mode: '0644' } } })).toBe(true);
  });
});
