/**
 * `mode-number`: a file mode written as a bare YAML number. `0644` reads as
 * octal in Ansible's YAML 1.1 and as 644 in YAML 1.2; `644` is decimal in
 * both (mode 1204). Only the source text shows it, so that is what is read.
 */
import type { SourcePos } from '../../errors.js';
import { argPath, argsOf, taskSites } from '../tasks.js';
import { defineRule } from '../types.js';

/** True when the text at `pos` is an unquoted run of digits. */
export function isBareNumber(text: string, pos: SourcePos): boolean {
  const line = text.split(/\r?\n/)[pos.line - 1] ?? '';
  const before = line[pos.col - 2];
  if (before === '"' || before === "'") return false;
  return /^[0-9]+(?=\s*(#.*)?$|\s*[,}\]])/.test(line.slice(pos.col - 1));
}

/** The `mode-number` rule. */
export default defineRule({
  id: 'mode-number',
  docs: {
    short: '`mode` is a bare number (`mode: 0644` or `mode: 644`) instead of a quoted string',
    fix: 'quote it: `mode: "0644"` (or use a symbolic mode such as `u=rw,g=r,o=r`)',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        if (site.kind !== 'task' || typeof site.args === 'string' || !('mode' in argsOf(site))) continue;
        const pos = site.file.yaml!.posOf(argPath(site, 'mode'));
        if (isBareNumber(file.text, pos)) ctx.report(pos, `mode ${String(argsOf(site)['mode'])} is a bare number`);
      }
    }
  },
});
