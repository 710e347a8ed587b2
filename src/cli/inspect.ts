/**
 * `--syntax-check` and `--list-hosts`: load and check the playbooks (and the
 * inventory) without connecting to any host.
 */
import { loadInventory, selectHosts } from '../inventory/index.js';
import { loadPlaybook } from '../playbook/load.js';
import { createTemplateEngine } from '../template/index.js';
import type { VarLayer } from '../vars/scope.js';
import type { CliIO } from './main.js';

/** Check (and optionally list hosts of) the playbooks; returns the exit code. */
export async function checkPlaybooks(
  playbooks: string[], o: { inventory: string[]; limit?: string; listHosts: boolean }, extraVars: VarLayer[], io: CliIO,
): Promise<number> {
  const engine = createTemplateEngine();
  const extra = Object.assign({}, ...extraVars.map((l) => l.values)) as Record<string, unknown>;
  const loaded = [];
  for (const file of playbooks) loaded.push(await loadPlaybook(file, { engine, extraVars: extra }));
  if (!o.listHosts) {
    io.out(`playbook: ${playbooks.join(', ')}\n`);
    return 0;
  }
  const inventory = await loadInventory(o.inventory);
  const limit = o.limit ? new Set(selectHosts(inventory, o.limit)) : undefined;
  for (const pb of loaded) {
    io.out(`\nplaybook: ${pb.file}\n`);
    for (const play of pb.plays) {
      const hosts = selectHosts(inventory, play.hosts, play.hostsSource).filter((h) => !limit || limit.has(h));
      io.out(`\n  play #${pb.plays.indexOf(play) + 1} (${play.hosts}): ${play.name}\n    pattern: ['${play.hosts}']\n    hosts (${hosts.length}):\n`);
      for (const h of hosts) io.out(`      ${h}\n`);
    }
  }
  return 0;
}
