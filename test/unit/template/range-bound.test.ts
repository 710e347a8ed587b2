/**
 * The template `range` helper has a documented bound: a range of more than
 * 1000000 items is a TEMPLATE_RENDER error at the helper that says how many
 * it would have made, found by arithmetic before any item is made.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isBosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const source = { file: 'play.yml', line: 4, col: 12 };

function renderError(expr: string): Error {
  try {
    engine.evaluate(expr, {}, source);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${expr} rendered`);
}

describe('the range helper bound', () => {
  test.each([
    ['range 1000001', 1000001],
    ['range 0 2000000', 2000000],
    ['range 0 1000000000000000 1', 1000000000000000],
    ['range 0 -3000000 -1', 3000000],
    ['range 5 10000005 5', 2000000],
  ])('%s is an error naming its %i items and the limit', (expr, count) => {
    // No timing here (a loaded machine is slow): the 10^15-item case could not end if any item were made.
    const err = renderError(expr);
    expect(isBosunError(err) && err.code).toBe('TEMPLATE_RENDER');
    expect(isBosunError(err) && err.source).toEqual(source);
    expect(err.message).toContain(`range: ${count} items, more than the limit of 1000000`);
  });

  test('exactly the limit is allowed', () => {
    expect(engine.evaluate('range 1000000', {})).toHaveLength(1000000);
    expect(engine.evaluate('range 5 0', {})).toEqual([]);
  });

  test('the limit is documented', () => {
    const docs = readFileSync(new URL('../../../docs/templates.md', import.meta.url), 'utf8');
    expect(docs).toMatch(/\| `range` \|[^\n]*at most 1000000 items/);
  });
});
