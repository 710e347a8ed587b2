import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExtraVars } from '../../../src/cli/extra-vars.js';
import { inventoryCommand, type InventoryCommandOptions } from '../../../src/cli/inventory-command.js';
import { parseYaml } from '../../../src/util/yaml.js';

const ANSIBLE_INVENTORY = '/usr/bin/ansible-inventory';
const hasAnsible = existsSync(ANSIBLE_INVENTORY);

/** Fixture inventories: an INI and a YAML one with the same shape, with group_vars/ and host_vars/ beside them. */
const FILES: Record<string, string> = {
  'ini/hosts.ini': `lonely ansible_host=10.0.0.99

[web]
web1 ansible_host=10.0.0.1 http_port=8080 enabled=True ratio=1.5 tags="['a', 'b']"
web2:2222 greeting="hello 'you'"

[db]
db1
db2

[dbreplica]
db2

[empty]

[prod:children]
web
db

[db:children]
dbreplica

[web:vars]
proxy=http://proxy:3128
greeting="hi there"

[all:vars]
ntp=pool.ntp.org
`,
  'ini/group_vars/all.yml': 'region: eu\nntp: override.ntp\n',
  'ini/group_vars/db.yml': 'db_port: 5432\nopts: {x: 1, y: [true, null]}\n',
  'ini/host_vars/web1.yml': 'role: primary\nhttp_port: 9090\n',
  'yaml/hosts.yml': `all:
  vars:
    ntp: pool.ntp.org
  hosts:
    lonely:
      ansible_host: 10.0.0.99
  children:
    prod:
      children:
        web:
          vars:
            http_port: 80
          hosts:
            web1: {ansible_host: 10.0.0.1, http_port: 8080, list: [1, two]}
            web2:
        db:
          hosts:
            db1:
            db2:
          children:
            dbreplica:
              hosts:
                db2:
`,
  'yaml/host_vars/db1.yml': 'nested: {a: {b: c}}\n',
};

let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bosun-inventory-command-'));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
});

async function bosun(opts: Partial<InventoryCommandOptions> & { inventories: string[] }): Promise<string> {
  let out = '';
  const code = await inventoryCommand(
    { verbosity: 0, extraVars: [], ...opts },
    {
      out: (t) => {
        out += t;
      },
    },
  );
  expect(code).toBe(0);
  return out;
}

async function ansible(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(ANSIBLE_INVENTORY, args, {
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' },
  });
  return stdout;
}

const inv = (name: string) => path.join(root, name);

/** The `--list` JSON: one entry per group, and every host's variables under `_meta`. */
interface InventoryList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: unknown;
}

describe('bosun inventory output', () => {
  it('--list: the inventory-script JSON shape', async () => {
    const out = JSON.parse(await bosun({ inventories: [inv('ini/hosts.ini')], list: true })) as InventoryList;
    expect(out.all).toEqual({ children: ['ungrouped', 'empty', 'prod'] });
    expect(out.db).toEqual({ children: ['dbreplica'], hosts: ['db1', 'db2'] });
    expect(out.ungrouped).toEqual({ hosts: ['lonely'] });
    expect(out.empty).toBeUndefined();
    expect(out._meta.hostvars['web1']).toEqual({
      ansible_host: '10.0.0.1',
      http_port: 9090,
      enabled: true,
      ratio: 1.5,
      tags: ['a', 'b'],
      greeting: 'hi there',
      proxy: 'http://proxy:3128',
      ntp: 'override.ntp',
      region: 'eu',
      role: 'primary',
    });
  });

  it('--host with extra vars, and -vvv says where each value came from', async () => {
    const extra = [await parseExtraVars('x=1 ntp=cli', 0)];
    expect(
      JSON.parse(await bosun({ inventories: [inv('ini/hosts.ini')], host: 'web1', extraVars: extra })),
    ).toMatchObject({ x: '1', ntp: 'cli', http_port: 9090 });
    const verbose = await bosun({ inventories: [inv('ini/hosts.ini')], host: 'web1', verbosity: 3 });
    expect(verbose).toContain(`# http_port = 9090  <- host_vars: ${inv('ini/host_vars/web1.yml')}`);
    expect(verbose).toMatch(new RegExp(`# http_port = 9090 .*web1\\.yml:2:1\\)`));
    expect(verbose).toMatch(/# enabled = true {2}<- inventory_host: .*hosts\.ini:4:\d+\)/);
    expect(verbose).toMatch(/# ntp = "override.ntp" {2}<- group_vars: .*all\.yml:2:1\)/);
  });

  it('--graph draws the tree, children before hosts', async () => {
    expect(await bosun({ inventories: [inv('ini/hosts.ini')], graph: true })).toBe(`@all:
  |--@ungrouped:
  |  |--lonely
  |--@empty:
  |--@prod:
  |  |--@web:
  |  |  |--web1
  |  |  |--web2
  |  |--@db:
  |  |  |--@dbreplica:
  |  |  |  |--db2
  |  |  |--db1
  |  |  |--db2
`);
  });

  it('--limit narrows the hosts', async () => {
    const out = JSON.parse(
      await bosun({ inventories: [inv('ini/hosts.ini')], list: true, limit: 'db' }),
    ) as InventoryList;
    expect(Object.keys(out._meta.hostvars).sort()).toEqual(['db1', 'db2']);
    expect(out.web).toBeUndefined();
  });

  it('a host that is not there, and no action, are clear errors', async () => {
    await expect(bosun({ inventories: [inv('ini/hosts.ini')], host: 'nope' })).rejects.toThrow(
      "host 'nope' is not in the inventory",
    );
    await expect(bosun({ inventories: [inv('ini/hosts.ini')] })).rejects.toThrow(
      'needs one of --list, --host HOST or --graph',
    );
    await expect(bosun({ inventories: [inv('ini/hosts.ini')], list: true, graph: true })).rejects.toThrow(
      'only one of',
    );
  });
});

describe.skipIf(!hasAnsible)('the same output as ansible-inventory', { concurrent: true }, () => {
  const cases: Array<[string, string[], Partial<InventoryCommandOptions>]> = [
    ['ini --list', ['--list'], { list: true }],
    ['ini --host web1', ['--host', 'web1'], { host: 'web1' }],
    ['ini --host db2', ['--host', 'db2'], { host: 'db2' }],
    ['ini --graph', ['--graph'], { graph: true }],
    ['ini --graph --vars', ['--graph', '--vars'], { graph: true, vars: true }],
    ['ini --list --yaml', ['--list', '--yaml'], { list: true, yaml: true }],
  ];
  it.each(cases)('%s', async (_title, args, opts) => {
    const file = inv('ini/hosts.ini');
    const ours = await bosun({ inventories: [file], ...opts });
    const theirs = await ansible(['-i', file, ...args]);
    if (opts.yaml) expect(parseYaml(ours, 'ours').value).toEqual(parseYaml(theirs, 'theirs').value);
    else if (opts.graph) expect(ours).toBe(theirs);
    else expect(JSON.parse(ours)).toEqual(JSON.parse(theirs));
  });

  it.each([
    ['yaml --list', ['--list'], { list: true }],
    ['yaml --host web1', ['--host', 'web1'], { host: 'web1' }],
    ['yaml --host db1', ['--host', 'db1'], { host: 'db1' }],
    ['yaml --graph --vars', ['--graph', '--vars'], { graph: true, vars: true }],
    ['yaml --list --yaml', ['--list', '--yaml'], { list: true, yaml: true }],
  ] as Array<[string, string[], Partial<InventoryCommandOptions>]>)('%s', async (_title, args, opts) => {
    const file = inv('yaml/hosts.yml');
    const ours = await bosun({ inventories: [file], ...opts });
    const theirs = await ansible(['-i', file, ...args]);
    if (opts.yaml) expect(parseYaml(ours, 'ours').value).toEqual(parseYaml(theirs, 'theirs').value);
    else if (opts.graph) expect(ours).toBe(theirs);
    else expect(JSON.parse(ours)).toEqual(JSON.parse(theirs));
  });

  it('extra vars reach --host as with ansible-inventory -e', async () => {
    const file = inv('ini/hosts.ini');
    const ours = await bosun({ inventories: [file], host: 'web2', extraVars: [await parseExtraVars('x=1', 0)] });
    expect(JSON.parse(ours)).toEqual(JSON.parse(await ansible(['-i', file, '--host', 'web2', '-e', 'x=1'])));
  });
});
