/**
 * apt_key: key ids as ansible-core 2.14 reads and compares them (gpg's long and colon listings, 8/16/40-digit
 * ids), its refusal without apt-key or gpg, and hostile file names and ids against a scripted target.
 */
import { describe, expect, it } from 'vitest';
import { parseKeyId, parseKeyIds } from '../../../src/modules/apt_key.js';
import { getModule } from '../../../src/modules/index.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();

describe('apt_key ids (ansible-core 2.14)', () => {
  it('reads pub and sub lines, skips expired ones, in both listings', () => {
    const long =
      'pub   rsa4096/DCC9EFBF77E11517 2021-08-14 [SC]\nsub   ed25519/1111222233334444 2021 [expired: 2022]\nuid x\n';
    expect(parseKeyIds(long)).toEqual(['DCC9EFBF77E11517']);
    expect(parseKeyIds('pub:-:255:22:A1D6B838412280D1:1796276809:::-:\nuid:::::::x:\n', true)).toEqual(['412280D1']);
  });

  it.each<[string, [string, string, string] | undefined]>([
    ['0xa1d6b838412280d1', ['412280D1', 'A1D6B838412280D1', 'A1D6B838412280D1']],
    ['FF89C703', ['FF89C703', 'FF89C703', 'FF89C703']],
    [
      '0123456789ABCDEF0123456789ABCDEF01234567',
      ['01234567', '89ABCDEF01234567', '0123456789ABCDEF0123456789ABCDEF01234567'],
    ],
    ['12345', undefined],
    ['-x $(id)', undefined],
  ])('%j', (id, want) => expect(parseKeyId(id)).toEqual(want));
});

describe('apt_key commands', () => {
  it('refuses clearly without apt-key or gpg, in Ansible words', async () => {
    const conn = new FakeConnection([{ match: /./, result: { stdout: 'MISSING apt-key\n' } }]);
    expect(await getModule('apt_key')!.decide({ ...h.context(), conn }, { id: 'FF89C703' })).toMatchObject({
      kind: 'fail',
      msg: /^Failed to find required executable "apt-key" in paths: /,
    });
  });

  it('a hostile file and keyring are quoted words', async () => {
    const file = "-k '$(touch /tmp/p)'";
    const conn = new FakeConnection([
      { match: /list-public-keys/, result: { stdout: 'LIST\nRC 0\nFILE\npub:-:1:1:A1D6B838412280D1:\nFRC 0\n' } },
    ]);
    const d = await getModule('apt_key')!.decide({ ...h.context(), conn }, { file, keyring: file });
    expect(conn.scripts[0]).toContain(`gpg --with-colons ${shq(file)}`);
    expect(conn.scripts[0]).toContain(`apt-key --keyring ${shq(file)} adv`);
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts[1]).toBe(`apt-key --keyring ${shq(file)} add ${shq(file)} 2>&1`);
  });
});
