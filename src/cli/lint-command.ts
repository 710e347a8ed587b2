/**
 * `bosun lint [PATHS]`: schema validation plus the rules of src/lint/rules,
 * each finding with file:line:col, its rule and a one-line fix. Exit 0 when
 * clean, 2 on findings (as ansible-lint), 1 on errors.
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { collect, type CliContext } from './context.js';

/** Exit code when lint finds something. */
export const LINT_FINDINGS_EXIT = 2;

/** Register `bosun lint`. */
export function registerLint(program: Command, { io, setExit }: CliContext): void {
  program
    .command('lint')
    .description(
      'check roles and playbooks: schemas, module arguments, templates, and rules such as unnamed tasks, unguarded commands and undefined variables',
    )
    .argument('[paths...]', 'role folders, folders of roles and playbooks, or files (default: .)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const),
    )
    .option('-r, --rule <id>', 'run only this rule (repeatable)', collect, [] as string[])
    .option(
      '-i, --inventory <path>',
      'an inventory (INI or YAML file, or a folder) whose variables count as defined (repeatable)',
      collect,
      [] as string[],
    )
    .option('--list-rules', 'list the rules and exit', false)
    .action(async (paths, o) => {
      const { formatLintJson, formatLintText, lintPaths, RULES } = await import('../lint/index.js');
      if (o.listRules) {
        for (const r of RULES) io.out(`${r.id.padEnd(26)} ${r.docs.short}\n`);
        setExit(0);
        return;
      }
      const report = lintPaths(paths, { rules: o.rule, inventories: o.inventory });
      io.out(o.format === 'json' ? formatLintJson(report) : formatLintText(report));
      setExit(report.findings.length ? LINT_FINDINGS_EXIT : 0);
    });
}
