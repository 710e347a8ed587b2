/**
 * getent: Ansible's fact shape (duplicates become lists), the split rules,
 * the messages by exit code, and hostile keys passed as one word after `--`.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { parseGetent } from '../../../src/modules/getent.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection, type FakeRule } from './fake-connection.js';

const h = new ModuleHarness();
async function decide(args: Record<string, unknown>, rules: FakeRule[]) {
  const conn = new FakeConnection(rules);
  return { d: await getModule('getent')!.decide({ ...h.context({ check: true }), conn }, args), conn };
}

describe('getent', () => {
  it('parses records: first field the key, the rest a list; repeated keys a list of lists', () => {
    expect(parseGetent('root:x:0:0:root:/root:/bin/bash\n', ':')).toEqual({
      root: ['x', '0', '0', 'root', '/root', '/bin/bash'],
    });
    expect(parseGetent('127.0.0.1  localhost\n::1 localhost ip6-localhost\n127.0.0.1 x\n', undefined)).toEqual({
      '127.0.0.1': [['localhost'], ['x']],
      '::1': ['localhost', 'ip6-localhost'],
    });
    expect(parseGetent('a b\na c\na d\n', undefined)).toEqual({ a: [['b'], ['c'], ['d']] });
  });

  it('sets getent_DATABASE as a fact, splitting colon databases at colons', async () => {
    const { d, conn } = await decide({ database: 'passwd', key: 'root' }, [
      { match: /getent/, result: { stdout: 'root:x:0:0:root:/root:/bin/bash\n' } },
    ]);
    expect(d).toMatchObject({
      kind: 'ok',
      facts: { getent_passwd: { root: ['x', '0', '0', 'root', '/root', '/bin/bash'] } },
    });
    expect(conn.scripts[0]).toContain('getent -- passwd root');
  });

  it('a hostile key and service reach getent as one word each, after --', async () => {
    const key = '-x \'$(touch /tmp/pwned)\'\n"a b"';
    const { conn } = await decide({ database: 'passwd', key, service: '--help me' }, [
      { match: /getent/, result: { rc: 2 } },
    ]);
    expect(conn.scripts[0]).toContain(`getent -s ${shq('--help me')} -- passwd ${shq(key)}`);
  });

  it.each([
    [1, 'Missing arguments, or database unknown.'],
    [2, 'One or more supplied key could not be found in the database.'],
    [3, 'Enumeration not supported on this database.'],
    [9, 'Unexpected failure!'],
  ])('exit %i fails with %s', async (rc, msg) => {
    const { d } = await decide({ database: 'passwd', key: 'nobody2' }, [{ match: /getent/, result: { rc } }]);
    expect(d).toMatchObject({ kind: 'fail', msg });
  });

  it('fail_key: false gives the key with null and the message, not a failure', async () => {
    const { d } = await decide({ database: 'group', key: 'nope', fail_key: 'no' }, [
      { match: /getent/, result: { rc: 2 } },
    ]);
    expect(d).toMatchObject({
      kind: 'ok',
      msg: 'One or more supplied key could not be found in the database.',
      facts: { getent_group: { nope: null } },
    });
  });

  it('runs against the real getent of this machine', async () => {
    const r = await h.run('getent', { database: 'group', key: 'root' }, { check: true });
    expect(r.registered['ansible_facts']).toEqual({ getent_group: { root: ['x', '0', ''] } });
    expect(r.changed).toBe(false);
  });
});
