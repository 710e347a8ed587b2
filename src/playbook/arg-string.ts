/**
 * `key=value` argument strings (`copy: src=a dest=b`) and the free form of
 * `command`/`shell` (`command: ls -l creates=/x`), parsed as Ansible does.
 */
import { BosunError, type SourcePos } from '../errors.js';
import { splitWords } from '../util/shell.js';

/** Options Ansible accepts inside a free-form command string. */
const FREE_FORM_OPTIONS: ReadonlySet<string> = new Set(['creates', 'removes', 'chdir', 'executable', 'stdin', 'warn']);

/**
 * Parse `key=value key2="quoted value"` (and a free-form remainder for
 * modules that take one). `{{ ... }}` spans are kept whole.
 */
export function parseArgString(text: string, freeForm: string | undefined, source: SourcePos): Record<string, unknown> {
  const spans: string[] = [];
  const protectedText = text.replace(/\{\{.*?\}\}|\{%.*?%\}/gs, (m) => {
    spans.push(m);
    return `__BOSUN_SPAN_${spans.length - 1}__`;
  });
  const restore = (s: string): string => s.replace(/__BOSUN_SPAN_(\d+)__/g, (_m, i: string) => spans[Number(i)]!);
  let words: string[];
  try {
    words = splitWords(protectedText);
  } catch (e) {
    throw new BosunError('MODULE_ARGS', `cannot parse arguments: ${(e as Error).message}`, { source });
  }
  const args: Record<string, unknown> = {};
  const free: string[] = [];
  for (const word of words) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (m && (!freeForm || FREE_FORM_OPTIONS.has(m[1]!))) args[m[1]!] = restore(m[2]!);
    else free.push(word);
  }
  if (free.length) {
    if (!freeForm) throw new BosunError('MODULE_ARGS', `expected key=value arguments, found '${restore(free[0]!)}'`, { source });
    // The free form keeps the user's own text (quotes included) minus the k=v options.
    args[freeForm] = restore(stripOptions(protectedText, args)).trim();
  }
  return args;
}

function stripOptions(text: string, args: Record<string, unknown>): string {
  let out = text;
  for (const key of Object.keys(args)) out = out.replace(new RegExp(`(^|\\s)${key}=("[^"]*"|'[^']*'|\\S+)`), ' ');
  return out;
}
