/**
 * Templates and conditions of a project, found by walking every string of
 * its YAML files (and reading its template files whole), parsed with the
 * template layer's own parser and analyser: syntax errors as the engine
 * reports them, and every variable read with its file:line:col.
 */
import Handlebars from 'handlebars';
import { BosunError, isBosunError, type SourcePos } from '../errors.js';
import { getModule } from '../modules/index.js';
import { analyzeProgram } from '../template/analyze.js';
import { createTemplateEngine, isHandlebars, isHandlebarsFile, type TemplateEngine } from '../template/index.js';
import { checkJinja, checkJinjaFile } from '../template/jinja/render.js';
import type { Loc } from '../template/jinja/parse.js';
import { jinjaUses } from './jinja-uses.js';
import { rewriteTemplate, toSourcePos } from '../template/positions.js';
import type { ValuePath } from '../util/yaml.js';
import type { LintFile } from './project.js';

/** Keys whose values are conditions written without braces. */
const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until']);
/** Files whose strings are templates (argument specs hold documentation, not templates). */
const TEMPLATED_KINDS = new Set(['playbook', 'tasks', 'handlers', 'vars', 'role-meta', 'scenario']);

/** A templated string (or a condition, or a template file) and where it starts. */
export interface TemplateSite {
  file: LintFile;
  text: string;
  source: SourcePos;
  mode: 'value' | 'expression' | 'file';
  /** Path of the value in its YAML file (empty for a template file). */
  path: ValuePath;
}

/** A variable read: its first name (what must be defined) and where. */
export interface VarUse {
  name: string;
  /** The path as written (`conf.stat.exists`). */
  written: string;
  pos: SourcePos;
  /** Inside `default`/`defined`/`undefined`/`mandatory`: may be undefined on purpose. */
  optional: boolean;
}

let engine: TemplateEngine | undefined;
const hb = Handlebars.create();

/** Every template site of a file. */
export function templateSites(file: LintFile): TemplateSite[] {
  if (file.kind === 'template') {
    if (file.text.includes('\0') || !file.text.includes('{{')) return [];
    return [{ file, text: file.text, source: { file: file.file, line: 1, col: 1 }, mode: 'file', path: [] }];
  }
  const yaml = file.yaml;
  if (!yaml || !TEMPLATED_KINDS.has(file.kind)) return [];
  const out: TemplateSite[] = [];
  const walk = (value: unknown, path: Array<string | number>, expression: boolean): void => {
    if (typeof value === 'string') {
      if (expression || value.includes('{{'))
        out.push({ file, text: value, source: yaml.posOf(path), mode: expression ? 'expression' : 'value', path });
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], expression));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const isVarsMap = k === 'vars' || file.kind === 'vars';
        const cond =
          !isVarsMap && (CONDITION_KEYS.has(k) || (getModule(String(path.at(-1) ?? ''))?.rawArgs ?? []).includes(k));
        walk(v, [...path, k], cond);
      }
    }
  };
  walk(yaml.value, [], false);
  return out;
}

/** A syntax error of a template site, as the engine would report it at load time. */
export function templateError(site: TemplateSite): BosunError | undefined {
  engine ??= createTemplateEngine();
  try {
    if (site.mode === 'expression') engine.checkExpression(site.text, site.source);
    else if (site.mode === 'file') engine.checkFile(site.text, site.source.file);
    else engine.check(site.text, site.source);
    return undefined;
  } catch (e) {
    if (isBosunError(e)) return e;
    return new BosunError('TEMPLATE_SYNTAX', e instanceof Error ? e.message : String(e), { source: site.source });
  }
}

/** The variables a Jinja2 site reads (its dialect as the engine picks it), or undefined for a Handlebars site. */
function jinjaVarUses(site: TemplateSite): VarUse[] | undefined {
  const ctx0 = { source: site.source, inserted: new Map<number, number[]>(), colShift: 0 };
  try {
    if (site.mode === 'file') {
      if (isHandlebarsFile(site.text, site.source.file)) return undefined;
      const { tpl, bodyCtx } = checkJinjaFile(site.text, ctx0);
      const ctx = { ...bodyCtx, inserted: tpl.inserted };
      return toUses(jinjaUses(tpl.parts), (l) => toSourcePos(l.line, l.col, ctx) ?? site.source);
    }
    if (site.mode === 'value') {
      if (isHandlebars(site.text)) return undefined;
      const tpl = checkJinja(site.text, ctx0, 'value');
      const ctx = { ...ctx0, inserted: tpl.inserted };
      return toUses(jinjaUses(tpl.parts), (l) => toSourcePos(l.line, l.col, ctx) ?? site.source);
    }
    const trimmed = site.text.trim();
    const braced = trimmed.startsWith('{{') && trimmed.endsWith('}}');
    const text = braced ? site.text : `{{ ${site.text} }}`;
    if (isHandlebars(text)) return undefined;
    const ctx = { ...ctx0, colShift: braced ? 0 : 3 };
    const tpl = checkJinja(text, ctx, 'expression');
    const posCtx = { ...ctx, inserted: tpl.inserted };
    return toUses(jinjaUses(tpl.parts), (l) => toSourcePos(l.line, l.col, posCtx) ?? site.source);
  } catch {
    return [];
  }
}

function toUses(uses: ReturnType<typeof jinjaUses>, pos: (l: Loc) => SourcePos): VarUse[] {
  return uses.map((u) => ({ name: u.name, written: u.written, pos: pos(u.loc), optional: u.optional }));
}

/** The variables a template site reads (none when it does not parse: the schema rule reports that). */
export function varUses(site: TemplateSite): VarUse[] {
  if (typeof site.text !== 'string') return [];
  const jinja = jinjaVarUses(site);
  if (jinja) return jinja;
  let text = site.text;
  let colShift = 0;
  if (site.mode === 'expression') {
    const trimmed = text.trim();
    if (trimmed === '' || typeof site.text !== 'string') return [];
    if (!(trimmed.startsWith('{{') && trimmed.endsWith('}}'))) {
      text = `{{${text}}}`;
      colShift = 2;
    }
  }
  const fixed = rewriteTemplate(text);
  try {
    const refs = analyzeProgram(hb.parseWithoutProcessing(fixed.text));
    const ctx = { source: site.source, inserted: fixed.inserted, colShift };
    return refs
      .filter((r) => r.scope.kind === 'root' && r.parts.length > 0)
      .map((r) => ({
        name: r.parts[0]!,
        written: r.name,
        pos: toSourcePos(r.line, r.column, ctx) ?? site.source,
        optional: r.optional,
      }));
  } catch {
    return [];
  }
}
