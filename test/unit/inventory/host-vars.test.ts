import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { groupNamesOf, hostVarLayers, loadInventory, magicVars, selectHosts } from '../../../src/inventory/index.js';
import { VarScope } from '../../../src/vars/scope.js';
import { fixture } from './fixtures.js';

const rel = (...parts: string[]): string => path.relative(process.cwd(), fixture(...parts));

describe('hostVarLayers', () => {
  it("orders a host's layers as Ansible does, inventory side before playbook side", async () => {
    const inv = await loadInventory([fixture('folder')]);
    const layers = await hostVarLayers(inv, 'web1', { playbookDir: fixture('playbook') });
    expect(layers.map((l) => [l.level, l.source, l.values['level']])).toEqual([
      ['inventory_group', `${rel('folder', '02-extra.yml')} group all`, 'inventory_group_all'],
      ['inventory_group', `${rel('folder', '01-hosts.ini')} [web:vars]`, 'inventory_group_web'],
      ['group_vars', rel('folder', 'group_vars', 'all.yml'), 'group_vars_all'],
      ['group_vars', rel('playbook', 'group_vars', 'all.yml'), 'playbook_group_vars_all'],
      ['group_vars', rel('folder', 'group_vars', 'web.yml'), 'group_vars_web'],
      ['group_vars', rel('playbook', 'group_vars', 'web.yml'), 'playbook_group_vars_web'],
      ['inventory_host', `${rel('folder', '01-hosts.ini')} host web1`, 'inventory_host'],
      ['host_vars', rel('folder', 'host_vars', 'web1.yml'), 'host_vars_web1'],
      ['host_vars', rel('playbook', 'host_vars', 'web1.yml'), 'playbook_host_vars_web1'],
    ]);
    const scope = new VarScope(layers);
    expect(scope.toObject()).toMatchObject({
      level: 'playbook_host_vars_web1',
      from_all: 'inventory',
      web_only: 'yes',
      inline_host: 1,
      from_host_vars: 'inventory',
    });
    expect(scope.lookup('web_only')!.origin).toEqual({
      level: 'group_vars',
      source: rel('folder', 'group_vars', 'web.yml'),
      pos: { file: fixture('folder', 'group_vars', 'web.yml'), line: 2, col: 1 },
    });
    expect(scope.lookup('inline_host')!.origin.pos).toEqual({
      file: fixture('folder', '01-hosts.ini'),
      line: 2,
      col: 6,
    });
  });

  it('reads the folder form of group_vars in sorted order, recursively, and files without extension', async () => {
    const inv = await loadInventory([fixture('folder')]);
    const db2 = await hostVarLayers(inv, 'db2', {});
    expect(db2.map((l) => [l.source, l.values['level']])).toEqual([
      [`${rel('folder', '02-extra.yml')} group all`, 'inventory_group_all'],
      [rel('folder', 'group_vars', 'all.yml'), 'group_vars_all'],
      [rel('folder', 'group_vars', 'db', '10-main.yml'), 'group_vars_db_10'],
      [rel('folder', 'group_vars', 'db', '20-extra.yaml'), 'group_vars_db_20'],
      [rel('folder', 'group_vars', 'db', 'sub', '30-nested.yml'), 'group_vars_db_sub'],
    ]);
    const db1 = await hostVarLayers(inv, 'db1', {});
    expect(db1.at(-1)).toMatchObject({
      level: 'host_vars',
      source: rel('folder', 'host_vars', 'db1.json'),
      values: { level: 'host_vars_db1', port: 5432 },
    });
    const mon1 = await hostVarLayers(inv, 'mon1', {});
    expect(mon1.at(-1)).toMatchObject({
      level: 'group_vars',
      source: rel('folder', 'group_vars', 'monitoring'),
      values: { level: 'group_vars_monitoring' },
    });
  });

  it('finds group_vars beside an inventory file and parses each file once', async () => {
    const inv = await loadInventory([fixture('folder', '01-hosts.ini')]);
    const first = await hostVarLayers(inv, 'web1', {});
    const second = await hostVarLayers(inv, 'web1', {});
    expect(first.map((l) => l.source)).toEqual([
      `${rel('folder', '01-hosts.ini')} [web:vars]`,
      rel('folder', 'group_vars', 'all.yml'),
      rel('folder', 'group_vars', 'web.yml'),
      `${rel('folder', '01-hosts.ini')} host web1`,
      rel('folder', 'host_vars', 'web1.yml'),
    ]);
    expect(second[1]).toBe(first[1]);
  });

  it('orders groups by depth, then ansible_group_priority, then name', async () => {
    const inv = await loadInventory([fixture('priority.yml')]);
    const layers = await hostVarLayers(inv, 'h1', {});
    expect(layers.map((l) => l.values['who'])).toEqual(['all', 'alpha', 'beta', 'zeta', 'alpha_child']);
    expect(new VarScope(layers).toObject()['who']).toBe('alpha_child');
  });

  it('rejects a vars file that is not a mapping, at its position', async () => {
    const inv = await loadInventory([fixture('errors', 'bad-group-vars')]);
    const err = await hostVarLayers(inv, 'web1', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BosunError);
    expect(err).toMatchObject({
      code: 'INVENTORY',
      source: { file: fixture('errors', 'bad-group-vars', 'group_vars', 'web.yml'), line: 2, col: 1 },
    });
    expect((err as Error).message).toMatch(/must hold a mapping of variable names to values, found a list/);
  });

  it('rejects an unknown host', async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    await expect(hostVarLayers(inv, 'nope', {})).rejects.toMatchObject({ code: 'INVENTORY' });
  });
});

describe('groupNamesOf and magicVars', () => {
  it.each([
    ['web1', ['prod', 'web']],
    ['db2', ['db', 'dbreplica', 'prod']],
    ['lonely', ['ungrouped']],
    ['nope', []],
  ])('group_names of %s', async (host, expected) => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    expect(groupNamesOf(inv, host)).toEqual(expected);
  });

  it("gives Ansible's magic variables", async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    const vars = magicVars(inv, 'web03.example.com');
    expect(vars).toEqual({
      inventory_hostname: 'web03.example.com',
      inventory_hostname_short: 'web03',
      group_names: ['prod', 'web'],
      groups: {
        all: ['lonely', 'web1', 'web2', 'web03.example.com', 'web04.example.com', 'db1', 'db2'],
        ungrouped: ['lonely'],
        web: ['web1', 'web2', 'web03.example.com', 'web04.example.com'],
        db: ['db1', 'db2'],
        dbreplica: ['db2'],
        prod: ['web1', 'web2', 'web03.example.com', 'web04.example.com', 'db1', 'db2'],
        orphans: [],
        neverdefined: [],
      },
      inventory_file: fixture('hosts.ini'),
      inventory_dir: path.dirname(fixture('hosts.ini')),
    });
  });

  it('gives the implicit localhost its connection and no groups', async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    expect(selectHosts(inv, 'localhost')).toEqual(['localhost']);
    expect(inv.hosts.get('localhost')!.vars).toEqual({ ansible_connection: 'local' });
    const vars = magicVars(inv, 'localhost');
    expect(vars['group_names']).toEqual([]);
    expect((vars['groups'] as Record<string, string[]>)['all']).not.toContain('localhost');
    expect(vars['inventory_dir']).toBe(path.dirname(fixture('hosts.ini')));
    const layers = await hostVarLayers(inv, 'localhost', {});
    expect(layers.map((l) => [l.level, l.values])).toEqual([
      ['inventory_group', { ntp: 'pool.ntp.org' }],
      ['inventory_host', { ansible_connection: 'local' }],
    ]);
  });
});
