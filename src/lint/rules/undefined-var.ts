/**
 * `undefined-var`: a template or condition reads a variable that nothing in
 * the project defines (see src/lint/definitions.ts for what counts), which
 * fails the task at run time. Variables only given with `-e` need a disable
 * comment or a default.
 */
import { isMagic, projectDefinitions } from '../definitions.js';
import { templateSites, varUses } from '../templates.js';
import { defineRule } from '../types.js';

/** The `undefined-var` rule. */
export default defineRule({
  id: 'undefined-var',
  docs: {
    short:
      'A template or condition uses a variable that is defined nowhere visible (defaults, vars, inventory, register, set_fact, loops, facts)',
    fix: 'define it (role defaults/main.yml, play vars, group_vars), fix the spelling, or guard it: `{{ name | default(\'fallback\') }}` (Jinja2) or `{{ default name "fallback" }}` (Handlebars)',
  },
  check(ctx) {
    const defined = projectDefinitions(ctx.project);
    for (const file of ctx.project.files) {
      if (file.external) continue;
      for (const site of templateSites(file)) {
        for (const use of varUses(site)) {
          if (use.optional || isMagic(use.name) || defined.has(use.name)) continue;
          ctx.report(use.pos, `undefined variable '${use.name}'`);
        }
      }
    }
  },
});
