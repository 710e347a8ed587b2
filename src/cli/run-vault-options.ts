/**
 * The vault options every command that loads user files takes
 * (`--vault-password-file`, `--vault-id`, `--ask-vault-pass`, env
 * `BOSUN_VAULT_PASSWORD_FILE`), and turning them into the process's vault
 * secrets before anything is loaded.
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { BosunError } from '../errors.js';
import type { VaultSecret } from '../vault/index.js';
import { collect, type CliIO } from './context.js';
import { option } from './option-spec.js';
import { askSecret } from './prompt.js';

/** The parsed vault options. */
export interface VaultFlags {
  vaultPasswordFile: string[];
  vaultId: string[];
  askVaultPass: boolean;
}

/** The vault entries of the `run` option table (see run-options.ts); the CLI reads them before loading anything. */
export const VAULT_OPTIONS = {
  vaultPasswordFile: option({
    flags: '--vault-password-file <file>',
    description: 'vault password file, or an executable printing it (repeatable; or set BOSUN_VAULT_PASSWORD_FILE)',
    parse: collect,
    default: [] as string[],
    doc: 'the password for vaulted files and `!vault` values, or an executable printing it (repeatable; or `BOSUN_VAULT_PASSWORD_FILE`); see [vault.md](vault.md)',
  }),
  vaultId: option({
    flags: '--vault-id <id>',
    description: 'a labelled vault secret: LABEL@FILE or LABEL@prompt (repeatable)',
    parse: collect,
    default: [] as string[],
    doc: 'a labelled vault secret: `LABEL@FILE` or `LABEL@prompt` (repeatable)',
  }),
  askVaultPass: option({
    flags: '-J, --ask-vault-pass',
    description: 'ask for the vault password (no echo)',
    default: false,
  }),
} as const;

/** Add the vault options to a command (chain it before `.action`). */
export function addVaultOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  cmd: Command<Args, Opts, Globals>,
) {
  const [file, id, ask] = [VAULT_OPTIONS.vaultPasswordFile, VAULT_OPTIONS.vaultId, VAULT_OPTIONS.askVaultPass];
  return cmd
    .option(file.flags, file.description, collect, [] as string[])
    .option(id.flags, id.description, collect, [] as string[])
    .option(ask.flags, ask.description, false);
}

/** Ask for a password on the terminal; a clear error without one. */
export async function promptVaultPassword(prompt: string, io: CliIO, flag = '--ask-vault-pass'): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new BosunError('BAD_OPTION', `${flag} needs a terminal to ask on`, {
      hint: 'use --vault-password-file FILE (or BOSUN_VAULT_PASSWORD_FILE) when there is no terminal',
    });
  }
  const password = await askSecret(prompt, io);
  if (password === '') throw new BosunError('VAULT', 'Invalid vault password was provided: it is empty');
  return password;
}

/** The vault secrets the flags (and BOSUN_VAULT_PASSWORD_FILE) name, in the order given. */
export async function resolveVaultSecrets(flags: Partial<VaultFlags>, io: CliIO): Promise<VaultSecret[]> {
  const { readVaultPasswordFile } = await import('../vault/index.js');
  const secrets: VaultSecret[] = [];
  const files = [...(flags.vaultPasswordFile ?? [])];
  const envFile = process.env['BOSUN_VAULT_PASSWORD_FILE'];
  if (files.length === 0 && (flags.vaultId ?? []).length === 0 && !flags.askVaultPass && envFile) files.push(envFile);
  for (const file of files) secrets.push({ id: 'default', password: await readVaultPasswordFile(file) });
  for (const spec of flags.vaultId ?? []) {
    const at = spec.indexOf('@');
    const id = at > 0 ? spec.slice(0, at) : 'default';
    const source = at > 0 ? spec.slice(at + 1) : spec;
    const password =
      source === 'prompt'
        ? await promptVaultPassword(`Vault password (${id}): `, io, '--vault-id …@prompt')
        : await readVaultPasswordFile(source);
    secrets.push({ id, password });
  }
  if (flags.askVaultPass) secrets.push({ id: 'default', password: await promptVaultPassword('Vault password: ', io) });
  return secrets;
}

/** Resolve the vault flags and make them the secrets that loading uses; call before loading any file. */
export async function applyVaultOptions(flags: Partial<VaultFlags>, io: CliIO): Promise<void> {
  const given =
    (flags.vaultPasswordFile?.length ?? 0) > 0 ||
    (flags.vaultId?.length ?? 0) > 0 ||
    flags.askVaultPass === true ||
    Boolean(process.env['BOSUN_VAULT_PASSWORD_FILE']);
  // Without any vault option the secrets a library caller set stay as they are (a CLI process starts with none).
  if (!given) return;
  const { setVaultSecrets } = await import('../vault/index.js');
  setVaultSecrets(await resolveVaultSecrets(flags, io));
}
