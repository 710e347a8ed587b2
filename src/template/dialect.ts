/**
 * Which dialect a YAML value or condition is written in (docs/templates.md,
 * "Jinja2"): Handlebars when it uses syntax only Handlebars has, otherwise
 * Jinja2. A cheap scan of the text, cached per text.
 *
 * Handlebars when the text has `\\{{` (an escaped `{{`), or a `{{ }}` has: `{{#`, `{{/`, `{{^`, `{{!`, `{{>`, `{{{`,
 * `{{~` / `~}}`, `{{else`; `@` (`@index`, `@root`), `../`, `this`, `.[`; or a
 * helper call: a name followed by a space and another argument at the start
 * of the expression or after `(` (`{{ default x "a" }}`, `(eq a "b")`,
 * `(and a b)`), which Jinja2 cannot read (a keyword `and`, `or`, `if`, `else`,
 * `is`, `in`, `not` after the name does not count as an argument; `not x`
 * means the same in both and is read as Jinja2); or is only `and`, `or`,
 * `list`, `dict` or `concat` (a helper called without arguments).
 */

const MAX_CACHED = 20_000;
const cache = new Map<string, boolean>();

const KEYWORDS = new Set(['and', 'or', 'if', 'else', 'is', 'in', 'not']);
const OPENERS = new Set(['#', '/', '^', '!', '>', '{', '~', '&']);
/** Helpers called with no argument (`{{ and }}`, `{{ list }}`): no Jinja2 reads them so. */
const BARE_HELPERS = new Set(['and', 'or', 'list', 'dict', 'concat']);

/** Blank out string literals (keeping the quotes) so that their text is not read as syntax. */
function blankStrings(s: string): string {
  return s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (m) => `${m[0]!}${' '.repeat(m.length - 2)}${m[0]!}`);
}

/** True when one `{{ ... }}` body is Handlebars-only. */
function handlebarsBody(body: string): boolean {
  if (OPENERS.has(body[0] ?? '') || body.endsWith('~')) return true;
  const plain = blankStrings(body);
  if (/^\s*else\b/.test(plain) || BARE_HELPERS.has(plain.trim())) return true;
  if (/@|\.\.\/|\.\[|(^|[^\w.])this(\.|\s|$)/.test(plain)) return true;
  // A helper call: NAME ARG at the start or after '('.
  const call = /(?:^|\()\s*([A-Za-z_][\w.-]*)\s+(?=([A-Za-z_][\w]*|["'\d(]))/g;
  let m: RegExpExecArray | null;
  while ((m = call.exec(plain)) !== null) {
    const next = m[2]!;
    if (/^[A-Za-z_]/.test(next) && KEYWORDS.has(next)) continue;
    // `not x` means the same in both dialects; `and a b`, `in x xs` cannot start a Jinja2 expression.
    if (m[1] === 'not') continue;
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
    // `\{{` is Handlebars' escape of a literal `{{`.
    if (text[i - 1] === '\\') {
      result = true;
      break;
    }
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
