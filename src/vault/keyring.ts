/**
 * The vault secrets of this process and the values they revealed. YAML
 * loading (`src/util/yaml.ts`) has many callers across layers; rather than
 * thread a password through every one of them, the CLI sets the secrets once
 * before anything is loaded (`setVaultSecrets`), and every value a vault
 * reveals is remembered here so the secret masker can hide it in output.
 */
import { BosunError, type SourcePos } from '../errors.js';
import { decryptVault, VaultFormatError, type VaultSecret } from './format.js';

let secrets: VaultSecret[] = [];
const revealed = new Set<string>();

/** Set the secrets that loading decrypts vaults with (replaces earlier ones; [] forgets them). */
export function setVaultSecrets(list: readonly VaultSecret[]): void {
  secrets = [...list];
}

/** The secrets set with setVaultSecrets. */
export function vaultSecrets(): readonly VaultSecret[] {
  return secrets;
}

/** Remember a value that came out of a vault (so output can mask it). */
export function rememberRevealed(value: string): void {
  if (value.length > 0) revealed.add(value);
}

/** Every value revealed by a vault in this process so far. */
export function revealedValues(): ReadonlySet<string> {
  return revealed;
}

/** Forget revealed values (tests). */
export function forgetRevealed(): void {
  revealed.clear();
}

/**
 * Decrypt a vault text found while loading `where` with the process's
 * secrets; failures are positioned VAULT errors.
 */
export function decryptForLoad(text: string, where: SourcePos): string {
  return decryptForBytes(text, where).toString('utf8');
}

/** decryptForLoad's bytes (a vaulted file copied as it is, which need not be text). */
export function decryptForBytes(text: string, where: SourcePos): Buffer {
  try {
    return decryptVault(text, secrets).plaintext;
  } catch (e) {
    if (!(e instanceof VaultFormatError)) throw e;
    const hint =
      secrets.length === 0
        ? 'give the vault password with --vault-password-file FILE, --ask-vault-pass or BOSUN_VAULT_PASSWORD_FILE'
        : e.kind === 'secret'
          ? 'the vault password given is not the one this value was encrypted with'
          : undefined;
    const message =
      e.kind === 'secret'
        ? 'Decryption failed (no vault secrets would decrypt)' +
          (secrets.length === 0 ? ': no vault password was given' : '')
        : e.message;
    throw new BosunError('VAULT', message, { source: where, ...(hint ? { hint } : {}) });
  }
}
