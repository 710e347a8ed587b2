/**
 * The one place where values become shell words. Every user value that goes
 * into a command passes through `shq` or the `sh` tag; nothing else
 * concatenates user values into commands.
 */
import { parse, quote } from 'shell-quote';

/** Quote one value as a single POSIX sh word. */
export function shq(value: string | number): string {
  const s = String(value);
  return s === '' ? "''" : quote([s]);
}

/**
 * Tagged template that quotes every interpolated value:
 *   sh`test -e ${path} && cat ${path}`
 * Arrays become several quoted words.
 */
export function sh(strings: TemplateStringsArray, ...values: Array<string | number | Array<string | number>>): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += Array.isArray(v) ? v.map(shq).join(' ') : shq(v);
    out += strings[i + 1] ?? '';
  });
  return out;
}

/**
 * Split a command line into words as Ansible's `command` module does (shlex):
 * quotes group, and shell operators and `$VAR` stay literal words.
 */
export function splitWords(commandLine: string): string[] {
  // shlex gives `$` no meaning: hidden from shell-quote (which reads `${HOME}` as `$HOME`), put back after.
  const DOLLAR = '\uE000';
  const back = (w: string): string => w.replaceAll(DOLLAR, '$');
  return parse(commandLine.replaceAll('$', DOLLAR)).map((entry) => {
    if (typeof entry === 'string') return back(entry);
    if ('op' in entry && entry.op === 'glob') return back(entry.pattern);
    if ('op' in entry) return entry.op;
    if ('comment' in entry) return back(`#${entry.comment}`);
    return back(String(entry));
  });
}

/**
 * Python's `shlex.split` (POSIX mode, no comments): words split at whitespace, quotes group, a backslash
 * escapes the next character (inside double quotes only `\` and `"`). For arguments Ansible splits that way
 * (pip's `extra_args`, `virtualenv_command`); each word then goes to the target through `shq`.
 */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i]!;
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\') {
        if (i + 1 >= text.length) throw new Error('No escaped character');
        word += text[++i]!;
      } else word += c;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
