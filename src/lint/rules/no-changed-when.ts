/**
 * `no-changed-when`: `command`/`shell` that reports "changed" on every run, which breaks idempotence checks and
 * notifies handlers every time.
 */
import { argsOf, taskSites } from '../tasks.js';
import { defineRule } from '../types.js';

const GUARDS = ['creates', 'removes', 'unless', 'onlyif'];

/** The `no-changed-when` rule. */
export default defineRule({
  id: 'no-changed-when',
  docs: {
    short:
      '`command`/`shell` without `changed_when`, `creates`, `removes`, `unless` or `onlyif` reports a change on every run',
    fix: 'add `changed_when: false` for a read-only command, or `creates:`/`unless:` so it runs only when needed',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        if (site.known !== 'command' && site.known !== 'shell' && site.known !== 'script') continue;
        if (site.raw['changed_when'] !== undefined) continue;
        const args = argsOf(site);
        const line = typeof site.args === 'string' ? site.args : '';
        if (GUARDS.some((g) => args[g] !== undefined || new RegExp(`(^|\\s)${g}=`).test(line))) continue;
        ctx.report(
          site.file.yaml!.posOf(site.path),
          `${site.known} task without changed_when, creates, removes, unless or onlyif always reports changed`,
        );
      }
    }
  },
});
