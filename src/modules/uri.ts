/**
 * `uri`: an HTTP request made by the target itself (curl, else wget), as
 * Ansible's runs on the target. GET and HEAD change nothing and run while
 * deciding (so check mode shows the real answer); other methods are changes,
 * made in the apply step, and unpredictable in check mode unless
 * `creates`/`removes` decide.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { sh, shq } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { pyJson } from '../template/jinja/filters.js';
import { pyText } from '../template/jinja/values.js';
import { ModuleArgError } from '../errors.js';
import { pyQuote } from '../util/py-quote.js';
import { pyBytesRepr } from '../util/python-text.js';
import { requestOf, safeUrl, URL_SCHEMA_PROPS } from './get_url.js';
import { applying, deciding, failed } from './lib/result.js';
import { encodeMultipart, guessMime, parseMimeTypes, type MultipartPart } from './lib/multipart.js';
import {
  detectHttpToolScript,
  parseHttpTool,
  parseResponse,
  requestCommand,
  type HttpRequest,
  type HttpTool,
} from './lib/target-http.js';
import { defineModule, type ApplyResult, type Decision, type ModuleContext, type ResultData } from './types.js';

/** A request's outcome: answered with a wanted status (`ok`), or not (`msg` says why). */
interface Response {
  ok: boolean;
  status: number;
  msg: string;
  data: ResultData;
}

/** Arguments of `uri`. */
export interface UriArgs {
  url: string;
  method?: string;
  body?: unknown;
  body_format?: 'json' | 'form-urlencoded' | 'raw' | 'form-multipart';
  headers?: Record<string, string>;
  status_code?: number | number[] | string;
  return_content?: boolean | string;
  timeout?: number;
  validate_certs?: boolean | string;
  url_username?: string;
  url_password?: string;
  user?: string;
  password?: string;
  force_basic_auth?: boolean | string;
  follow_redirects?: string;
  dest?: string;
  creates?: string;
  removes?: string;
  client_cert?: string;
  client_key?: string;
  ca_path?: string;
  http_agent?: string;
  use_proxy?: boolean | string;
  unredirected_headers?: string[];
  decompress?: boolean | string;
  ciphers?: string[];
  use_netrc?: boolean | string;
  unix_socket?: string;
  force?: boolean | string;
  use_gssapi?: boolean | string;
  remote_src?: boolean | string;
  src?: string;
}

const META = '__BOSUN_HTTP__';

/** The status codes urllib hands to the redirect handler (others are answers in their own right). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** urllib's loop guard: at most this many redirects in all, and this many to the same URL. */
const MAX_REDIRECTS = 10;
const MAX_REPEATS = 4;
const LOOP_MSG =
  'The HTTP server returned a redirect error that would lead to an infinite loop.\nThe last 30x error message was:\n';

/** Python's urlencode: quote_plus of each key and value. */
const quotePlus = (text: string): string => pyQuote(text, '', true);

/** Ansible's form_urlencoded: a map or a list of [key, value] pairs; a list value repeats the key; null is left out. */
function formUrlencoded(body: unknown): string {
  const pairs: Array<[unknown, unknown]> = Array.isArray(body)
    ? body.map((p): [unknown, unknown] => {
        if (!Array.isArray(p) || p.length !== 2)
          throw new ModuleArgError('failed to parse body as form_urlencoded: a list body must hold [key, value] pairs');
        return [p[0], p[1]];
      })
    : Object.entries(body as Record<string, unknown>);
  const out: string[] = [];
  for (const [key, values] of pairs)
    for (const value of Array.isArray(values) ? values : [values])
      if (value !== null && value !== undefined) out.push(`${quotePlus(pyText(key))}=${quotePlus(pyText(value))}`);
  return out.join('&');
}

/** The body as text and the Content-Type it implies. */
function encodeBody(args: UriArgs): { body?: string; type?: string } {
  if (args.body === undefined || args.body === null) return {};
  const format = args.body_format ?? 'raw';
  if (format === 'json')
    return { body: typeof args.body === 'string' ? args.body : pyJson(args.body), type: 'application/json' };
  if (format === 'form-urlencoded')
    return {
      body: typeof args.body === 'string' ? args.body : formUrlencoded(args.body),
      type: 'application/x-www-form-urlencoded',
    };
  return { body: typeof args.body === 'string' ? args.body : pyText(args.body) };
}

/** follow_redirects with its aliases resolved. */
type Follow = 'all' | 'safe' | 'none' | 'urllib2';
function followMode(value: string | undefined): Follow {
  if (value === 'yes') return 'all';
  if (value === 'no') return 'none';
  return (value ?? 'safe') as Follow;
}

/**
 * The request to make after a redirect answer, as Ansible's redirect handler builds it, or undefined when it does
 * not follow (the answer then stands as an HTTP error). 307/308 keep method, body and headers; the others drop the
 * body and its headers, and turn 302/303 (not HEAD) and a POST's 301 into GET. urllib2 is Python's own handler:
 * GET/HEAD on any redirect and POST on 301-303, always continuing as a GET.
 */
export function redirectRequest(
  mode: Follow,
  req: HttpRequest,
  code: number,
  location: string,
): HttpRequest | undefined {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = location.replace(/ /g, '%20');
  const withoutContent = (): Record<string, string> =>
    Object.fromEntries(
      Object.entries(req.headers ?? {}).filter(
        ([k]) => !['content-length', 'content-type', 'transfer-encoding'].includes(k.toLowerCase()),
      ),
    );
  if (mode === 'urllib2') {
    const ok =
      (REDIRECTS.has(code) && (method === 'GET' || method === 'HEAD')) ||
      ([301, 302, 303].includes(code) && method === 'POST');
    if (!ok) return undefined;
    const { body: _body, bodyFile: _file, ...rest } = req;
    return { ...rest, url, method: 'GET', headers: withoutContent() };
  }
  if (mode === 'none') return undefined;
  if (mode === 'safe' && method !== 'GET' && method !== 'HEAD') return undefined;
  if (code === 307 || code === 308) return { ...req, url };
  let next = method;
  if ((code === 303 || code === 302) && method !== 'HEAD') next = 'GET';
  if (code === 301 && method === 'POST') next = 'GET';
  const { body: _body, bodyFile: _file, ...rest } = req;
  return { ...rest, url, method: next, headers: withoutContent() };
}

/** `location` made absolute against `base` (as Ansible's absolute_location), unchanged when it cannot be. */
function absolute(location: string, base: string): string {
  try {
    return new URL(location, base).toString();
  } catch {
    return location;
  }
}

/** What Python's urllib says where curl or wget failed without an answer (the common cases), else the tool's words. */
function requestFailure(tool: HttpTool, rc: number, stderr: string): string {
  const said = /^curl: \(\d+\) (.*)$/m.exec(stderr)?.[1]?.trim();
  if (tool === 'curl') {
    if (rc === 7 && /refused|Couldn't connect/i.test(stderr)) return '<urlopen error [Errno 111] Connection refused>';
    if (rc === 6) return '<urlopen error [Errno -2] Name or service not known>';
    if (rc === 28) return 'The read operation timed out';
    const cert = /^SSL certificate problem: (.*)$/.exec(said ?? '');
    if (rc === 60 && cert)
      return `<urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${cert[1] ?? ''}>`;
  }
  if (said) return said;
  const why =
    stderr
      .split('\n')
      .filter((l) => !l.startsWith('  ') && l.trim())
      .pop() ?? `${tool} exit code ${rc}`;
  return why.trim();
}

/**
 * The `location` key as Ansible's uri registers it (its absolute_location): a URL with a scheme as it is; a path
 * replaces every occurrence of the request URL's path in the URL (so a query string stays, before the path: a quirk
 * kept because roles compare this value); anything else is put after the URL's dirname.
 */
export function ansibleLocation(url: string, location: string): string {
  if (location.includes('://')) return location;
  if (location.startsWith('/')) {
    // urlsplit keeps the path as written: a URL without one has '' (WHATWG's URL says '/').
    let path = '';
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(url)) {
      try {
        path = new URL(url).pathname;
      } catch {
        path = '';
      }
    }
    return `${path ? url.split(path).join('') : url}${location}`;
  }
  return `${posix.dirname(url)}/${location}`;
}

/** One request on the target without following redirects; the body goes to stdout, or to `out` (a quoted sh word). */
async function once(
  ctx: ModuleContext,
  tool: HttpTool,
  req: HttpRequest,
  out: string,
): Promise<{ rc: number; stderr: string; parsed: ReturnType<typeof parseResponse> }> {
  const cmd = requestCommand(tool, { ...req, follow: false }, out, {
    headers: true,
    writeOut: `\n${META} %{http_code}`,
  });
  const res = await ctx.conn.exec(`${cmd}; bosun_rc=$?; echo; echo "${META}RC $bosun_rc"`);
  const rc = Number(new RegExp(`^${META}RC (\\d+)$`, 'm').exec(res.stdout)?.[1] ?? res.rc);
  let stdout = res.stdout.replace(new RegExp(`\\n${META}RC \\d+\\n?$`), '');
  if (tool === 'curl') {
    const at = stdout.lastIndexOf(`\n${META} `);
    if (at >= 0) stdout = stdout.slice(0, at);
  }
  return { rc, stderr: res.stderr, parsed: parseResponse(tool, stdout, res.stderr) };
}

/** The status codes that mean success (Ansible's `status_code` list: a number, a list, or "200, 201"). */
function wantedCodes(value: UriArgs['status_code']): number[] {
  if (value === undefined) return [200];
  if (typeof value === 'number') return [value];
  if (typeof value === 'string') {
    const codes = value.split(',').map((c) => Number(c.trim()));
    if (codes.some((c) => !Number.isInteger(c)))
      throw new ModuleArgError(`status_code: '${value}' is not a list of integers`);
    return codes;
  }
  return value;
}

/** A content type's main and sub type says JSON (`json`, `javascript`, or a `+json` suffix). */
function isJsonType(contentType: string | undefined): boolean {
  const sub = (contentType ?? '').split(';')[0]!.trim().toLowerCase().split('/')[1] ?? '';
  const kind = sub.includes('+') ? sub.split('+').pop()! : sub;
  return kind === 'json' || kind === 'javascript';
}

/**
 * Make the request on the target, following redirects by Ansible's rules one answer at a time; the final body goes
 * to stdout, or to `out` when saving to dest. The result's keys are Ansible's: the answer's headers (lowercase,
 * `-` as `_`), status, url, redirected, cookies, msg, elapsed, and json/content.
 */
async function perform(
  ctx: ModuleContext,
  tool: HttpTool,
  first: HttpRequest,
  args: UriArgs,
  out = '-',
): Promise<Response> {
  const t0 = Date.now();
  const mode = followMode(args.follow_redirects);
  const wanted = wantedCodes(args.status_code);
  const unredirected = new Set((args.unredirected_headers ?? []).map((h) => h.toLowerCase()));
  const visited = new Map<string, number>();
  const cookies = new Map<string, string>();
  let req = first;
  let answer = await once(ctx, tool, req, out);
  let errorMsg: string | undefined;
  for (;;) {
    const r = answer.parsed;
    for (const c of r.cookies) {
      const eq = c.indexOf('=');
      if (eq > 0) cookies.set(c.slice(0, eq), c.slice(eq + 1));
    }
    const location = r.headers['location'] ?? r.headers['uri'];
    if (!REDIRECTS.has(r.status) || location === undefined) break;
    const target = absolute(location, req.url);
    const next = redirectRequest(mode, req, r.status, target);
    if (!next) {
      errorMsg = `HTTP Error ${r.status}: ${r.reason}`;
      break;
    }
    if (visited.size > 0 && ((visited.get(target) ?? 0) >= MAX_REPEATS || visited.size >= MAX_REDIRECTS)) {
      errorMsg = `HTTP Error ${r.status}: ${LOOP_MSG}${r.reason}`;
      break;
    }
    visited.set(target, (visited.get(target) ?? 0) + 1);
    if (unredirected.size && next.headers)
      next.headers = Object.fromEntries(
        Object.entries(next.headers).filter(([k]) => !unredirected.has(k.toLowerCase())),
      );
    req = next;
    answer = await once(ctx, tool, req, out);
  }
  const r = answer.parsed;
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.headers)) data[k.replace(/-/g, '_')] = v;
  if (typeof data['location'] === 'string') data['location'] = ansibleLocation(args.url, data['location']);
  const failedAnswer = errorMsg !== undefined || r.status < 200 || r.status >= 300;
  // urllib raises for every answer its handlers do not take (4xx, 5xx, unfollowed 3xx): the URL then stays the one asked.
  const finalUrl = failedAnswer ? args.url : req.url;
  Object.assign(data, {
    url: safeUrl(finalUrl),
    status: r.status || -1,
    redirected: finalUrl !== args.url,
    cookies: Object.fromEntries(cookies),
    cookies_string: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    elapsed: Math.round((Date.now() - t0) / 1000),
  });
  if (out === '-' && isJsonType(r.headers['content-type'])) {
    try {
      data['json'] = JSON.parse(r.body);
    } catch {
      // not JSON after all: leave `json` out, as Ansible does
    }
  }
  if (toBool(args.return_content) && out === '-') data['content'] = r.body;
  if (!r.status) {
    const msg = `Status code was -1 and not [${wanted.join(', ')}]: Request failed: ${requestFailure(tool, answer.rc, answer.stderr)}`;
    return { ok: false, status: -1, msg, data: { ...data, msg } };
  }
  const answerMsg =
    errorMsg ??
    (failedAnswer ? `HTTP Error ${r.status}: ${r.reason}` : `OK (${r.headers['content-length'] ?? 'unknown'} bytes)`);
  if (!wanted.includes(r.status)) {
    const msg = `Status code was ${r.status} and not [${wanted.join(', ')}]: ${answerMsg}`;
    return { ok: false, status: r.status, msg, data: { ...data, msg } };
  }
  data['msg'] = answerMsg;
  return { ok: true, status: r.status, msg: answerMsg, data };
}

/** The `uri` module. */
export default defineModule<UriArgs>({
  name: 'uri',
  docs: {
    short: 'Make an HTTP request from the target and check the answer',
    description:
      "The target runs curl (or wget). Redirects are followed one answer at a time by Ansible's rules (follow_redirects). As Ansible, a request is never a change, only writing dest is; GET and HEAD also run in check mode (so it shows the real answer), other methods are not sent in check mode.",
  },
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^https?://', description: 'HTTP or HTTPS URL' },
      method: {
        type: 'string',
        pattern: '^[A-Za-z]+$',
        default: 'GET',
        description: 'HTTP method (GET, POST, PUT, DELETE, HEAD, PATCH, ...)',
      },
      body: { description: 'Request body: text, or a map/list encoded by body_format' },
      body_format: {
        enum: ['json', 'form-urlencoded', 'raw', 'form-multipart'],
        default: 'raw',
        description:
          "How to encode body: json (Python's json.dumps), form-urlencoded (a map or a list of [key, value] pairs), raw; these also set Content-Type. form-multipart: body is a map of fields, each a string or a map with content and/or filename (a controller file under files/, a target file with remote_src) and mime_type, laid out as Ansible's (base64 file parts, its boundary)",
      },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers (a map)' },
      status_code: {
        anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }, { type: 'string' }],
        description: 'Status code(s) that mean success (default 200): a number, a list, or "200, 201"',
      },
      return_content: boolSchema('Register the response body as content', false),
      timeout: {
        type: 'integer',
        minimum: 1,
        default: 30,
        description: 'Seconds to connect, and seconds without data before giving up',
      },
      ...URL_SCHEMA_PROPS,
      ca_path: { type: 'string', description: 'A PEM CA bundle on the target to verify the server against' },
      user: { type: 'string', description: 'Alias of url_username' },
      password: { type: 'string', description: 'Alias of url_password' },
      use_gssapi: boolSchema('GSSAPI (Kerberos) authentication: refused, the target runs curl', false),
      follow_redirects: {
        enum: ['all', 'safe', 'none', 'urllib2', 'yes', 'no'],
        default: 'safe',
        description:
          "Follow redirects: 'safe' only for GET and HEAD, 'all' always (302/303 and a POST's 301 become GET), 'urllib2' as Python's urllib, 'none'/'no' never ('yes' is 'all')",
      },
      unredirected_headers: {
        type: 'array',
        items: { type: 'string' },
        description: 'Headers sent with the first request only, never after a redirect',
      },
      decompress: boolSchema('Decode a gzip-encoded answer (curl; nothing is asked of the server)', true),
      unix_socket: { type: 'string', description: 'Connect through this Unix socket on the target (curl only)' },
      force: boolSchema('Ansible: do not get a cached copy; bosun never caches (accepted, no effect)', false),
      dest: { type: 'string', description: 'Save the response body to this file on the target' },
      creates: { type: 'string', description: 'A path on the target; when it exists the request is not made' },
      removes: { type: 'string', description: 'A path on the target; when it does not exist the request is not made' },
      src: {
        type: 'string',
        description:
          "A file to send as the body: a controller file (found as Ansible's files/ lookup), or with remote_src a file on the target",
      },
      remote_src: boolSchema('src and form-multipart filenames are files on the target', false),
    },
  },
  decide: (ctx, args) => deciding(async () => decideUri(ctx, args)),
});

/** The request the arguments describe, before the body. */
function uriRequest(args: UriArgs): HttpRequest {
  const req = requestOf({ ...args, http_agent: args.http_agent ?? 'ansible-httpget' }, 30);
  req.method = (args.method ?? 'GET').toUpperCase();
  if (args.ca_path !== undefined) req.caPath = args.ca_path;
  if (args.unix_socket !== undefined) req.unixSocket = args.unix_socket;
  req.decompress = toBool(args.decompress, true);
  return req;
}

/** Arguments Ansible refuses, or bosun cannot carry out, as the task's failure. */
function refusal(args: UriArgs, tool: HttpTool): string | undefined {
  if (
    (args.url_username !== undefined && args.user !== undefined) ||
    (args.url_password !== undefined && args.password !== undefined)
  )
    return 'parameters are mutually exclusive: url_username|user, url_password|password';
  if (args.body !== undefined && args.src !== undefined) return 'parameters are mutually exclusive: body|src';
  if (toBool(args.use_gssapi)) return 'uri: use_gssapi is not supported (the target runs curl, not Python)';
  if (
    tool === 'wget' &&
    (args.src !== undefined ||
      args.body_format === 'form-multipart' ||
      args.unix_socket !== undefined ||
      args.ciphers?.length)
  )
    return 'uri: src, form-multipart, unix_socket and ciphers need curl on the target (only wget was found)';
  return undefined;
}

/**
 * Python's http.client refuses a header name with a colon or whitespace and a value with a line break not followed
 * by a space or tab (the value would end the header and begin another): Ansible's uri fails with its words.
 */
function illegalHeader(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[^:\s][^:\r\n]*$/.test(name)) return `Invalid header name ${pyBytesRepr(name)}`;
    if (/\n(?![ \t])|\r(?![ \t\n])/.test(value)) return `Invalid header value ${pyBytesRepr(value)}`;
  }
  return undefined;
}

async function decideUri(ctx: ModuleContext, rawArgs: UriArgs): Promise<Decision> {
  const args: UriArgs = { ...rawArgs };
  if (args.user !== undefined && args.url_username === undefined) args.url_username = args.user;
  if (args.password !== undefined && args.url_password === undefined) args.url_password = args.password;
  const probes = [detectHttpToolScript];
  if (args.creates !== undefined) probes.push(sh`[ -e ${args.creates} ] && echo 'C 1'`);
  if (args.removes !== undefined) probes.push(sh`[ -e ${args.removes} ] || echo 'R 0'`);
  const res = await ctx.conn.exec(probes.join('; '));
  // As Ansible: the skip is an ok result whose stdout says why.
  if (args.creates !== undefined && /^C 1$/m.test(res.stdout))
    return { kind: 'ok', data: { stdout: `skipped, since '${args.creates}' exists` } };
  if (args.removes !== undefined && /^R 0$/m.test(res.stdout))
    return { kind: 'ok', data: { stdout: `skipped, since '${args.removes}' does not exist` } };
  const tool = parseHttpTool(res.stdout);
  if (!tool) return failed("uri needs 'curl' or 'wget' on the target (neither found)", { url: safeUrl(args.url) });
  const refused = refusal(args, tool);
  if (refused) return failed(refused, { url: safeUrl(args.url) });
  const req = uriRequest(args);
  const badHeader = illegalHeader(req.headers ?? {});
  if (badHeader) return failed(badHeader, { url: safeUrl(args.url), status: -1 });
  const method = req.method!;
  // A body made on the controller (a controller src, a multipart form) goes to a file on the target for curl.
  let upload: Buffer | undefined;
  if (args.body_format === 'form-multipart') {
    const form = await multipartBody(ctx, args);
    if (typeof form === 'string') return failed(form, { url: safeUrl(args.url) });
    upload = form.body;
    const others = Object.entries(req.headers ?? {}).filter(([k]) => k !== 'Content-Type');
    req.headers = { ...Object.fromEntries(others), 'Content-Type': form.type };
  } else {
    const { body, type } = encodeBody(args);
    if (body !== undefined) req.body = body;
    if (type && !Object.keys(req.headers ?? {}).some((k) => k.toLowerCase() === 'content-type'))
      req.headers = { ...req.headers, 'Content-Type': type };
  }
  if (args.src !== undefined && toBool(args.remote_src)) req.bodyFile = args.src;
  else if (args.src !== undefined) {
    try {
      upload = await readFile(await ctx.findFile('files', args.src));
    } catch (e) {
      return failed((e as Error).message, { url: safeUrl(args.url) });
    }
  }
  const run = (fn: (r: HttpRequest) => Promise<ApplyResult>): Promise<ApplyResult> =>
    upload === undefined ? fn(req) : withUpload(ctx, upload, req, fn);
  const readOnly = method === 'GET' || method === 'HEAD';
  if (readOnly && args.dest === undefined) {
    const r = await run(async (q) => sent(await perform(ctx, tool, q, args)));
    return r.kind === 'failed' ? failed(r.msg, r.data) : { kind: 'ok', msg: r.msg, data: r.data };
  }
  const plan = {
    data: { url: safeUrl(args.url) },
    apply: () =>
      applying(async () =>
        run(async (q) =>
          args.dest === undefined
            ? sent(await perform(ctx, tool, q, args))
            : saveTo(ctx, tool, q, args, args.dest, readOnly),
        ),
      ),
  };
  if (args.dest !== undefined && readOnly)
    return {
      kind: 'unpredictable',
      reason: 'uri with dest cannot know whether the content changed without downloading',
      ...plan,
    };
  return { kind: 'unpredictable', reason: `uri ${method} would be sent if not in check mode`, ...plan };
}

/** The request with its body in a private temporary file on the target, removed afterwards. */
async function withUpload(
  ctx: ModuleContext,
  data: Buffer,
  req: HttpRequest,
  fn: (r: HttpRequest) => Promise<ApplyResult>,
): Promise<ApplyResult> {
  const tmp = `/tmp/.bosun-uri-${randomBytes(8).toString('hex')}`;
  try {
    await ctx.conn.writeFile(tmp, data, 0o600);
    return await fn({ ...req, bodyFile: tmp });
  } catch (e) {
    return { kind: 'failed', msg: `cannot send the body from ${tmp} on the target: ${(e as Error).message}` };
  } finally {
    await ctx.conn.exec(sh`rm -f -- ${tmp}`).catch(() => undefined);
  }
}

/** Python's name for a value's type, as Ansible's messages say it. */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** A value Python counts as true (a field's content or filename). */
const truthy = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && v !== false && v !== 0 && !(Array.isArray(v) && !v.length);

/**
 * The multipart body, or the failure's message as Ansible words it. A field is a string, or a map with content
 * and/or filename (a file read on the controller, or on the target with remote_src) and mime_type (else guessed
 * from filename by the target's mime.types, as Python's mimetypes, else application/octet-stream).
 */
async function multipartBody(ctx: ModuleContext, args: UriArgs): Promise<{ type: string; body: Buffer } | string> {
  const remote = toBool(args.remote_src);
  const body = args.body;
  const why = 'failed to parse body as form-multipart: ';
  if (pyTypeName(body) !== 'dict')
    return remote
      ? `${why}Mapping is required, cannot be type ${pyTypeName(body)}`
      : `body must be mapping, cannot be type ${pyTypeName(body)}`;
  let table: Map<string, string> | undefined;
  const parts: MultipartPart[] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') {
      if (/[\r\n]/.test(name)) return `${why}Header values may not contain linefeed or carriage return characters`;
      parts.push({ name, content: Buffer.from(value), type: 'text/plain' });
      continue;
    }
    if (pyTypeName(value) !== 'dict')
      return `${why}value must be a string, or mapping, cannot be type ${pyTypeName(value)}`;
    const v = value as Record<string, unknown>;
    const filename = truthy(v['filename']) ? pyText(v['filename']) : undefined;
    const content = truthy(v['content']) ? pyText(v['content']) : undefined;
    if (filename === undefined && content === undefined)
      return `${why}at least one of filename or content must be provided`;
    let type = truthy(v['mime_type']) ? pyText(v['mime_type']) : undefined;
    if (type === undefined) {
      table ??= parseMimeTypes((await ctx.conn.readFile('/etc/mime.types').catch(() => null))?.toString() ?? '');
      type = (filename !== undefined && guessMime(filename, table)) || 'application/octet-stream';
    }
    // A line break in a part's header would start another header (Python's email package refuses it too).
    if ([name, filename ?? '', type].some((h) => /[\r\n]/.test(h)))
      return `${why}Header values may not contain linefeed or carriage return characters`;
    const [main = '', ...sub] = type.split('/');
    type = `${main}/${sub.join('/')}`;
    if (content !== undefined) {
      parts.push({ name, content: Buffer.from(content), type, ...(filename !== undefined ? { filename } : {}) });
      continue;
    }
    let file: Buffer | null;
    try {
      file = remote ? await ctx.conn.readFile(filename!) : await readFile(await ctx.findFile('files', filename!));
    } catch (e) {
      return (e as Error).message;
    }
    if (file === null) return `${why}[Errno 2] No such file or directory: '${filename!}'`;
    parts.push({ name, file, filename: filename!, type });
  }
  return encodeMultipart(parts);
}

/** As Ansible, a request is not a change (only writing dest is); an unwanted answer fails the task. */
function sent(r: Response): ApplyResult {
  return r.ok ? { kind: 'unchanged', msg: r.msg, data: r.data } : { kind: 'failed', msg: r.msg, data: r.data };
}

/** Download the body into a temp file beside dest; replace dest only when the content differs (GET) or always (others). */
async function saveTo(
  ctx: ModuleContext,
  tool: HttpTool,
  req: HttpRequest,
  args: UriArgs,
  dest: string,
  readOnly: boolean,
): Promise<ApplyResult> {
  const tmp = posix.join(posix.dirname(dest), `.bosun-tmp-${randomBytes(6).toString('hex')}`);
  const r = await perform(ctx, tool, req, args, shq(tmp));
  if (!r.ok) {
    await ctx.conn.exec(sh`rm -f -- ${tmp}`);
    return { kind: 'failed', msg: r.msg, data: r.data };
  }
  const mv = await ctx.conn.exec(
    sh`if [ -f ${dest} ] && cmp -s ${tmp} ${dest}; then rm -f -- ${tmp}; echo SAME; else mv -f -- ${tmp} ${dest} || { rm -f -- ${tmp}; exit 1; }; fi`,
  );
  if (mv.rc !== 0) return { kind: 'failed', msg: `cannot write ${dest}: ${mv.stderr.trim()}`, data: r.data };
  const same = /^SAME$/m.test(mv.stdout);
  const data: ResultData = { ...r.data, path: dest };
  // As Ansible: a JSON answer is also read into `json` when it went to dest.
  if (isJsonType(typeof r.data['content_type'] === 'string' ? r.data['content_type'] : undefined)) {
    const saved = await ctx.conn.exec(sh`cat -- ${dest}`);
    try {
      if (saved.rc === 0) data['json'] = JSON.parse(saved.stdout);
    } catch {
      // not JSON after all: leave `json` out, as Ansible does
    }
  }
  return { kind: !readOnly || !same ? 'applied' : 'unchanged', data, msg: r.msg };
}
