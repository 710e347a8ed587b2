/**
 * Our own known_hosts matcher (OpenSSH's sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * plain names and addresses, comma lists, `[host]:port` for ports other than
 * 22, hashed `|1|salt|hash` entries, `*`/`?` wildcards, `!negation`,
 * `@revoked` and comments. `@cert-authority` lines are skipped: bosun does not
 * verify host certificates.
 */
import { createHash, createHmac } from 'node:crypto';
import { promises as fs } from 'node:fs';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  line: number;
  marker: 'revoked' | undefined;
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** The outcome of checking one presented host key. */
export type HostKeyCheck =
  | { verdict: 'match'; entry: KnownHostEntry }
  | { verdict: 'mismatch'; entry: KnownHostEntry }
  | { verdict: 'revoked'; entry: KnownHostEntry }
  | { verdict: 'unknown'; knownTypes: string[] };

/** Parse a known_hosts text; malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string, file = '<memory>'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@cert-authority') return;
      if (m !== '@revoked') return;
      marker = 'revoked';
    }
    const [hosts, keyType, keyText] = fields;
    if (!hosts || !keyType || !keyText) return;
    const key = Buffer.from(keyText, 'base64');
    if (key.length === 0) return;
    entries.push({ file, line: index + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** Read and parse several known_hosts files in order; missing files are skipped. */
export async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    all.push(...parseKnownHosts(text, file));
  }
  return all;
}

/** The name a host has in known_hosts: `host` on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Compiled patterns: every connection checks every line of the same files. */
const patternCache = new Map<string, RegExp>();

/** Translate an OpenSSH wildcard pattern (`*`, `?`) into an anchored RegExp (compiled once per pattern). */
function wildcardToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

/** Whether a `|1|salt|hash` field is HMAC-SHA1(salt, name). */
function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const digest = createHmac('sha1', salt).update(name).digest('base64');
  return digest === parts[3];
}

/** Whether a host field (pattern list or hashed entry) names `name`. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatches(field, name);
  let positive = false;
  for (const pattern of field.split(',')) {
    if (pattern === '') continue;
    if (pattern.startsWith('!')) {
      if (wildcardToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (wildcardToRegExp(pattern).test(name)) {
      positive = true;
    }
  }
  return positive;
}

/** The key type written at the start of an SSH public key blob. */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Check a presented host key: a revoked key is refused whatever other lines
 * say; else the first line naming the host with the same key is a match; a
 * line naming it with a different key of the same type is a mismatch.
 */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, blob: Buffer): HostKeyCheck {
  const name = knownHostsName(host, port);
  const type = keyTypeOfBlob(blob);
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(blob) && hostFieldMatches(e.hosts, name));
  if (revoked) return { verdict: 'revoked', entry: revoked };
  let mismatch: KnownHostEntry | undefined;
  const knownTypes = new Set<string>();
  for (const e of entries) {
    if (e.marker !== undefined || !hostFieldMatches(e.hosts, name)) continue;
    if (e.keyType === type && e.key.equals(blob)) return { verdict: 'match', entry: e };
    if (e.keyType === type) mismatch ??= e;
    knownTypes.add(e.keyType);
  }
  if (mismatch) return { verdict: 'mismatch', entry: mismatch };
  return { verdict: 'unknown', knownTypes: [...knownTypes] };
}

/** The key types known_hosts holds for a host, to prefer them in key exchange as OpenSSH does. */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = new Set<string>();
  for (const e of entries) if (e.marker === undefined && hostFieldMatches(e.hosts, name)) types.add(e.keyType);
  return [...types];
}
