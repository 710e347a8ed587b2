/**
 * Property: whatever text a target sends (any mix of mustaches, blocks,
 * helpers, references to secrets and to hostvars), once it is data (a
 * registered value, a fact, a set_fact copy, a loop item) every template that
 * reads it returns it verbatim: never rendered, never an error, never a secret.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTemplateEngine } from '../../../src/template/index.js';
import { extendVars } from '../../../src/util/unsafe.js';
import { VarScope } from '../../../src/vars/scope.js';

const RUNS = Number(process.env['BOSUN_FUZZ_RUNS'] ?? 1500);
const SECRET = 'S3CRET-never-shown';

const FRAGMENTS = [
  '{{',
  '}}',
  '{{ secret }}',
  '{{{ secret }}}',
  '{{ hostvars.h2.token }}',
  '{{#each (range 100000)}}',
  '{{/each}}',
  '{{#if secret}}',
  '{{/if}}',
  '{{ undefined_name }}',
  '{{ upper secret }}',
  '{{> partial }}',
  '{{!-- c --}}',
  '\\{{',
  '{{{{raw}}}}',
  '{{{{/raw}}}}',
  '{{ (',
  ')',
  '"',
  "'",
  '\n',
  'text',
  ' ',
  '{%',
  '%}',
];

const targetText = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(''));

describe('text from a target is returned verbatim', () => {
  const engine = createTemplateEngine();
  const author = {
    level: 'play_vars' as const,
    source: 'play',
    values: { secret: SECRET, via: '{{ out.stdout }}', via_dict: '{{ out }}' },
  };

  it('through register, facts, set_fact, task vars, loop items and hostvars', () => {
    fc.assert(
      fc.property(targetText, (text) => {
        const runtime = { out: { stdout: text, stdout_lines: text.split('\n') }, copied: text };
        const facts = { ansible_env: { X: text }, ansible_facts: { env: { X: text } } };
        const other = new VarScope([{ level: 'set_fact', source: 'set_fact', values: { fact: text }, unsafe: true }]);
        const vars = extendVars(
          new VarScope([author]).mergeWith([
            { level: 'facts', source: 'facts', values: facts, unsafe: true },
            { level: 'set_fact', source: 'set_fact/register', values: runtime, unsafe: true },
          ]),
          { hostvars: { h2: { ...other.toObject() } } },
          false,
        );
        const items = extendVars(vars, { item: text }, true);
        for (const read of [
          '{{ out.stdout }}',
          '{{ copied }}',
          '{{ ansible_env.X }}',
          '{{ ansible_facts.env.X }}',
          '{{ via }}',
          '{{ via_dict.stdout }}',
          '{{ hostvars.h2.fact }}',
          '{{ item }}',
        ]) {
          expect(engine.renderString(read, items)).toBe(text);
          expect(engine.renderString(`<${read}>`, items)).toBe(`<${text}>`);
        }
        expect(engine.renderDeep({ content: ['{{ copied }}'] }, items)).toEqual({ content: [text] });
      }),
      { numRuns: RUNS },
    );
  });
});
