/**
 * The run's inventory as add_host and group_by change it (Ansible does it in
 * the strategy, on the controller, check mode or not): the change itself
 * (src/inventory/dynamic.ts), then the variables of the hosts it touched read
 * again, so the rest of the play and the later plays see their new groups,
 * group_vars and host variables.
 */
import { addDynamicGroup, addDynamicHost } from '../inventory/index.js';
import { hostsUnder } from '../inventory/model.js';
import type { RunInventory } from '../modules/types.js';
import type { Task } from '../playbook/types.js';
import type { PlayRun } from './play.js';

/** The inventory capability of one task on one host. */
export function runInventory(play: PlayRun, task: Task, host: string): RunInventory {
  const { hosts } = play.run;
  const refresh = async (changed: Iterable<string>): Promise<void> => {
    const list = [...changed];
    await hosts.inventoryChanged(list, play.playbook.dir);
    for (const h of list) if (play.scopes.has(h)) play.scopes.set(h, hosts.playScope(play.play, h));
  };
  return {
    async addHost(name, groups, vars) {
      const changed = addDynamicHost(hosts.inventory, { name, groups, vars }, task.source);
      if (changed) await refresh([name]);
      return changed;
    },
    async addToGroup(group, parents) {
      const changed = addDynamicGroup(hosts.inventory, host, group, parents);
      if (changed) await refresh(hostsUnder(hosts.inventory, group));
      return changed;
    },
  };
}
