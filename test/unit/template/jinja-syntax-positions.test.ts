/**
 * A Jinja2 statement left open, or closed in the wrong order, is reported at
 * the statement that is still open and named in words (issue 20): nunjucks
 * itself gives no position at the end of the input (so 1:1) and says
 * "unexpected end of file".
 */
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';

function syntaxError(text: string): BosunError {
  try {
    createTemplateEngine().checkFile(text, '/srv/t.j2');
  } catch (e) {
    if (e instanceof BosunError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('Jinja2 statements left open', () => {
  it.each([
    ['a\n{% if x %}b', 2, 4, '{% if %} without {% endif %}'],
    ['{% if a %}{% elif b %}x', 1, 4, '{% if %} without {% endif %}'],
    ['a {% for x in y %}b\n', 1, 6, '{% for %} without {% endfor %}'],
    ['{% macro m() %}x', 1, 4, '{% macro %} without {% endmacro %}'],
    ['x\n  {% with a = 1 %}x', 2, 6, '{% with %} without {% endwith %}'],
    ['{% filter upper %}x', 1, 4, '{% filter %} without {% endfilter %}'],
    ['{% set x %}y', 1, 4, '{% set %} without {% endset %}'],
    ['{% for x in y %}{% if x %}{% endif %}', 1, 4, '{% for %} without {% endfor %}'],
    ['{% if x %}\n{% for a in b %}\n{% endif %}', 3, 4, '{% endif %} while the {% for %} of line 2 is still open'],
    ['#jinja2: trim_blocks: False\n{% if x %}\n{% for a in b %}\n{% endif %}', 4, 4, 'the {% for %} of line 3'],
  ])('%j: %i:%i %s', (text, line, col, message) => {
    const e = syntaxError(text);
    expect(e.source).toEqual({ file: '/srv/t.j2', line, col });
    expect(e.message).toContain(message);
  });
});
