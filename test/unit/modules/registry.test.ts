import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { getModule, moduleRegistry } from '../../../src/modules/index.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const files = readdirSync(resolve(root, 'src/modules'))
  .filter((f) => f.endsWith('.ts') && !['index.ts', 'types.ts', 'docs.ts'].includes(f))
  .map((f) => f.slice(0, -3));
const docs = readFileSync(resolve(root, 'docs/modules.md'), 'utf8');

/** The text of one module's section in docs/modules.md. */
function section(name: string): string {
  const start = docs.indexOf(`\n## ${name}\n`);
  if (start < 0) return '';
  const next = docs.indexOf('\n## ', start + 1);
  return docs.slice(start, next < 0 ? undefined : next);
}

describe('module registry', () => {
  it('registers exactly the module files', () => {
    expect([...moduleRegistry.keys()].sort()).toEqual([...files].sort());
  });

  it.each(files)('%s: registered under its file name, documented, schema compiles strictly', (name) => {
    const def = moduleRegistry.get(name)!;
    expect(def.name).toBe(name);
    expect(def.docs.short.length).toBeGreaterThan(10);
    const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    expect(() => ajv.compile(def.schema)).not.toThrow();
    expect(def.schema['type']).toBe('object');
    // set_fact's and add_host's other arguments are variables.
    if (name !== 'set_fact' && name !== 'add_host') expect(def.schema['additionalProperties']).toBe(false);
    const text = section(name);
    expect(text, `docs/modules.md has a section "## ${name}"`).not.toBe('');
    for (const arg of Object.keys(def.schema['properties'] ?? {})) {
      expect(text, `docs/modules.md documents ${name}.${arg}`).toContain(`\`${arg}\``);
    }
    if (def.freeForm) expect(Object.keys(def.schema['properties'] as object)).toContain(def.freeForm);
  });

  it.each([
    ['copy', 'copy'],
    ['ansible.builtin.copy', 'copy'],
    ['ansible.legacy.shell', 'shell'],
    ['nope', undefined],
    ['ansible.builtin.nope', undefined],
    ['ansible.posix.sysctl', 'sysctl'],
    ['community.general.modprobe', 'modprobe'],
    ['community.general.ini_file', 'ini_file'],
    ['ansible.posix.authorized_key', 'authorized_key'],
    ['ansible.builtin.systemd_service', 'systemd'],
    ['systemd_service', 'systemd'],
    ['ansible.legacy.systemd_service', 'systemd'],
    ['community.general.timezone', 'timezone'],
    ['community.general.locale_gen', 'locale_gen'],
    ['ansible.posix.mount', 'mount'],
    ['ansible.builtin.service_facts', 'service_facts'],
    ['ansible.builtin.mount', 'mount'],
    ['community.general.copy', undefined],
  ])('getModule(%s)', (name, expected) => {
    expect(getModule(name)?.name).toBe(expected);
  });
});
