/**
 * The text rules of Ansible's known_hosts module, as pure functions: a key
 * line normalised (options, host, type, key), `ssh-keygen -F` output read
 * into found / replace-or-add / the line found, the new file's lines, the
 * diff, and a host hashed the way `ssh-keygen -H` writes it (`|1|salt|hmac`).
 */
import { createHmac, randomBytes } from 'node:crypto';

/** One key line, as Ansible's normalize_known_hosts_key splits it. */
export interface NormalKey {
  options?: string;
  host: string;
  type: string;
  key: string;
}

/** Split a key line; undefined when it has too few fields. */
export function normalizeKey(line: string): NormalKey | undefined {
  const k = line.trim().split(/\s+/);
  if (k[0]?.startsWith('@')) {
    if (k.length < 4) return undefined;
    return { options: k[0], host: k[1]!, type: k[2]!, key: k[3]! };
  }
  if (k.length < 3) return undefined;
  return { host: k[0]!, type: k[1]!, key: k[2]! };
}

/** What a search of the file found (Ansible's search_for_host_key). */
export interface Search {
  found: boolean;
  replaceOrAdd: boolean;
  foundLine: number | undefined;
}

/** Read `ssh-keygen -F HOST -f FILE` output against the wanted key line (undefined: any key of the host). */
export function readSearch(stdout: string, key: string | undefined): Search {
  if (key === undefined) return { found: true, replaceOrAdd: false, foundLine: undefined };
  const wanted = normalizeKey(key);
  let foundLine: number | undefined;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /found: line (\d+)/.exec(line);
      if (m) foundLine = Number(m[1]);
      continue;
    }
    const found = normalizeKey(line);
    if (!wanted || !found) continue;
    const mine = { ...wanted };
    // An already hashed entry keeps its own hash: only the key decides.
    if (mine.host.startsWith('|1|') && found.host.startsWith('|1|')) mine.host = found.host;
    if (sameKey(mine, found)) return { found: true, replaceOrAdd: false, foundLine };
    if (mine.type === found.type) return { found: true, replaceOrAdd: true, foundLine };
  }
  return { found: true, replaceOrAdd: true, foundLine: undefined };
}

function sameKey(a: NormalKey, b: NormalKey): boolean {
  return a.options === b.options && a.host === b.host && a.type === b.type && a.key === b.key;
}

/** The file's lines after the change (each with its own line end), as the module writes them. */
export function newLines(before: string, s: Search, state: 'present' | 'absent', key: string | undefined): string[] {
  const lines = splitKeepEnds(before);
  if ((s.replaceOrAdd || state === 'absent') && s.foundLine !== undefined && s.foundLine <= lines.length)
    lines.splice(s.foundLine - 1, 1);
  if (state === 'present' && key !== undefined && (s.replaceOrAdd || !s.found)) lines.push(key);
  return lines;
}

/** The diff Ansible's compute_diff shows (it appends the key whenever no line was found, even when unchanged). */
export function diffAfter(before: string, s: Search, state: 'present' | 'absent', key: string | undefined): string {
  const lines = splitKeepEnds(before);
  if (
    (s.replaceOrAdd || state === 'absent') &&
    s.foundLine !== undefined &&
    s.foundLine >= 1 &&
    s.foundLine <= lines.length
  )
    lines.splice(s.foundLine - 1, 1);
  if (state === 'present' && key !== undefined && (s.replaceOrAdd || s.foundLine === undefined)) lines.push(key);
  return lines.join('');
}

/** Python's splitlines(keepends=True) for \n, \r\n and \r. */
export function splitKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

/** The key line with its host field replaced by a hashed host (`|1|base64(salt)|base64(hmac-sha1)`), as hash_host does. */
export function hashHostKey(host: string, key: string, salt: Buffer = randomBytes(20)): string {
  const parts = key.trim().split(/\s+/);
  const i = parts[0]?.startsWith('@') ? 1 : 0;
  const mac = createHmac('sha1', salt).update(host).digest();
  parts[i] = `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
  return parts.join(' ');
}
