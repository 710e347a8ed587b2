/**
 * authorized_keys parsing and writing as ansible.posix 1.5.4's
 * authorized_key does it: a key line is whitespace-split (no quoting: an
 * option with a space is split and joined back with one space), options
 * before the key type, the comment after the key; lines that are no key
 * are kept as they are; the file is rewritten in rank order.
 */

/** The key types the collection recognises. */
const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-dss',
  'ssh-rsa',
  'ssh-xmss@openssh.com',
  'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256',
  'rsa-sha2-512',
  'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** Key options in order, a name possibly repeated (`null`: an option without `=`). */
export type KeyOptions = Array<[string, string | null]>;

/** One entry of the file (or a key to put there). `type: 'skipped'` keeps `key` as the raw line. */
export interface KeyEntry {
  key: string;
  type: string;
  options: KeyOptions | null;
  comment: string | null;
  rank: number;
}

/** The collection's parseoptions: split at commas outside quotes. */
export function parseOptions(options: string | null): KeyOptions {
  const out: KeyOptions = [];
  if (!options) return out;
  const parts = options.split(/((?:[^,"']|"[^"]*"|'[^']*')+)/).slice(1, -1);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq >= 0) out.push([part.slice(0, eq), part.slice(eq + 1)]);
    else if (part !== ',') out.push([part, null]);
  }
  return out;
}

/** Python dict equality of two keydicts: the same names with the same value lists, in any name order. */
export function sameOptions(a: KeyOptions | null, b: KeyOptions | null): boolean {
  const group = (o: KeyOptions | null): Map<string, Array<string | null>> => {
    const m = new Map<string, Array<string | null>>();
    for (const [k, v] of o ?? []) m.set(k, [...(m.get(k) ?? []), v]);
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  if (ga.size !== gb.size) return false;
  for (const [k, v] of ga) if (JSON.stringify(gb.get(k)) !== JSON.stringify(v)) return false;
  return true;
}

/** The collection's parsekey: undefined when the line holds no known key type. */
export function parseKey(rawLine: string, rank: number): KeyEntry | undefined {
  const raw = rawLine.replaceAll('\\#', '#');
  const parts = raw.split(/[ \t\r\n]+/).filter((p) => p !== '');
  if (parts[0] === '#') return { key: raw, type: 'skipped', options: null, comment: null, rank };
  const at = parts.findIndex((p) => KEY_TYPES.has(p));
  // The collection fails with an IndexError on a type without a key; such a line is kept as it is here.
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const options = parseOptions(at > 0 ? parts.slice(0, at).join(' ') : null);
  return { key: parts[at + 1]!, type: parts[at]!, options, comment: parts.slice(at + 2).join(' '), rank };
}

/** The collection's parsekeys: entries by key (a later duplicate wins), other lines by their text. */
export function parseKeys(content: string): Map<string, KeyEntry> {
  const keys = new Map<string, KeyEntry>();
  const lines = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  lines.forEach((line, rank) => {
    const entry = parseKey(line, rank);
    keys.set(entry ? entry.key : line, entry ?? { key: line, type: 'skipped', options: null, comment: null, rank });
  });
  return keys;
}

/** The collection's serialize: by rank (stable), `OPTIONS TYPE KEY COMMENT\n` (a trailing space without a comment). */
export function serializeKeys(keys: Map<string, KeyEntry>): string {
  return [...keys.values()]
    .sort((a, b) => a.rank - b.rank)
    .map((e) => {
      if (e.type === 'skipped') return e.key;
      const opts = e.options?.length ? `${e.options.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(',')} ` : '';
      return `${opts}${e.type} ${e.key} ${e.comment ?? 'None'}\n`;
    })
    .join('');
}
