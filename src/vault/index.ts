/**
 * Ansible Vault for bosun: the 1.1/1.2 format, the process's secrets and the
 * values they revealed, and password files.
 */
export {
  decryptVault,
  encryptVault,
  isVaultText,
  parseEnvelope,
  VAULT_HEADER,
  VaultFormatError,
  type VaultEnvelope,
  type VaultSecret,
} from './format.js';
export {
  decryptForLoad,
  forgetRevealed,
  rememberRevealed,
  revealedValues,
  setVaultSecrets,
  vaultSecrets,
} from './keyring.js';
export { readVaultPasswordFile } from './password.js';
export { VaultedValue, vaultTag } from './yaml-tag.js';
export { editInPrivateTemp, writeFileAtomic } from './files.js';
