/**
 * The explicit registry of lint rules: one import per file, each rule's id
 * equal to its file name. Documented in docs/lint.md.
 */
import type { RuleDef } from '../types.js';
import commandInsteadOfModule from './command-instead-of-module.js';
import handlerUndefined from './handler-undefined.js';
import handlerUnused from './handler-unused.js';
import modeNumber from './mode-number.js';
import nameMissing from './name-missing.js';
import noChangedWhen from './no-changed-when.js';
import packageLatest from './package-latest.js';
import readmeVars from './readme-vars.js';
import roleVarNoDefault from './role-var-no-default.js';
import schema from './schema.js';
import templateDialect from './template-dialect.js';
import undefinedVar from './undefined-var.js';

/** Every rule, in the order findings of one position are listed. */
export const RULES: readonly RuleDef[] = [
  schema,
  nameMissing,
  commandInsteadOfModule,
  noChangedWhen,
  modeNumber,
  handlerUndefined,
  handlerUnused,
  undefinedVar,
  packageLatest,
  roleVarNoDefault,
  readmeVars,
  templateDialect,
];

/** Rules by id. */
export const ruleRegistry: ReadonlyMap<string, RuleDef> = new Map(RULES.map((r) => [r.id, r]));
