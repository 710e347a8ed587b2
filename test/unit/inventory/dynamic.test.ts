/**
 * add_host and group_by on an inventory: Ansible's rules for `changed`, the
 * reconciliation (ungrouped, top-level groups under all), the magic variables
 * recomputed, loops refused, hostile names kept as they are.
 */
import { describe, expect, it } from 'vitest';
import { addDynamicGroup, addDynamicHost, magicVars, selectHosts } from '../../../src/inventory/index.js';
import { addHost, emptyInventory, finishInventory } from '../../../src/inventory/model.js';

const at = { file: 'site.yml', line: 3, col: 7 };

function inventory(): ReturnType<typeof emptyInventory> {
  const inv = emptyInventory();
  addHost(inv, 'web1', 'web', at);
  addHost(inv, 'db1', undefined, at);
  finishInventory(inv);
  return inv;
}

describe('addDynamicHost', () => {
  it('a new host is changed, in all and ungrouped; the same again is not', () => {
    const inv = inventory();
    expect(addDynamicHost(inv, { name: 'new', groups: [], vars: { a: 1 } }, at)).toBe(true);
    expect(selectHosts(inv, 'ungrouped')).toEqual(['db1', 'new']);
    expect(magicVars(inv, 'new')['groups']).toMatchObject({ all: ['web1', 'db1', 'new'] });
    expect(addDynamicHost(inv, { name: 'new', groups: [], vars: { a: 1 } }, at)).toBe(false);
  });

  it.each([
    { name: 'new variable', info: { name: 'web1', groups: [], vars: { b: 2 } }, changed: true },
    { name: 'into its own group again', info: { name: 'web1', groups: ['web'], vars: {} }, changed: false },
    { name: 'into a new group', info: { name: 'db1', groups: ['fresh'], vars: {} }, changed: true },
  ])('$name: changed=$changed', ({ info, changed }) => {
    expect(addDynamicHost(inventory(), info, at)).toBe(changed);
  });

  it('joining a group takes a host out of ungrouped and the new group under all', () => {
    const inv = inventory();
    addDynamicHost(inv, { name: 'db1', groups: ['fresh'], vars: {} }, at);
    expect(selectHosts(inv, 'ungrouped')).toEqual([]);
    expect(magicVars(inv, 'db1')['group_names']).toEqual(['fresh']);
    expect(inv.groups.get('all')!.children).toContain('fresh');
  });

  it('hostile names and values are kept as given', () => {
    const inv = inventory();
    const name = '-we\'ird "name"\nx';
    addDynamicHost(inv, { name, groups: ['g'], vars: { v: '$(rm -rf /)' } }, at);
    expect(inv.hosts.get(name)!.vars['v']).toBe('$(rm -rf /)');
    expect(selectHosts(inv, 'g')).toEqual([name]);
  });
});

describe('addDynamicGroup', () => {
  it('a new group under all: changed for each host joining; the same host again is not', () => {
    const inv = inventory();
    expect(addDynamicGroup(inv, 'web1', 'both', ['all'])).toBe(true);
    expect(addDynamicGroup(inv, 'db1', 'both', ['all'])).toBe(true);
    expect(addDynamicGroup(inv, 'db1', 'both', ['all'])).toBe(false);
    expect(selectHosts(inv, 'both')).toEqual(['web1', 'db1']);
    expect(magicVars(inv, 'db1')['group_names']).toEqual(['both']);
  });

  it('new parents are made; a new link alone is a change', () => {
    const inv = inventory();
    expect(addDynamicGroup(inv, 'web1', 'child', ['p1'])).toBe(true);
    expect(magicVars(inv, 'web1')['group_names']).toEqual(['child', 'p1', 'web']);
    expect(addDynamicGroup(inv, 'web1', 'child', ['web'])).toBe(true);
    expect(addDynamicGroup(inv, 'web1', 'child', ['web'])).toBe(false);
  });

  it('a group as its own parent, or a loop, is an error', () => {
    const inv = inventory();
    expect(() => addDynamicGroup(inv, 'web1', 'web', ['web'])).toThrow("can't add group to itself");
    addDynamicGroup(inv, 'web1', 'child', ['web']);
    expect(() => addDynamicGroup(inv, 'web1', 'web', ['child'])).toThrow('recursive dependency loop');
  });

  it('a host not in the inventory cannot join', () => {
    expect(() => addDynamicGroup(inventory(), 'ghost', 'g', ['all'])).toThrow('ghost cannot be matched in inventory');
  });
});
