/**
 * copy's `decrypt`: a controller file that is a vault (its first bytes are
 * `$ANSIBLE_VAULT;`) is decrypted with the run's vault secrets before it is
 * sent, as Ansible's loader does for copy and template sources.
 */
import { promises as fs } from 'node:fs';
import type { SourcePos } from '../../errors.js';
import { VAULT_HEADER } from '../../vault/format.js';
import { decryptForBytes } from '../../vault/keyring.js';

/** Whether the controller file `file` starts like a vault. */
export async function isVaultFile(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(VAULT_HEADER.length + 1);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('latin1') === `${VAULT_HEADER};`;
  } finally {
    await handle.close();
  }
}

/** The plaintext of the vault file `file`, or undefined when it is not a vault. Failures name `where`. */
export async function decryptedFile(file: string, where: SourcePos): Promise<Buffer | undefined> {
  if (!(await isVaultFile(file))) return undefined;
  return decryptForBytes(await fs.readFile(file, 'utf8'), where);
}
