/**
 * The vault format against ansible-vault itself (both directions) when it is
 * installed, plus wrong passwords, tampering, 1.2 headers and the YAML tag.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { parseYaml } from '../../../src/util/yaml.js';
import {
  decryptVault,
  encryptVault,
  forgetRevealed,
  isVaultText,
  parseEnvelope,
  revealedValues,
  setVaultSecrets,
  VaultFormatError,
} from '../../../src/vault/index.js';

const ANSIBLE_VAULT = '/usr/bin/ansible-vault';
const hasAnsible = existsSync(ANSIBLE_VAULT);
const dir = mkdtempSync(path.join(tmpdir(), 'bosun-vault-'));
const pwFile = path.join(dir, 'pw');
writeFileSync(pwFile, 'correct horse\n');
const secret = { id: 'default', password: 'correct horse' };

const ansibleVault = (...args: string[]): string =>
  execFileSync(ANSIBLE_VAULT, [...args, '--vault-password-file', pwFile], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
  });

afterEach(() => {
  setVaultSecrets([]);
  forgetRevealed();
});

describe('vault format', () => {
  it.each([
    ['empty', ''],
    ['one block exactly', '0123456789abcdef'],
    ['text', 'db_password: s3cr3t\nother: "x"\n'],
    ['unicode', 'mot de passe: été ✓ 秘密\n'],
    ['long', 'x'.repeat(1000)],
  ])('round-trips %s', (_name, plain) => {
    const text = encryptVault(plain, secret);
    expect(text.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    expect(
      text
        .split('\n')
        .slice(1, -1)
        .every((l) => l.length <= 80 && /^[0-9a-f]+$/.test(l)),
    ).toBe(true);
    expect(decryptVault(text, [secret]).plaintext.toString('utf8')).toBe(plain);
  });

  it('uses a fresh salt each time', () => {
    expect(encryptVault('same', secret)).not.toBe(encryptVault('same', secret));
  });

  it('refuses a wrong password', () => {
    const text = encryptVault('secret', secret);
    expect(() => decryptVault(text, [{ id: 'default', password: 'wrong' }])).toThrow(
      /Decryption failed \(no vault secrets would decrypt\)/,
    );
    expect(() => decryptVault(text, [])).toThrow(/no vault secrets found/);
  });

  it('refuses a tampered HMAC or ciphertext', () => {
    const text = encryptVault('secret value', secret);
    const env = parseEnvelope(text);
    const inner = Buffer.from(env.body, 'hex').toString('ascii').split('\n');
    const flip = (hex: string): string => (hex.startsWith('0') ? '1' : '0') + hex.slice(1);
    for (const i of [1, 2]) {
      const parts = [...inner];
      parts[i] = flip(parts[i]!);
      const tampered = `$ANSIBLE_VAULT;1.1;AES256\n${Buffer.from(parts.join('\n'), 'ascii').toString('hex')}\n`;
      expect(() => decryptVault(tampered, [secret])).toThrow(VaultFormatError);
      expect(() => decryptVault(tampered, [secret])).toThrow(/Decryption failed/);
    }
  });

  it('reads malformed envelopes as format errors', () => {
    expect(() => parseEnvelope('$ANSIBLE_VAULT;1.1;AES128\n00')).toThrow(/cipher/);
    expect(() => parseEnvelope('$ANSIBLE_VAULT;9.9;AES256\n00')).toThrow(/version/);
    expect(() => parseEnvelope('$ANSIBLE_VAULT;1.1;AES256\nzz')).toThrow(/hexadecimal/);
    expect(isVaultText('  $ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    expect(isVaultText('a: 1')).toBe(false);
  });

  it('writes a 1.2 header with a vault id and prefers the matching secret', () => {
    const text = encryptVault('labelled', { id: 'prod', password: 'p1' });
    expect(text.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    const out = decryptVault(text, [
      { id: 'dev', password: 'p0' },
      { id: 'prod', password: 'p1' },
    ]);
    expect(out.plaintext.toString()).toBe('labelled');
    expect(out.vaultId).toBe('prod');
  });
});

describe.skipIf(!hasAnsible)('compatibility with ansible-vault', () => {
  it('ansible-vault decrypts and views a file bosun encrypted', () => {
    const file = path.join(dir, 'by-bosun.yml');
    writeFileSync(file, encryptVault('api_token: from-bosun-ÿ\n', secret));
    expect(ansibleVault('view', file)).toBe('api_token: from-bosun-ÿ\n');
    ansibleVault('decrypt', file);
    expect(readFileSync(file, 'utf8')).toBe('api_token: from-bosun-ÿ\n');
  });

  it('bosun decrypts a file ansible-vault encrypted (1.1 and 1.2 with an id)', () => {
    const file = path.join(dir, 'by-ansible.yml');
    writeFileSync(file, 'db_password: from-ansible\n');
    ansibleVault('encrypt', file);
    expect(decryptVault(readFileSync(file, 'utf8'), [secret]).plaintext.toString()).toBe('db_password: from-ansible\n');
    const labelled = path.join(dir, 'by-ansible-id.yml');
    writeFileSync(labelled, 'x: 1\n');
    execFileSync(ANSIBLE_VAULT, ['encrypt', labelled, '--vault-id', `prod@${pwFile}`]);
    const text = readFileSync(labelled, 'utf8');
    expect(text.startsWith('$ANSIBLE_VAULT;1.2;AES256;prod\n')).toBe(true);
    expect(decryptVault(text, [{ id: 'prod', password: 'correct horse' }]).plaintext.toString()).toBe('x: 1\n');
  });

  it('an inline value from ansible-vault encrypt_string loads through parseYaml', () => {
    const block = ansibleVault('encrypt_string', 'inline-s3cret', '--name', 'api_token');
    setVaultSecrets([secret]);
    const y = parseYaml(`${block}\nplain: 1\n`, 'vars.yml');
    expect(y.value).toEqual({ api_token: 'inline-s3cret', plain: 1 });
    expect(revealedValues().has('inline-s3cret')).toBe(true);
  });
});

describe('vaults in YAML', () => {
  const inline = (plain: string): string =>
    `api_token: !vault |\n  ${encryptVault(plain, secret).trimEnd().split('\n').join('\n  ')}\nuser: bob\n`;

  it('decrypts !vault scalars and remembers them as revealed', () => {
    setVaultSecrets([secret]);
    expect(parseYaml(inline('tok-123'), 'a.yml').value).toEqual({ api_token: 'tok-123', user: 'bob' });
    expect([...revealedValues()]).toEqual(['tok-123']);
  });

  it('decrypts a whole vaulted file; every string in it is revealed', () => {
    setVaultSecrets([secret]);
    const y = parseYaml(encryptVault('a: one-secret\nb: [two-secret]\nc: 3\n', secret), 'group_vars/all.yml');
    expect(y.value).toEqual({ a: 'one-secret', b: ['two-secret'], c: 3 });
    expect(y.posOf(['b'])).toEqual({ file: 'group_vars/all.yml', line: 2, col: 4 });
    expect(revealedValues().has('one-secret') && revealedValues().has('two-secret')).toBe(true);
  });

  it('a missing password is a positioned VAULT error', () => {
    const err = (() => {
      try {
        parseYaml(inline('x'), 'b.yml');
      } catch (e) {
        return e;
      }
      return undefined;
    })() as BosunError;
    expect(err).toBeInstanceOf(BosunError);
    expect(err.code).toBe('VAULT');
    expect(err.message).toMatch(/Decryption failed \(no vault secrets would decrypt\)/);
    expect(err.source).toEqual({ file: 'b.yml', line: 1, col: 12 });
    expect(err.hint).toMatch(/--vault-password-file/);
  });

  it('!vault on a mapping or a non-vault text is a positioned error, not a crash', () => {
    setVaultSecrets([secret]);
    expect(() => parseYaml('a: !vault {b: 1}\n', 'm.yml')).toThrow(BosunError);
    const err = (() => {
      try {
        parseYaml('a: !vault not a vault\n', 'n.yml');
      } catch (e) {
        return e as BosunError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('VAULT');
    expect(err?.source).toEqual({ file: 'n.yml', line: 1, col: 4 });
  });

  it('a wrong password is a positioned VAULT error', () => {
    setVaultSecrets([{ id: 'default', password: 'nope' }]);
    expect(() => parseYaml(inline('x'), 'c.yml')).toThrow(/Decryption failed \(no vault secrets would decrypt\)/);
    expect(() => parseYaml(encryptVault('a: 1', secret), 'd.yml')).toThrow(BosunError);
  });
});
