/**
 * The inventory data model and the few operations the parsers build it with.
 * Parsers add hosts, groups, memberships and variables; `finishInventory`
 * then applies Ansible's rules (top-level groups under `all`, hosts without a
 * group in `ungrouped`) and rejects cycles among groups.
 */
import { setUnsafeKey } from '../util/unsafe.js';
import path from 'node:path';
import { BosunError, type SourcePos } from '../errors.js';
import type { VarLayer } from '../vars/scope.js';

/** One host: its inline inventory variables and direct groups. Implicit hosts (localhost) have no groups. */
export interface InventoryHost {
  name: string;
  vars: Record<string, unknown>;
  positions: Map<string, SourcePos>;
  /** Direct groups, in the order seen. */
  groups: string[];
  source: SourcePos;
}

/** One group: direct hosts, child groups and inline variables. */
export interface InventoryGroup {
  name: string;
  /** Direct hosts. */
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  positions: Map<string, SourcePos>;
  source?: SourcePos;
}

/** A loaded inventory: hosts in file order, groups (always `all` and `ungrouped`), and the sources read. */
export interface Inventory {
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
  /** Files and folders read. */
  sources: string[];
}

/** Bookkeeping that is not part of the public shape, kept beside each inventory. */
export interface InventoryState {
  /** Folders whose group_vars/ and host_vars/ belong to the inventory, in -i order. */
  varDirs: string[];
  /** Hosts created by a pattern (implicit localhost): not members of any group. */
  implicit: Set<string>;
  /** Where each host's and group's inline variables came from (`hosts.ini [web:vars]`). */
  origins: Map<string, string[]>;
  /** Position of each `parent -> child` declaration, for cycle errors. */
  childPositions: Map<string, SourcePos>;
  /** group_vars/host_vars layers, per folder, kind and name. */
  varsCache: Map<string, Promise<VarLayer[]>>;
  /** Listings of group_vars/ and host_vars/ folders. */
  listings: Map<string, Promise<Map<string, boolean>>>;
  /** Group depth below `all` (longest path), computed once. */
  depths?: Map<string, number>;
  /** Parent groups of each group, computed once. */
  parents?: Map<string, string[]>;
  /** The `groups` magic variable, computed once. */
  groupsDict?: Record<string, string[]>;
}

const states = new WeakMap<Inventory, InventoryState>();

/** The bookkeeping of an inventory (created empty for inventories built by hand). */
export function stateOf(inv: Inventory): InventoryState {
  let state = states.get(inv);
  if (!state) {
    state = {
      varDirs: [],
      implicit: new Set(),
      origins: new Map(),
      childPositions: new Map(),
      varsCache: new Map(),
      listings: new Map(),
    };
    states.set(inv, state);
  }
  return state;
}

/** An inventory with only `all` and `ungrouped`. */
export function emptyInventory(): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), sources: [] };
  addGroup(inv, 'all');
  addGroup(inv, 'ungrouped');
  stateOf(inv);
  return inv;
}

/** The path as a person wants to read it: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(file);
}

/** Get or create a group. */
export function addGroup(inv: Inventory, name: string, source?: SourcePos): InventoryGroup {
  let group = inv.groups.get(name);
  if (!group) {
    group = { name, hosts: [], children: [], vars: {}, positions: new Map() };
    if (source) group.source = source;
    inv.groups.set(name, group);
  } else if (!group.source && source) {
    group.source = source;
  }
  return group;
}

/** Get or create a host, and make it a direct member of `group` when given. */
export function addHost(inv: Inventory, name: string, group: string | undefined, source: SourcePos): InventoryHost {
  let host = inv.hosts.get(name);
  if (!host) {
    host = { name, vars: {}, positions: new Map(), groups: [], source };
    inv.hosts.set(name, host);
  }
  if (group !== undefined) {
    const g = addGroup(inv, group);
    if (!g.hosts.includes(name)) g.hosts.push(name);
    if (!host.groups.includes(group)) host.groups.push(group);
  }
  return host;
}

/** Set one inline variable of a host or a group, remembering its position and origin. */
export function setVar(
  inv: Inventory,
  target: InventoryHost | InventoryGroup,
  kind: 'host' | 'group',
  key: string,
  value: unknown,
  pos: SourcePos | undefined,
  origin: string,
  unsafe = false,
): void {
  target.vars[key] = value;
  setUnsafeKey(target.vars, key, unsafe);
  if (pos) target.positions.set(key, pos);
  const id = `${kind}\0${target.name}`;
  const origins = stateOf(inv).origins;
  const list = origins.get(id) ?? [];
  if (!list.includes(origin)) list.push(origin);
  origins.set(id, list);
}

/** Where a host's or group's inline variables came from, for a layer's `source`. */
export function originOf(inv: Inventory, kind: 'host' | 'group', name: string): string {
  return stateOf(inv).origins.get(`${kind}\0${name}`)?.join(' + ') ?? `inventory ${kind} ${name}`;
}

/** Make `child` a child group of `parent` (both created if needed). */
export function addChild(inv: Inventory, parent: string, child: string, pos?: SourcePos): void {
  const p = addGroup(inv, parent);
  addGroup(inv, child, pos);
  if (!p.children.includes(child)) p.children.push(child);
  const key = `${parent}\0${child}`;
  const positions = stateOf(inv).childPositions;
  if (pos && !positions.has(key)) positions.set(key, pos);
}

/** Apply Ansible's membership rules once all sources are read; reject cycles among groups. */
export function finishInventory(inv: Inventory): void {
  checkCycles(inv);
  reconcileGroups(inv);
}

/** Ansible's reconcile_inventory: groups without a parent under `all`, hosts in no other group in `ungrouped` (also after add_host and group_by). */
export function reconcileGroups(inv: Inventory): void {
  const all = addGroup(inv, 'all');
  const ungrouped = addGroup(inv, 'ungrouped');
  const hasParent = new Set<string>();
  for (const g of inv.groups.values()) for (const c of g.children) hasParent.add(c);
  for (const name of inv.groups.keys()) {
    if (name !== 'all' && !hasParent.has(name)) all.children.push(name);
  }
  const implicit = stateOf(inv).implicit;
  for (const host of inv.hosts.values()) {
    if (implicit.has(host.name)) continue;
    const real = host.groups.filter((g) => g !== 'all' && g !== 'ungrouped');
    if (real.length === 0) {
      if (!ungrouped.hosts.includes(host.name)) ungrouped.hosts.push(host.name);
      if (!host.groups.includes('ungrouped')) host.groups.push('ungrouped');
    } else if (host.groups.includes('ungrouped')) {
      ungrouped.hosts = ungrouped.hosts.filter((h) => h !== host.name);
      host.groups = host.groups.filter((g) => g !== 'ungrouped');
    }
  }
}

function checkCycles(inv: Inventory): void {
  for (const g of inv.groups.values()) {
    if (!g.children.includes('all')) continue;
    const source = stateOf(inv).childPositions.get(`${g.name}\0all`);
    throw new BosunError(
      'INVENTORY',
      `group 'all' cannot be a child of '${g.name}': every group is already under 'all'`,
      source ? { source } : {},
    );
  }
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    stack.push(name);
    for (const child of inv.groups.get(name)?.children ?? []) {
      const at = stack.indexOf(child);
      if (at >= 0) {
        const loop = [...stack.slice(at), child].join(' -> ');
        const source = stateOf(inv).childPositions.get(`${name}\0${child}`);
        throw new BosunError('INVENTORY', `group '${child}' is its own ancestor: ${loop}`, {
          ...(source ? { source } : {}),
          hint: 'remove one of the children declarations in this loop',
        });
      }
      visit(child);
    }
    stack.pop();
    done.add(name);
  };
  for (const name of inv.groups.keys()) visit(name);
}

/** All host names of a group and its descendants, as a set. */
export function hostsUnder(inv: Inventory, group: string): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const g = inv.groups.get(name);
    if (!g) return;
    for (const h of g.hosts) out.add(h);
    for (const c of g.children) walk(c);
  };
  walk(group);
  return out;
}
