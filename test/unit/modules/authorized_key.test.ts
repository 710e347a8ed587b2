/**
 * authorized_key: the collection's parsing, comparison and serialising, and
 * the decisions against a scripted target (hostile users, paths and
 * comments quoted as one word each).
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { parseKey, parseKeys, parseOptions, sameOptions, serializeKeys } from '../../../src/modules/lib/ssh-keys.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
const K1 = 'ssh-ed25519 AAAAkey1 alice@x';

function target(content: string, user = 'U 1001 1001 /home/bob') {
  const stdout = `${user}\nK ${Buffer.from('/home/bob/.ssh/authorized_keys').toString('base64')}\n${content ? `F\n${Buffer.from(content).toString('base64')}\n` : ''}`;
  return new FakeConnection([{ match: /getent passwd/, result: { stdout } }]);
}
async function decide(args: Record<string, unknown>, conn: FakeConnection, check = true) {
  return getModule('authorized_key')!.decide({ ...h.context({ check }), conn }, args);
}

describe('ssh key lines (ansible.posix 1.5.4)', () => {
  it('parses options, type, key and comment; a line without a known type is no key', () => {
    expect(parseKey('no-pty,from="a,b" ssh-rsa AAAA c o m\n', 0)).toEqual({
      key: 'AAAA',
      type: 'ssh-rsa',
      options: [
        ['no-pty', null],
        ['from', '"a,b"'],
      ],
      comment: 'c o m',
      rank: 0,
    });
    expect(parseKey('hello world\n', 3)).toBeUndefined();
    expect(parseKey('# ssh-rsa AAAA\n', 1)).toMatchObject({ type: 'skipped' });
  });

  it('compares options as Python dicts (order of names does not matter, repeats do)', () => {
    expect(sameOptions(parseOptions('a,b=1'), parseOptions('b=1,a'))).toBe(true);
    expect(sameOptions(parseOptions('a,a'), parseOptions('a'))).toBe(false);
  });

  it('serialises in rank order, keeping other lines, with a space before an empty comment', () => {
    const keys = parseKeys('# head\nssh-rsa AAAA\n\nssh-ed25519 BBBB b\n');
    expect(serializeKeys(keys)).toBe('# head\nssh-rsa AAAA \n\nssh-ed25519 BBBB b\n');
  });
});

describe('authorized_key decisions', () => {
  it('a key that is there is ok; one with another comment is replaced at the end', async () => {
    expect(await decide({ user: 'bob', key: K1 }, target(`${K1}\n`))).toMatchObject({ kind: 'ok' });
    const d = await decide({ user: 'bob', key: K1, comment: 'new' }, target(`${K1}\nssh-rsa CCCC c\n`));
    expect(d).toMatchObject({ kind: 'change', diff: [{ after: 'ssh-rsa CCCC c\nssh-ed25519 AAAAkey1 new\n' }] });
  });

  it('exclusive drops every other line; absent removes the key', async () => {
    const exclusive = await decide({ user: 'bob', key: K1, exclusive: true }, target(`# c\n${K1}\nssh-rsa CCCC\n`));
    expect(exclusive).toMatchObject({ diff: [{ after: `${K1}\n` }] });
    const absent = await decide({ user: 'bob', key: K1, state: 'absent' }, target(`${K1}\nssh-rsa CCCC\n`));
    expect(absent).toMatchObject({ diff: [{ after: 'ssh-rsa CCCC \n' }] });
  });

  it('fails on an invalid key and on a missing user, in the collection words', async () => {
    expect(await decide({ user: 'bob', key: 'nokey AAAA' }, target(''))).toMatchObject({
      kind: 'fail',
      msg: 'invalid key specified: nokey AAAA',
    });
    expect(await decide({ user: 'nobody2', key: K1 }, target('', ''), false)).toMatchObject({
      kind: 'fail',
      msg: `Failed to lookup user nobody2: "getpwnam(): name not found: 'nobody2'"`,
    });
    expect(await decide({ user: 'nobody2', key: K1 }, target('', ''))).toMatchObject({
      msg: 'Either user must exist or you must provide full path to key file in check mode',
    });
  });

  it('hostile user, path and comment reach the target as one word each; the write makes the folder 0700', async () => {
    const user = "-x '$(touch /tmp/pwned)'";
    const path = '/tmp/a b/$(x)/keys';
    const conn = target('');
    const d = await decide({ user, key: K1, path, comment: '`id` $(id)' }, conn, false);
    expect(conn.scripts[0]).toContain(`getent passwd -- ${shq(user)}`);
    expect(conn.scripts[0]).toContain(`bosun_k=${shq(path)}`);
    if (d.kind !== 'change') throw new Error(d.kind);
    expect(d.diff?.[0]?.after).toBe('ssh-ed25519 AAAAkey1 `id` $(id)\n');
    await d.apply();
    expect(conn.scripts[1]).toContain(`mkdir -m 0700 -- ${shq('/tmp/a b/$(x)')}`);
    expect(conn.scripts[1]).toContain(`chmod 0700 -- ${shq('/tmp/a b/$(x)')}`);
    expect(conn.scripts[1]).toContain(`chown ${shq('1001:1001')} -- ${shq('/tmp/a b/$(x)')}`);
    expect(conn.scripts[1]).toContain(`printf 'Failed to create directory %s\\n' ${shq('/tmp/a b/$(x)')}`);
  });

  it('keys from URLs are refused clearly', async () => {
    expect(await decide({ user: 'bob', key: 'https://github.com/bob.keys' }, target(''))).toMatchObject({
      kind: 'fail',
      msg: 'keys from URLs are not supported by bosun: fetch https://github.com/bob.keys with get_url or uri first',
    });
  });
});
