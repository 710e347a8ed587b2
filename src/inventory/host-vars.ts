/**
 * What the inventory contributes to a host's variables: its layers in
 * Ansible's precedence (inline group vars, group_vars/ files, inline host
 * vars, host_vars/ files) and the magic variables (`inventory_hostname`,
 * `group_names`, `groups`, ...).
 */
import path from 'node:path';
import { BosunError } from '../errors.js';
import type { VarLayer } from '../vars/scope.js';
import { hostsUnder, originOf, stateOf, type Inventory, type InventoryGroup } from './model.js';
import { varsFileLayers } from './vars-files.js';

/** All groups the host belongs to, ancestors included, sorted, without `all` (Ansible's `group_names`). */
export function groupNamesOf(inv: Inventory, host: string): string[] {
  return [...ancestorGroups(inv, host)].filter((g) => g !== 'all').sort();
}

/** The host's groups with their ancestors, `all` included for inventory hosts. */
function ancestorGroups(inv: Inventory, host: string): Set<string> {
  const h = inv.hosts.get(host);
  const out = new Set<string>();
  if (!h) return out;
  const parents = parentsOf(inv);
  const walk = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    for (const p of parents.get(name) ?? []) walk(p);
  };
  for (const g of h.groups) walk(g);
  // Ansible's implicit localhost is in no group but still takes the variables of `all`.
  if (stateOf(inv).implicit.has(host)) out.add('all');
  return out;
}

/** Parent groups of each group (computed once: the structure is fixed after loading). */
function parentsOf(inv: Inventory): Map<string, string[]> {
  const state = stateOf(inv);
  if (!state.parents) {
    const parents = new Map<string, string[]>();
    for (const g of inv.groups.values()) {
      for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
    }
    state.parents = parents;
  }
  return state.parents;
}

/** Depth of each group below `all` (the longest path, as Ansible counts it). */
function groupDepths(inv: Inventory): Map<string, number> {
  const state = stateOf(inv);
  if (state.depths) return state.depths;
  const depths = new Map<string, number>();
  const walk = (name: string, depth: number): void => {
    if ((depths.get(name) ?? -1) >= depth) return;
    depths.set(name, depth);
    for (const c of inv.groups.get(name)?.children ?? []) walk(c, depth + 1);
  };
  walk('all', 0);
  state.depths = depths;
  return depths;
}

/** The host's groups in Ansible's variable order: `all` first, then by depth, `ansible_group_priority`, name. */
export function sortedGroupsOf(inv: Inventory, host: string): InventoryGroup[] {
  const depths = groupDepths(inv);
  const priority = (g: InventoryGroup): number => {
    const p = Number(g.vars['ansible_group_priority'] ?? 1);
    return Number.isFinite(p) ? p : 1;
  };
  return [...ancestorGroups(inv, host)]
    .map((name) => inv.groups.get(name)!)
    .sort(
      (a, b) =>
        (depths.get(a.name) ?? 0) - (depths.get(b.name) ?? 0) ||
        priority(a) - priority(b) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
}

/**
 * The inventory's variable layers for a host, lowest precedence first, as
 * Ansible orders them: inline group vars (all, then by depth); group_vars/all
 * beside the inventory then beside the playbook; the other group_vars/ files
 * likewise; inline host vars; host_vars/ beside the inventory then the playbook.
 */
export async function hostVarLayers(inv: Inventory, host: string, opts: { playbookDir?: string }): Promise<VarLayer[]> {
  const h = inv.hosts.get(host);
  if (!h) throw new BosunError('INVENTORY', `host '${host}' is not in the inventory`);
  const groups = sortedGroupsOf(inv, host);
  const layers: VarLayer[] = [];
  for (const g of groups) {
    if (Object.keys(g.vars).length === 0) continue;
    layers.push({
      level: 'inventory_group',
      source: originOf(inv, 'group', g.name),
      values: { ...g.vars },
      positions: new Map(g.positions),
    });
  }
  const inventoryDirs = stateOf(inv).varDirs;
  const playbookDirs =
    opts.playbookDir !== undefined && !inventoryDirs.some((d) => path.resolve(d) === path.resolve(opts.playbookDir!))
      ? [opts.playbookDir]
      : [];
  const fromDirs = async (dirs: string[], kind: 'group_vars' | 'host_vars', names: string[]): Promise<VarLayer[]> => {
    const found = await Promise.all(dirs.flatMap((dir) => names.map((name) => varsFileLayers(inv, dir, kind, name))));
    return found.flat();
  };
  const hasAll = groups[0]?.name === 'all';
  const others = groups.filter((g) => g.name !== 'all').map((g) => g.name);
  if (hasAll) {
    layers.push(
      ...(await fromDirs(inventoryDirs, 'group_vars', ['all'])),
      ...(await fromDirs(playbookDirs, 'group_vars', ['all'])),
    );
  }
  layers.push(
    ...(await fromDirs(inventoryDirs, 'group_vars', others)),
    ...(await fromDirs(playbookDirs, 'group_vars', others)),
  );
  if (Object.keys(h.vars).length > 0) {
    layers.push({
      level: 'inventory_host',
      source: originOf(inv, 'host', host),
      values: { ...h.vars },
      positions: new Map(h.positions),
    });
  }
  layers.push(
    ...(await fromDirs(inventoryDirs, 'host_vars', [host])),
    ...(await fromDirs(playbookDirs, 'host_vars', [host])),
  );
  return layers;
}

/** Ansible's magic inventory variables of a host. */
export function magicVars(inv: Inventory, host: string): Record<string, unknown> {
  const state = stateOf(inv);
  const h = inv.hosts.get(host);
  const own = h !== undefined && !state.implicit.has(host) && !h.source.file.startsWith('<');
  const file = own ? path.resolve(h.source.file) : firstSource(inv);
  const dir = own ? path.dirname(file!) : state.varDirs[0] === undefined ? null : path.resolve(state.varDirs[0]);
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: groupNamesOf(inv, host),
    groups: groupsDict(inv),
    inventory_file: file,
    inventory_dir: dir,
  };
}

/** Every group and its hosts (descendants included, implicit hosts excluded), in inventory order. */
function groupsDict(inv: Inventory): Record<string, string[]> {
  const state = stateOf(inv);
  if (!state.groupsDict) {
    const dict: Record<string, string[]> = {};
    const order = [...inv.hosts.keys()].filter((n) => !state.implicit.has(n));
    for (const name of inv.groups.keys()) {
      const members = hostsUnder(inv, name);
      dict[name] = order.filter((n) => members.has(n));
    }
    state.groupsDict = dict;
  }
  return state.groupsDict;
}

function firstSource(inv: Inventory): string | null {
  const first = inv.sources[0];
  return first === undefined ? null : path.resolve(first);
}
