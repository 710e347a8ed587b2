/**
 * Keywords that pass down from plays, roles, blocks and imports to the tasks
 * inside them, merged the way Ansible does: conditions add up (outer ones
 * first), tags union, vars stack, environment merges, and the rest is
 * overridden by the innermost value that is set.
 */
import { extendVars, isUnsafeKey, markUnsafe } from '../util/unsafe.js';
import { CONNECTION_TYPES_HINT, connectionTypeOf } from '../connection/spec.js';
import { BosunError, type SourcePos } from '../errors.js';
import type { TemplateEngine } from '../template/index.js';
import type { ValuePath, YamlFile } from '../util/yaml.js';
import type { VarLayer, VarLevel } from '../vars/scope.js';
import type { Condition, Inherited, TemplatedKeyword } from './types.js';

/** Nothing inherited: the start of a play. */
export function emptyInherited(): Inherited {
  return {
    when: [],
    varLayers: [],
    tags: [],
    become: undefined,
    becomeUser: undefined,
    becomeMethod: undefined,
    remoteUser: undefined,
    connection: undefined,
    environment: {},
    ignoreErrors: undefined,
    ignoreUnreachable: undefined,
    checkMode: undefined,
    diff: undefined,
    noLog: undefined,
    anyErrorsFatal: undefined,
    delegateTo: undefined,
    delegateFacts: undefined,
    runOnce: false,
    keywordTemplates: {},
    throttle: undefined,
    timeout: undefined,
    notify: undefined,
    notifySources: [],
  };
}

/** Where a mapping with inheritable keywords sits, to read them with positions. */
export interface KeywordSource {
  raw: Record<string, unknown>;
  yaml: YamlFile;
  path: ValuePath;
  engine: TemplateEngine;
  /** Level of this node's own `vars:` (block_vars for blocks/plays' pass-down, task_vars for tasks). */
  varsLevel: VarLevel;
  /** Label for the vars layer's source. */
  label: string;
}

/** Merge a node's own inheritable keywords over what it inherits. */
export function inherit(parent: Inherited, src: KeywordSource): Inherited {
  const { raw, yaml, path } = src;
  const pos = (key: string): SourcePos => yaml.posOf([...path, key]);
  const bool = (key: string): boolean | undefined =>
    raw[key] === undefined ? undefined : toBoolKeyword(raw[key], pos(key));
  const str = (key: string): string | undefined => (raw[key] === undefined ? undefined : scalarText(raw[key]));
  // A keyword whose value is a template is rendered per host when the task runs.
  const templatedBool = (key: string): boolean | string | undefined =>
    typeof raw[key] === 'string' && raw[key].includes('{{')
      ? (src.engine.check(raw[key], pos(key)), raw[key])
      : bool(key);
  // Boolean keywords: a template is kept and rendered per host (keywordTemplates); a plain value replaces an inherited
  // template of the same keyword.
  const keywordTemplates = new Map(Object.entries(parent.keywordTemplates) as Array<[TemplatedKeyword, string]>);
  const flag = (key: string, field: Exclude<TemplatedKeyword, 'timeout' | 'throttle'>): boolean | undefined => {
    const value = templatedBool(key);
    if (typeof value === 'string') {
      keywordTemplates.set(field, value);
      return undefined;
    }
    if (value !== undefined) {
      keywordTemplates.delete(field);
      return value;
    }
    return keywordTemplates.has(field) ? undefined : parent[field];
  };
  const timeoutOf = (): number | undefined => {
    const t = raw['timeout'];
    if (typeof t === 'string' && t.includes('{{')) {
      src.engine.check(t, pos('timeout'));
      keywordTemplates.set('timeout', t);
      return undefined;
    }
    if (t === undefined) return keywordTemplates.has('timeout') ? undefined : parent.timeout;
    keywordTemplates.delete('timeout');
    return positiveInt(t, pos('timeout'), 'timeout');
  };
  // throttle: a template (`"{{ groups['etcd'] | length // 2 }}"`, kubespray) is rendered when the task starts.
  const throttleOf = (): number | undefined => {
    const t = raw['throttle'];
    if (typeof t === 'string' && t.includes('{{')) {
      src.engine.check(t, pos('throttle'));
      keywordTemplates.set('throttle', t);
      return undefined;
    }
    if (t === undefined) return keywordTemplates.has('throttle') ? undefined : parent.throttle;
    keywordTemplates.delete('throttle');
    return positiveInt(t, pos('throttle'), 'throttle');
  };
  const connection = str('connection');
  if (connection !== undefined && !connection.includes('{{') && connectionTypeOf(connection) === undefined) {
    throw new BosunError('SCHEMA', `connection '${connection}' is not supported`, {
      source: pos('connection'),
      hint: CONNECTION_TYPES_HINT,
    });
  }
  const vars = varsOf(raw['vars'], yaml, [...path, 'vars']);
  const ownLayer: VarLayer[] = Object.keys(vars.values).length
    ? [{ level: src.varsLevel, source: src.label, values: vars.values, positions: vars.positions }]
    : [];
  const env = raw['environment'];
  let environment = parent.environment;
  if (env !== undefined) {
    if (typeof env === 'string') {
      src.engine.check(env, pos('environment'));
      environment = { ...parent.environment, __template__: env };
    } else environment = extendVars(parent.environment, env as Record<string, unknown>, false);
  }
  const notify = raw['notify'];
  const notifyList = notify === undefined || notify === null ? undefined : [notify].flat().map(String);
  return {
    when: [...parent.when, ...conditions(raw['when'], [...path, 'when'], yaml, src.engine)],
    varLayers: [...parent.varLayers, ...ownLayer],
    tags: union(parent.tags, tagsOf(raw['tags'])),
    become: flag('become', 'become'),
    becomeUser: str('become_user') ?? parent.becomeUser,
    becomeMethod: str('become_method') ?? parent.becomeMethod,
    remoteUser: str('remote_user') ?? parent.remoteUser,
    connection: connection ?? parent.connection,
    environment,
    ignoreErrors: flag('ignore_errors', 'ignoreErrors'),
    ignoreUnreachable: flag('ignore_unreachable', 'ignoreUnreachable'),
    checkMode: flag('check_mode', 'checkMode'),
    diff: flag('diff', 'diff'),
    noLog: flag('no_log', 'noLog'),
    anyErrorsFatal: flag('any_errors_fatal', 'anyErrorsFatal'),
    delegateTo: str('delegate_to') ?? parent.delegateTo,
    delegateFacts: bool('delegate_facts') ?? parent.delegateFacts,
    runOnce: templatedBool('run_once') ?? parent.runOnce,
    keywordTemplates: Object.fromEntries(keywordTemplates),
    throttle: throttleOf(),
    timeout: timeoutOf(),
    notify: notifyList ?? parent.notify,
    notifySources: notifyList
      ? notifyList.map((_n, i) => yaml.posOf(Array.isArray(notify) ? [...path, 'notify', i] : [...path, 'notify']))
      : parent.notifySources,
  };
}

/** The tags of a `tags:` value (a string may be comma-separated, as in Ansible). */
export function tagsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [value]
    .flat()
    .flatMap((t) => scalarText(t).split(','))
    .map((t) => t.trim())
    .filter(Boolean);
}

function union(a: string[], b: string[]): string[] {
  return b.length === 0 ? a : [...new Set([...a, ...b])];
}

/** Conditions of a `when:`-like keyword (a string, a boolean or a list). */
export function conditions(value: unknown, path: ValuePath, yaml: YamlFile, engine: TemplateEngine): Condition[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    const source = yaml.posOf(Array.isArray(value) ? [...path, i] : path);
    // YAML 1.1 booleans (yes/no/on/off/True/False) are what an Ansible author means, not variable names.
    const raw = String(v).trim();
    const expr = /^(yes|on|true)$/i.test(raw) ? 'true' : /^(no|off|false)$/i.test(raw) ? 'false' : raw;
    if (/^\{\{.*\}\}$/s.test(expr)) {
      throw new BosunError('SCHEMA', 'conditions are expressions without braces', {
        source,
        hint: `write ${path[path.length - 1]!}: ${expr.replace(/^\{\{\s*|\s*\}\}$/g, '')}`,
      });
    }
    engine.checkExpression(expr, source);
    return { expr, source };
  });
}

/** Ansible-style boolean keyword values (true/false/yes/no). */
export function toBoolKeyword(value: unknown, source: SourcePos): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const s = scalarText(value).toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(s)) return true;
  if (['no', 'false', 'off', '0'].includes(s)) return false;
  throw new BosunError('SCHEMA', `expected a boolean (true/false), got '${scalarText(value)}'`, { source });
}

/**
 * The text of a scalar keyword value, as String() gives it. A list or a
 * mapping, which the schemas keep from these keywords, shows as JSON rather
 * than "[object Object]".
 */
export function scalarText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** A whole number of at least 1 (or a numeric string). */
export function positiveInt(value: unknown, source: SourcePos, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BosunError('SCHEMA', `${what} must be a whole number of at least 1, got '${String(value)}'`, { source });
  return n;
}

/**
 * A `vars:` value: a mapping, or (as Ansible allows) a list of mappings merged
 * in order, later keys winning; with the position of each variable.
 */
export function varsOf(
  value: unknown,
  yaml: YamlFile,
  path: ValuePath,
): { values: Record<string, unknown>; positions: Map<string, SourcePos> } {
  if (value === undefined || value === null) return { values: {}, positions: new Map() };
  const parts: Array<[unknown, ValuePath]> = [];
  if (Array.isArray(value)) value.forEach((v: unknown, i) => parts.push([v, [...path, i]]));
  else parts.push([value, path]);
  // A key given again moves to the end of the order (delete and set).
  const merged = new Map<string, unknown>();
  const positions = new Map<string, SourcePos>();
  const unsafe = new Set<string>();
  for (const [part, at] of parts) {
    if (part === null || typeof part !== 'object' || Array.isArray(part)) {
      throw new BosunError('SCHEMA', 'vars must be a mapping, or a list of mappings', { source: yaml.posOf(at) });
    }
    for (const [k, v] of Object.entries(part)) {
      merged.delete(k);
      merged.set(k, v);
      positions.set(k, yaml.posOf([...at, k]));
      if (isUnsafeKey(part, k)) unsafe.add(k);
      else unsafe.delete(k);
    }
  }
  // `!unsafe` values (src/util/yaml.ts) stay marked in the layer.
  const values: Record<string, unknown> = markUnsafe(Object.fromEntries(merged), unsafe);
  return { values, positions };
}

/** Positions of the keys of a mapping at `path`. */
export function keyPositions(values: Record<string, unknown>, yaml: YamlFile, path: ValuePath): Map<string, SourcePos> {
  return new Map(Object.keys(values).map((k) => [k, yaml.posOf([...path, k])]));
}
