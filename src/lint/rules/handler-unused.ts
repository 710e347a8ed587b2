/** `handler-unused`: a handler that nothing notifies never runs. */
import { taskSites } from '../tasks.js';
import { defineRule } from '../types.js';
import { answersTo, notifications } from '../handlers.js';

/** The `handler-unused` rule. */
export default defineRule({
  id: 'handler-unused',
  docs: {
    short: 'A handler is defined but no task notifies it (by name, `ROLE : name` or a `listen` topic)',
    fix: 'add `notify: <handler name>` to the task that should trigger it, or remove the handler',
  },
  check(ctx) {
    const notified = new Set<string>();
    for (const file of ctx.project.files)
      for (const site of taskSites(file)) for (const n of notifications(site)) notified.add(n.name);
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        if (!site.handler || site.kind === 'block') continue;
        if (answersTo(site).some((n) => notified.has(n))) continue;
        const name = site.raw['name'];
        const handler = typeof name === 'string' ? `'${name}'` : `(${site.module ?? 'unnamed'})`;
        ctx.report(site.file.yaml!.posOf(site.path), `handler ${handler} is never notified`);
      }
    }
  },
});
