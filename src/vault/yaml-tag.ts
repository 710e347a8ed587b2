/**
 * The `!vault` YAML tag: a scalar holding a vault text. Parsing turns it into
 * a VaultedValue, which `src/util/yaml.ts` decrypts (with its position for
 * errors) before the document becomes plain values.
 */
import type { ScalarTag } from 'yaml';

/** A `!vault`-tagged scalar not yet decrypted: the vault text as written. */
export class VaultedValue {
  /** The vault text (`$ANSIBLE_VAULT;1.1;AES256` and the hex lines). */
  readonly vaultText: string;

  constructor(vaultText: string) {
    this.vaultText = vaultText;
  }

  /** Never show the ciphertext's plaintext by accident: a VaultedValue prints as a placeholder. */
  toString(): string {
    return '<vaulted>';
  }
}

/** The custom tag for `parseDocument(..., { customTags: [vaultTag] })`. */
export const vaultTag: ScalarTag = {
  tag: '!vault',
  identify: (value) => value instanceof VaultedValue,
  resolve: (str) => new VaultedValue(str),
  stringify: (item) => (item.value as VaultedValue).vaultText,
};
