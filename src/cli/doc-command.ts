/**
 * `bosun doc MODULE` (like ansible-doc): a module's description, arguments
 * (from its schema), check-mode support, return values and an example;
 * `bosun doc --list` lists every module with its one-line description.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';

const EXIT_ERROR = 1;
const EXIT_BAD_OPTIONS = 5;

/** docs/modules.md beside the package (absent from a published package: then the prose parts are left out). */
function modulesMarkdown(): string {
  const file = fileURLToPath(new URL('../../docs/modules.md', import.meta.url));
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Register `bosun doc` (modules, and `bosun doc role NAME`). */
export function registerDoc(program: Command, { io, setExit }: CliContext): void {
  program
    .command('doc')
    .description("show a module's documentation: arguments, check mode, return values, an example (like ansible-doc)")
    .argument('[module]', "module name (ansible.builtin.NAME works too), or 'role'")
    .argument('[role]', "with `role`: the role name (the playbook folder's roles/ first, then the built-in roles)")
    .option('-l, --list', 'list the modules with their one-line description', false)
    .option(
      '--markdown',
      "print the Markdown argument table instead (with `role`: the README's Variables section)",
      false,
    )
    .option('--write', "with `role --markdown`: replace the role README's Variables section (or add one)", false)
    .action(async (name, roleName, o) => {
      if (name === 'role') {
        if (!roleName) {
          io.err('bosun doc role: give a role name\n');
          setExit(EXIT_BAD_OPTIONS);
          return;
        }
        const { renderRoleDoc, renderRoleMarkdown, writeRoleReadme } = await import('./doc-role.js');
        if (o.write) {
          if (!o.markdown) {
            io.err('bosun doc role: --write goes with --markdown (it writes the README variables section)\n');
            setExit(EXIT_BAD_OPTIONS);
            return;
          }
          io.out(`wrote the Variables section of ${writeRoleReadme(roleName)}\n`);
        } else io.out(o.markdown ? renderRoleMarkdown(roleName) : renderRoleDoc(roleName));
        setExit(0);
        return;
      }
      const [{ getModule, moduleRegistry }, docs, { Help }, { suggestName }] = await Promise.all([
        import('../modules/index.js'),
        import('../modules/docs.js'),
        import('@commander-js/extra-typings'),
        import('../util/suggest.js'),
      ]);
      if (o.list) {
        const names = [...moduleRegistry.keys()].sort();
        const width = Math.max(...names.map((n) => n.length));
        for (const n of names) io.out(`${n.padEnd(width)}  ${moduleRegistry.get(n)!.docs.short}\n`);
        setExit(0);
        return;
      }
      if (name === undefined) {
        io.err('bosun doc: give a module name, or --list for all of them\n');
        setExit(EXIT_BAD_OPTIONS);
        return;
      }
      const def = getModule(name);
      if (!def) {
        const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
        const near = suggestName(short, moduleRegistry.keys());
        io.err(
          `bosun doc: no module named '${name}'${near ? `; did you mean '${near}'?` : ''} (bosun doc --list shows them all)\n`,
        );
        setExit(EXIT_ERROR);
        return;
      }
      if (o.markdown) {
        io.out(docs.renderArgumentsMarkdown(def));
      } else {
        const help = new Help();
        const width = Math.min(process.stdout.columns || 80, 100);
        const prose = docs.moduleProse(docs.moduleSection(modulesMarkdown(), def.name));
        io.out(docs.renderModuleText(def, prose, { width, wrap: (text, w) => help.boxWrap(text, w) }));
      }
      setExit(0);
    });
}
