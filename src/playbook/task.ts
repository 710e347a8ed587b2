/**
 * Turns one raw task mapping into a typed Task: finds its module, merges
 * free-form, `k=v` and `args:` arguments, and checks at load time what can
 * be checked before any host is touched (module name, argument names,
 * template syntax).
 */
import { closest, distance } from 'fastest-levenshtein';
import { BosunError, type SourcePos } from '../errors.js';
import { getModule, moduleRegistry } from '../modules/index.js';
import type { TemplateEngine } from '../template/index.js';
import { hasTemplate } from '../template/index.js';
import { validateOrThrow } from '../util/schema.js';
import { splitWords } from '../util/shell.js';
import type { ValuePath, YamlFile } from '../util/yaml.js';
import { TASK_KEYWORDS, UNSUPPORTED_TASK_KEYWORDS } from './schema.js';
import type { Task, TaskContext } from './types.js';

const KEYWORDS: ReadonlySet<string> = new Set(TASK_KEYWORDS);

/** What parseTask needs besides the raw value. */
export interface TaskSource {
  yaml: YamlFile;
  path: ValuePath;
  context: TaskContext;
  engine: TemplateEngine;
}

/** Parse and check one task. */
export function parseTask(raw: Record<string, unknown>, src: TaskSource): Task {
  const { yaml, path } = src;
  const source = yaml.posOf(path);
  for (const key of Object.keys(raw)) {
    const why = UNSUPPORTED_TASK_KEYWORDS.get(key);
    if (why) throw new BosunError('SCHEMA', `task keyword '${key}' is not supported: ${why}`, { source: yaml.keyPosOf([...path, key]) });
  }
  let { module, args, argsPath } = findModule(raw, src);
  const def = getModule(module);
  if (!def) {
    const suggestion = closest(module, [...moduleRegistry.keys(), ...KEYWORDS]);
    throw new BosunError('UNKNOWN_MODULE', `unknown module '${module}'`, {
      source: yaml.keyPosOf(argsPath),
      ...(suggestion && distance(suggestion, module) <= 3 ? { hint: `did you mean '${suggestion}'?` } : {}),
    });
  }
  module = def.name;
  const argPos = (p: ValuePath): SourcePos => yaml.posOf([...argsPath, ...p]);
  if (typeof args === 'string') args = parseArgString(args, def.freeForm, argPos([]));
  if (args === null || args === undefined) args = {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new BosunError('MODULE_ARGS', `arguments of module '${module}' must be a mapping or a 'key=value' string`, { source: argPos([]) });
  }
  const extra = raw['args'];
  const merged = { ...(extra as Record<string, unknown> | undefined), ...(args as Record<string, unknown>) };
  checkArgs(merged, def.schema, def.rawArgs ?? [], module, argPos, src.engine, typeof raw[module] === 'object' ? yaml : undefined, argsPath);

  const name = typeof raw['name'] === 'string' ? raw['name'] : undefined;
  if (name && hasTemplate(name)) src.engine.check(name, yaml.posOf([...path, 'name']));
  const loopKey = raw['loop'] !== undefined ? 'loop' : raw['with_items'] !== undefined ? 'with_items' : undefined;
  const loopValue = loopKey ? raw[loopKey] : undefined;
  if (typeof loopValue === 'string') src.engine.check(loopValue, yaml.posOf([...path, loopKey!]));
  const vars = raw['vars'] as Record<string, unknown> | undefined;
  return {
    name,
    module,
    args: merged,
    argPos,
    when: conditions(raw['when'], [...path, 'when'], src),
    register: raw['register'] as string | undefined,
    loop: loopKey ? { value: loopValue, source: yaml.posOf([...path, loopKey]) } : undefined,
    vars: vars ? { level: 'task_vars', source: `${yaml.file}:${source.line} task vars`, values: vars, positions: keyPositions(vars, yaml, [...path, 'vars']) } : undefined,
    changedWhen: raw['changed_when'] === undefined ? undefined : conditions(raw['changed_when'], [...path, 'changed_when'], src),
    failedWhen: raw['failed_when'] === undefined ? undefined : conditions(raw['failed_when'], [...path, 'failed_when'], src),
    ignoreErrors: toBoolKeyword(raw['ignore_errors'], yaml.posOf([...path, 'ignore_errors'])),
    noLog: toBoolKeyword(raw['no_log'], yaml.posOf([...path, 'no_log'])),
    become: raw['become'] === undefined ? undefined : toBoolKeyword(raw['become'], yaml.posOf([...path, 'become'])),
    becomeUser: raw['become_user'] as string | undefined,
    tags: raw['tags'] === undefined ? [] : [raw['tags']].flat().map(String),
    source,
    context: src.context,
  };
}

/** The module key of a task (or `action:`), its raw arguments and where they are. */
function findModule(raw: Record<string, unknown>, src: TaskSource): { module: string; args: unknown; argsPath: ValuePath } {
  const { yaml, path } = src;
  const candidates = Object.keys(raw).filter((k) => !KEYWORDS.has(k));
  if (raw['action'] !== undefined) {
    if (candidates.length) throw new BosunError('SCHEMA', `task has both 'action' and module '${candidates[0]}'`, { source: yaml.keyPosOf([...path, candidates[0]!]) });
    const action = raw['action'];
    const argsPath = [...path, 'action'];
    if (typeof action === 'string') {
      const [module, ...rest] = action.trim().split(/\s+/);
      return { module: module ?? '', args: rest.join(' '), argsPath };
    }
    const { module, ...args } = action as Record<string, unknown>;
    if (typeof module !== 'string') throw new BosunError('SCHEMA', "'action' as a mapping needs a 'module' key", { source: yaml.posOf(argsPath) });
    return { module, args, argsPath };
  }
  if (candidates.length === 0) {
    throw new BosunError('SCHEMA', 'task has no module: expected one key naming a module (copy, command, file, ...)', { source: yaml.posOf(path) });
  }
  if (candidates.length > 1) {
    const unknown = candidates.find((k) => !getModule(k)) ?? candidates[1]!;
    const suggestion = closest(unknown, [...KEYWORDS, ...moduleRegistry.keys()]);
    throw new BosunError('SCHEMA', `task has more than one module or an unknown keyword: ${candidates.map((c) => `'${c}'`).join(', ')}`, {
      source: yaml.keyPosOf([...path, unknown]),
      ...(suggestion && distance(suggestion, unknown) <= 3 ? { hint: `did you mean '${suggestion}'?` } : {}),
    });
  }
  const module = candidates[0]!;
  return { module, args: raw[module], argsPath: [...path, module] };
}

/**
 * Parse `key=value key2="quoted value"` (and a free-form remainder for
 * modules that take one). `{{ ... }}` spans are kept whole.
 */
export function parseArgString(text: string, freeForm: string | undefined, source: SourcePos): Record<string, unknown> {
  const spans: string[] = [];
  const protectedText = text.replace(/\{\{.*?\}\}|\{%.*?%\}/gs, (m) => {
    spans.push(m);
    return `__BOSUN_SPAN_${spans.length - 1}__`;
  });
  const restore = (s: string): string => s.replace(/__BOSUN_SPAN_(\d+)__/g, (_m, i: string) => spans[Number(i)]!);
  let words: string[];
  try {
    words = splitWords(protectedText);
  } catch (e) {
    throw new BosunError('MODULE_ARGS', `cannot parse arguments: ${(e as Error).message}`, { source });
  }
  const args: Record<string, unknown> = {};
  const free: string[] = [];
  for (const word of words) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (m && (!freeForm || FREE_FORM_OPTIONS.has(m[1]!))) args[m[1]!] = restore(m[2]!);
    else free.push(word);
  }
  if (free.length) {
    if (!freeForm) throw new BosunError('MODULE_ARGS', `expected key=value arguments, found '${restore(free[0]!)}'`, { source });
    // The free form keeps the user's own text (quotes included) minus the k=v options.
    args[freeForm] = restore(stripOptions(protectedText, args)).trim();
  }
  return args;
}

/** Options Ansible accepts inside a free-form command string. */
const FREE_FORM_OPTIONS: ReadonlySet<string> = new Set(['creates', 'removes', 'chdir', 'executable', 'stdin', 'warn']);

function stripOptions(text: string, args: Record<string, unknown>): string {
  let out = text;
  for (const key of Object.keys(args)) out = out.replace(new RegExp(`(^|\\s)${key}=("[^"]*"|'[^']*'|\\S+)`), ' ');
  return out;
}

/** Check argument names (always) and the whole schema (when nothing is templated) at load time. */
function checkArgs(
  args: Record<string, unknown>, schema: Record<string, unknown>, rawArgs: string[], module: string,
  argPos: (p: ValuePath) => SourcePos, engine: TemplateEngine, yaml: YamlFile | undefined, argsPath: ValuePath,
): void {
  const what = `arguments of module '${module}'`;
  let templated = false;
  for (const [key, value] of Object.entries(args)) {
    if (rawArgs.includes(key)) {
      if (Array.isArray(value)) value.forEach((expr, i) => { if (typeof expr === 'string') engine.checkExpression(expr, argPos([key, i])); });
      else if (typeof value === 'string') engine.checkExpression(value, argPos([key]));
      continue;
    }
    walkStrings(value, [key], (s, p) => {
      if (hasTemplate(s)) {
        templated = true;
        engine.check(s, argPos(p));
      }
    });
  }
  if (!templated) {
    validateOrThrow(schema, args, yaml ? { yaml, basePath: argsPath, what } : { source: argPos([]), what });
    return;
  }
  const props = schema['properties'] as Record<string, unknown> | undefined;
  if (props && schema['additionalProperties'] === false) {
    for (const key of Object.keys(args)) {
      if (!(key in props)) {
        const suggestion = closest(key, Object.keys(props));
        throw new BosunError('MODULE_ARGS', `unknown argument '${key}' for module '${module}'`, {
          source: yaml ? yaml.keyPosOf([...argsPath, key]) : argPos([]),
          hint: `expected one of: ${Object.keys(props).join(', ')}${suggestion && distance(key, suggestion) <= 3 ? ` (did you mean '${suggestion}'?)` : ''}`,
        });
      }
    }
  }
}

function walkStrings(value: unknown, path: Array<string | number>, fn: (s: string, p: Array<string | number>) => void): void {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], fn));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], fn);
}

function conditions(value: unknown, path: ValuePath, src: TaskSource): Array<{ expr: string; source: SourcePos }> {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    const source = src.yaml.posOf(Array.isArray(value) ? [...path, i] : path);
    const expr = String(v).trim();
    if (/^\{\{.*\}\}$/s.test(expr)) {
      throw new BosunError('SCHEMA', 'conditions are expressions without braces', { source, hint: `write ${path[path.length - 1]}: ${expr.replace(/^\{\{\s*|\s*\}\}$/g, '')}` });
    }
    src.engine.checkExpression(expr, source);
    return { expr, source };
  });
}

/** Ansible-style boolean keyword values (true/false/yes/no). */
export function toBoolKeyword(value: unknown, source: SourcePos): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const s = String(value).toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(s)) return true;
  if (['no', 'false', 'off', '0'].includes(s)) return false;
  throw new BosunError('SCHEMA', `expected a boolean (true/false), got '${String(value)}'`, { source });
}

/** Positions of the keys of a mapping at `path`. */
export function keyPositions(values: Record<string, unknown>, yaml: YamlFile, path: ValuePath): Map<string, SourcePos> {
  return new Map(Object.keys(values).map((k) => [k, yaml.posOf([...path, k])]));
}
