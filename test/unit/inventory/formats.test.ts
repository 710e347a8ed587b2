import { describe, expect, it } from 'vitest';
import { loadInventory, type Inventory } from '../../../src/inventory/index.js';
import { fixture } from './fixtures.js';

function membership(inv: Inventory): Record<string, { hosts: string[]; children: string[] }> {
  return Object.fromEntries([...inv.groups.values()].map((g) => [g.name, { hosts: g.hosts, children: g.children }]));
}

describe('INI inventory', () => {
  it('reads groups, children, hosts before any section and ranges', async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    expect([...inv.hosts.keys()]).toEqual([
      'lonely',
      'web1',
      'web2',
      'web03.example.com',
      'web04.example.com',
      'db1',
      'db2',
    ]);
    expect(membership(inv)).toEqual({
      all: { hosts: [], children: ['ungrouped', 'prod', 'orphans'] },
      ungrouped: { hosts: ['lonely'], children: [] },
      web: { hosts: ['web1', 'web2', 'web03.example.com', 'web04.example.com'], children: [] },
      db: { hosts: ['db1', 'db2'], children: ['dbreplica'] },
      dbreplica: { hosts: ['db2'], children: [] },
      prod: { hosts: [], children: ['web', 'db'] },
      orphans: { hosts: [], children: ['neverdefined'] },
      neverdefined: { hosts: [], children: [] },
    });
    expect(inv.hosts.get('db2')!.groups).toEqual(['db', 'dbreplica']);
    expect(inv.sources).toEqual([fixture('hosts.ini')]);
  });

  it('reads inline host values as literals', async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    expect(inv.hosts.get('web1')!.vars).toEqual({
      ansible_host: '10.0.0.1',
      http_port: 8080,
      enabled: true,
      ratio: 1.5,
      tags: ['a', 'b'],
      motd: 'hello world',
      mode: '0644',
    });
    expect(inv.hosts.get('web2')!.vars).toEqual({
      ansible_port: 2222,
      ansible_user: 'deploy',
      opts: { x: 1, y: [true, null] },
    });
    expect(inv.hosts.get('web03.example.com')!.vars).toEqual({});
  });

  it('keeps [group:vars] values as strings', async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    expect(inv.groups.get('web')!.vars).toEqual({
      http_port: '80',
      greeting: 'hi there',
      flag: 'true',
      with_hash: 'a # not a comment',
    });
    expect(inv.groups.get('all')!.vars).toEqual({ ntp: 'pool.ntp.org' });
  });

  it('records positions of hosts, host variables, group variables and groups', async () => {
    const inv = await loadInventory([fixture('hosts.ini')]);
    const file = fixture('hosts.ini');
    expect(inv.hosts.get('lonely')!.source).toEqual({ file, line: 3, col: 1 });
    expect(inv.hosts.get('web1')!.positions.get('http_port')).toEqual({ file, line: 6, col: 28 });
    expect(inv.hosts.get('web2')!.positions.get('ansible_port')).toEqual({ file, line: 7, col: 1 });
    expect(inv.hosts.get('web04.example.com')!.source).toEqual({ file, line: 8, col: 1 });
    expect(inv.groups.get('web')!.positions.get('greeting')).toEqual({ file, line: 26, col: 1 });
    expect(inv.groups.get('web')!.source).toEqual({ file, line: 5, col: 2 });
  });
});

describe('YAML inventory', () => {
  it('reads the same structure as the INI fixture', async () => {
    const inv = await loadInventory([fixture('hosts.yml')]);
    expect([...inv.hosts.keys()]).toEqual([
      'lonely',
      'web1',
      'web2',
      'web03.example.com',
      'web04.example.com',
      'db1',
      'db2',
    ]);
    expect(membership(inv)).toEqual({
      all: { hosts: ['lonely'], children: ['prod', 'orphans', 'ungrouped'] },
      ungrouped: { hosts: ['lonely'], children: [] },
      prod: { hosts: [], children: ['web', 'db'] },
      web: { hosts: ['web1', 'web2', 'web03.example.com', 'web04.example.com'], children: [] },
      db: { hosts: ['db1', 'db2'], children: ['dbreplica'] },
      dbreplica: { hosts: ['db2'], children: [] },
      orphans: { hosts: [], children: ['neverdefined'] },
      neverdefined: { hosts: [], children: [] },
    });
    expect(inv.hosts.get('lonely')!.groups).toEqual(['all', 'ungrouped']);
  });

  it('keeps YAML types and positions', async () => {
    const inv = await loadInventory([fixture('hosts.yml')]);
    const file = fixture('hosts.yml');
    expect(inv.hosts.get('web1')!.vars).toEqual({ ansible_host: '10.0.0.1', http_port: 8080 });
    expect(inv.hosts.get('web2')!.vars).toEqual({ ansible_port: 2222, ansible_user: 'deploy' });
    expect(inv.groups.get('web')!.vars).toEqual({ http_port: 80, flag: true });
    expect(inv.hosts.get('web1')!.positions.get('http_port')).toEqual({ file, line: 14, col: 15 });
    expect(inv.hosts.get('web2')!.positions.get('ansible_port')).toEqual({ file, line: 15, col: 13 });
    expect(inv.groups.get('web')!.positions.get('flag')).toEqual({ file, line: 20, col: 13 });
    expect(inv.groups.get('dbreplica')!.source).toEqual({ file, line: 26, col: 13 });
  });
});
