/**
 * Vault passwords from files, as Ansible reads them: a plain file's text, or,
 * when the file is executable, the standard output of running it; trailing
 * CR/LF removed either way; an empty password is an error.
 */
import { execFile } from 'node:child_process';
import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../errors.js';

/** Read a vault password from a file or an executable script. */
export async function readVaultPasswordFile(file: string): Promise<string> {
  const full = path.resolve(file);
  let executable: boolean;
  try {
    const st = await fs.stat(full);
    if (!st.isFile()) throw new BosunError('VAULT', `the vault password file ${file} is not a file`);
    executable = await fs.access(full, fsc.X_OK).then(
      () => true,
      () => false,
    );
  } catch (e) {
    if (e instanceof BosunError) throw e;
    throw new BosunError('VAULT', `the vault password file ${file} was not found`, {
      hint: 'check --vault-password-file or BOSUN_VAULT_PASSWORD_FILE',
    });
  }
  let raw: string;
  if (executable) {
    raw = await new Promise<string>((resolve, reject) => {
      execFile(full, [], { encoding: 'utf8', maxBuffer: 1 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) {
          reject(new BosunError('VAULT', `the vault password script ${file} failed: ${stderr.trim() || err.message}`));
        } else {
          resolve(stdout);
        }
      });
    });
  } else {
    raw = await fs.readFile(full, 'utf8');
  }
  const password = raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
  if (password === '') {
    throw new BosunError(
      'VAULT',
      `Invalid vault password was provided from ${executable ? 'script' : 'file'} (${file}): it is empty`,
    );
  }
  return password;
}
