/**
 * `readme-vars`: a role's README lists its variables in a `## Variables`
 * table (as `bosun role init` writes it) that no longer matches
 * `meta/argument_specs.yml`: a variable the README documents that the spec
 * no longer has (one named with the role's prefix: shared settings the
 * README also lists are not judged), or a spec option the README leaves out. Roles without a
 * README table or without argument specs are not checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeVarNames, roleVarDocs } from '../../playbook/role-docs.js';
import type { LintRole } from '../project.js';
import { defineRule } from '../types.js';

/** The README as findings name it: beside the role's files as they are shown. */
function readmeShown(role: LintRole, abs: string): string {
  const f = role.files[0];
  if (!f) return abs;
  const rel = path.relative(role.dir, f.abs);
  return f.file.endsWith(rel) ? `${f.file.slice(0, f.file.length - rel.length)}README.md` : abs;
}

/** The role as `bosun doc role` finds it from here: `./path` below the working directory, else its absolute path. */
function roleArg(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel}` : dir;
}

/** The `readme-vars` rule. */
export default defineRule({
  id: 'readme-vars',
  docs: {
    short: "A role's README variables table no longer matches meta/argument_specs.yml",
    fix: 'regenerate the section: bosun doc role NAME --markdown --write',
  },
  check(ctx) {
    for (const role of ctx.project.roles) {
      if (role.external || role.spec.size === 0) continue;
      const abs = path.join(role.dir, 'README.md');
      if (!existsSync(abs)) continue;
      const listed = readmeVarNames(readFileSync(abs, 'utf8'));
      if (listed.size === 0) continue;
      const docs = roleVarDocs(role.dir);
      const specNames = new Set(docs.vars.map((v) => v.name));
      const fix = `regenerate the section: bosun doc role ${roleArg(role.dir)} --markdown --write`;
      const file = readmeShown(role, abs);
      // The role's own variables carry its name as a prefix; a README also lists shared settings
      // (download_mirror, bosun_download, ...) that other roles or modules read: those are not judged.
      const own = `${role.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_`;
      for (const [name, line] of listed) {
        if (!name.startsWith(own) || specNames.has(name) || role.defaults.has(name) || role.vars.has(name)) continue;
        ctx.report(
          { file, line, col: 1 },
          `README.md documents '${name}', which meta/argument_specs.yml does not have`,
          fix,
        );
      }
      for (const v of docs.vars) {
        const top = v.name.split(/[.[]/)[0]!;
        const opt = role.spec.get(top);
        if (!opt || listed.has(v.name)) continue;
        ctx.report(opt.pos, `option '${v.name}' of role ${role.name} is not in README.md's variables table`, fix);
      }
    }
  },
});
