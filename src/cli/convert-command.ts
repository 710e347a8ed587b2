/**
 * `bosun convert <role-dir|playbook> -o OUT`: write the role's or playbook's
 * bosun-Handlebars form, and list what stayed Jinja2 and why.
 */
import type { Command } from '@commander-js/extra-typings';
import { existsSync } from 'node:fs';
import type { CliContext } from './context.js';

/** Register `bosun convert`. */
export function registerConvert(program: Command, { io, setExit }: CliContext): void {
  program
    .command('convert')
    .description(
      "write a role's or playbook's bosun-Handlebars form: Jinja2 values, conditions and .j2 templates that have a " +
        "Handlebars form meaning the same are rewritten (templates as .hbs, their tasks' src: renamed); the rest stays " +
        'Jinja2, which bosun also runs, and is listed as "left as Jinja2: FILE:LINE:COL: reason"',
    )
    .argument('<path>', 'a role folder, a folder of roles, or a playbook file (with the files beside it)')
    .requiredOption('-o, --output <dir>', 'the folder to write the converted copy into (never the source itself)')
    .addHelpText(
      'after',
      [
        '',
        'Output: one line per item, then a summary:',
        '  left as Jinja2: FILE:LINE:COL: reason       (kept as written; bosun runs it as Jinja2)',
        '  converted, check: FILE:LINE:COL: reason     (converted; the same only for some values, e.g. a',
        '                                               printed boolean: Jinja2 True, Handlebars true)',
        'Converted templates render the same bytes as the originals on bosun; see docs/cli.md, "bosun convert".',
      ].join('\n'),
    )
    .action(async (src, o) => {
      const { convertTree } = await import('../convert/files.js');
      if (!existsSync(src)) {
        io.err(`ERROR [CONVERT] ${src}: no such file or folder\n`);
        setExit(2);
        return;
      }
      if (existsSync(o.output)) {
        io.err(`ERROR [CONVERT] ${o.output} exists: give a new folder to write into\n`);
        setExit(2);
        return;
      }
      const r = convertTree(src, o.output);
      for (const item of r.left) io.out(`left as Jinja2: ${item.where}: ${item.reason}\n`);
      for (const item of r.checks) io.out(`converted, check: ${item.where}: ${item.reason}\n`);
      const valuesLeft = r.left.filter((i) => !/\.j2:\d+:\d+$/.test(i.where)).length;
      io.out(
        `${r.files} YAML files: ${r.converted} values and conditions converted, ${valuesLeft} left as Jinja2; ` +
          `${r.templatesConverted} templates converted to .hbs, ${r.templatesLeft} kept as .j2; ` +
          `${r.checks.length} to check; written to ${o.output}\n`,
      );
      setExit(0);
    });
}
