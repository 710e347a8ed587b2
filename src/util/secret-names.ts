/**
 * Which names hold secrets, and masking by name where no value is known yet:
 * the value of a secret-named assignment in a line of text (an inventory
 * line `web1 ansible_password=...`, a YAML line `db_password: ...`, a config
 * file line in a diff). Nothing here imports anything, so errors.ts (which
 * prints the excerpt lines of load errors, before any secret is collected)
 * can use it.
 *
 * The rule for names: a variable is secret when its name matches
 * /password|passwd|secret|token|apikey|(^|_)key($|_)|pass$/i (`key` as a word: `api_key`,
 * `private_key_data`, not `kubekey_version` or `monkey`), except names that hold a path or
 * a public key (ending in _file, _files, _filename (deb822_repository's key_filename), _path, _dir, _public, _pub, _keytype,
 * or containing public_key), such as ansible_ssh_private_key_file, a bare
 * `key`/`keys` (the name half of dict2items and with_dict items, not a secret), the
 * getent module's `getent_passwd` fact (user names, homes and shells), and authorized_key's
 * `key_options` (`no-pty,from=...`), and apt_key's `key_id` (a public key's id), and systemd unit names (service_facts' `systemd-ask-password-wall.service`).
 */

/** What a masked secret is shown as. */
export const MASK = '********';

const SECRET_NAME = /password|passwd|secret|token|apikey|(?:^|_)key(?:$|_)|pass$/i;
const NOT_SECRET_NAME =
  /(?:_files?|_filename|_path|_dir|_public|_pub|_keytype)$|public_?key|^keys?$|^getent_passwd$|^key_options$|^key_id$|\.(?:service|socket|path|timer|target|mount)$/i;

/** A quick test that a line may name a secret at all (most lines do not). */
const MAYBE_SECRET = /pass|secret|token|key/i;

const secretNameCache = new Map<string, boolean>();

/** True when a variable (or result key) of this name holds a secret, by the rule above. */
export function isSecretName(name: string): boolean {
  // Every task result is walked for secret-named keys, and the same few names (path, mode, changed...)
  // come back on every host: remember the answer (measured: 18 ms of a 10-host run's 0.45 s CPU).
  let secret = secretNameCache.get(name);
  if (secret === undefined) {
    secret = SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
    if (secretNameCache.size < 10_000) secretNameCache.set(name, secret);
  }
  return secret;
}

/**
 * A name (optionally quoted, as in JSON) followed by `=` (INI, shell, config
 * files) or `:` and a blank or the end (YAML, JSON), and the blanks after it.
 */
const ASSIGNMENT = /(["']?)([A-Za-z_][\w.-]*)\1[ \t]*(=|:(?=[ \t]|$))[ \t]*/g;

/** The masked line, and the values it held (to mask them in the message that quotes the line). */
export interface MaskedLine {
  text: string;
  values: string[];
  /** The column (1-based) in the masked line of a column of the original line (a caret under it stays right). */
  column(col: number): number;
}

/**
 * Mask the value of every secret-named assignment in one line of text:
 * `ansible_password=pw` (up to the next blank, or the closing quote),
 * `db_password: pw` (to the end of the line, or in a flow mapping to the
 * next `,`, `}` or `]`), `"api_token": "pw"`. A template (`{{ }}`) or a vault
 * tag is left as it is: it is not the secret.
 */
export function maskAssignments(line: string): MaskedLine {
  if (!MAYBE_SECRET.test(line)) return { text: line, values: [], column: (col) => col };
  const values: string[] = [];
  const spans: Array<[number, number]> = [];
  let out = '';
  let done = 0;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(line); m; m = ASSIGNMENT.exec(line)) {
    const before = m.index > 0 ? line[m.index - 1]! : '';
    if (/[\w.-]/.test(before) || !isSecretName(m[2]!)) continue;
    const start = ASSIGNMENT.lastIndex;
    const [from, to, resume] = valueSpan(line, start, m[3] === '=', /[{[]/.test(line.slice(0, m.index)));
    const value = line.slice(from, to);
    ASSIGNMENT.lastIndex = Math.max(resume, start + 1);
    if (value === '' || value.includes('{{') || value.startsWith('!vault') || value.startsWith('$ANSIBLE_VAULT'))
      continue;
    values.push(value);
    spans.push([from, to]);
    out += line.slice(done, from) + MASK;
    done = to;
  }
  const column = (col: number): number => {
    let shift = 0;
    for (const [from, to] of spans) {
      if (col - 1 >= to) shift += MASK.length - (to - from);
      else if (col - 1 >= from) return from + 1 + shift;
    }
    return col + shift;
  };
  return values.length === 0 ? { text: line, values, column } : { text: out + line.slice(done), values, column };
}

/** Where the value that starts at `start` lies: [from, to) of the value itself, and where to look on. */
function valueSpan(line: string, start: number, equals: boolean, flow: boolean): [number, number, number] {
  const quote = line[start];
  if (quote === '"' || quote === "'") {
    let i = start + 1;
    while (i < line.length && line[i] !== quote) i += line[i] === '\\' && quote === '"' ? 2 : 1;
    return [start + 1, Math.min(i, line.length), i + 1];
  }
  let end = start;
  if (equals) while (end < line.length && !/\s/.test(line[end]!)) end++;
  else if (flow) while (end < line.length && !/[,}\]]/.test(line[end]!)) end++;
  else {
    const comment = line.indexOf(' #', start);
    end = comment === -1 ? line.length : comment;
  }
  while (end > start && /\s/.test(line[end - 1]!)) end--;
  return [start, end, end];
}
