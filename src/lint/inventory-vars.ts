/**
 * The variables an inventory defines, for lint: host and group variables of
 * INI inventories (read with the inventory layer's own parser) and of YAML
 * inventories, and the names of the inventory's groups and hosts' own
 * variables, so a group var is not reported as an `undefined-var`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isIgnoredInventoryName } from '../inventory/index.js';
import { parseIniInventory } from '../inventory/ini.js';
import { emptyInventory } from '../inventory/model.js';

const YAML_EXT = /\.(ya?ml|json)$/;

/** True when a file name looks like an INI inventory (`*.ini`, `hosts`, `inventory`). */
export function looksLikeIniInventory(file: string): boolean {
  const base = path.basename(file);
  return base.endsWith('.ini') || base === 'hosts' || base === 'inventory';
}

/** Variable names an INI inventory file sets (none when it does not parse as one). */
export function iniInventoryVarNames(abs: string): string[] {
  const inv = emptyInventory();
  try {
    parseIniInventory(inv, readFileSync(abs, 'utf8'), abs);
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const h of inv.hosts.values()) for (const k of Object.keys(h.vars)) names.add(k);
  for (const g of inv.groups.values()) for (const k of Object.keys(g.vars)) names.add(k);
  return [...names];
}

/**
 * The files of an inventory source given with `-i`: the file, or every
 * inventory file of a folder (Ansible's ignored names left out), split into
 * YAML and INI ones; a host list (`a,b,`) has none.
 */
export function inventoryFiles(abs: string): { yaml: string[]; ini: string[] } {
  const out = { yaml: [] as string[], ini: [] as string[] };
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    return out;
  }
  const files = isDir
    ? readdirSync(abs, { withFileTypes: true })
        .filter((e) => e.isFile() && !isIgnoredInventoryName(e.name))
        .map((e) => path.join(abs, e.name))
        .sort()
    : [abs];
  for (const f of files) (YAML_EXT.test(f) ? out.yaml : out.ini).push(f);
  return out;
}
