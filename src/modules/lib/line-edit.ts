/**
 * Ansible's lineinfile algorithm on an array of lines (each keeping its
 * "\n"), ported step by step from ansible.builtin.lineinfile so that edits
 * land where Ansible puts them. Regular expressions are JavaScript RegExp;
 * `$` matches before a line's newline, as Python's `re.search` does.
 */

/** What to do to the lines. */
export interface LineEditSpec {
  line?: string;
  regexp?: RegExp;
  searchString?: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs: boolean;
  firstmatch: boolean;
}

/** The edited lines and Ansible's message. */
export interface LineEditResult {
  lines: string[];
  changed: boolean;
  msg: string;
  /** For state=absent: how many lines were removed. */
  found?: number;
}

/** Split text into lines that keep their "\n" (Python's readlines). */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const j = text.indexOf('\n', i);
    if (j < 0) {
      out.push(text.slice(i));
      break;
    }
    out.push(text.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

const stripEol = (s: string): string => s.replace(/[\r\n]+$/, '');
const body = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);

/** Python's `match.expand`: \1, \g<1>, \g<name> and the common escapes. */
export function expandBackrefs(template: string, m: RegExpExecArray): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
  return template.replace(
    /\\(?:g<(\w+)>|(\d{1,2})|(.))/g,
    (all, named: string | undefined, num: string | undefined, ch: string | undefined) => {
      if (named !== undefined) return (/^\d+$/.test(named) ? m[Number(named)] : m.groups?.[named]) ?? '';
      if (num !== undefined) return m[Number(num)] ?? '';
      return ch !== undefined && ch in escapes ? escapes[ch]! : all;
    },
  );
}

/** state=present: replace the last (or first) match, or insert the line. */
export function present(input: string[], spec: LineEditSpec): LineEditResult {
  const lines = [...input];
  const line = spec.line ?? '';
  const { insertafter, insertbefore } = spec;
  let insRe: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF') insRe = new RegExp(insertafter);
  else if (insertbefore !== undefined && insertbefore !== 'BOF') insRe = new RegExp(insertbefore);
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;

  if (spec.regexp) {
    for (const [i, cur] of lines.entries()) {
      const found = spec.regexp.exec(body(cur));
      if (found) {
        index[0] = i;
        match = found;
        if (spec.firstmatch) break;
      }
    }
  }
  if (spec.searchString !== undefined) {
    for (const [i, cur] of lines.entries()) {
      if (cur.includes(spec.searchString)) {
        index[0] = i;
        match = true;
        if (spec.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (const [i, cur] of lines.entries()) {
      if (line === stripEol(cur)) {
        index[0] = i;
      } else if (insRe?.test(body(cur))) {
        if (insertafter !== undefined) {
          index[1] = i + 1;
          if (spec.firstmatch) break;
        }
        if (insertbefore !== undefined) {
          index[1] = i;
          if (spec.firstmatch) break;
        }
      }
    }
  }

  const added = (): LineEditResult => ({ lines, changed: true, msg: 'line added' });
  const unchanged = (): LineEditResult => ({ lines, changed: false, msg: '' });
  const i0 = index[0]!;
  const i1 = index[1]!;
  if (i0 !== -1) {
    let newLine = spec.backrefs && match && typeof match !== 'boolean' ? expandBackrefs(line, match) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    // (Ansible's "insert when nothing matched" branch here is unreachable: index 0 is only set by a match.)
    if (lines[i0] !== newLine) {
      lines[i0] = newLine;
      return { lines, changed: true, msg: 'line replaced' };
    }
    return unchanged();
  }
  if (spec.backrefs) return unchanged();
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(`${line}\n`);
    return added();
  }
  if (insertafter === 'EOF' || i1 === -1) {
    const last = lines[lines.length - 1];
    if (last !== undefined && !/[\n\r]$/.test(last)) lines.push('\n');
    lines.push(`${line}\n`);
    return added();
  }
  if (insertafter !== undefined && i1 !== -1) {
    if (lines.length === i1) {
      if (stripEol(lines[i1 - 1]!) !== line) {
        lines.push(`${line}\n`);
        return added();
      }
      return unchanged();
    }
    if (line !== stripEol(lines[i1]!)) {
      lines.splice(i1, 0, `${line}\n`);
      return added();
    }
    return unchanged();
  }
  lines.splice(i1, 0, `${line}\n`);
  return added();
}

/** state=absent: remove every line matching regexp, search_string or the exact line. */
export function absent(input: string[], spec: LineEditSpec): LineEditResult {
  let found = 0;
  const lines = input.filter((cur) => {
    let hit: boolean;
    if (spec.regexp) hit = spec.regexp.test(body(cur));
    else if (spec.searchString !== undefined) hit = cur.includes(spec.searchString);
    else hit = (spec.line ?? '') === stripEol(cur);
    if (hit) found++;
    return !hit;
  });
  return { lines, changed: found > 0, msg: found > 0 ? `${found} line(s) removed` : '', found };
}
