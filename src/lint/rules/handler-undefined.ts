/** `handler-undefined`: `notify:` names a handler (or `listen` topic) that no play or role defines. */
import { taskSites } from '../tasks.js';
import { defineRule } from '../types.js';
import { handlerNames, notifications } from '../handlers.js';

/** The `handler-undefined` rule. */
export default defineRule({
  id: 'handler-undefined',
  docs: {
    short: '`notify:` names a handler that is not defined anywhere (play handlers, role handlers, `listen` topics)',
    fix: "define the handler under `handlers:` (or the role's handlers/main.yml), or correct the name",
  },
  check(ctx) {
    const defined = handlerNames(ctx.project);
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of taskSites(file)) {
        for (const n of notifications(site)) {
          if (!defined.has(n.name)) ctx.report(n.pos, `notified handler '${n.name}' is not defined`);
        }
      }
    }
  },
});
