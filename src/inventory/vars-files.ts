/**
 * `group_vars/` and `host_vars/` folders, as Ansible's host_group_vars plugin
 * reads them: for an entity NAME, the first of `NAME` (a file, or a folder
 * whose files are read in sorted order), `NAME.yml`, `NAME.yaml`,
 * `NAME.json`. Folders are listed once and files parsed once per inventory.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../errors.js';
import { loadYamlFile } from '../util/yaml.js';
import type { VarLayer, VarLevel } from '../vars/scope.js';
import { displayPath, stateOf, type Inventory } from './model.js';

/** Which folder: variables of groups or of hosts. */
export type VarsFolderKind = 'group_vars' | 'host_vars';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/**
 * Layers from `<dir>/<kind>/<name>...`, one per file, in Ansible's order; [] when there is none. Cached per inventory.
 */
export function varsFileLayers(inv: Inventory, dir: string, kind: VarsFolderKind, name: string): Promise<VarLayer[]> {
  const state = stateOf(inv);
  const key = `${path.resolve(dir)}\0${kind}\0${name}`;
  let layers = state.varsCache.get(key);
  if (!layers) {
    layers = loadLayers(inv, dir, kind, name);
    state.varsCache.set(key, layers);
  }
  return layers;
}

async function loadLayers(inv: Inventory, dir: string, kind: VarsFolderKind, name: string): Promise<VarLayer[]> {
  const folder = path.join(dir, kind);
  const entries = await listing(inv, folder);
  const level: VarLevel = kind;
  for (const ext of EXTENSIONS) {
    const isDir = entries.get(name + ext);
    if (isDir === undefined) continue;
    const full = path.join(folder, name + ext);
    const files = isDir ? await filesUnder(full) : [full];
    return Promise.all(files.map((file) => loadVarsFile(file, level)));
  }
  return [];
}

/** Names in a folder and whether each is a folder; an absent folder lists nothing. */
function listing(inv: Inventory, folder: string): Promise<Map<string, boolean>> {
  const state = stateOf(inv);
  const key = path.resolve(folder);
  let entries = state.listings.get(key);
  if (!entries) {
    entries = fs.readdir(folder, { withFileTypes: true }).then(
      (list) => new Map(list.map((e) => [e.name, e.isDirectory()] as const)),
      (e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return new Map<string, boolean>();
        throw new BosunError('INVENTORY', `cannot read ${displayPath(folder)}: ${(e as Error).message}`);
      },
    );
    state.listings.set(key, entries);
  }
  return entries;
}

/** Files of a group_vars/NAME/ folder, recursively, sorted; hidden files, backups and other extensions are skipped. */
async function filesUnder(folder: string): Promise<string[]> {
  const out: string[] = [];
  const list = (await fs.readdir(folder, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of list) {
    if (entry.name.startsWith('.') || entry.name.endsWith('~')) continue;
    const full = path.join(folder, entry.name);
    const ext = path.extname(entry.name);
    if (entry.isDirectory()) {
      if (!ext) out.push(...(await filesUnder(full)));
    } else if (!ext || EXTENSIONS.includes(ext)) {
      out.push(full);
    }
  }
  return out;
}

async function loadVarsFile(file: string, level: VarLevel): Promise<VarLayer> {
  const yaml = await loadYamlFile(file);
  const value = yaml.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const found = Array.isArray(value) ? 'a list' : typeof value;
    throw new BosunError(
      'INVENTORY',
      `${displayPath(file)} must hold a mapping of variable names to values, found ${found}`,
      {
        source: yaml.posOf([]),
      },
    );
  }
  const values = value as Record<string, unknown>;
  const positions = new Map(Object.keys(values).map((k) => [k, yaml.keyPosOf([k])] as const));
  return { level, source: displayPath(file), values, positions };
}
