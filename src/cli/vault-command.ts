/**
 * `bosun vault encrypt|decrypt|view|edit|create|encrypt_string|rekey`, the
 * subcommands of ansible-vault, on files in Ansible Vault 1.1/1.2 format.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { BosunError } from '../errors.js';
import type { VaultSecret } from '../vault/index.js';
import type { CliContext, CliIO } from './context.js';
import { addVaultOptions, promptVaultPassword, resolveVaultSecrets, type VaultFlags } from './run-vault-options.js';

type Vault = typeof import('../vault/index.js');
const NO_PASSWORD_HINT = 'use --vault-password-file FILE, --ask-vault-pass or BOSUN_VAULT_PASSWORD_FILE';
const vaultLib = (): Promise<Vault> => import('../vault/index.js');

/** Register `bosun vault`. */
export function registerVault(program: Command, { io, setExit }: CliContext): void {
  const vault = program
    .command('vault')
    .description('encrypt and decrypt files and values in Ansible Vault format (like ansible-vault)');
  const done = (code = 0): void => setExit(code);

  addVaultOptions(
    vault
      .command('encrypt')
      .description('encrypt files in place (or to --output)')
      .argument('<file...>', 'files to encrypt; - for standard input')
      .option('--output <file>', 'write here instead of in place; - for standard output')
      .option('--encrypt-vault-id <id>', 'the vault id to encrypt with (when several are given)'),
  ).action(async (files, o) => {
    const v = await vaultLib();
    const secret = await encryptSecret(o, io);
    for (const file of files) {
      const data = await readInput(file);
      if (v.isVaultText(data.toString('utf8'))) throw new BosunError('VAULT', `input is already encrypted: ${file}`);
      await writeOutput(o.output ?? file, v.encryptVault(data, secret), io);
    }
    io.err('Encryption successful\n');
    done();
  });

  addVaultOptions(
    vault
      .command('decrypt')
      .description('decrypt vaulted files in place (or to --output)')
      .argument('<file...>', 'files to decrypt; - for standard input')
      .option('--output <file>', 'write here instead of in place; - for standard output'),
  ).action(async (files, o) => {
    const secrets = await needSecrets(o, io);
    for (const file of files) await writeOutput(o.output ?? file, await decryptFile(file, secrets), io);
    io.err('Decryption successful\n');
    done();
  });

  addVaultOptions(
    vault.command('view').description('show the plaintext of vaulted files').argument('<file...>', 'files to show'),
  ).action(async (files, o) => {
    const secrets = await needSecrets(o, io);
    for (const file of files) io.out((await decryptFile(file, secrets)).toString('utf8'));
    done();
  });

  addVaultOptions(
    vault
      .command('edit')
      .description('decrypt to a private temporary file, run $EDITOR, encrypt again')
      .argument('<file>', 'the vaulted file'),
  ).action(async (file, o) => {
    const v = await vaultLib();
    const secrets = await needSecrets(o, io);
    const text = await readText(file);
    const opened = openVault(v, text, file, secrets);
    const edited = await v.editInPrivateTemp(opened.plaintext, file);
    if (!edited.equals(opened.plaintext)) {
      await v.writeFileAtomic(
        file,
        v.encryptVault(edited, { id: opened.vaultId ?? 'default', password: opened.secret.password }),
      );
    }
    done();
  });

  addVaultOptions(
    vault
      .command('create')
      .description('write a new vaulted file with $EDITOR')
      .argument('<file>', 'the new file')
      .option('--encrypt-vault-id <id>', 'the vault id to encrypt with'),
  ).action(async (file, o) => {
    const v = await vaultLib();
    if (
      await fs.stat(file).then(
        () => true,
        () => false,
      )
    )
      throw new BosunError('VAULT', `${file} exists: use bosun vault edit`);
    const secret = await encryptSecret(o, io);
    const content = await v.editInPrivateTemp(Buffer.alloc(0), file);
    await v.writeFileAtomic(file, v.encryptVault(content, secret));
    done();
  });

  addVaultOptions(
    vault
      .command('encrypt_string')
      .description('encrypt a value and print it as a !vault YAML block')
      .argument('[value...]', 'the value(s); read from standard input when none')
      .option(
        '-n, --name <name>',
        'variable name for the value (repeatable, one per value)',
        (v: string, p: string[]) => [...p, v],
        [] as string[],
      )
      .option('--stdin-name <name>', 'variable name for the value read from standard input')
      .option('--encrypt-vault-id <id>', 'the vault id to encrypt with'),
  ).action(async (values, o) => {
    const v = await vaultLib();
    const secret = await encryptSecret(o, io);
    const items: Array<{ name: string | undefined; value: string }> =
      values.length > 0
        ? values.map((value, i) => ({ name: o.name[i], value }))
        : [{ name: o.stdinName ?? o.name[0], value: (await readInput('-')).toString('utf8') }];
    for (const { name, value } of items) {
      const body = v
        .encryptVault(value, secret)
        .trimEnd()
        .split('\n')
        .map((l) => `          ${l}`)
        .join('\n');
      io.out(`${name !== undefined ? `${name}: ` : ''}!vault |\n${body}\n`);
    }
    io.err('Encryption successful\n');
    done();
  });

  addVaultOptions(
    vault
      .command('rekey')
      .description('encrypt vaulted files again with a new password')
      .argument('<file...>', 'the vaulted files')
      .option('--new-vault-password-file <file>', 'the new password file (or script)')
      .option('--new-vault-id <id>', 'the vault id for the new password'),
  ).action(async (files, o) => {
    const v = await vaultLib();
    const secrets = await needSecrets(o, io);
    const password = o.newVaultPasswordFile
      ? await v.readVaultPasswordFile(o.newVaultPasswordFile)
      : await confirmedPassword('New Vault password: ', io);
    for (const file of files) {
      const opened = openVault(v, await readText(file), file, secrets);
      await v.writeFileAtomic(
        file,
        v.encryptVault(opened.plaintext, { id: o.newVaultId ?? opened.vaultId ?? 'default', password }),
      );
    }
    io.err('Rekey successful\n');
    done();
  });
}

/** The secrets given, or an error saying how to give one. */
async function needSecrets(flags: VaultFlags, io: CliIO): Promise<VaultSecret[]> {
  const secrets = await resolveVaultSecrets(flags, io);
  if (secrets.length > 0) return secrets;
  if (process.stdin.isTTY) return [{ id: 'default', password: await promptVaultPassword('Vault password: ', io) }];
  throw new BosunError('VAULT', 'no vault password was given', { hint: NO_PASSWORD_HINT });
}

/** The one secret to encrypt with: --encrypt-vault-id's, the only one given, or asked twice. */
async function encryptSecret(flags: VaultFlags & { encryptVaultId?: string }, io: CliIO): Promise<VaultSecret> {
  const secrets = await resolveVaultSecrets(flags, io);
  if (flags.encryptVaultId !== undefined) {
    const found = secrets.find((s) => s.id === flags.encryptVaultId);
    if (!found) throw new BosunError('VAULT', `no vault secret with id '${flags.encryptVaultId}' was given`);
    return found;
  }
  if (secrets.length > 1)
    throw new BosunError('VAULT', 'several vault secrets were given: choose one with --encrypt-vault-id');
  if (secrets[0]) return secrets[0];
  if (!process.stdin.isTTY) throw new BosunError('VAULT', 'no vault password was given', { hint: NO_PASSWORD_HINT });
  return { id: 'default', password: await confirmedPassword('New Vault password: ', io) };
}

async function confirmedPassword(prompt: string, io: CliIO): Promise<string> {
  const first = await promptVaultPassword(prompt, io);
  const again = await promptVaultPassword(`Confirm ${prompt}`, io);
  if (first !== again) throw new BosunError('VAULT', 'Passwords do not match');
  return first;
}

function openVault(v: Vault, text: string, file: string, secrets: VaultSecret[]): ReturnType<Vault['decryptVault']> {
  if (!v.isVaultText(text)) throw new BosunError('VAULT', `input is not vault encrypted data: ${file}`);
  try {
    return v.decryptVault(text, secrets);
  } catch (e) {
    if (e instanceof v.VaultFormatError) throw new BosunError('VAULT', `${e.message} on ${file}`);
    throw e;
  }
}

async function decryptFile(file: string, secrets: VaultSecret[]): Promise<Buffer> {
  return openVault(await vaultLib(), await readText(file), file, secrets).plaintext;
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new BosunError('FILE_NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
  }
}

async function readText(file: string): Promise<string> {
  return (await readInput(file)).toString('utf8');
}

async function writeOutput(file: string, data: string | Buffer, io: CliIO): Promise<void> {
  if (file === '-') {
    io.out(typeof data === 'string' ? data : data.toString('utf8'));
    return;
  }
  const { writeFileAtomic } = await vaultLib();
  await writeFileAtomic(path.resolve(file), data);
}
