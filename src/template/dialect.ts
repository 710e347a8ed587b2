/**
 * Which dialect a YAML value or condition is written in (docs/templates.md,
 * "Jinja2"): Handlebars when it uses syntax only Handlebars has, otherwise
 * Jinja2. A cheap scan of the text, cached per text.
 *
 * Handlebars when a `{{ }}` has: `{{#`, `{{/`, `{{^`, `{{!`, `{{>`, `{{{`,
 * `{{~` / `~}}`, `{{else`; `@` (`@index`, `@root`), `../`, `this`, `.[`; or a
 * helper call: a name followed by a space and another argument at the start
 * of the expression or after `(` (`{{ default x "a" }}`, `(eq a "b")`), which
 * Jinja2 cannot read (its keywords `and`, `or`, `if`, `else`, `is`, `in`,
 * `not` do not count as arguments).
 */

const MAX_CACHED = 20_000;
const cache = new Map<string, boolean>();

const KEYWORDS = new Set(['and', 'or', 'if', 'else', 'is', 'in', 'not']);
const OPENERS = new Set(['#', '/', '^', '!', '>', '{', '~', '&']);

/** Blank out string literals (keeping the quotes) so that their text is not read as syntax. */
function blankStrings(s: string): string {
  return s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (m) => `${m[0]!}${' '.repeat(m.length - 2)}${m[0]!}`);
}

/** True when one `{{ ... }}` body is Handlebars-only. */
function handlebarsBody(body: string): boolean {
  if (OPENERS.has(body[0] ?? '') || body.endsWith('~')) return true;
  const plain = blankStrings(body);
  if (/^\s*else\b/.test(plain)) return true;
  if (/@|\.\.\/|\.\[|(^|[^\w.])this(\.|\s|$)/.test(plain)) return true;
  // A helper call: NAME ARG at the start or after '('.
  const call = /(?:^|\()\s*([A-Za-z_][\w.-]*)\s+(?=([A-Za-z_][\w]*|["'\d(]))/g;
  let m: RegExpExecArray | null;
  while ((m = call.exec(plain)) !== null) {
    if (KEYWORDS.has(m[1]!)) continue;
    const next = m[2]!;
    if (/^[A-Za-z_]/.test(next) && KEYWORDS.has(next)) continue;
    return true;
  }
  return false;
}

/** True when `text` is read as Handlebars, false for Jinja2. */
export function isHandlebars(text: string): boolean {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let result = false;
  let i = text.indexOf('{{');
  while (i >= 0 && !result) {
    const end = text.indexOf('}}', i + 2);
    const body = text.slice(i + 2, end < 0 ? text.length : end);
    // `{{{x}}}`: the body starts with '{'.
    result = handlebarsBody(body.startsWith('-') ? body.slice(1) : body);
    if (end < 0) break;
    i = text.indexOf('{{', end + 2);
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(text, result);
  return result;
}
