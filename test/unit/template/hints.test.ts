/**
 * Hints that lead somewhere (issue 20): no hint names a helper bosun does
 * not have, an outer variable inside #each points to @root.x / ../x, and
 * the Handlebars parser's token names never reach the user without a plain
 * sentence first.
 */
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { HELPER_NAMES } from '../../../src/template/helpers.js';
import { createTemplateEngine } from '../../../src/template/index.js';

const source = { file: 'play.yml', line: 3, col: 10 };
function failure(run: () => unknown): BosunError {
  try {
    run();
  } catch (e) {
    if (e instanceof BosunError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('template hints', () => {
  it('an outer variable read inside #each: the hint names @root.x and ../x', () => {
    const engine = createTemplateEngine();
    const e = failure(() =>
      engine.renderString('{{#each items}}{{ this }}:{{ port }} {{/each}}', { items: ['a'], port: 80 }, source),
    );
    expect(e.message).toContain("undefined variable 'port'");
    expect(e.hint).toContain('{{ @root.port }}');
    expect(e.hint).toContain('{{ ../port }}');
    // A name defined nowhere keeps the usual hint.
    const other = failure(() => engine.renderString('{{#each items}}{{ nope }}{{/each}}', { items: ['a'] }, source));
    expect(other.hint).toContain('define it');
  });

  it.each([
    ['{{#each items as |x|}}{{ x }}', /end of template/],
    ['{{#each xs as x|}}{{x}}{{/each}}', /unexpected '\|' \(Handlebars has no filters/],
    ['{{ a | frobnicate }} {{#if b}}{{/if}}', /unexpected '\|'/],
    ['{{#if x}}a{{/each}}', /\{\{\/each\}\} closes the block \{\{#if\}\} opened/],
  ])('%s: a plain sentence, no parser token name, no hint naming a missing helper', (text, message) => {
    const e = failure(() => createTemplateEngine().check(text, source));
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\b[A-Z]+_[A-Z_]+\b/);
    // A hint that suggests a helper call `{{ name x }}` names a helper bosun has.
    for (const m of (e.hint ?? '').matchAll(/\{\{ (\w+) \w+ \}\}/g)) expect(HELPER_NAMES.has(m[1]!)).toBe(true);
    expect(e.hint).not.toContain('{{ x as }}');
  });

  it('a filter bosun has as a helper gets the helper hint', () => {
    const e = failure(() => createTemplateEngine().check('{{ a | upper }} {{#if b}}{{/if}}', source));
    expect(e.hint).toContain('{{ upper a }}');
  });
});
