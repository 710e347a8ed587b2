/**
 * Ansible Vault's file format, 1.1 (and 1.2, which only adds a vault id to the
 * header), with node:crypto only. The facts, from ansible-core's
 * `lib/ansible/parsing/vault/__init__.py` (VaultAES256):
 * - PBKDF2-HMAC-SHA256, 10000 iterations, a 32-byte random salt, 80 bytes
 *   derived: AES key (32), HMAC key (32), CTR counter block (16);
 * - PKCS#7 padding to 16 bytes, then AES-256-CTR;
 * - HMAC-SHA256 over the ciphertext, compared in constant time;
 * - body = hex(hex(salt) "\n" hex(hmac) "\n" hex(ciphertext)), in lines of 80.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { VaultFormatError } from '../errors.js';

/** The first word of every vault text. */
export const VAULT_HEADER = '$ANSIBLE_VAULT';

/** A password to encrypt or decrypt with, and the vault id it is known by (`default` when none). */
export interface VaultSecret {
  id: string;
  password: string;
}

/** Why a vault text could not be opened (a BosunError with code VAULT). */
export { VaultFormatError } from '../errors.js';

/** The parsed header and hex body of a vault text. */
export interface VaultEnvelope {
  version: string;
  cipher: string;
  /** The vault id of a 1.2 header, or undefined. */
  vaultId: string | undefined;
  /** The hex body with the line breaks removed. */
  body: string;
}

const ITERATIONS = 10000;
const KEY_LENGTH = 32;
const IV_LENGTH = 16;
const SALT_LENGTH = 32;

/** True when the text is a vault (starts with `$ANSIBLE_VAULT;`). */
export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(`${VAULT_HEADER};`);
}

/** Split a vault text into its header fields and body. */
export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = (lines[0] ?? '').split(';').map((p) => p.trim());
  if (header[0] !== VAULT_HEADER || header.length < 3)
    throw new VaultFormatError('format', 'not a vault: the first line must be $ANSIBLE_VAULT;1.1;AES256');
  const [, version = '', cipher = ''] = header;
  if (version !== '1.1' && version !== '1.2')
    throw new VaultFormatError('format', `unsupported vault version ${version} (1.1 and 1.2 are)`);
  if (cipher !== 'AES256') throw new VaultFormatError('format', `unsupported vault cipher ${cipher} (AES256 is)`);
  const body = lines.slice(1).join('');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(body))
    throw new VaultFormatError('format', 'Vault format unhexlify error: the body is not hexadecimal');
  return { version, cipher, vaultId: header[3] || undefined, body };
}

function deriveKeys(password: string, salt: Buffer): { aesKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const derived = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 2 * KEY_LENGTH + IV_LENGTH, 'sha256');
  return {
    aesKey: derived.subarray(0, KEY_LENGTH),
    hmacKey: derived.subarray(KEY_LENGTH, 2 * KEY_LENGTH),
    iv: derived.subarray(2 * KEY_LENGTH),
  };
}

function pkcs7Pad(data: Buffer): Buffer {
  const n = 16 - (data.length % 16);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function pkcs7Unpad(data: Buffer): Buffer | undefined {
  const n = data[data.length - 1];
  if (n === undefined || n < 1 || n > 16 || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}

/** Encrypt to a vault text (1.1, or 1.2 when a vault id other than `default` is given), ending in a newline. */
export function encryptVault(plaintext: string | Buffer, secret: VaultSecret, opts: { salt?: Buffer } = {}): string {
  const salt = opts.salt ?? randomBytes(SALT_LENGTH);
  const { aesKey, hmacKey, iv } = deriveKeys(secret.password, salt);
  const cipher = createCipheriv('aes-256-ctr', aesKey, iv);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const ciphertext = Buffer.concat([cipher.update(pkcs7Pad(data)), cipher.final()]);
  const hmac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const inner = `${salt.toString('hex')}\n${hmac.toString('hex')}\n${ciphertext.toString('hex')}`;
  const body = Buffer.from(inner, 'ascii').toString('hex');
  const withId = secret.id !== '' && secret.id !== 'default';
  const header = withId ? `${VAULT_HEADER};1.2;AES256;${secret.id}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < body.length; i += 80) lines.push(body.slice(i, i + 80));
  return `${lines.join('\n')}\n`;
}

/** Try one password on a parsed body: the plaintext, or undefined when the HMAC does not match. */
function tryDecrypt(body: string, password: string): Buffer | undefined {
  const inner = Buffer.from(body, 'hex').toString('ascii');
  const parts = inner.split('\n');
  if (parts.length !== 3 || !parts.every((p) => /^(?:[0-9a-fA-F]{2})*$/.test(p))) {
    throw new VaultFormatError('format', 'Vault format error: expected salt, hmac and ciphertext');
  }
  const [saltHex = '', hmacHex = '', cipherHex = ''] = parts;
  const salt = Buffer.from(saltHex, 'hex');
  const expected = Buffer.from(hmacHex, 'hex');
  const ciphertext = Buffer.from(cipherHex, 'hex');
  const { aesKey, hmacKey, iv } = deriveKeys(password, salt);
  const actual = createHmac('sha256', hmacKey).update(ciphertext).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', aesKey, iv);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const plain = pkcs7Unpad(padded);
  if (!plain) throw new VaultFormatError('format', 'Vault format error: bad padding');
  return plain;
}

/**
 * Decrypt a vault text with the first secret that fits; secrets whose id
 * matches a 1.2 header's id are tried first, as Ansible does.
 */
export function decryptVault(
  text: string,
  secrets: readonly VaultSecret[],
): { plaintext: Buffer; vaultId: string | undefined; secret: VaultSecret } {
  const env = parseEnvelope(text);
  if (secrets.length === 0) throw new VaultFormatError('secret', 'Attempting to decrypt but no vault secrets found');
  const ordered = env.vaultId
    ? [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)]
    : secrets;
  for (const secret of ordered) {
    const plain = tryDecrypt(env.body, secret.password);
    if (plain) return { plaintext: plain, vaultId: env.vaultId, secret };
  }
  throw new VaultFormatError('secret', 'Decryption failed (no vault secrets would decrypt)');
}
