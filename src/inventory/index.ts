/**
 * The inventory layer: INI and YAML inventories, host ranges and patterns,
 * group_vars/ and host_vars/, and what they contribute to a host's variables.
 */
export type { Inventory, InventoryGroup, InventoryHost } from './model.js';
export { loadInventory, isIgnoredInventoryName } from './load.js';
export { selectHosts, parseHostPattern, type PatternTerm } from './patterns.js';
export { groupNamesOf, hostVarLayers, magicVars, sortedGroupsOf } from './host-vars.js';
export { inventorySchema } from './yaml-inventory.js';
export { expandHostRange, parseHostEntry } from './ranges.js';
export { addDynamicGroup, addDynamicHost, type DynamicHost } from './dynamic.js';
