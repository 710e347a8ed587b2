/**
 * YAML (and JSON) inventories, as Ansible reads them: top-level keys are
 * groups (usually just `all`); a group has `hosts`, `vars` and `children`.
 * The structure is validated by `inventorySchema` so that mistakes are
 * reported at their position instead of being skipped with a warning.
 */
import type { SourcePos } from '../errors.js';
import { validateOrThrow } from '../util/schema.js';
import { isUnsafeKey } from '../util/unsafe.js';
import type { ValuePath, YamlFile } from '../util/yaml.js';
import { addChild, addGroup, addHost, displayPath, setVar, type Inventory } from './model.js';
import { parseHostEntry } from './ranges.js';

const variables = { type: 'object', description: 'Variables: names to values.' } as const;

/** JSON Schema of a YAML inventory (also served by `bosun schema inventory`). */
export const inventorySchema: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'bosun inventory',
  description: 'A YAML inventory: top-level keys are groups, usually just `all`.',
  type: ['object', 'null'],
  additionalProperties: { $ref: '#/definitions/group' },
  definitions: {
    group: {
      description: 'A group: its hosts, variables and child groups.',
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        hosts: {
          description: 'Hosts (ranges such as node[01:10] and NAME:PORT allowed), each with its variables or nothing.',
          type: ['object', 'string', 'null'],
          additionalProperties: { type: ['object', 'null'], description: "The host's variables." },
        },
        vars: { ...variables, type: ['object', 'null'] },
        children: {
          description: 'Child groups, each a group definition or nothing.',
          type: ['object', 'string', 'null'],
          additionalProperties: { $ref: '#/definitions/group' },
        },
      },
    },
  },
};

type GroupData = {
  hosts?: Record<string, Record<string, unknown> | null> | string | null;
  vars?: Record<string, unknown> | null;
  children?: Record<string, GroupData | null> | string | null;
} | null;

/** Read a parsed YAML inventory into `inv`. */
export function parseYamlInventory(inv: Inventory, yaml: YamlFile): void {
  validateOrThrow(inventorySchema, yaml.value, { yaml, basePath: [], what: 'inventory' });
  const top = (yaml.value ?? {}) as Record<string, GroupData>;
  const shown = displayPath(yaml.file);
  for (const [name, data] of Object.entries(top)) parseGroup(inv, yaml, shown, name, data, [name]);
}

function parseGroup(inv: Inventory, yaml: YamlFile, shown: string, name: string, data: GroupData, at: ValuePath): void {
  const group = addGroup(inv, name, yaml.keyPosOf(at));
  if (!data) return;
  // Sections are read in the order written, so hosts keep the file's order.
  for (const section of Object.keys(data)) {
    if (section === 'vars') {
      for (const [key, value] of Object.entries(data.vars ?? {})) {
        const unsafe = isUnsafeKey(data.vars, key);
        setVar(inv, group, 'group', key, value, yaml.keyPosOf([...at, 'vars', key]), `${shown} group ${name}`, unsafe);
      }
    } else if (section === 'children') {
      parseChildren(inv, yaml, shown, name, data.children ?? null, at);
    } else if (section === 'hosts') {
      parseHosts(inv, yaml, shown, name, data.hosts ?? null, at);
    }
  }
}

function parseChildren(
  inv: Inventory,
  yaml: YamlFile,
  shown: string,
  name: string,
  data: Record<string, GroupData | null> | string | null,
  at: ValuePath,
): void {
  const children = typeof data === 'string' ? { [data]: null } : (data ?? {});
  for (const [child, childData] of Object.entries(children)) {
    const childAt = [...at, 'children', child];
    addChild(inv, name, child, typeof data === 'string' ? yaml.posOf([...at, 'children']) : yaml.keyPosOf(childAt));
    parseGroup(inv, yaml, shown, child, childData, childAt);
  }
}

function parseHosts(
  inv: Inventory,
  yaml: YamlFile,
  shown: string,
  group: string,
  data: Record<string, Record<string, unknown> | null> | string | null,
  at: ValuePath,
): void {
  const hosts = typeof data === 'string' ? { [data]: null } : (data ?? {});
  for (const [entry, hostVars] of Object.entries(hosts)) {
    const entryAt: SourcePos =
      typeof data === 'string' ? yaml.posOf([...at, 'hosts']) : yaml.keyPosOf([...at, 'hosts', entry]);
    const { names, port } = parseHostEntry(entry, entryAt);
    for (const hostName of names) {
      const host = addHost(inv, hostName, group, entryAt);
      const origin = `${shown} host ${hostName}`;
      if (port !== undefined) setVar(inv, host, 'host', 'ansible_port', port, entryAt, origin);
      for (const [key, value] of Object.entries(hostVars ?? {})) {
        const unsafe = isUnsafeKey(hostVars, key);
        setVar(inv, host, 'host', key, value, yaml.keyPosOf([...at, 'hosts', entry, key]), origin, unsafe);
      }
    }
  }
}
