/**
 * Vault passwords: files and executable scripts as Ansible reads them, the
 * vault options of the CLI, and the excerpt of an error inside a vaulted file.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveVaultSecrets } from '../../../src/cli/run-vault-options.js';
import { BosunError, formatError } from '../../../src/errors.js';
import { parseYaml } from '../../../src/util/yaml.js';
import { encryptVault, readVaultPasswordFile, setVaultSecrets } from '../../../src/vault/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-vault-pw-'));
const write = (name: string, text: string, mode = 0o600): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
};
const io = { out: (): void => {}, err: (): void => {}, isTTY: false };

afterEach(() => {
  setVaultSecrets([]);
  delete process.env['BOSUN_VAULT_PASSWORD_FILE'];
});

describe('readVaultPasswordFile', () => {
  it.each([
    ['a plain file, newline removed', 'plain', 'pw one\n', 0o600, 'pw one'],
    ['CRLF removed, inner spaces kept', 'crlf', '  pw two \r\n', 0o600, '  pw two '],
    ['an executable script prints it', 'script.sh', "#!/bin/sh\necho 'from script'\n", 0o700, 'from script'],
  ])('%s', async (_title, name, text, mode, want) => {
    expect(await readVaultPasswordFile(write(name, text, mode))).toBe(want);
  });

  it('an empty password, a missing file and a failing script are VAULT errors', async () => {
    await expect(readVaultPasswordFile(write('empty', '\n'))).rejects.toThrow(
      /Invalid vault password was provided from file/,
    );
    await expect(readVaultPasswordFile(path.join(dir, 'missing'))).rejects.toThrow(/was not found/);
    await expect(
      readVaultPasswordFile(write('fail.sh', '#!/bin/sh\necho broken >&2\nexit 3\n', 0o700)),
    ).rejects.toThrow(/failed: broken/);
  });
});

describe('resolveVaultSecrets', () => {
  it('reads files, labelled ids and BOSUN_VAULT_PASSWORD_FILE (only when no option is given)', async () => {
    const a = write('a', 'aaa\n');
    const b = write('b', 'bbb\n');
    expect(await resolveVaultSecrets({ vaultPasswordFile: [a], vaultId: [`prod@${b}`] }, io)).toEqual([
      { id: 'default', password: 'aaa' },
      { id: 'prod', password: 'bbb' },
    ]);
    process.env['BOSUN_VAULT_PASSWORD_FILE'] = b;
    expect(await resolveVaultSecrets({}, io)).toEqual([{ id: 'default', password: 'bbb' }]);
    expect(await resolveVaultSecrets({ vaultPasswordFile: [a] }, io)).toEqual([{ id: 'default', password: 'aaa' }]);
  });

  it('--ask-vault-pass without a terminal is a clear BAD_OPTION error', async () => {
    const err = (await resolveVaultSecrets({ askVaultPass: true }, io).catch((e: unknown) => e)) as BosunError;
    expect(err.code).toBe('BAD_OPTION');
    expect(err.message).toBe('--ask-vault-pass needs a terminal to ask on');
  });
});

describe('errors inside a vaulted file', () => {
  it('are positioned in the plaintext and their excerpt hides the values', () => {
    const secret = { id: 'default', password: 'x-pass' };
    setVaultSecrets([secret]);
    const file = path.join(dir, 'vaulted.yml');
    const err = (() => {
      try {
        parseYaml(encryptVault('db_password: top-secret-1\nbroken: [unclosed\n', secret), file);
      } catch (e) {
        return e as BosunError;
      }
      throw new Error('expected a YAML error');
    })();
    expect(err.code).toBe('YAML_SYNTAX');
    const shown = formatError(err);
    expect(shown).not.toContain('top-secret-1');
    expect(shown).not.toContain('unclosed');
    expect(shown).toContain(`${file}:`);
  });
});
