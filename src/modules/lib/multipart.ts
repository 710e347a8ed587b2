/**
 * A multipart/form-data body laid out as Ansible 2.14's uri makes one (Python's email package with its HTTP
 * policy): fields in sorted order, a text field as `text/plain`, file contents base64 in 76-character lines, every
 * line break as CRLF, a `===============<19 digits>==` boundary.
 */
import { randomInt } from 'node:crypto';
import { posix } from 'node:path';

/** One field of the form. */
export interface MultipartPart {
  name: string;
  /** Sent as it is (line breaks made CRLF). */
  content?: Buffer;
  /** A file's bytes, sent base64. */
  file?: Buffer;
  /** The filename parameter (its basename is sent). */
  filename?: string;
  /** main/sub type. */
  type: string;
}

/** Python's email.utils.quote inside a quoted parameter. */
const quoteParam = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** Line breaks (CRLF, CR or LF) as CRLF, as the email generator writes payload lines. */
function crlf(data: Buffer): Buffer {
  const text = data.toString('latin1');
  return Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

/** base64 in lines of 76 characters, each ending with CRLF. */
function base64Lines(data: Buffer): string {
  if (data.length === 0) return '';
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return `${lines.join('\r\n')}\r\n`;
}

/** The body and the Content-Type naming its boundary (`token`, 19 digits, for tests; else random). */
export function encodeMultipart(parts: MultipartPart[], token?: string): { type: string; body: Buffer } {
  const sorted = [...parts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pieces = sorted.map((p) => {
    const disposition =
      `form-data; name="${quoteParam(p.name)}"` +
      (p.filename ? `; filename="${quoteParam(posix.basename(p.filename))}"` : '');
    if (p.file !== undefined)
      return Buffer.concat([
        Buffer.from(
          `Content-Transfer-Encoding: base64\r\nContent-Type: ${p.type}\r\nContent-Disposition: ${disposition}\r\n\r\n`,
        ),
        Buffer.from(base64Lines(p.file)),
      ]);
    return Buffer.concat([
      Buffer.from(`Content-Type: ${p.type}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
      crlf(p.content ?? Buffer.alloc(0)),
    ]);
  });
  // As Python's email package: a random boundary, made longer while any part holds it.
  let boundary = `===============${token ?? String(randomInt(0, 2 ** 48 - 1)).padStart(19, '0')}==`;
  for (let n = 0; pieces.some((p) => p.includes(`--${boundary}`)); n++) boundary = `${boundary}.${n}`;
  const chunks: Buffer[] = [];
  if (!pieces.length) chunks.push(Buffer.from(`--${boundary}\r\n`));
  pieces.forEach((p, i) => {
    chunks.push(Buffer.from(`${i ? '\r\n' : ''}--${boundary}\r\n`), p);
  });
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary="${boundary}"`, body: Buffer.concat(chunks) };
}

/** A few of Python's built-in mimetypes, for when the target's /etc/mime.types does not name the extension. */
const PY_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.xml': 'text/xml',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.tar': 'application/x-tar',
  '.zip': 'application/zip',
  '.sh': 'application/x-sh',
  '.py': 'text/x-python',
  '.yaml': 'application/yaml',
};

/** Python's encodings_map and suffix_map: what a compression suffix or a short name stands for. */
const ENCODINGS = new Set(['.gz', '.Z', '.bz2', '.xz', '.br']);
const SUFFIXES: Record<string, string> = {
  '.svgz': '.svg.gz',
  '.tgz': '.tar.gz',
  '.taz': '.tar.gz',
  '.tz': '.tar.gz',
  '.tbz2': '.tar.bz2',
  '.txz': '.tar.xz',
};

/**
 * The MIME type Python's mimetypes.guess_type gives a file name, or undefined: `table` maps extensions (from the
 * target's mime.types, later lines winning) before Python's own.
 */
export function guessMime(filename: string, table: Map<string, string>): string | undefined {
  let base = posix.basename(filename);
  const extOf = (n: string): string => {
    const dot = n.lastIndexOf('.');
    return dot > 0 ? n.slice(dot) : '';
  };
  let ext = extOf(base);
  while (SUFFIXES[ext] !== undefined) {
    base = base.slice(0, -ext.length) + SUFFIXES[ext]!;
    ext = extOf(base);
  }
  if (ENCODINGS.has(ext) || ENCODINGS.has(ext.toLowerCase())) {
    base = base.slice(0, -ext.length);
    ext = extOf(base);
  }
  if (!ext) return undefined;
  return table.get(ext) ?? PY_TYPES[ext] ?? table.get(ext.toLowerCase()) ?? PY_TYPES[ext.toLowerCase()];
}

/** Extensions of a mime.types file: `type ext ext...` lines, # comments. */
export function parseMimeTypes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    const [type, ...exts] = words;
    if (!type) continue;
    for (const e of exts) map.set(`.${e}`, type);
  }
  return map;
}
