/**
 * rpm_key against a scripted RPM host: key ids normalized, which keys are in read from gpg's colon listing,
 * import and erase commands, the fingerprint check, a missing rpm refused, and hostile key paths kept as
 * one quoted word after `--`.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { normalizeKeyId } from '../../../src/modules/rpm_key.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection, type FakeRule } from './fake-connection.js';

const h = new ModuleHarness();
const decide = (rules: FakeRule[], args: Record<string, unknown>) => {
  const conn = new FakeConnection(rules);
  return { conn, decision: getModule('ansible.builtin.rpm_key')!.decide({ ...h.context(), conn }, args) };
};
const installed = 'INSTALLED\nI pub:-:4096:1:AABBCCDDDEADBEEF:1:::-:\n';

describe('rpm_key', () => {
  it('normalizes key ids as the module does', () => {
    expect(normalizeKeyId(' 0xdeadbeef ')).toBe('DEADBEEF');
    expect(normalizeKeyId('0XAbCdEf12')).toBe('ABCDEF12');
  });

  it("a host without rpm: Ansible's message with the folders searched", async () => {
    const { decision } = decide([{ match: /bosun_rpm/, result: { stdout: 'NOBIN rpm /usr/bin:/bin:/sbin\n' } }], {
      key: 'DEADBEEF',
    });
    expect(await decision).toMatchObject({
      kind: 'fail',
      msg: 'Failed to find required executable "rpm" in paths: /usr/bin:/bin:/sbin',
    });
  });

  it('a key id already in is ok; absent erases it by its last 8 digits', async () => {
    expect(
      (await decide([{ match: /bosun_rpm/, result: { stdout: installed } }], { key: '0xdeadbeef' }).decision).kind,
    ).toBe('ok');
    const { conn, decision } = decide([{ match: /bosun_rpm/, result: { stdout: installed } }], {
      key: 'DEADBEEF',
      state: 'absent',
    });
    const d = await decision;
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts.at(-1)).toBe('rpm --erase --allmatches gpg-pubkey-deadbeef');
  });

  it('a key id that is not in cannot be imported; a hostile file path is one word after --', async () => {
    expect(await decide([], { key: 'DEADBEEF' }).decision).toMatchObject({
      msg: 'When importing a key, a valid file must be given',
    });
    const path = "-x $(touch /tmp/p) 'q'";
    const listing = 'KEYFILE\npub:-:4096:1:1122334455667788:1:::-:\nfpr:::::::::AAAA1111:\n';
    const { conn, decision } = decide([{ match: /bosun_rpm/, result: { stdout: listing } }], { key: path });
    const d = await decision;
    expect(conn.scripts[0]).toContain(`--with-fingerprint -- ${shq(path)}`);
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts.at(-1)).toBe(`rpm --import -- ${shq(path)}`);
    const bad = decide([{ match: /bosun_rpm/, result: { stdout: listing } }], { key: path, fingerprint: 'aaaa 2222' });
    expect(await bad.decision).toMatchObject({
      msg: "The specified fingerprint, 'AAAA2222', does not match the key fingerprint 'AAAA1111'",
    });
  });

  it('a path that is not there is not a valid key', async () => {
    expect(await decide([], { key: '/no/such.asc' }).decision).toMatchObject({ msg: 'Not a valid key /no/such.asc' });
  });
});
