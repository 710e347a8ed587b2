/**
 * `# bosun-lint: disable=RULE[,RULE...]` comments: on the offending line,
 * on its own line just before it, or among the comments at the top of the
 * file (before any content) for the whole file. `disable=all` silences every
 * rule. Template files use the same words in a Handlebars comment.
 */

const DIRECTIVE = /bosun-lint:\s*disable=([A-Za-z0-9_,\- ]+)/;

/** Which rules are silenced where in one file. */
export interface Suppressions {
  /** True when `rule` is silenced at `line` (1-based). */
  has(rule: string, line: number): boolean;
}

function isCommentOnly(line: string): boolean {
  const t = line.trim();
  return t.startsWith('#') || t.startsWith('{{!');
}

/** Read the disable comments of a file's text. */
export function parseSuppressions(text: string): Suppressions {
  const lines = text.split(/\r?\n/);
  const fileWide = new Set<string>();
  const byLine = new Map<number, Set<string>>();
  let header = true;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    const commentOnly = isCommentOnly(line);
    if (header && trimmed !== '' && trimmed !== '---' && !commentOnly) header = false;
    const m = DIRECTIVE.exec(line);
    if (!m) return;
    const rules = m[1]!.split(/[,\s]+/).filter(Boolean);
    if (header) {
      rules.forEach((r) => fileWide.add(r));
      return;
    }
    const target = commentOnly ? i + 2 : i + 1;
    const set = byLine.get(target) ?? new Set<string>();
    rules.forEach((r) => set.add(r));
    byLine.set(target, set);
  });
  return {
    has(rule, line) {
      if (fileWide.has(rule) || fileWide.has('all')) return true;
      const set = byLine.get(line);
      return set !== undefined && (set.has(rule) || set.has('all'));
    },
  };
}
