/**
 * Python regular expressions (what Ansible users write) translated to
 * JavaScript: named groups `(?P<n>...)`, `(?P=n)`, `\A`, `\Z`, leading
 * inline flags `(?ims)`; and `re.sub` replacement templates (`\1`,
 * `\g<1>`, `\g<name>`, `\n`), expanded without JavaScript's `$` rules.
 */
import { ModuleArgError } from './attrs.js';
import { expandBackrefs } from './line-edit.js';

/** A translated pattern: the JS source and the flags Python's inline flags asked for. */
export interface PyPattern {
  source: string;
  flags: string;
}

/** Translate a Python pattern to JS source plus flags (i, m, s from a leading `(?ims)`). */
export function translatePyRegex(pattern: string): PyPattern {
  let flags = '';
  let rest = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(rest);
  if (inline) {
    for (const f of inline[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += f;
      else if (f === 'x') throw new ModuleArgError(`the verbose flag (?x) is not supported in '${pattern}'`);
    }
    rest = rest.slice(inline[0].length);
  }
  let out = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const n = rest[i + 1];
      if (n === 'A') out += '(?<![\\s\\S])';
      else if (n === 'Z') out += '(?![\\s\\S])';
      else out += c + (n ?? '');
      i++;
    } else if (rest.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (rest.startsWith('(?P=', i)) {
      const end = rest.indexOf(')', i);
      out += `\\k<${rest.slice(i + 4, end)}>`;
      i = end;
    } else out += c;
  }
  return { source: out, flags };
}

/** Compile a Python pattern as a JS RegExp with `flags` added (ModuleArgError when invalid). */
export function pyRegExp(pattern: string, flags = ''): RegExp {
  const t = translatePyRegex(pattern);
  const all = [...new Set((flags + t.flags).split(''))].join('');
  try {
    return new RegExp(t.source, all);
  } catch (e) {
    throw new ModuleArgError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
}

/** Python's `re.subn(regex, template, text)`: every match replaced, the count returned. `regex` must be global. */
export function pySubn(regex: RegExp, template: string, text: string): { text: string; count: number } {
  let count = 0;
  const out = text.replace(regex, (...args: unknown[]) => {
    count++;
    const groupsArg = args[args.length - 1];
    const hasGroups = typeof groupsArg === 'object' && groupsArg !== null;
    const end = hasGroups ? args.length - 3 : args.length - 2;
    const m = args.slice(0, end) as string[] as unknown as RegExpExecArray;
    if (hasGroups) m.groups = groupsArg as Record<string, string>;
    return expandBackrefs(template, m);
  });
  return { text: out, count };
}
