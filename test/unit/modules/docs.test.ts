import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  argumentsOf,
  moduleProse,
  moduleSection,
  renderArgumentsMarkdown,
  renderModuleText,
  updateModulesMarkdown,
} from '../../../src/modules/docs.js';
import { moduleRegistry } from '../../../src/modules/index.js';
import { boolSchema } from '../../../src/modules/lib/bool.js';
import { defineModule, type ModuleDef } from '../../../src/modules/types.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const docs = readFileSync(resolve(root, 'docs/modules.md'), 'utf8');

/** A small module to render. */
const sample = defineModule<Record<string, unknown>>({
  name: 'sample',
  docs: { short: 'Do a sample thing on the target', description: 'Longer words.' },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', description: 'The file' },
      dest: { type: 'string', description: 'Alias of path' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether it should be there',
      },
      force: boolSchema('Replace it', false),
      mode: { type: ['string', 'integer'], description: 'Permissions' },
      headers: { type: 'object', description: 'Headers' },
      status_code: {
        anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }],
        description: 'Codes',
      },
      content: { description: 'Anything' },
    },
  },
  decide: () => Promise.resolve({ kind: 'ok' }),
}) as ModuleDef<unknown>;

describe('argumentsOf', () => {
  const args = new Map(argumentsOf(sample).map((a) => [a.name, a]));
  it.each([
    ['path', 'string', true, undefined, ['dest']],
    ['dest', 'string', false, undefined, []],
    ['state', 'string', false, '"present"', []],
    ['force', 'bool', false, 'false', []],
    ['mode', 'string or integer', false, undefined, []],
    ['headers', 'map', false, undefined, []],
    ['status_code', 'integer or array', false, undefined, []],
    ['content', 'any', false, undefined, []],
  ] as const)('%s: %s, required %s, default %s, aliases %j', (name, type, required, dflt, aliases) => {
    const a = args.get(name)!;
    expect(a.type).toBe(type);
    expect(a.required).toBe(required);
    expect(a.default).toBe(dflt);
    expect(a.aliases).toEqual(aliases);
  });

  it('keeps the choices of an enum', () => {
    expect(args.get('state')!.choices).toEqual(['present', 'absent']);
  });
});

describe('renderArgumentsMarkdown', () => {
  it('renders one row per argument with required, default, choices and aliases', () => {
    const md = renderArgumentsMarkdown(sample);
    expect(md.split('\n')[0]).toBe('| Argument | Type | Default | Meaning |');
    expect(md).toContain('| `path` | string | required | The file (alias: dest) |');
    expect(md).toContain('| `state` | `present`, `absent` | `"present"` | Whether it should be there |');
    expect(md).toContain('| `force` | bool | `false` | Replace it |');
  });
});

describe('docs/modules.md', () => {
  it('is exactly what npm run docs:modules writes (tables cannot drift from the schemas)', () => {
    expect(
      updateModulesMarkdown(docs, moduleRegistry.values()) === docs,
      'docs/modules.md is out of date: run npm run docs:modules',
    ).toBe(true);
  });

  it.each([...moduleRegistry.keys()])('%s: generated table between markers, every argument described', (name) => {
    const section = moduleSection(docs, name);
    expect(section).toContain(`<!-- args:${name} -->`);
    expect(section).toContain(`<!-- /args:${name} -->`);
    const props = (moduleRegistry.get(name)!.schema['properties'] ?? {}) as Record<string, { description?: string }>;
    for (const [arg, prop] of Object.entries(props))
      expect(prop.description, `${name}.${arg} has a description`).toMatch(/\S/);
  });

  it('regenerating is idempotent and keeps the prose', () => {
    const once = updateModulesMarkdown(docs, moduleRegistry.values());
    expect(updateModulesMarkdown(once, moduleRegistry.values())).toBe(once);
    const unmarked = docs.replace(/<!-- \/?args:[a-z_]+ -->\n/g, '');
    expect(updateModulesMarkdown(unmarked, moduleRegistry.values())).toBe(docs);
  });

  it('a section without a table gets one after its opening paragraphs', () => {
    const md = '# M\n\n## sample\n\nDo a sample thing.\n\nLonger.\n\nCheck mode: full.\n';
    const out = updateModulesMarkdown(md, [sample]);
    expect(out).toMatch(
      /Longer\.\n\n<!-- args:sample -->\n\| Argument[\s\S]*<!-- \/args:sample -->\n\nCheck mode: full\.\n$/,
    );
  });
});

describe('renderModuleText', () => {
  it('shows the name, arguments, check mode, return values and the example', () => {
    const prose = moduleProse(moduleSection(docs, 'copy'));
    const text = renderModuleText(moduleRegistry.get('copy')!, prose);
    expect(text.split('\n')[0]).toBe('COPY  (check mode: full)');
    for (const heading of ['ARGUMENTS', 'CHECK MODE', 'RETURN VALUES', 'EXAMPLE'])
      expect(text).toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(text).toMatch(/^ {2}dest {2}\(string, required\)$/m);
    expect(text).toContain(prose.example!.split('\n')[0]!);
  });

  it('wraps with the given function', () => {
    const text = renderModuleText(sample, {}, { wrap: (t) => t.toUpperCase(), width: 40 });
    expect(text).toContain('      THE FILE (ALIAS: DEST)');
  });
});
