/** `name-missing`: a task or dynamic include without a `name:` (the output and --start-at-task need one). */
import { taskSites } from '../tasks.js';
import { defineRule } from '../types.js';

/** The `name-missing` rule. */
export default defineRule({
  id: 'name-missing',
  docs: {
    short: 'A task or include has no `name:`',
    fix: 'add `name:` saying what the task does, e.g. `name: Install the config file`',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        if (site.kind === 'block' || typeof site.raw['name'] === 'string') continue;
        // Static imports vanish at load time (never shown in output); meta tasks are control flow.
        if (site.known === 'meta' || site.module === 'import_tasks' || site.module === 'import_role') continue;
        ctx.report(site.file.yaml!.posOf(site.path), `${site.module ?? 'a'} task has no name`);
      }
    }
  },
});
