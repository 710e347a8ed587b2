/**
 * The editor schemas (`bosun schema KIND`): each compiles under strict ajv,
 * validates every playbook, task file and role file in the repo and the
 * generated role skeleton, and rejects seeded mistakes.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { moduleRegistry } from '../../../src/modules/index.js';
import { roleSkeleton } from '../../../src/role-test/skeleton.js';
import { editorSchema, SCHEMA_KINDS, type SchemaKind } from '../../../src/schema/index.js';
import { parseYaml } from '../../../src/util/yaml.js';

const root = path.resolve(import.meta.dirname, '../../..');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const compiled = new Map<SchemaKind, (value: unknown) => string[]>();

/** A schema's validator, compiled once per kind (the tasks schema, one branch per module, takes seconds to compile). */
function validator(kind: SchemaKind): (value: unknown) => string[] {
  const known = compiled.get(kind);
  if (known) return known;
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  const validate = ajv.compile(editorSchema(kind));
  const check = (value: unknown): string[] =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  compiled.set(kind, check);
  return check;
}

const yamlFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f))
    : [];
const value = (file: string): unknown => parseYaml(readFileSync(file, 'utf8'), file).value;

describe('editor schemas', () => {
  it.each(SCHEMA_KINDS.map((k) => [k]))('%s compiles under strict ajv (draft-07)', (kind) => {
    expect(() => validator(kind)).not.toThrow();
    expect(editorSchema(kind)['$schema']).toBe('http://json-schema.org/draft-07/schema#');
  });

  it("tasks: one branch per module (plus block, includes, action forms), each module's arguments under definitions", () => {
    const s = editorSchema('tasks') as { definitions: Record<string, { anyOf?: unknown[] }> };
    expect(Object.keys(s.definitions).filter((k) => k.startsWith('module_')).length).toBe(moduleRegistry.size);
    // block, the four includes by three names each, action and local_action.
    expect(s.definitions['task']!.anyOf!.length).toBe(moduleRegistry.size + 15);
  });

  it('validates every playbook, task file and role file of the repo', () => {
    const playbook = validator('playbook');
    const tasks = validator('tasks');
    const roleArgs = validator('role-args');
    const roleMeta = validator('role-meta');
    const problems: string[] = [];
    const check = (file: string, v: (x: unknown) => string[]): void => {
      for (const e of v(value(file))) problems.push(`${path.relative(root, file)}: ${e}`);
    };
    for (const f of yamlFiles(path.join(root, 'playbooks'))) check(f, playbook);
    for (const dir of [path.join(root, 'roles'), path.join(root, 'playbooks/roles')].filter(existsSync)) {
      for (const role of readdirSync(dir)) {
        for (const sub of ['tasks', 'handlers']) for (const f of yamlFiles(path.join(dir, role, sub))) check(f, tasks);
        const meta = path.join(dir, role, 'meta');
        if (existsSync(path.join(meta, 'main.yml'))) check(path.join(meta, 'main.yml'), roleMeta);
        if (existsSync(path.join(meta, 'argument_specs.yml'))) check(path.join(meta, 'argument_specs.yml'), roleArgs);
      }
    }
    expect(problems).toEqual([]);
  });

  it('validates the generated role skeleton', () => {
    const files = roleSkeleton('demo');
    const parse = (rel: string): unknown => parseYaml(files[rel]!, rel).value;
    expect(validator('tasks')(parse('tasks/main.yml'))).toEqual([]);
    expect(validator('tasks')(parse('handlers/main.yml'))).toEqual([]);
    expect(validator('role-meta')(parse('meta/main.yml'))).toEqual([]);
    expect(validator('role-args')(parse('meta/argument_specs.yml'))).toEqual([]);
    expect(validator('scenario')(parse('tests/default/scenario.yml'))).toEqual([]);
    expect(validator('playbook')(parse('tests/default/converge.yml'))).toEqual([]);
    expect(validator('playbook')(parse('tests/default/verify.yml'))).toEqual([]);
  });

  const tasks = validator('tasks');
  const play = validator('playbook');
  it.each([
    [
      'templated value for a boolean argument',
      [{ name: 'T', copy: { dest: '/x', content: 'x', force: '{{ f }}' } }],
      true,
    ],
    ['fully qualified module name', [{ name: 'T', 'ansible.builtin.file': { path: '/x', state: 'touch' } }], true],
    ['free-form command', [{ name: 'T', command: 'ls -l', changed_when: false }], true],
    ['block with rescue', [{ block: [{ debug: { msg: 'x' } }], rescue: [{ debug: null }] }], true],
    ['unknown module', [{ name: 'T', cpoy: { dest: '/x' } }], false],
    ['misspelled argument', [{ name: 'T', file: { path: '/x', stat: 'touch' } }], false],
    ['wrong enum value', [{ name: 'T', file: { path: '/x', state: 'folder' } }], false],
    ['two modules', [{ name: 'T', debug: { msg: 'x' }, copy: { dest: '/x' } }], false],
    ['bad task inside a block', [{ block: [{ name: 'T', file: { pth: '/x' } }] }], false],
  ] as const)('tasks: %s', (_n, list, ok) => {
    expect(tasks(list).length === 0).toBe(ok);
  });

  it('playbook: rejects a misspelled play key and a bad module argument inside tasks', () => {
    expect(play([{ hosts: 'all', tasks: [{ name: 'T', debug: { msg: 'x' } }] }])).toEqual([]);
    expect(play([{ hosts: 'all', taks: [] }]).length).toBeGreaterThan(0);
    expect(play([{ hosts: 'all', tasks: [{ name: 'T', debug: { mesage: 'x' } }] }]).length).toBeGreaterThan(0);
  });

  it('bosun schema tasks -o FILE writes the schema; an unknown kind is a bad option', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bosun-schema-')), 'tasks.json');
    let out = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: () => {},
      isTTY: false,
    };
    expect(await main(['schema', 'tasks', '-o', file], io)).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(editorSchema('tasks'));
    expect(out).toContain('wrote the tasks schema');
    expect(await main(['schema', 'nope'], io)).toBe(5);
  });
});
