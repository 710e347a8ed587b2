/**
 * A text that uses Handlebars syntax is read as Handlebars (src/template/dialect.ts), and so is every template file
 * for now. When such a text does not parse because Jinja2 is mixed into it (`{{#if x is defined}}`), or a template
 * file uses Jinja2, look for the Jinja2 idiom behind it and say what to write in Handlebars instead, or to write the
 * whole text in Jinja2 (docs/ansible-differences.md has the table). YAML values and conditions written wholly in
 * Jinja2 never get here.
 */
import { HELPER_NAMES } from './helpers.js';

/** Each hint gets the pattern's capture groups (every group always takes part in a match). */
// A hint that would name a helper bosun does not have says nothing (undefined): the next pattern is tried.
const HINTS: ReadonlyArray<{ test: RegExp; hint: (a: string, b: string, c: string) => string | undefined }> = [
  {
    test: /\{%-?\s*(if|for)\b/,
    hint: (keyword) =>
      keyword === 'if'
        ? 'Jinja2 {% if %} is {{#if cond}}...{{else}}...{{/if}} here'
        : 'Jinja2 {% for x in xs %} is {{#each xs}}...{{this}}...{{/each}} here',
  },
  { test: /([\w.[\]]+)\s+is\s+not\s+defined\b/, hint: (x) => `Jinja2 'x is not defined' is (not (defined ${x})) here` },
  { test: /([\w.[\]]+)\s+is\s+defined\b/, hint: (x) => `Jinja2 'x is defined' is (defined ${x}) here` },
  {
    test: /([\w.[\]]+)\s*\|\s*default\(\s*([^)]*)\)/,
    hint: (x, fallback) => `Jinja2 filters are helpers here: {{ default ${x} ${fallback.replace(/'/g, '"')} }}`,
  },
  {
    // Not `as |x|` (Handlebars block parameters).
    test: /([\w.[\]]+)\s*\|\s*(\w+)/,
    hint: (x, filter) =>
      x === 'as' || !HELPER_NAMES.has(filter)
        ? undefined
        : `Jinja2 filters are helpers here: {{ ${filter} ${x} }} instead of {{ ${x} | ${filter} }}`,
  },
  {
    test: /(\S+)\s*(==|!=|>=|<=|>|<)\s*(\S+)/,
    hint: (a, op, b) => `comparisons are helpers here: (${OPS[op] ?? op} ${a} ${b.replace(/'/g, '"')})`,
  },
  { test: /(\S+)\s+(and|or)\s+(\S+)/, hint: (a, op, b) => `'${op}' is a helper here: (${op} ${a} ${b})` },
  { test: /^\s*(?:\{\{\s*)?not\s+(\S+)/, hint: (x) => `'not' is a helper here: (not ${x})` },
  { test: /(\S+)\s+not\s+in\s+(\S+)/, hint: (x, xs) => `'not in' is (not (in ${x} ${xs})) here` },
  { test: /(\S+)\s+in\s+(\S+)/, hint: (x, xs) => `'in' is a helper here: (in ${x} ${xs})` },
];

const OPS: Readonly<Record<string, string>> = { '==': 'eq', '!=': 'ne', '>=': 'ge', '<=': 'le', '>': 'gt', '<': 'lt' };

/** A hint for a Jinja2 idiom in `text`, or undefined when none is recognised. */
export function jinjaHint(text: string): string | undefined {
  const plain = text.replace(/\{\{-?|-?\}\}/g, ' ');
  for (const { test, hint } of HINTS) {
    const m = test.exec(plain);
    if (!m) continue;
    const said = hint(m[1] ?? '', m[2] ?? '', m[3] ?? '');
    if (said === undefined) continue;
    return `${said} (this text is read as Handlebars because it uses Handlebars syntax or is a template file; a YAML value written wholly in Jinja2 works as it is; see docs/templates.md#jinja2)`;
  }
  return undefined;
}
