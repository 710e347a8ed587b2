/**
 * `schema`: what a run would reject at load time, all at once: YAML syntax,
 * each file against its JSON Schema (playbook, task list, role meta,
 * argument specs, scenario), module names, module arguments, and template
 * and condition syntax.
 */
import path from 'node:path';
import { isBosunError } from '../../errors.js';
import { moduleRegistry } from '../../modules/index.js';
import { findLibraryModule, isCollectionModuleName, unknownModuleText } from '../../playbook/library-modules.js';
import { parseArgString } from '../../util/arg-string.js';
import { suggestName } from '../../util/suggest.js';
import {
  argumentSpecsSchema,
  playbookSchema,
  roleMetaSchema,
  TASK_KEYWORDS,
  tasksFileSchema,
} from '../../playbook/schema.js';
import { scenarioSchema } from '../../role-test/scenario.js';
import { hasTemplate } from '../../template/index.js';
import type { FileKind, LintFile } from '../project.js';
import { taskSites, type TaskSite } from '../tasks.js';
import { templateError, templateSites } from '../templates.js';
import { defineRule, type RuleContext } from '../types.js';
import { schemaProblems } from '../validate.js';

const FILE_SCHEMAS: Partial<Record<FileKind, { schema: Record<string, unknown>; what: string }>> = {
  playbook: { schema: playbookSchema, what: 'playbook' },
  tasks: { schema: tasksFileSchema, what: 'task list' },
  handlers: { schema: tasksFileSchema, what: 'handlers' },
  'role-meta': { schema: roleMetaSchema, what: 'role meta' },
  'argument-specs': { schema: argumentSpecsSchema, what: 'argument specs' },
  scenario: { schema: scenarioSchema, what: 'scenario' },
};

/** The `schema` rule. */
export default defineRule({
  id: 'schema',
  docs: {
    short:
      'The file is not what bosun accepts: YAML syntax, its JSON Schema, module names and arguments, template syntax',
    fix: 'correct the value as the message says (`bosun schema` gives the schemas to your editor)',
  },
  check(ctx) {
    for (const file of ctx.project.files) {
      if (file.external) continue;
      if (file.syntaxError) {
        const e = file.syntaxError;
        ctx.report(e.source ?? { file: file.file, line: 1, col: 1 }, e.message, e.hint);
        continue;
      }
      checkFile(ctx, file);
    }
  },
});

function checkFile(ctx: RuleContext, file: LintFile): void {
  const spec = FILE_SCHEMAS[file.kind];
  const yaml = file.yaml;
  if (spec && yaml) {
    const value =
      yaml.value ?? (file.kind === 'playbook' || file.kind === 'tasks' || file.kind === 'handlers' ? [] : {});
    for (const p of schemaProblems(spec.schema, value, yaml, [], spec.what)) ctx.report(p.pos, p.message, p.hint);
    if (file.kind === 'playbook' && Array.isArray(value)) {
      value.forEach((play, i) => {
        if (play && typeof play === 'object' && !('hosts' in play) && !('import_playbook' in play))
          ctx.report(yaml.posOf([i]), "play is missing the required key 'hosts'");
      });
    }
  }
  const value = yaml?.value;
  if (
    file.kind === 'vars' &&
    yaml &&
    value !== null &&
    value !== undefined &&
    (typeof value !== 'object' || Array.isArray(value))
  ) {
    ctx.report(yaml.posOf([]), 'a variables file must be a mapping of variable names to values');
  }
  for (const site of taskSites(file)) if (site.kind === 'task') checkTask(ctx, site);
  for (const site of templateSites(file)) {
    const err = templateError(site);
    if (err) ctx.report(err.source ?? site.source, err.message, err.hint);
  }
}

/**
 * A module bosun does not have, as a run reads it: a collection's module or a custom one of library/ loads and fails
 * only if it runs (said so here), any other name is an error at load (with "did you mean" when one is close).
 */
function moduleProblem(ctx: RuleContext, site: TaskSite, names: string[]): [string, string] {
  const module = site.module!;
  const fix = 'do it with a module bosun has (`bosun doc --list`), or with command/shell';
  if (isCollectionModuleName(module))
    return [
      `module '${module}' is not in bosun (Ansible takes it from its collection): the task fails if it runs`,
      fix,
    ];
  const playbookDirs = ctx.project.files
    .filter((f) => f.kind === 'playbook')
    .map((f) => path.join(path.dirname(f.abs), 'library'));
  const library = findLibraryModule(module, { role: site.file.role }, [...new Set(playbookDirs)]);
  if (library)
    return [
      `'${module}' is a custom module (${path.relative(process.cwd(), library) || library}) that Ansible runs with Python on the target; bosun runs no Python there: the task fails if it runs`,
      fix,
    ];
  const { message, hint } = unknownModuleText(module, names);
  return [message, hint];
}

function checkTask(ctx: RuleContext, site: TaskSite): void {
  const yaml = site.file.yaml!;
  const names = [...moduleRegistry.keys()];
  if (site.module === undefined) {
    ctx.report(
      yaml.posOf(site.path),
      'task has no module: expected one key naming a module (copy, command, file, ...)',
      'add the module key, e.g. `copy: {src: a, dest: /b}`',
    );
    return;
  }
  for (const key of site.extraKeys) {
    const suggestion = suggestName(key, [...TASK_KEYWORDS, ...names]);
    ctx.report(
      yaml.keyPosOf([...site.path, key]),
      `'${key}' is neither a task keyword nor the task's module '${site.module}'`,
      suggestion ? `did you mean '${suggestion}'?` : 'one module per task; move it to its own task',
    );
  }
  if (!site.known) {
    ctx.report(yaml.keyPosOf(site.argsPath), ...moduleProblem(ctx, site, names));
    return;
  }
  const def = moduleRegistry.get(site.known)!;
  let args = site.args;
  if (typeof args === 'string') {
    try {
      args = parseArgString(
        args,
        def.freeForm,
        yaml.posOf(site.argsPath),
        def.freeFormOptions && new Set(def.freeFormOptions),
      );
    } catch (e) {
      if (!isBosunError(e)) throw e;
      ctx.report(e.source ?? yaml.posOf(site.argsPath), e.message, e.hint);
      return;
    }
  }
  args ??= {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    ctx.report(
      yaml.posOf(site.argsPath),
      `arguments of module '${site.known}' must be a mapping or a 'key=value' string`,
    );
    return;
  }
  const argMap = args as Record<string, unknown>;
  const what = `arguments of module '${site.known}'`;
  if (!hasTemplate(argMap) && site.raw['args'] === undefined && typeof site.args === 'object') {
    for (const p of schemaProblems(def.schema, argMap, yaml, site.argsPath, what)) ctx.report(p.pos, p.message, p.hint);
    return;
  }
  const props = def.schema['properties'] as Record<string, unknown> | undefined;
  if (!props || def.schema['additionalProperties'] !== false) return;
  for (const key of Object.keys(argMap)) {
    if (key in props) continue;
    const suggestion = suggestName(key, Object.keys(props));
    ctx.report(
      typeof site.args === 'object' ? yaml.keyPosOf([...site.argsPath, key]) : yaml.posOf(site.argsPath),
      `unknown argument '${key}' for module '${site.known}'`,
      suggestion ? `did you mean '${suggestion}'?` : `expected one of: ${Object.keys(props).join(', ')}`,
    );
  }
}
