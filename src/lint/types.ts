/**
 * The shape of a lint rule and of what it reports. A rule is one file under
 * src/lint/rules/ declaring itself with `defineRule`, listed in the explicit
 * registry (rules/index.ts) and documented in docs/lint.md.
 */
import type { SourcePos } from '../errors.js';
import type { LintProject } from './project.js';

/** One problem found: where, which rule, what is wrong, and how to fix it in one line. */
export interface Finding {
  file: string;
  line: number;
  col: number;
  rule: string;
  message: string;
  fix: string;
}

/** What a rule's `check` gets: the parsed project and a way to report. */
export interface RuleContext {
  project: LintProject;
  /** Report a finding at a position; `fix` defaults to the rule's documented fix. */
  report(at: SourcePos, message: string, fix?: string): void;
}

/** A lint rule. */
export interface RuleDef {
  /** The rule id, equal to its file name (`name-missing`). */
  id: string;
  docs: {
    /** What the rule catches, one line (the docs table and `--list-rules`). */
    short: string;
    /** The usual fix, one line (printed under each finding). */
    fix: string;
  };
  /** Look at the project and report findings. */
  check(ctx: RuleContext): void;
}

/** Declare a rule (identity function that fixes the types). */
export function defineRule(def: RuleDef): RuleDef {
  return def;
}
