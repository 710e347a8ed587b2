/**
 * Python's `fnmatch.fnmatch` on POSIX (what Ansible's find matches names
 * with): `*` and `?` match any character, a leading dot included; `[seq]`,
 * `[!seq]`; a backslash is an ordinary character. Glob libraries (picomatch)
 * treat dots, backslashes and braces differently, so this follows
 * `fnmatch.translate` instead.
 */

/** The RegExp that `fnmatch.fnmatch(name, pattern)` amounts to (anchored at both ends). */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i]!;
    i++;
    if (c === '*') {
      if (!re.endsWith('.*')) re += '.*';
    } else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i;
      if (j < n && pattern[j] === '!') j++;
      if (j < n && pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) re += '\\[';
      else {
        let stuff = pattern.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (stuff === '') re += '(?!)';
        else if (stuff === '!') re += '.';
        else {
          if (stuff.startsWith('!')) stuff = `^${stuff.slice(1)}`;
          else if (stuff.startsWith('^') || stuff.startsWith('[')) stuff = `\\${stuff}`;
          re += `[${stuff.replace(/\]/g, '\\]')}]`;
        }
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

/** `fnmatch.fnmatch(name, pattern)`. */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}
