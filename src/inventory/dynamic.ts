/**
 * Changes to the inventory while a run goes on (`add_host`, `group_by`), with
 * Ansible's rules for whether anything changed (InventoryManager's
 * add_dynamic_host / add_dynamic_group) and its reconciliation afterwards
 * (top-level groups under `all`, hosts in no group in `ungrouped`). Every
 * change drops the inventory's computed structure (parents, depths, the
 * `groups` dictionary), which is recomputed when next read.
 */
import { isDeepStrictEqual } from 'node:util';
import { BosunError, type SourcePos } from '../errors.js';
import { addGroup, addHost, hostsUnder, reconcileGroups, setVar, stateOf, type Inventory } from './model.js';

/** What add_host asks for: a host name, its groups, and the variables to combine into its own. */
export interface DynamicHost {
  name: string;
  groups: string[];
  vars: Record<string, unknown>;
}

/** Add the host (or update it) as add_host does; true when the inventory changed. */
export function addDynamicHost(inv: Inventory, info: DynamicHost, source: SourcePos): boolean {
  let changed = false;
  const state = stateOf(inv);
  if (!inv.hosts.has(info.name) || state.implicit.has(info.name)) {
    addHost(inv, info.name, undefined, source);
    state.implicit.delete(info.name);
    changed = true;
  }
  const host = inv.hosts.get(info.name)!;
  const combined = { ...host.vars, ...info.vars };
  if (!isDeepStrictEqual(combined, host.vars)) {
    for (const [k, v] of Object.entries(info.vars)) setVar(inv, host, 'host', k, v, source, 'add_host');
    changed = true;
  }
  for (const group of info.groups) {
    if (!inv.groups.has(group)) changed = true;
    const g = addGroup(inv, group);
    if (!g.hosts.includes(info.name)) {
      g.hosts.push(info.name);
      if (!host.groups.includes(group)) host.groups.push(group);
      changed = true;
    }
  }
  if (changed) reconcile(inv);
  return changed;
}

/** Put `host` into `group` under `parents`, as group_by does; true when the inventory changed. */
export function addDynamicGroup(inv: Inventory, host: string, group: string, parents: string[]): boolean {
  let changed = false;
  if (!inv.hosts.has(host)) throw new BosunError('INVENTORY', `${host} cannot be matched in inventory`);
  // As Ansible: a new group alone does not count as a change; a new parent, a new link or a new member does.
  addGroup(inv, group);
  for (const parent of parents) {
    if (!inv.groups.has(parent)) {
      addGroup(inv, parent);
      changed = true;
    }
  }
  for (const parent of parents) {
    if (parent === group) throw new BosunError('INVENTORY', "can't add group to itself");
    if (ancestorsOf(inv, parent).has(group))
      throw new BosunError(
        'INVENTORY',
        `Adding group '${group}' as child to '${parent}' creates a recursive dependency loop.`,
      );
    const p = inv.groups.get(parent)!;
    if (!p.children.includes(group)) {
      p.children.push(group);
      changed = true;
    }
    invalidate(inv);
  }
  if (!hostsUnder(inv, group).has(host)) {
    inv.groups.get(group)!.hosts.push(host);
    const h = inv.hosts.get(host)!;
    if (!h.groups.includes(group)) h.groups.push(group);
    changed = true;
  }
  if (changed) reconcile(inv);
  return changed;
}

/** The groups above `group` (itself excluded), following the children lists. */
function ancestorsOf(inv: Inventory, group: string): Set<string> {
  const out = new Set<string>();
  const walk = (name: string): void => {
    for (const g of inv.groups.values()) {
      if (g.children.includes(name) && !out.has(g.name)) {
        out.add(g.name);
        walk(g.name);
      }
    }
  };
  walk(group);
  return out;
}

/** Ansible's reconcile_inventory after a change, then forget what was computed from the old structure. */
function reconcile(inv: Inventory): void {
  reconcileGroups(inv);
  invalidate(inv);
}

/** Drop what was computed from the inventory's structure. */
function invalidate(inv: Inventory): void {
  const state = stateOf(inv);
  delete state.parents;
  delete state.depths;
  delete state.groupsDict;
}
