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
