/**
 * Meta-test over every hint bosun gives (issue 20 point 5): no hint may send
 * the user to a helper, filter, test, module, command, option or variable
 * bosun does not have. The hint texts are read from the source itself (every
 * `hint:` of an error, every `fix` of a lint rule and of a finding it
 * reports, found with the TypeScript parser), and the texts the Jinja2-idiom
 * table builds are made from sample inputs; each name they suggest is looked
 * up in the registry it belongs to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { moduleRegistry } from '../../../src/modules/index.js';
import { INCLUDE_KEYS, TASK_KEYWORDS } from '../../../src/playbook/schema.js';
import { isHandlebars } from '../../../src/template/dialect.js';
import { HELPER_NAMES } from '../../../src/template/helpers.js';
import { FILTERS } from '../../../src/template/jinja/filters.js';
import { TESTS } from '../../../src/template/jinja/tests.js';
import { jinjaHint } from '../../../src/template/jinja-hints.js';
import type { Command } from '@commander-js/extra-typings';

const SRC = path.resolve('src');

/** Where a substitution (`${x}`) stood in a template literal: a name the test treats as "some value". */
const HOLE = 'x';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** Every text a node can produce: string literals and template literals (a substitution reads as HOLE). */
function texts(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node))
    return [node.head.text + node.templateSpans.map((s) => HOLE + s.literal.text).join('')];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const [left, right] = [texts(node.left), texts(node.right)];
    return left.length && right.length ? left.flatMap((l) => right.map((r) => l + r)) : [...left, ...right];
  }
  const out: string[] = [];
  node.forEachChild((child) => {
    out.push(...texts(child));
  });
  return out;
}

interface Hint {
  where: string;
  text: string;
}

/** The hints of the source: `hint:` and `fix:` values, and the fix (third) argument of a lint `report(...)`. */
function sourceHints(): Hint[] {
  const out: Hint[] = [];
  for (const file of sourceFiles(SRC)) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node): void => {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
      for (const text of texts(node)) out.push({ where: `${path.relative(SRC, file)}:${line + 1}`, text });
    };
    const visit = (node: ts.Node): void => {
      if (
        (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) &&
        ts.isIdentifier(node.name) &&
        (node.name.text === 'hint' || node.name.text === 'fix') &&
        ts.isPropertyAssignment(node)
      )
        add(node.initializer);
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'report' &&
        node.arguments[2]
      )
        add(node.arguments[2]);
      node.forEachChild(visit);
    };
    visit(sf);
  }
  return out;
}

/** Texts of the Jinja2-idiom table (jinja-hints.ts), each pattern made to fire by a sample. */
const JINJA_SAMPLES = [
  '{{#if x}}{% if y %}{{/if}}',
  '{{#if x}}{% for a in b %}{{/if}}',
  '{{#if (x is not defined)}}a{{/if}}',
  '{{#if x is defined}}a{{/if}}',
  "{{ x | default('a') }} {{#if y}}{{/if}}",
  '{{ x | upper }} {{#if y}}{{/if}}',
  '{{ x | frobnicate }} {{#if y}}{{/if}}',
  '{{#each xs as |x|}}{{/each}} {{#if a == "b"}}{{/if}}',
  '{{#if a >= 2}}{{/if}}',
  '{{#if a and b}}{{/if}}',
  '{{ not a }}',
  '{{#if a not in b}}{{/if}}',
  '{{#if a in b}}{{/if}}',
];

/** Names Handlebars itself knows, and the words hints use for "some helper" and "some value". */
const HANDLEBARS_BUILTINS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'else']);
const PLACEHOLDERS = new Set(['helper', 'name', 'cond', HOLE]);

/** Helper calls in a Handlebars fragment (`{{ default x "a" }}`, `(not (in a b))`, `{{#each xs}}`). */
function handlebarsCalls(fragment: string): string[] {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(fragment);
  } catch {
    return [];
  }
  const names: string[] = [];
  const call = (node: { path: hbs.AST.PathExpression | hbs.AST.Literal; params: hbs.AST.Expression[] }): void => {
    if (node.path.type === 'PathExpression' && node.params.length > 0)
      names.push((node.path as hbs.AST.PathExpression).original);
  };
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string } & Record<string, unknown>;
    if (n.type === 'MustacheStatement' || n.type === 'SubExpression' || n.type === 'BlockStatement') {
      call(n as unknown as { path: hbs.AST.PathExpression; params: hbs.AST.Expression[] });
      if (n.type === 'BlockStatement') names.push((n['path'] as hbs.AST.PathExpression).original);
    }
    for (const value of Object.values(n)) {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object' && value !== n['loc']) walk(value);
    }
  };
  walk(ast);
  return names;
}

/** Every Handlebars call in a hint: its `{{ }}` fragments, and the `(helper ...)` forms the hint shows as code. */
function helperNames(text: string): string[] {
  const names: string[] = [];
  // A fragment is Handlebars as bosun reads a text (src/template/dialect.ts); Jinja2 ones are checked below.
  for (const m of text.matchAll(/\{\{[#/]?[^{}]*\}\}/g)) if (isHandlebars(m[0])) names.push(...handlebarsCalls(m[0]));
  // A sub-expression shown bare, as conditions take them: "(default x ...)", "(not (defined x))".
  for (const m of text.matchAll(/\((\w+)((?: +(?:[\w.@/"'-]+|\([^()]*\)|\.\.\.))+)\)/g)) {
    if (HELPER_NAMES.has(m[1]!)) names.push(...handlebarsCalls(`{{${m[0]}}}`));
  }
  return names;
}

/** The Jinja2 code of a hint: its `{{ }}`/`{% %}` fragments, quoted idioms ('x is defined') and "Jinja2 ...:" lists. */
function jinjaCode(text: string): string[] {
  const code = [...text.matchAll(/\{\{[^{}]*\}\}|\{%[^%]*%\}/g)].map((m) => m[0]).filter((f) => !isHandlebars(f));
  code.push(...[...text.matchAll(/'([^']* is [^']*)'/g)].map((m) => m[1]!));
  code.push(...[...text.matchAll(/Jinja2 expressions: ([^;]*)/g)].map((m) => m[1]!));
  return code;
}

/** Filters and tests the Jinja2 code of a hint uses (`{{ x | default('a') }}`, `x is defined`). */
function jinjaNames(text: string): { filters: string[]; tests: string[] } {
  const filters: string[] = [];
  const tests: string[] = [];
  for (const code of jinjaCode(text)) {
    for (const f of code.matchAll(/\|\s*(\w+)/g)) filters.push(f[1]!);
    for (const t of code.matchAll(/\bis (?:not )?(\w+)/g)) tests.push(t[1]!);
  }
  return { filters, tests };
}

/** Commands of the CLI, and their long options, from the real program. */
function cliTable(): { commands: Map<string, Set<string>>; options: Set<string> } {
  const program = buildProgram({ out: () => {}, err: () => {}, isTTY: false }, () => {});
  const commands = new Map<string, Set<string>>();
  const options = new Set<string>();
  const walk = (cmd: Command<unknown[], Record<string, unknown>>, prefix: string): void => {
    for (const sub of cmd.commands as unknown as Array<Command<unknown[], Record<string, unknown>>>) {
      const name = `${prefix}${sub.name()}`;
      const own = new Set(sub.options.map((o) => o.long).filter((l): l is string => l !== undefined));
      commands.set(name, own);
      for (const l of own) options.add(l);
      walk(sub, `${name} `);
    }
  };
  walk(program, '');
  return { commands, options };
}

/**
 * Ansible's builtin module names (ansible-core 2.14, a fact carried over): a hint that names one of them as a
 * thing to use must name one bosun has.
 */
const ANSIBLE_BUILTIN_MODULES = [
  'add_host',
  'apt',
  'apt_key',
  'apt_repository',
  'assemble',
  'assert',
  'async_status',
  'blockinfile',
  'command',
  'copy',
  'cron',
  'deb822_repository',
  'debconf',
  'debug',
  'dnf',
  'dnf5',
  'dpkg_selections',
  'expect',
  'fail',
  'fetch',
  'file',
  'find',
  'gather_facts',
  'get_url',
  'getent',
  'git',
  'group',
  'group_by',
  'hostname',
  'import_playbook',
  'import_role',
  'import_tasks',
  'include_role',
  'include_tasks',
  'include_vars',
  'iptables',
  'known_hosts',
  'lineinfile',
  'meta',
  'mount_facts',
  'package',
  'package_facts',
  'pause',
  'ping',
  'pip',
  'raw',
  'reboot',
  'replace',
  'rpm_key',
  'script',
  'service',
  'service_facts',
  'set_fact',
  'set_stats',
  'setup',
  'shell',
  'slurp',
  'stat',
  'subversion',
  'systemd',
  'systemd_service',
  'sysvinit',
  'tempfile',
  'template',
  'unarchive',
  'uri',
  'user',
  'validate_argument_spec',
  'wait_for',
  'wait_for_connection',
  'yum',
  'yum_repository',
  // and modules of collections kubespray and KubeKey users reach for
  'synchronize',
  'sysctl',
  'modprobe',
  'mount',
  'selinux',
  'seboolean',
  'authorized_key',
  'timezone',
  'locale_gen',
];

const hints = sourceHints();
const tableHints = JINJA_SAMPLES.map((sample) => ({ where: `jinjaHint(${sample})`, text: jinjaHint(sample) ?? '' }));
const every = [...hints, ...tableHints];

describe('every hint names only what bosun has', () => {
  it('reads the hints of the source (a sanity check of the reader)', () => {
    expect(hints.length).toBeGreaterThan(100);
    expect(hints.some((h) => h.text.includes('did you mean'))).toBe(true);
    // Only a filter bosun has no helper for gets no hint (the table says nothing rather than name one).
    expect(tableHints.filter((h) => h.text === '').map((h) => h.where)).toEqual([
      'jinjaHint({{ x | frobnicate }} {{#if y}}{{/if}})',
    ]);
  });

  it('the Handlebars helpers a hint shows exist', () => {
    const wrong = every.flatMap(({ where, text }) =>
      helperNames(text)
        .filter((n) => !HELPER_NAMES.has(n) && !HANDLEBARS_BUILTINS.has(n) && !PLACEHOLDERS.has(n))
        .map((n) => `${where}: helper '${n}' in "${text}"`),
    );
    expect(wrong).toEqual([]);
  });

  it('the Jinja2 filters and tests a hint shows exist', () => {
    const wrong = every.flatMap(({ where, text }) => {
      const { filters, tests } = jinjaNames(text);
      return [
        ...filters.filter((f) => !(f in FILTERS) && !PLACEHOLDERS.has(f)).map((f) => `${where}: filter '${f}'`),
        ...tests.filter((t) => !(t in TESTS) && !PLACEHOLDERS.has(t)).map((t) => `${where}: test '${t}'`),
      ];
    });
    expect(wrong).toEqual([]);
  });

  it('a module a hint names is one bosun has (or a task keyword such as include_tasks)', () => {
    const have = new Set<string>([...moduleRegistry.keys(), ...TASK_KEYWORDS, ...INCLUDE_KEYS]);
    const wrong = every.flatMap(({ where, text }) =>
      ANSIBLE_BUILTIN_MODULES.filter(
        (m) => !have.has(m) && new RegExp(`(?<![\\w.-])${m}(?![\\w-]|\\.\\w)`).test(text),
      ).map((m) => `${where}: module '${m}' in "${text}"`),
    );
    expect(wrong).toEqual([]);
  });

  it('a `bosun COMMAND` a hint names exists, and so does each option after it; a bare --option exists somewhere', () => {
    const { commands, options } = cliTable();
    const wrong: string[] = [];
    for (const { where, text } of every) {
      for (const m of text.matchAll(/\bbosun ([^;()`]*)/g)) {
        const tokens = m[1]!.split(/\s+/).filter(Boolean);
        // The longest command path the words name (`bosun role init NAME`, `bosun doc --list`).
        let n = 0;
        while (n < tokens.length && commands.has(tokens.slice(0, n + 1).join(' '))) n++;
        if (n === 0) {
          // Prose about bosun ("bosun has", "bosun runs no Python") is not a command.
          if (!(tokens[0] ?? 's').endsWith('s')) wrong.push(`${where}: command 'bosun ${tokens[0]!}' in "${text}"`);
          continue;
        }
        const name = tokens.slice(0, n).join(' ');
        // What follows the command: its options and placeholders, up to the first word of prose.
        for (const t of tokens.slice(n)) {
          if (!/^(--?[\w-]+|[A-Z0-9][\w.@/:,'"-]*)$/.test(t)) break;
          const opt = /^--[a-z][\w-]*/.exec(t)?.[0];
          if (opt && !commands.get(name)!.has(opt)) wrong.push(`${where}: 'bosun ${name}' has no ${opt}`);
        }
      }
      for (const opt of text.matchAll(/(?<![\w-])(--[a-z][\w-]*)/g))
        if (!options.has(opt[1]!)) wrong.push(`${where}: option ${opt[1]!} in "${text}"`);
    }
    expect(wrong).toEqual([]);
  });

  it('an environment variable or connection variable a hint names is one bosun reads', () => {
    const code = sourceFiles(SRC)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const wrong: string[] = [];
    for (const { where, text } of every)
      for (const m of text.matchAll(/\b((?:BOSUN|ANSIBLE)_[A-Z_]+|ansible_[a-z_]+)\b/g)) {
        const name = m[1]!;
        // Read somewhere: as an exact string (process.env['X'], a table key) other than in the hint itself.
        const uses = code.match(new RegExp(`['"\`]${name}['"\`]|\\b${name}:|env\\.${name}\\b`, 'g'))?.length ?? 0;
        if (uses === 0) wrong.push(`${where}: variable ${name} in "${text}"`);
      }
    expect(wrong).toEqual([]);
  });
});
