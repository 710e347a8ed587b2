/**
 * Controller files a task names (`src:` of copy, template, script, ...):
 * where they are searched, and the load-time parse of template files. A
 * `template:` task whose `src` is a static name has its file found as the
 * task will find it and parsed, so a syntax error in it stops the run
 * before any host is touched (Ansible finds it on the first host that
 * reaches the task, after the earlier tasks changed the hosts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { BosunError, isBosunError, rememberSource } from '../errors.js';
import { hasTemplate, type TemplateEngine, type TemplateFileOptions } from '../template/index.js';
import { DELIMITER_NAMES, delimiterArgs } from '../template/jinja/render.js';
import { toBool } from '../modules/lib/bool.js';
import { searchCandidates } from '../modules/lib/vars-files.js';
import type { Task, TaskContext } from './types.js';

/**
 * The paths `src: NAME` is looked for at, in order, as Ansible's path_dwim_relative_stack tries them: the role's
 * `KIND/NAME` and `NAME`, the task file's folder's `KIND/NAME` and `NAME`, then the playbook folder's.
 */
export function controllerFileCandidates(context: TaskContext, kind: 'files' | 'templates', name: string): string[] {
  return searchCandidates(name, kind, {
    ...(context.role ? { roleDir: context.role.dir } : {}),
    fileDir: context.fileDir,
    playbookDir: context.playbookDir,
  });
}

/** The file a static `src` name resolves to, or undefined when it is not there (yet). */
export function findStaticFile(context: TaskContext, kind: 'files' | 'templates', name: string): string | undefined {
  return controllerFileCandidates(context, kind, name).find((candidate) => existsSync(candidate));
}

/** The template module's arguments that change how its file is parsed. */
const PARSE_SETTINGS = ['trim_blocks', 'lstrip_blocks', ...Object.keys(DELIMITER_NAMES)];

/**
 * The Jinja2 settings a template task gives (trim_blocks, lstrip_blocks, other delimiters), or undefined when one of
 * them is itself a template (the file is then checked when the task runs). The other arguments (a templated `dest`,
 * `owner`, `mode`) do not change how the file parses, so they never keep it from being checked.
 */
function staticOptions(args: Record<string, unknown>): TemplateFileOptions | undefined {
  if (PARSE_SETTINGS.some((name) => hasTemplate(args[name]))) return undefined;
  const options: TemplateFileOptions = {};
  try {
    if (args['trim_blocks'] !== undefined) options.trimBlocks = toBool(args['trim_blocks'], true);
    if (args['lstrip_blocks'] !== undefined) options.lstripBlocks = toBool(args['lstrip_blocks'], false);
  } catch {
    return undefined; // a bad value is the module's error, when the task runs
  }
  const delimiters = delimiterArgs(args);
  if (Object.keys(delimiters).length) options.delimiters = delimiters;
  return options;
}

/**
 * Parse the template file of each `template:` task with a static `src`.
 * A file that is not found is left to run time (an earlier task may make
 * it); a file that does not parse throws its syntax error, positioned in
 * the template file, with the task that uses it in the hint.
 */
export function checkTemplateFiles(tasks: Iterable<Task>, engine: TemplateEngine): void {
  const checked = new Set<string>();
  for (const task of tasks) {
    if (task.module !== 'template') continue;
    const src = task.args['src'];
    if (typeof src !== 'string' || src === '' || hasTemplate(src)) continue;
    const options = staticOptions(task.args);
    if (!options) continue;
    const file = findStaticFile(task.context, 'templates', src);
    if (file === undefined || checked.has(file)) continue;
    checked.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (text.includes('\0')) continue;
    try {
      engine.checkFile(text, file, options);
    } catch (e) {
      if (!isBosunError(e)) throw e;
      rememberSource(file, text);
      const where = `${task.source.file}:${task.source.line}`;
      throw new BosunError(e.code, `${e.message} (in the template of the task at ${where})`, {
        ...(e.source ? { source: e.source } : {}),
        hint: e.hint ?? 'fix the template file; nothing has run yet',
        cause: e,
      });
    }
  }
}
