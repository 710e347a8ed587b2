/**
 * Python's text forms that Ansible's modules put in their messages (the repr
 * of a str or bytes, an OSError's `[Errno N] strerror`, shlex.quote), so a
 * module that reports the same failure can say the same words.
 */

/** strerror(3) of the errno values the modules report, as glibc words them. */
const STRERROR: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  8: 'Exec format error',
  13: 'Permission denied',
  17: 'File exists',
  20: 'Not a directory',
  21: 'Is a directory',
  40: 'Too many levels of symbolic links',
};

/** The quote Python's repr picks: single, unless the text holds one and no double quote. */
function reprQuote(s: string): string {
  return s.includes("'") && !s.includes('"') ? '"' : "'";
}

/** Python's repr of a str: `'a b'`, `"it's"`, with \\n, \\r, \\t and backslashes escaped. */
export function pyStrRepr(s: string): string {
  const q = reprQuote(s);
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(new RegExp(q, 'g'), `\\${q}`);
  return `${q}${body}${q}`;
}

/** Python's repr of the UTF-8 bytes of `s`: `b'/opt/x'`, non-ASCII bytes as \\xNN. */
export function pyBytesRepr(s: string): string {
  const q = reprQuote(s);
  let body = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (c === '\\' || c === q) body += `\\${c}`;
    else if (c === '\n') body += '\\n';
    else if (c === '\r') body += '\\r';
    else if (c === '\t') body += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) body += `\\x${byte.toString(16).padStart(2, '0')}`;
    else body += c;
  }
  return `b${q}${body}${q}`;
}

/** An OSError's text as Python prints it: `[Errno 2] No such file or directory: b'/x'` (`filename` as repr'd). */
export function pyOsError(errno: number, filename?: string): string {
  const head = `[Errno ${errno}] ${STRERROR[errno] ?? `Unknown error ${errno}`}`;
  return filename === undefined ? head : `${head}: ${filename}`;
}

/** Python's shlex.quote: the word as is when it holds only safe characters, else single-quoted. */
export function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}
