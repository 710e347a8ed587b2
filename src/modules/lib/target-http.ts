/**
 * HTTP requests made BY THE TARGET with its own `curl` (preferred) or `wget`,
 * for get_url, uri and friends. Credentials and headers reach curl through a
 * config file on its stdin (`curl -K -`, fed by the shell's builtin printf),
 * so they never appear in the target's process list; wget has no such
 * channel and takes them as arguments.
 */
import { sh, shq } from '../../util/shell.js';

/** The HTTP client found on the target. */
export type HttpTool = 'curl' | 'wget';

/** One request. */
export interface HttpRequest {
  url: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  username?: string;
  password?: string;
  /** Seconds to connect, and seconds without any data before giving up (0 or absent: none), like a socket timeout. */
  timeout?: number;
  validateCerts: boolean;
  body?: string;
  /** A file on the target sent as the body instead (curl only). */
  bodyFile?: string;
  /** Follow redirects (default true). */
  follow?: boolean;
  /** PEM client certificate (and its key, when not in the same file), paths on the target: mutual TLS. */
  clientCert?: string;
  clientKey?: string;
  /** A CA bundle (PEM file) on the target to verify the server against, instead of the system's. */
  caPath?: string;
  /** Decode a gzip Content-Encoding answer without asking for one (Ansible's `decompress`; curl only). */
  decompress?: boolean;
  /** OpenSSL cipher list (Ansible's `ciphers`, joined with ':'). */
  ciphers?: string;
  /** Connect to this Unix socket instead of the URL's host (curl only). */
  unixSocket?: string;
  /** false: ignore the proxy environment variables (Ansible's `use_proxy: no`). */
  useProxy?: boolean;
  /** Read credentials from ~/.netrc when the URL has none (Ansible's `use_netrc`, default true). */
  useNetrc?: boolean;
  /**
   * Send the credentials only when the server asks (a 401 with WWW-Authenticate), as urllib does without
   * force_basic_auth; otherwise they go with the first request.
   */
  challenge?: boolean;
}

/** Seconds to wait before each retry of a transient failure of a controller download (refused, reset, timeout, 5xx). */
export const RETRY_DELAYS = [1, 2, 4];

/** sh that prints `T curl`, `T wget` or `T ` (neither) on a line of its own. */
export const detectHttpToolScript =
  "if command -v curl >/dev/null 2>&1; then echo 'T curl'; elif command -v wget >/dev/null 2>&1; then echo 'T wget'; else echo 'T '; fi";

/** The tool named by a `T` line of detectHttpToolScript's output, or undefined. */
export function parseHttpTool(stdout: string): HttpTool | undefined {
  const m = /^T (curl|wget)$/m.exec(stdout);
  return m ? (m[1] as HttpTool) : undefined;
}

/** Quote a value for a curl config file (double quotes, backslash escapes). */
function curlValue(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** The curl config text for a request (fed on stdin with `-K -`). */
export function curlConfig(req: HttpRequest): string {
  const lines = [`url = ${curlValue(req.url)}`];
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'HEAD') lines.push('head');
  else if (method !== 'GET') lines.push(`request = ${curlValue(method)}`);
  if (req.follow !== false) lines.push('location');
  if (!req.validateCerts) lines.push('insecure');
  if (req.clientCert !== undefined) lines.push(`cert = ${curlValue(req.clientCert)}`);
  if (req.clientKey !== undefined) lines.push(`key = ${curlValue(req.clientKey)}`);
  if (req.caPath !== undefined) lines.push(`cacert = ${curlValue(req.caPath)}`);
  if (req.ciphers !== undefined) lines.push(`ciphers = ${curlValue(req.ciphers)}`);
  if (req.unixSocket !== undefined) lines.push(`unix-socket = ${curlValue(req.unixSocket)}`);
  if (req.useProxy === false) lines.push('noproxy = "*"');
  if (req.useNetrc !== false) lines.push('netrc-optional');
  // Decode gzip as Ansible does, without sending an Accept-Encoding of our own (the server answers as it would Ansible).
  if (req.decompress) lines.push('compressed', 'header = "Accept-Encoding:"');
  if (req.timeout) {
    const t = curlValue(String(req.timeout));
    lines.push(`connect-timeout = ${t}`, `speed-time = ${t}`, 'speed-limit = 1');
  }
  for (const [k, v] of Object.entries(req.headers ?? {})) lines.push(`header = ${curlValue(`${k}: ${v}`)}`);
  if (req.username !== undefined) lines.push(`user = ${curlValue(`${req.username}:${req.password ?? ''}`)}`);
  if (req.username !== undefined && req.challenge) lines.push('anyauth');
  if (req.body !== undefined) lines.push(`data-raw = ${curlValue(req.body)}`);
  else if (req.bodyFile !== undefined) lines.push(`data-binary = ${curlValue(`@${req.bodyFile}`)}`);
  return `${lines.join('\n')}\n`;
}

/** wget's arguments for a request (quoted words). */
function wgetArgs(req: HttpRequest): string {
  const words: string[] = ['--tries=1'];
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET') words.push(`--method=${method}`);
  if (req.follow === false) words.push('--max-redirect=0');
  if (!req.validateCerts) words.push('--no-check-certificate');
  if (req.clientCert !== undefined) words.push(`--certificate=${req.clientCert}`);
  if (req.clientKey !== undefined) words.push(`--private-key=${req.clientKey}`);
  if (req.caPath !== undefined) words.push(`--ca-certificate=${req.caPath}`);
  if (req.useProxy === false) words.push('--no-proxy');
  if (req.timeout) words.push(`--timeout=${req.timeout}`);
  for (const [k, v] of Object.entries(req.headers ?? {})) words.push(`--header=${k}: ${v}`);
  if (req.username !== undefined) words.push(`--user=${req.username}`, `--password=${req.password ?? ''}`);
  if (req.username !== undefined && !req.challenge) words.push('--auth-no-challenge');
  if (req.body !== undefined) words.push(`--body-data=${req.body}`);
  words.push('--', req.url);
  return sh`${words}`;
}

/**
 * One request whose body goes to `out` (an already-quoted sh word such as
 * `"$bosun_t"`, or `-` for stdout). curl prints the `-w` text (default: the
 * status) on stdout and, with `headers`, the response headers on stdout
 * before the body (a file such as /dev/stderr fails when stderr is a
 * socket); wget prints its `-S` headers, indented, on stderr.
 */
export function requestCommand(
  tool: HttpTool,
  req: HttpRequest,
  out: string,
  opts: { writeOut?: string; headers?: boolean } = {},
): string {
  if (tool === 'curl') {
    const w = opts.writeOut ?? '%{http_code}';
    // HEAD (`head` in the config) writes the headers as the output: to stdout, -D - would print each line twice.
    const d = opts.headers && !(out === '-' && (req.method ?? 'GET').toUpperCase() === 'HEAD') ? ' -D -' : '';
    return `printf '%s' ${shq(curlConfig(req))} | curl -K - -sS${d} -o ${out}${w ? ` -w ${shq(w)}` : ''}`;
  }
  return `wget -q -S --content-on-error -O ${out} ${wgetArgs(req)}`;
}

/** A response as the target's tool printed it. */
export interface ParsedResponse {
  status: number;
  /** The final response's reason phrase ("Not Found"), '' when the server sent none (HTTP/2). */
  reason: string;
  /** The final response's headers, lowercase names. */
  headers: Record<string, string>;
  /** The `name=value` of every Set-Cookie header of the final response. */
  cookies: string[];
  /** How many responses there were (more than one: redirected). */
  responses: number;
  body: string;
}

/**
 * Split a response printed by requestCommand with `headers` and `-o -`: curl
 * puts every header block (1xx, redirects, final) and then the body on
 * stdout; wget puts its indented header blocks on stderr and the body on stdout.
 */
export function parseResponse(tool: HttpTool, stdout: string, stderr: string): ParsedResponse {
  const out: ParsedResponse = { status: 0, reason: '', headers: {}, cookies: [], responses: 0, body: stdout };
  const take = (line: string): boolean => {
    const s = /^HTTP\/[\d.]+ (\d{3})(?: (.*))?$/.exec(line.replace(/\r$/, ''));
    if (s) {
      out.status = Number(s[1]);
      out.reason = (s[2] ?? '').trim();
      out.headers = {};
      out.cookies = [];
      out.responses++;
      return true;
    }
    const h = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (h && out.responses > 0) {
      const name = h[1]!.toLowerCase();
      // A repeated header is one value joined by ', ', as Python's http.client gives it.
      const before = out.headers[name];
      out.headers[name] = before === undefined ? h[2]!.trim() : `${before}, ${h[2]!.trim()}`;
      if (name === 'set-cookie') out.cookies.push(h[2]!.split(';')[0]!.trim());
    }
    return h !== null;
  };
  if (tool === 'wget') {
    for (const raw of stderr.split(/\r?\n/)) if (raw.startsWith('  ')) take(raw.slice(2));
    return out;
  }
  let rest = stdout;
  while (/^HTTP\/[\d.]+ \d{3}/.test(rest)) {
    const end = rest.search(/\r?\n\r?\n/);
    const block = end < 0 ? rest : rest.slice(0, end);
    for (const line of block.split(/\r?\n/)) take(line);
    rest = end < 0 ? '' : rest.slice(end).replace(/^\r?\n\r?\n/, '');
    if (!(out.status < 200 || (out.status >= 300 && out.status < 400 && out.headers['location'] !== undefined))) break;
  }
  out.body = rest;
  return out;
}

/** The file name a Content-Disposition header gives, if any (`filename=`, quoted or not, path parts dropped). */
export function contentDispositionName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(value);
  if (!m) return undefined;
  const name = decodeURIComponent(m[1]!.trim()).split('/').pop() ?? '';
  return name && name !== '.' && name !== '..' ? name : undefined;
}

/** The last path segment of a URL (decoded), or undefined when the path ends with `/`. */
export function urlBasename(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const last = path.split('/').pop() ?? '';
  if (last === '') return undefined;
  const name = decodeURIComponent(last);
  return name === '.' || name === '..' ? undefined : name;
}
