/**
 * Files for `bosun vault`: writes that replace a file in one rename (keeping
 * its mode, 0600 for new files), and editing plaintext in a private temporary
 * file (mode 0600 in a 0700 folder) that is removed afterwards, whatever
 * happens.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BosunError } from '../errors.js';
import { splitWords } from '../util/shell.js';

/** Replace (or create) a file through a temporary file in the same folder and a rename. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const mode = await fs.stat(file).then(
    (s) => s.mode & 0o7777,
    () => 0o600,
  );
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Write `plaintext` to a private temporary file, run the editor on it, and
 * return what it holds afterwards. The editor command is $EDITOR (words split
 * like a shell would, no shell run), else $VISUAL, else `vi`.
 */
export async function editInPrivateTemp(plaintext: Buffer, nameHint: string): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'bosun-vault-'));
  try {
    await fs.chmod(dir, 0o700);
    const file = path.join(dir, path.basename(nameHint) || 'vault');
    await fs.writeFile(file, plaintext, { mode: 0o600, flag: 'wx' });
    const editor = process.env['EDITOR'] || process.env['VISUAL'] || 'vi';
    const [cmd, ...args] = splitWords(editor);
    if (!cmd) throw new BosunError('VAULT', 'EDITOR is empty', { hint: 'set EDITOR to your editor, e.g. EDITOR=vi' });
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(cmd, [...args, file], { stdio: 'inherit' });
      child.on('error', (e) =>
        reject(
          new BosunError('VAULT', `cannot start the editor '${editor}': ${e.message}`, {
            hint: 'set EDITOR to your editor',
          }),
        ),
      );
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    if (code !== 0) throw new BosunError('VAULT', `the editor '${editor}' exited with code ${code}: nothing was saved`);
    return await fs.readFile(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
