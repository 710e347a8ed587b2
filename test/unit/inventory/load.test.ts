import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { isIgnoredInventoryName, loadInventory } from '../../../src/inventory/index.js';
import { fixture } from './fixtures.js';

async function loadError(paths: string[]): Promise<BosunError> {
  try {
    await loadInventory(paths);
  } catch (e) {
    if (e instanceof BosunError) return e;
    throw e;
  }
  throw new Error(`expected ${paths.join(' ')} to fail`);
}

describe('loadInventory sources', () => {
  it('reads every inventory file of a folder, sorted, skipping vars folders, hidden files and docs', async () => {
    const inv = await loadInventory([fixture('folder')]);
    expect(inv.sources).toEqual([
      fixture('folder'),
      fixture('folder', '01-hosts.ini'),
      fixture('folder', '02-extra.yml'),
    ]);
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'db1', 'db2', 'mon1']);
    expect(inv.groups.get('db')!.hosts).toEqual(['db1', 'db2']);
    expect(inv.groups.get('all')!.children).toEqual(['db', 'monitoring', 'ungrouped', 'web']);
  });

  it.each([
    ['README.md', true],
    ['notes.txt', true],
    ['hosts.retry', true],
    ['hosts.orig', true],
    ['ansible.cfg', true],
    ['hosts.ini~', true],
    ['.hidden', true],
    ['group_vars', true],
    ['host_vars', true],
    ['hosts.ini', false],
    ['hosts', false],
    ['prod.yml', false],
    ['cloud.json', false],
  ])('folder entry %s ignored: %s', (name, ignored) => {
    expect(isIgnoredInventoryName(name)).toBe(ignored);
  });

  it('merges several -i: variables (later wins) and memberships', async () => {
    const inv = await loadInventory([fixture('merge-a.ini'), fixture('merge-b.yml')]);
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'web3', 'db1']);
    expect(inv.hosts.get('web1')!.vars).toEqual({ color: 'blue', size: 1 });
    expect(inv.hosts.get('web1')!.positions.get('color')!.file).toBe(fixture('merge-b.yml'));
    expect(inv.hosts.get('web1')!.groups).toEqual(['web', 'db']);
    expect(inv.groups.get('web')!.hosts).toEqual(['web1', 'web2', 'web3']);
    expect(inv.groups.get('web')!.vars).toEqual({ tier: 'front', owner: 'ops' });
    expect(inv.groups.get('all')!.children).toEqual(['web', 'db', 'ungrouped']);
    expect(inv.sources).toEqual([fixture('merge-a.ini'), fixture('merge-b.yml')]);
  });

  it('moves a host out of ungrouped when another source gives it a group', async () => {
    const inv = await loadInventory(['web1,lonely,', fixture('merge-a.ini')]);
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['lonely']);
    expect(inv.hosts.get('web1')!.groups).toEqual(['web']);
  });

  it('reads a comma-separated host list', async () => {
    const inv = await loadInventory(['web1, web2:2222,10.0.0.7,[fd00::1]:2200,']);
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', '10.0.0.7', 'fd00::1']);
    expect(inv.hosts.get('fd00::1')!.vars).toEqual({ ansible_port: 2200 });
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['web1', 'web2', '10.0.0.7', 'fd00::1']);
    expect(inv.hosts.get('web2')!.vars).toEqual({ ansible_port: 2222 });
    expect(inv.sources).toEqual([]);
  });

  it('expands ranges, with ports and IPv6 addresses', async () => {
    const inv = await loadInventory([fixture('ranges.ini')]);
    expect([...inv.hosts.keys()]).toEqual([
      'node01',
      'node02',
      'node03',
      'odd1',
      'odd3',
      'odd5',
      'odd7',
      'weba-1',
      'weba-2',
      'webb-1',
      'webb-2',
      'webc-1',
      'webc-2',
      'fd00::5',
      'fd00::6',
    ]);
    expect(inv.hosts.get('odd5')!.vars).toEqual({ role: 'odd' });
    expect(inv.hosts.get('fd00::5')!.vars).toEqual({ ansible_port: 2200 });
  });

  it('always has all and ungrouped', async () => {
    const inv = await loadInventory([]);
    expect([...inv.groups.keys()]).toEqual(['all', 'ungrouped']);
    expect(inv.groups.get('all')!.children).toEqual(['ungrouped']);
  });
});

describe('loadInventory errors', () => {
  it.each([
    ['bad-section.ini', 'INVENTORY', 3, 6, /unknown section type ':bogus'/],
    ['bad-header.ini', 'INVENTORY', 1, 1, /invalid section header '\[web servers\]'/],
    [
      'var-without-host.ini',
      'INVENTORY',
      2,
      3,
      /expected a host name in \[web\], got the variable 'ansible_user=root'/,
    ],
    ['bad-host-var.ini', 'INVENTORY', 2, 24, /expected key=value host variable after 'web1', got 'oops'/],
    ['unterminated.ini', 'INVENTORY', 2, 11, /unterminated double quote/],
    ['vars-no-equals.ini', 'INVENTORY', 2, 1, /expected key=value in \[web:vars\], got 'http_port 80'/],
    ['bad-range.ini', 'INVENTORY', 2, 5, /zero-padded begin needs an end of the same width/],
    ['bad-range-second.ini', 'INVENTORY', 2, 8, /host range \[3:x\]/],
    ['bad-port.ini', 'INVENTORY', 2, 5, /expected NAME or NAME:PORT/],
    ['bad-child.ini', 'INVENTORY', 2, 1, /expected a group name in \[web:children\], got 'foo bar'/],
    ['cycle.ini', 'INVENTORY', 4, 1, /group 'a' is its own ancestor: a -> b -> a/],
    ['all-child.ini', 'INVENTORY', 2, 1, /group 'all' cannot be a child of 'web'/],
    ['unknown-key.yml', 'SCHEMA', 4, 3, /unknown key 'childs' in inventory at 'all'/],
    ['host-not-map.yml', 'SCHEMA', 3, 11, /inventory at 'all.hosts.web1': expected object or null/],
    ['bad-range.yml', 'INVENTORY', 3, 9, /begin must not be greater than end/],
    ['yaml-syntax.yml', 'YAML_SYNTAX', 3, 1, /invalid YAML/],
  ])('%s: %s at %i:%i', async (name, code, line, col, message) => {
    const err = await loadError([fixture('errors', name)]);
    expect({ code: err.code, source: err.source }).toEqual({
      code,
      source: { file: fixture('errors', name), line, col },
    });
    expect(err.message).toMatch(message);
  });

  it('names a missing source', async () => {
    const err = await loadError([fixture('does-not-exist.ini')]);
    expect(err.code).toBe('INVENTORY');
    expect(err.message).toBe(`inventory source not found: ${fixture('does-not-exist.ini')}`);
  });
});
