/**
 * The most common guard in Handlebars works as Jinja2's lazy undefined does:
 * a path is read only where `(defined x)` said it is there. Everything outside
 * a guard is still checked before rendering, with its position.
 */
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const at = { file: 'play.yml', line: 3, col: 10 };

describe('(defined x) guards', () => {
  it.each([
    ['{{#if (defined x)}}{{ x }}{{else}}none{{/if}}', {}, 'none'],
    ['{{#if (defined x)}}{{ x }}{{else}}none{{/if}}', { x: 'set' }, 'set'],
    ['{{#if (defined q)}}{{ q.r.s }}{{/if}}-', {}, '-'],
    ['{{#if (defined q.r)}}{{ q.r.s }}{{/if}}-', { q: {} }, '-'],
    ['{{#if (and (defined a) (defined b))}}{{ a }}{{ b }}{{else}}no{{/if}}', { a: 1 }, 'no'],
    ['{{#unless (defined x)}}none{{else}}{{ x.y }}{{/unless}}', {}, 'none'],
    ['{{#unless (defined x)}}none{{else}}{{ x.y }}{{/unless}}', { x: { y: 'deep' } }, 'deep'],
    ['{{ and (defined y) y.z }}', {}, false],
    ['{{ and (defined y) y.z }}', { y: { z: 5 } }, 5],
  ])('%s with %j', (text, vars, expected) => {
    expect(engine.renderString(text, vars, at)).toEqual(expected);
  });

  it.each([
    ['{{#if (defined x)}}{{ w }}{{/if}}', { x: 1 }, "undefined variable 'w'"],
    ['{{#if (defined x)}}a{{/if}}{{ x }}', {}, "undefined variable 'x'"],
    ['{{#if (defined x)}}a{{else}}{{ x }}{{/if}}', {}, "undefined variable 'x'"],
    ['{{#if (defined x.y)}}{{ x.z }}{{/if}}', { x: { y: 1 } }, "undefined variable 'x.z'"],
    ['{{ and y.z (defined y) }}', {}, "undefined variable 'y.z'"],
  ])('outside the guard %s is still an error', (text, vars, message) => {
    let err: unknown;
    try {
      engine.renderString(text, vars, at);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).message).toContain(message);
  });

  it('a condition guards the same way', () => {
    expect(engine.evaluate('(and (defined y) y.z)', {}, at)).toBe(false);
    expect(engine.evaluate('(and (defined y) y.z)', { y: { z: 'on' } }, at)).toBe('on');
  });
});

describe('a lazy variable that reads an undefined name is undefined to a guard (Ansible)', () => {
  const vars = { lazyv: '{{ nothere }}', nested: '{{ lazyv }}-n', d: { a: '{{ nothere }}', b: 1 }, ok: '{{ d.b }}' };
  it.each([
    ["{{ default lazyv 'dflt' }}", 'dflt'],
    ['{{ defined lazyv }}', false],
    ["{{ default nested 'n' }}", 'n'],
    ["{{ default d 'whole' }}", 'whole'],
    ["{{ default ok 'no' }}", 1],
    ["{{ lazyv | default('dflt') }} {{ lazyv is defined }} {{ nested | default('n') }}", 'dflt False n'],
  ])('%s', (text, expected) => {
    expect(engine.renderString(text, vars, at)).toEqual(expected);
  });

  it.each(['{{ lazyv }}', '{{ nested }}', "{{ lazyv ~ 'x' }}"])('%s is the error of the name it read', (text) => {
    expect(() => engine.renderString(text, vars, at)).toThrow(/undefined variable 'nothere' in the value of variable/);
  });
});
