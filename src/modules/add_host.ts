/**
 * `add_host`: add a host (or update one) in the run's in-memory inventory, in
 * groups, with variables, for the later plays of the run. As Ansible's
 * action plugin, it runs once on the controller for all the task's hosts
 * (the executor bypasses the host loop), in check mode too; `changed` says
 * whether the inventory changed.
 */
import { isIP } from 'node:net';
import { defineModule } from './types.js';

/** Keys that are not host variables (Ansible's list: `host` and `group` do become variables). */
const SPECIAL = new Set(['name', 'hostname', 'groupname', 'groups']);

/** The `add_host` module. */
export default defineModule<Record<string, unknown>>({
  name: 'add_host',
  docs: {
    short: 'Add a host to the in-memory inventory, in groups, with variables (for the later plays)',
    description:
      'Every argument besides `name`/`hostname` and `groups`/`groupname` becomes a host variable (so do `host` and `group`, as in Ansible). `NAME:PORT` sets `ansible_ssh_port`. Runs once per task, on the first host, in check mode too.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: true,
    properties: {
      name: {
        type: ['string', 'number'],
        description: 'The host name, optionally with :PORT (also `hostname`, `host`)',
      },
      hostname: { type: ['string', 'number'], description: 'Another name for name' },
      host: { type: ['string', 'number'], description: 'Another name for name (also kept as a host variable)' },
      groups: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description: 'Groups to add the host to (a comma-separated string or a list; also `groupname`, `group`)',
      },
      groupname: { type: ['string', 'array'], items: { type: 'string' }, description: 'Another name for groups' },
      group: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description: 'Another name for groups (also kept as a host variable)',
      },
    },
  },
  async decide(ctx, args) {
    const given = args['name'] ?? args['hostname'] ?? args['host'];
    if (given === undefined || given === null)
      return { kind: 'fail', msg: 'name, host or hostname needs to be provided' };
    const vars: Record<string, unknown> = {};
    const { name, port } = parseAddress(typeof given === 'number' ? String(given) : (given as string));
    const all = port === undefined ? args : { ...args, ansible_ssh_port: port };
    for (const [k, v] of Object.entries(all)) if (!SPECIAL.has(k)) vars[k] = v;
    const groupsArg = args['groupname'] ?? args['groups'] ?? args['group'] ?? '';
    if (typeof groupsArg !== 'string' && !Array.isArray(groupsArg))
      return { kind: 'fail', msg: 'Groups must be specified as a list.' };
    const list = typeof groupsArg === 'string' ? (groupsArg === '' ? [] : groupsArg.split(',')) : groupsArg;
    const groups: string[] = [];
    for (const g of list.map((x) => String(x).trim())) if (!groups.includes(g)) groups.push(g);
    const data = { add_host: { host_name: name, groups, host_vars: vars } };
    if (!ctx.inventory) return { kind: 'fail', msg: 'add_host needs the run inventory (only the executor has it)' };
    const changed = await ctx.inventory.addHost(name, groups, vars);
    return changed ? { kind: 'change', data, apply: () => Promise.resolve({ kind: 'applied' }) } : { kind: 'ok', data };
  },
});

/** Ansible's parse_address without ranges: `[v6]:port`, `v6`, `v4:port`, `name:port`; anything else is the name. */
function parseAddress(text: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed)
    return bracketed[2] === undefined ? { name: bracketed[1]! } : { name: bracketed[1]!, port: Number(bracketed[2]) };
  if (isIP(text) === 6) return { name: text };
  const m = /^([^:[\]]+):(\d+)$/.exec(text);
  return m ? { name: m[1]!, port: Number(m[2]) } : { name: text };
}
