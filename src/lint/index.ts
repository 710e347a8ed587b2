/**
 * `bosun lint`: load the project once, run every rule (or the chosen ones),
 * drop findings silenced by `# bosun-lint: disable=RULE` comments, and sort
 * what is left by file, line and column.
 */
import { BosunError } from '../errors.js';
import { parseSuppressions, type Suppressions } from './disable.js';
import { loadProject, type LintProject } from './project.js';
import { RULES, ruleRegistry } from './rules/index.js';
import type { Finding, RuleDef } from './types.js';

export type { Finding, RuleDef } from './types.js';
export { RULES, ruleRegistry } from './rules/index.js';

/** What to lint with. */
export interface LintOptions {
  /** Only these rule ids (default: all). */
  rules?: string[];
  /** Resolve paths (and show them) relative to this folder (default: the working directory). */
  cwd?: string;
  /** Inventories (-i) whose variables count as defined: INI or YAML files, folders of them. */
  inventories?: string[];
}

/** The outcome of a lint run. */
export interface LintReport {
  findings: Finding[];
  /** How many files were looked at (external ones not counted). */
  files: number;
}

/** Lint paths (role folders, folders of roles and playbooks, single files). */
export function lintPaths(paths: string[], opts: LintOptions = {}): LintReport {
  const project = loadProject(paths.length ? paths : ['.'], opts.cwd, opts.inventories);
  return lintProject(project, selectRules(opts.rules));
}

function selectRules(ids: string[] | undefined): readonly RuleDef[] {
  if (!ids || ids.length === 0) return RULES;
  return ids.map((id) => {
    const rule = ruleRegistry.get(id);
    if (!rule)
      throw new BosunError('BAD_OPTION', `unknown lint rule '${id}'`, {
        hint: `rules: ${RULES.map((r) => r.id).join(', ')}`,
      });
    return rule;
  });
}

/** Run rules over a loaded project. */
export function lintProject(project: LintProject, rules: readonly RuleDef[] = RULES): LintReport {
  const texts = new Map(project.files.map((f) => [f.file, f.text]));
  const suppressions = new Map<string, Suppressions>();
  const silenced = (file: string, rule: string, line: number): boolean => {
    let s = suppressions.get(file);
    if (!s) {
      s = parseSuppressions(texts.get(file) ?? '');
      suppressions.set(file, s);
    }
    return s.has(rule, line);
  };
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const rule of rules) {
    rule.check({
      project,
      report(at, message, fix) {
        if (silenced(at.file, rule.id, at.line)) return;
        const key = `${at.file}:${at.line}:${at.col}:${rule.id}:${message}`;
        if (seen.has(key)) return;
        seen.add(key);
        findings.push({ file: at.file, line: at.line, col: at.col, rule: rule.id, message, fix: fix ?? rule.docs.fix });
      },
    });
  }
  const order = new Map(RULES.map((r, i) => [r.id, i]));
  findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || order.get(a.rule)! - order.get(b.rule)!,
  );
  return { findings, files: project.files.filter((f) => !f.external).length };
}

/** The text report: one finding per line (`file:line:col: rule: message`), its fix below, then a summary. */
export function formatLintText(report: LintReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.file}:${f.line}:${f.col}: ${f.rule}: ${f.message}`);
    lines.push(`    fix: ${f.fix}`);
  }
  const n = report.findings.length;
  if (n === 0) {
    lines.push(`no findings in ${report.files} file(s)`);
  } else {
    const byRule = new Map<string, number>();
    for (const f of report.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const files = new Set(report.findings.map((f) => f.file)).size;
    lines.push(
      `${n} finding(s) in ${files} of ${report.files} file(s): ${[...byRule].map(([r, c]) => `${r} ${c}`).join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON report: `{findings: [...], files, count}`. */
export function formatLintJson(report: LintReport): string {
  const json = { findings: report.findings, files: report.files, count: report.findings.length };
  return `${JSON.stringify(json, null, 2)}\n`;
}
