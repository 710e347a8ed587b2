/**
 * Ansible authors write Jinja2 by habit. When a template or condition does
 * not parse, look for the Jinja2 idiom behind it and say what to write in
 * bosun's Handlebars instead (docs/ansible-differences.md has the table).
 */

const HINTS: ReadonlyArray<{ test: RegExp; hint: (m: RegExpExecArray) => string }> = [
  {
    test: /\{%-?\s*(if|for)\b/,
    hint: (m) =>
      m[1] === 'if'
        ? 'Jinja2 {% if %} is {{#if cond}}...{{else}}...{{/if}} here'
        : 'Jinja2 {% for x in xs %} is {{#each xs}}...{{this}}...{{/each}} here',
  },
  {
    test: /([\w.[\]]+)\s+is\s+not\s+defined\b/,
    hint: (m) => `Jinja2 'x is not defined' is (not (defined ${m[1]})) here`,
  },
  { test: /([\w.[\]]+)\s+is\s+defined\b/, hint: (m) => `Jinja2 'x is defined' is (defined ${m[1]}) here` },
  {
    test: /([\w.[\]]+)\s*\|\s*default\(\s*([^)]*)\)/,
    hint: (m) => `Jinja2 filters are helpers here: {{ default ${m[1]} ${m[2]!.replace(/'/g, '"')} }}`,
  },
  {
    test: /([\w.[\]]+)\s*\|\s*(\w+)/,
    hint: (m) => `Jinja2 filters are helpers here: {{ ${m[2]} ${m[1]} }} instead of {{ ${m[1]} | ${m[2]} }}`,
  },
  {
    test: /(\S+)\s*(==|!=|>=|<=|>|<)\s*(\S+)/,
    hint: (m) => `comparisons are helpers here: (${OPS[m[2]!]} ${m[1]} ${m[3]!.replace(/'/g, '"')})`,
  },
  { test: /(\S+)\s+(and|or)\s+(\S+)/, hint: (m) => `'${m[2]}' is a helper here: (${m[2]} ${m[1]} ${m[3]})` },
  { test: /^\s*(?:\{\{\s*)?not\s+(\S+)/, hint: (m) => `'not' is a helper here: (not ${m[1]})` },
  { test: /(\S+)\s+not\s+in\s+(\S+)/, hint: (m) => `'not in' is (not (in ${m[1]} ${m[2]})) here` },
  { test: /(\S+)\s+in\s+(\S+)/, hint: (m) => `'in' is a helper here: (in ${m[1]} ${m[2]})` },
];

const OPS: Readonly<Record<string, string>> = { '==': 'eq', '!=': 'ne', '>=': 'ge', '<=': 'le', '>': 'gt', '<': 'lt' };

/** A hint for a Jinja2 idiom in `text`, or undefined when none is recognised. */
export function jinjaHint(text: string): string | undefined {
  const plain = text.replace(/\{\{-?|-?\}\}/g, ' ');
  for (const { test, hint } of HINTS) {
    const m = test.exec(plain);
    if (m) return `${hint(m)} (bosun expressions are Handlebars; see docs/ansible-differences.md)`;
  }
  return undefined;
}
