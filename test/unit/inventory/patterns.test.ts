import { beforeAll, describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { loadInventory, parseHostPattern, selectHosts, type Inventory } from '../../../src/inventory/index.js';
import { fixture } from './fixtures.js';

const WEB = ['web1.example.com', 'web2.example.com', 'web3.example.com'];
const DB = ['db1.example.com', 'db2.example.com'];
const LB = ['10.0.0.5', '10.0.0.6'];
const [web1, web2, web3] = WEB as [string, string, string];
const [db1, db2] = DB as [string, string];

describe('selectHosts', () => {
  let inv: Inventory;
  beforeAll(async () => {
    inv = await loadInventory([fixture('patterns.ini')]);
  });

  it.each<[string, string[]]>([
    ['all', [...WEB, ...DB, ...LB]],
    ['*', [...WEB, ...DB, ...LB]],
    ['web', WEB],
    ['app', [...WEB, ...DB]],
    [web2, [web2]],
    ['web*', WEB],
    ['*.example.com', [...WEB, ...DB]],
    ['10.0.0.*', LB],
    ['web[12].example.com', [web1, web2]],
    ['d?1.example.com', [db1]],
    ['~web[12]\\.', [web1, web2]],
    ['~(db|lb)', [...DB, ...LB]],
    ['~example', []],
    ['web:db', [...WEB, ...DB]],
    ['web,db', [...WEB, ...DB]],
    ['db:web', [...WEB, ...DB]],
    [' web , lb ', [...WEB, ...LB]],
    ['web:web1.example.com', WEB],
    ['app:&staging', [web3, db2]],
    ['app:!staging', [web1, web2, db1]],
    ['!staging:web', [web1, web2]],
    ['&staging:web', [web3]],
    ['web:!staging:db:&app', [web1, web2, db1]],
    ['!web', [...DB, ...LB]],
    ['&staging', [web3, db2]],
    ['app,!db,&staging', [web3]],
    ['web[0]', [web1]],
    ['web[-1]', [web3]],
    ['web[1:2]', [web2, web3]],
    ['web[1:]', [web2, web3]],
    ['web[:1]', [web1, web2]],
    ['web[7]', []],
    ['app[0]:db[-1]', [web1, db2]],
    ['app:!app[1:3]', [web1, db2]],
    ['*.example.com[4]', [db2]],
    ['nomatch', []],
    ['web:nomatch', WEB],
  ])('%s', (pattern, expected) => {
    expect(selectHosts(inv, pattern)).toEqual(expected);
  });

  it('adds an implicit localhost, in no group and never in all', async () => {
    const local = await loadInventory([fixture('patterns.ini')]);
    expect(selectHosts(local, 'web:localhost')).toEqual([...WEB, 'localhost']);
    expect(selectHosts(local, '127.0.0.1')).toEqual(['127.0.0.1']);
    expect(local.hosts.get('localhost')).toMatchObject({ vars: { ansible_connection: 'local' }, groups: [] });
    expect(selectHosts(local, 'all')).toEqual([...WEB, ...DB, ...LB]);
    expect(selectHosts(local, '*')).toEqual([...WEB, ...DB, ...LB]);
    expect(selectHosts(local, 'localhost')).toEqual(['localhost']);
    expect(local.groups.get('all')!.hosts).toEqual([]);
    expect(local.groups.get('ungrouped')!.hosts).toEqual([]);
  });

  it('prefers an inventory host named localhost', async () => {
    const local = await loadInventory(['localhost:2222,']);
    expect(selectHosts(local, 'localhost')).toEqual(['localhost']);
    expect(local.hosts.get('localhost')!.vars).toEqual({ ansible_port: 2222 });
    expect(selectHosts(local, 'all')).toEqual(['localhost']);
  });

  it.each<[string, RegExp]>([
    ['', /it is empty/],
    ['   ', /it is empty/],
    [',,:', /names no hosts or groups/],
    ['web[1', /a "\[" without its "\]"/],
    ['web]', /a "\]" without its "\["/],
    ['&', /'&' needs a host or group name after '&'/],
    ['web:!', /'!' needs a host or group name after '!'/],
    ['web:&!db', /'&!db' needs a host or group name/],
    ['~', /'~' needs a regular expression/],
    ['~(web', /bad regular expression '\(web'/],
    ['web db', /'web db' contains a space/],
  ])('rejects %j', (pattern, message) => {
    const source = { file: 'play.yml', line: 3, col: 10 };
    let err: unknown;
    try {
      selectHosts(inv, pattern, source);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect(err).toMatchObject({ code: 'HOST_PATTERN', source });
    expect((err as Error).message).toMatch(message);
  });
});

describe('parseHostPattern', () => {
  it.each([
    [
      'web:&db:!web[0]',
      [
        { op: 'union', expr: 'web' },
        { op: 'intersection', expr: 'db' },
        { op: 'exclusion', expr: 'web', subscript: { index: 0 } },
      ],
    ],
    ['node[01:20]', [{ op: 'union', expr: 'node', subscript: { start: 1, end: 20 } }]],
    ['fd00::1', [{ op: 'union', expr: 'fd00::1' }]],
    [
      '~web[0-9]+:db',
      [
        { op: 'union', expr: '~web[0-9]+' },
        { op: 'union', expr: 'db' },
      ],
    ],
    ['!~^db[', undefined],
  ])('%s', (pattern, expected) => {
    if (expected === undefined) expect(() => parseHostPattern(pattern)).toThrow(/bad regular expression/);
    else expect(parseHostPattern(pattern)).toEqual(expected);
  });
});
