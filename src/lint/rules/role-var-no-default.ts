/**
 * `role-var-no-default`: a role reads a variable it does not declare: no
 * entry in defaults/ and none in meta/argument_specs.yml (so it is an input
 * nobody can discover, and the role fails wherever it is not set); or an
 * optional argument spec option has no default anywhere.
 */
import { isMagic, projectDefinitions, roleInternalNames } from '../definitions.js';
import { templateSites, varUses } from '../templates.js';
import { defineRule } from '../types.js';

const ROLE_KINDS = new Set(['tasks', 'handlers', 'template', 'vars']);

/** The `role-var-no-default` rule. */
export default defineRule({
  id: 'role-var-no-default',
  docs: {
    short:
      'A role uses a variable that has neither a default (defaults/main.yml) nor an argument spec, or an optional argument without a default',
    fix: "add the variable to the role's defaults/main.yml (or to meta/argument_specs.yml with `required: true`)",
  },
  check(ctx) {
    const defined = projectDefinitions(ctx.project);
    for (const role of ctx.project.roles) {
      if (role.external) continue;
      const internal = roleInternalNames(role);
      const reported = new Set<string>();
      for (const file of role.files) {
        if (!ROLE_KINDS.has(file.kind)) continue;
        for (const site of templateSites(file)) {
          for (const use of varUses(site)) {
            // Used but defined nowhere at all is undefined-var's finding, not this one.
            if (
              use.optional ||
              isMagic(use.name) ||
              internal.has(use.name) ||
              !defined.has(use.name) ||
              reported.has(use.name)
            )
              continue;
            reported.add(use.name);
            ctx.report(use.pos, `role ${role.name} uses '${use.name}', which has no default and no argument spec`);
          }
        }
      }
      for (const [name, opt] of role.spec) {
        if (opt.required || opt.hasDefault || role.defaults.has(name)) continue;
        ctx.report(
          opt.pos,
          `optional argument '${name}' of role ${role.name} has no default`,
          `add \`default:\` to the option, or \`${name}:\` to defaults/main.yml, or mark it \`required: true\``,
        );
      }
    }
  },
});
