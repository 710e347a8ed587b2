/**
 * Loading inventories from every `-i`: a file (YAML if .yml/.yaml/.json,
 * INI otherwise), a folder of such files, or Ansible's comma-separated host
 * list (`host1,host2,`). Several sources merge into one inventory.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { BosunError, type SourcePos } from '../errors.js';
import { parseYaml } from '../util/yaml.js';
import { parseIniInventory } from './ini.js';
import { addHost, emptyInventory, finishInventory, setVar, stateOf, type Inventory } from './model.js';
import { parseHostEntry } from './ranges.js';
import { parseYamlInventory } from './yaml-inventory.js';

/** Names skipped in inventory folders (Ansible's defaults): hidden files, vars folders, docs and backups. */
const IGNORED_NAMES = /^(?:\..*|group_vars|host_vars|vars_plugins)$/;
const IGNORED_ENDINGS = ['~', '.pyc', '.pyo', '.swp', '.bak', '.rpm', '.md', '.txt', '.rst', '.orig', '.cfg', '.retry'];
const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];

/** Load and merge the inventories at `paths` (the repeatable -i). */
export async function loadInventory(paths: string[]): Promise<Inventory> {
  const inv = emptyInventory();
  for (const source of paths) await loadSource(inv, source);
  finishInventory(inv);
  return inv;
}

/** True if a folder entry is not an inventory source. */
export function isIgnoredInventoryName(name: string): boolean {
  return IGNORED_NAMES.test(name) || IGNORED_ENDINGS.some((end) => name.endsWith(end));
}

async function loadSource(inv: Inventory, source: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await fs.stat(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && source.includes(',')) {
      loadHostList(inv, source);
      return;
    }
    throw new BosunError(
      'INVENTORY',
      code === 'ENOENT'
        ? `inventory source not found: ${source}`
        : `cannot read inventory ${source}: ${(e as Error).message}`,
      {
        hint: 'give -i a file, a folder, or a comma-separated host list such as "web1,web2," (note the comma)',
      },
    );
  }
  const state = stateOf(inv);
  const varDir = stats.isDirectory() ? source : path.dirname(source);
  if (!state.varDirs.some((d) => path.resolve(d) === path.resolve(varDir))) state.varDirs.push(varDir);
  inv.sources.push(source);
  if (stats.isDirectory()) await loadFolder(inv, source);
  else await loadFile(inv, source);
}

async function loadFolder(inv: Inventory, folder: string): Promise<void> {
  const entries = (await fs.readdir(folder, { withFileTypes: true }))
    .filter((e) => !isIgnoredInventoryName(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await fs.stat(full)).isDirectory());
    inv.sources.push(full);
    if (isDir) await loadFolder(inv, full);
    else await loadFile(inv, full);
  }
}

async function loadFile(inv: Inventory, file: string): Promise<void> {
  const text = await fs.readFile(file, 'utf8');
  if (YAML_EXTENSIONS.includes(path.extname(file).toLowerCase())) parseYamlInventory(inv, parseYaml(text, file));
  else parseIniInventory(inv, text, file);
}

/** `web1,web2:2222,` : ungrouped hosts, as Ansible's host_list source. */
function loadHostList(inv: Inventory, list: string): void {
  let offset = 0;
  for (const part of list.split(',')) {
    const name = part.trim();
    const at: SourcePos = { file: '<-i host list>', line: 1, col: offset + part.indexOf(name) + 1 };
    offset += part.length + 1;
    if (name === '') continue;
    const { names, port } = parseHostEntry(name, at);
    for (const host of names) {
      const h = addHost(inv, host, 'ungrouped', at);
      if (port !== undefined) setVar(inv, h, 'host', 'ansible_port', port, at, `-i ${list}`);
    }
  }
}
