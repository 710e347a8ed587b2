/**
 * A module's documentation rendered from its definition: the argument table
 * comes from the JSON schema (type, default, choices, required, aliases,
 * description), so docs/modules.md (`npm run docs:modules`) and `bosun doc`
 * cannot drift from what the module accepts. The hand-written prose of
 * docs/modules.md (return values, check mode, examples) is read back by
 * section for the terminal.
 */
import type { ModuleDef } from './types.js';

/** One argument as documented. */
export interface ArgumentDoc {
  name: string;
  /** `string`, `bool`, `string or array`, ... */
  type: string;
  required: boolean;
  /** The schema's default as JSON, when it has one. */
  default?: string;
  choices?: string[];
  /** Other names for the same argument (arguments whose description is `Alias of NAME`). */
  aliases: string[];
  description: string;
}

/** The hand-written parts of a module's section in docs/modules.md. */
export interface ModuleProse {
  checkMode?: string;
  returns?: string;
  example?: string;
  differences?: string;
}

type Schema = Record<string, unknown>;

const ALIAS_OF = /^Alias of (\w+)\b/;

/** JSON Schema type names as a playbook author says them. */
const TYPE_WORDS: Record<string, string> = { boolean: 'bool', object: 'map' };

function typeOf(prop: Schema): string {
  const variants = Array.isArray(prop['anyOf'])
    ? (prop['anyOf'] as Schema[])
    : Array.isArray(prop['oneOf'])
      ? (prop['oneOf'] as Schema[])
      : [prop];
  const names = variants.flatMap((v) =>
    Array.isArray(v['type']) ? (v['type'] as string[]) : typeof v['type'] === 'string' ? [v['type']] : [],
  );
  // boolSchema: booleans that also accept yes/no/on/off as strings.
  if (
    names.length === 2 &&
    names.includes('boolean') &&
    names.includes('string') &&
    typeof prop['pattern'] === 'string' &&
    prop['pattern'].includes('[Yy]')
  )
    return 'bool';
  if (!names.length) return 'any';
  return [...new Set(names.map((n) => TYPE_WORDS[n] ?? n))].join(' or ');
}

/** A schema's `description` (JSON Schema keeps it a string). */
function descriptionOf(prop: Schema): string {
  return typeof prop['description'] === 'string' ? prop['description'] : '';
}

/** The arguments of a module, in schema order. */
export function argumentsOf(def: ModuleDef<unknown>): ArgumentDoc[] {
  const props = (def.schema['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((def.schema['required'] ?? []) as string[]);
  const aliases = new Map<string, string[]>();
  for (const [name, prop] of Object.entries(props)) {
    const target = ALIAS_OF.exec(descriptionOf(prop))?.[1];
    if (target && target in props) aliases.set(target, [...(aliases.get(target) ?? []), name]);
  }
  return Object.entries(props).map(([name, prop]) => {
    const doc: ArgumentDoc = {
      name,
      type: typeOf(prop),
      required: required.has(name),
      aliases: aliases.get(name) ?? [],
      description: descriptionOf(prop),
    };
    if (prop['default'] !== undefined) doc.default = JSON.stringify(prop['default']);
    if (Array.isArray(prop['enum'])) doc.choices = (prop['enum'] as unknown[]).map(String);
    return doc;
  });
}

/** The description with the aliases named, unless it names them already. */
function meaning(arg: ArgumentDoc): string {
  if (!arg.aliases.length || /\balias(es)?\b/i.test(arg.description)) return arg.description;
  return `${arg.description} (${arg.aliases.length > 1 ? 'aliases' : 'alias'}: ${arg.aliases.join(', ')})`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown table of a module's arguments (what sits between the `<!-- args:NAME -->` markers). */
export function renderArgumentsMarkdown(def: ModuleDef<unknown>): string {
  const args = argumentsOf(def);
  if (!args.length) return 'No arguments.\n';
  const rows = args.map((a) => {
    const type = a.choices ? a.choices.map((c) => `\`${c}\``).join(', ') : a.type;
    const dflt = a.required ? 'required' : a.default !== undefined ? `\`${a.default}\`` : '';
    return `| \`${a.name}\` | ${cell(type)} | ${cell(dflt)} | ${cell(meaning(a))} |`;
  });
  return ['| Argument | Type | Default | Meaning |', '|---|---|---|---|', ...rows, ''].join('\n');
}

/** The opening and closing markers around a module's generated table. */
export function argsMarkers(name: string): { open: string; close: string } {
  return { open: `<!-- args:${name} -->`, close: `<!-- /args:${name} -->` };
}

/** The text of `## NAME` in a Markdown document, up to the next `## ` heading ('' when absent). */
export function moduleSection(markdown: string, name: string): string {
  const start = markdown.indexOf(`\n## ${name}\n`);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start + 1, next < 0 ? undefined : next + 1);
}

/** The paragraph that starts with `label`, without the label. */
function paragraph(section: string, label: string): string | undefined {
  const para = section.split(/\n\s*\n/).find((p) => p.startsWith(label));
  return para
    ?.slice(label.length)
    .trim()
    .replace(/\s*\n\s*/g, ' ');
}

/** Check mode, return values, the example and the differences from Ansible, from a module's section. */
export function moduleProse(section: string): ModuleProse {
  const prose: ModuleProse = {};
  const checkMode = paragraph(section, 'Check mode:');
  const returns = paragraph(section, 'Registered:');
  const differences = paragraph(section, 'Differences from Ansible:');
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (checkMode !== undefined) prose.checkMode = checkMode;
  if (returns !== undefined) prose.returns = returns;
  if (example !== undefined) prose.example = example;
  if (differences !== undefined) prose.differences = differences;
  return prose;
}

/**
 * docs/modules.md with every module's table regenerated between its markers.
 * A section without markers gets them around its first argument table (or
 * after its opening paragraphs when it has none); the prose is kept as is.
 */
export function updateModulesMarkdown(markdown: string, modules: Iterable<ModuleDef<unknown>>): string {
  let out = markdown;
  for (const def of modules) {
    const section = moduleSection(out, def.name);
    if (!section) throw new Error(`docs/modules.md has no section "## ${def.name}"`);
    const { open, close } = argsMarkers(def.name);
    const block = `${open}\n${renderArgumentsMarkdown(def)}${close}\n`;
    let next: string;
    const at = section.indexOf(open);
    if (at >= 0) {
      const end = section.indexOf(close, at);
      if (end < 0) throw new Error(`docs/modules.md: ${open} has no ${close}`);
      next = section.slice(0, at) + block + section.slice(end + close.length + 1);
    } else {
      const table = /^\| Argument \|.*\n(?:\|.*\n)*/m.exec(section);
      if (table) next = section.slice(0, table.index) + block + section.slice(table.index + table[0].length);
      else {
        const paras = section.split(/\n\n/);
        // A module without arguments: its generated "No arguments." stands where the table would.
        const none = paras.indexOf('No arguments.');
        if (none >= 0) paras.splice(none, 1, block.trimEnd());
        next = none >= 0 ? paras.join('\n\n') : [...paras.slice(0, 3), block.trimEnd(), ...paras.slice(3)].join('\n\n');
      }
    }
    out = out.replace(section, () => next);
  }
  return out;
}

/** Options of the terminal rendering. */
export interface TextOptions {
  /** Wraps a paragraph to a width (the CLI passes commander's). */
  wrap?: (text: string, width: number) => string;
  width?: number;
}

/** A module's documentation as plain terminal text, like `ansible-doc`. */
export function renderModuleText(def: ModuleDef<unknown>, prose: ModuleProse = {}, opts: TextOptions = {}): string {
  const width = opts.width ?? 80;
  const wrap = (text: string, indent: number): string => {
    const body = opts.wrap ? opts.wrap(text, width - indent) : text;
    return body
      .split('\n')
      .map((l) => `${' '.repeat(indent)}${l}`.trimEnd())
      .join('\n');
  };
  const lines: string[] = [`${def.name.toUpperCase()}  (check mode: ${def.checkMode})`, '', wrap(def.docs.short, 2)];
  if (def.docs.description) lines.push('', wrap(def.docs.description, 2));
  lines.push('', 'ARGUMENTS');
  const args = argumentsOf(def);
  if (!args.length) lines.push('  (none)');
  for (const a of args) {
    const facts = [a.type, ...(a.required ? ['required'] : [])];
    lines.push('', `  ${a.name}  (${facts.join(', ')})`, wrap(meaning(a), 6));
    if (a.choices) lines.push(wrap(`choices: ${a.choices.join(', ')}`, 6));
    if (a.default !== undefined) lines.push(wrap(`default: ${a.default}`, 6));
  }
  if (def.freeForm) lines.push('', wrap(`Free form: \`${def.name}: VALUE\` sets ${def.freeForm}.`, 2));
  lines.push(
    '',
    'CHECK MODE',
    wrap(
      prose.checkMode ??
        (def.checkMode === 'full'
          ? 'full: check mode predicts exactly what a real run changes.'
          : 'partial: some inputs make the task skipped in check mode.'),
      2,
    ),
  );
  if (prose.returns) lines.push('', 'RETURN VALUES', wrap(prose.returns, 2));
  if (prose.differences) lines.push('', 'DIFFERENCES FROM ANSIBLE', wrap(prose.differences, 2));
  if (prose.example)
    lines.push(
      '',
      'EXAMPLE',
      ...prose.example
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`.trimEnd()),
    );
  return `${lines.join('\n')}\n`;
}
