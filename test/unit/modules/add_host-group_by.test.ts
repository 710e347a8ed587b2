/**
 * add_host and group_by as modules: what they register (Ansible's keys),
 * the special keys of add_host (host and group stay variables), NAME:PORT,
 * group lists, spaces in group names, and `changed` from the inventory.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import type { ModuleContext, RunInventory } from '../../../src/modules/types.js';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();

/** A RunInventory that records its calls and answers `changed`. */
function recorder(changed: boolean): { inv: RunInventory; calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    inv: {
      addHost: (...a) => (calls.push(a), Promise.resolve(changed)),
      addToGroup: (...a) => (calls.push(a), Promise.resolve(changed)),
    },
  };
}

async function decide(module: string, args: Record<string, unknown>, inventory?: RunInventory) {
  const ctx: ModuleContext = { ...h.context(), ...(inventory ? { inventory } : {}) };
  return getModule(module)!.decide(ctx, args);
}

describe('add_host', () => {
  it.each([
    {
      name: 'name, groups list, a variable',
      args: { name: 'x', groups: ['a', 'b'], v: 1 },
      want: { host_name: 'x', groups: ['a', 'b'], host_vars: { v: 1 } },
    },
    {
      name: 'hostname with a port; groups a comma string, stripped, deduplicated',
      args: { hostname: 'x:2222', groups: ' a , b,a' },
      want: { host_name: 'x', groups: ['a', 'b'], host_vars: { ansible_ssh_port: 2222 } },
    },
    {
      name: 'host and group stay host variables (Ansible keeps only name, hostname, groupname, groups)',
      args: { host: 'x', group: 'g', groups: 'real' },
      want: { host_name: 'x', groups: ['real'], host_vars: { host: 'x', group: 'g' } },
    },
    {
      name: 'groupname wins over groups; an IPv6 address in brackets with a port',
      args: { name: '[::1]:22', groupname: 'first', groups: 'second' },
      want: { host_name: '::1', groups: ['first'], host_vars: { ansible_ssh_port: 22 } },
    },
    {
      name: 'a hostile name is kept whole',
      args: { name: '-it\'s "x"\ny' },
      want: { host_name: '-it\'s "x"\ny', groups: [], host_vars: {} },
    },
  ])('$name', async ({ args, want }) => {
    const r = recorder(true);
    const d = await decide('add_host', args, r.inv);
    expect(d.kind).toBe('change');
    expect(d.data?.['add_host']).toEqual(want);
    expect(r.calls).toEqual([[want.host_name, want.groups, want.host_vars]]);
  });

  it('unchanged inventory: ok; no name: fails as Ansible words it', async () => {
    expect((await decide('add_host', { name: 'x' }, recorder(false).inv)).kind).toBe('ok');
    expect(await decide('add_host', { groups: 'g' }, recorder(true).inv)).toMatchObject({
      kind: 'fail',
      msg: 'name, host or hostname needs to be provided',
    });
  });

  it('without the run inventory (outside the executor) it fails instead of pretending', async () => {
    expect((await decide('add_host', { name: 'x' })).kind).toBe('fail');
  });
});

describe('group_by', () => {
  it('spaces become -, parents default to all, a string parent is a list; a warning for odd names', async () => {
    const r = recorder(true);
    const d = await decide('group_by', { key: 'os Debian 12', parents: 'linux boxes' }, r.inv);
    expect(d).toMatchObject({ kind: 'change', data: { add_group: 'os-Debian-12', parent_groups: ['linux-boxes'] } });
    expect(d.warnings?.[0]).toContain('Invalid characters were found in group names but not replaced');
    expect(r.calls).toEqual([['os-Debian-12', ['linux-boxes']]]);
    const plain = await decide('group_by', { key: 'web' }, recorder(false).inv);
    expect(plain).toMatchObject({ kind: 'ok', data: { add_group: 'web', parent_groups: ['all'] } });
    expect(plain.warnings).toBeUndefined();
  });
});
