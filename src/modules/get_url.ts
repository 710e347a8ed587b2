/**
 * `get_url`: download a file over HTTP(S) to the target. By default the
 * target downloads it itself (curl or wget) to a temp file beside dest,
 * verifies the checksum there and renames; `download: controller` (or the
 * `bosun_download` variable) downloads once on the controller, caches it and
 * pushes it to every host. No download when dest already has the checksum.
 */
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { defineModule, type Decision, type ModuleContext } from './types.js';
import {
  attrDiff,
  attrDiffLines,
  attrSchemaProps,
  formatMode,
  isEmptyPlan,
  ModuleArgError,
  parseMode,
  planAttrs,
  wantedAttrs,
  type AttrArgs,
} from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import {
  cleanChecksum,
  digestCommand,
  parseChecksum,
  pickChecksum,
  type ChecksumAlgo,
  type ChecksumSpec,
} from './lib/checksum.js';
import { controllerDownload, fetchText } from './lib/controller-download.js';
import {
  answerFailure,
  applyControllerDownload,
  applyTargetDownload,
  fileUrlPath,
  okMessage,
  parseAnswer,
  pathInfo,
  PRINT_ANSWER,
  probeDest,
  requestScript,
  type DownloadPlan,
  type TargetAnswer,
} from './lib/get-url-apply.js';
import { currentAttrs, RemoteFailure, type RemoteStat } from './lib/remote-file.js';
import { assumedChange, deciding, failed } from './lib/result.js';
import { urlBasename, type HttpRequest, type HttpTool } from './lib/target-http.js';

/** Arguments of `get_url`. */
export interface GetUrlArgs extends AttrArgs {
  url: string;
  dest: string;
  checksum?: string;
  force?: boolean | string;
  timeout?: number;
  headers?: Record<string, string>;
  url_username?: string;
  url_password?: string;
  username?: string;
  password?: string;
  unredirected_headers?: string[];
  force_basic_auth?: boolean | string;
  validate_certs?: boolean | string;
  http_agent?: string;
  client_cert?: string;
  client_key?: string;
  ciphers?: string[];
  use_proxy?: boolean | string;
  use_netrc?: boolean | string;
  decompress?: boolean | string;
  tmp_dest?: string;
  download?: 'target' | 'controller';
}

/** Where downloads happen: the argument, else the `bosun_download`/`download_mode` variable, else the target. */
export function downloadMode(
  arg: string | undefined,
  vars: Readonly<Record<string, unknown>>,
): 'target' | 'controller' {
  if (arg) return arg === 'controller' ? 'controller' : 'target';
  for (const name of ['bosun_download', 'download_mode']) {
    try {
      if (name in vars && vars[name] === 'controller') return 'controller';
    } catch {
      // a lazily rendered variable that fails to render is not a switch
    }
  }
  return 'target';
}

/** The URL as shown in results: any password in it replaced. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '********';
    return u.toString();
  } catch {
    return url;
  }
}

/** The URL as get_url registers it: as given (Ansible's), unless it holds a password, then as safeUrl shows it. */
export function shownUrl(url: string): string {
  try {
    return new URL(url).password ? safeUrl(url) : url;
  } catch {
    return url;
  }
}

/** The request arguments get_url and uri share (Ansible's url_argument_spec), read by requestOf. */
export const URL_SCHEMA_PROPS = {
  url_username: { type: 'string', description: 'User for HTTP basic authentication' },
  url_password: { type: 'string', description: 'Password for HTTP basic authentication (never shown in results)' },
  force_basic_auth: boolSchema(
    'Send basic authentication with the first request (get_url otherwise waits for the server to ask; uri always sends it)',
    false,
  ),
  validate_certs: boolSchema('Verify the server TLS certificate', true),
  http_agent: { type: 'string', default: 'ansible-httpget', description: 'User-Agent header' },
  client_cert: {
    type: 'string',
    description: 'PEM client certificate on the target (may also hold the key): mutual TLS',
  },
  client_key: { type: 'string', description: 'PEM private key on the target for client_cert' },
  ciphers: {
    type: 'array',
    items: { type: 'string', pattern: '^[^\\s:]+$' },
    description: 'OpenSSL cipher names to allow (curl only)',
  },
  use_proxy: boolSchema('Use the proxy of the environment variables (http_proxy, https_proxy, no_proxy)', true),
  use_netrc: boolSchema("Read credentials from the login user's ~/.netrc when the URL has none", true),
} as const;

/** The request the arguments describe (headers, credentials, timeout, certificates). */
export function requestOf(
  args: {
    url: string;
    headers?: Record<string, string>;
    url_username?: string;
    url_password?: string;
    timeout?: number;
    validate_certs?: boolean | string;
    http_agent?: string;
    client_cert?: string;
    client_key?: string;
    ciphers?: string[];
    use_proxy?: boolean | string;
    use_netrc?: boolean | string;
  },
  timeoutDefault: number,
): HttpRequest {
  const headers: Record<string, string> = { ...(args.headers ?? {}) };
  if (args.http_agent !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent'))
    headers['User-Agent'] = args.http_agent;
  const req: HttpRequest = {
    url: args.url,
    headers,
    timeout: args.timeout ?? timeoutDefault,
    validateCerts: toBool(args.validate_certs, true),
  };
  if (args.url_username !== undefined) req.username = args.url_username;
  if (args.url_password !== undefined) req.password = args.url_password;
  if (args.client_cert !== undefined) req.clientCert = args.client_cert;
  if (args.client_key !== undefined) req.clientKey = args.client_key;
  if (args.ciphers?.length) req.ciphers = args.ciphers.join(':');
  req.useProxy = toBool(args.use_proxy, true);
  req.useNetrc = toBool(args.use_netrc, true);
  return req;
}

/** The `get_url` module. */
export default defineModule<GetUrlArgs>({
  name: 'get_url',
  docs: {
    short: 'Download a file over HTTP(S) to the target, verified by checksum',
    description:
      'The target downloads with its own curl or wget (download: target), or the controller downloads once, caches and pushes to every host (download: controller, or the bosun_download variable).',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'dest'],
    properties: {
      url: {
        type: 'string',
        pattern: '^(https?|ftp)://|^file:',
        description: 'HTTP, HTTPS or FTP URL to download, or a file:// URL of a file on the target',
      },
      dest: {
        type: 'string',
        minLength: 1,
        description:
          'Absolute path of the file, or of a folder (the file then takes the Content-Disposition name, else the basename of the URL after redirects, else index.html)',
      },
      checksum: {
        type: 'string',
        description:
          "'ALGO:HEX' or 'ALGO:URL' of a checksum file (sha256sum format); algorithms md5, sha1, sha224, sha256, sha384, sha512",
      },
      ...attrSchemaProps,
      force: boolSchema(
        'Without a checksum, download again even when dest exists (replacing it when different)',
        false,
      ),
      timeout: {
        type: 'integer',
        minimum: 1,
        default: 10,
        description: 'Seconds to connect, and seconds without data before giving up',
      },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Extra request headers (a map)',
      },
      ...URL_SCHEMA_PROPS,
      username: { type: 'string', description: 'Alias of url_username' },
      password: { type: 'string', description: 'Alias of url_password' },
      unredirected_headers: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description: 'Headers (of headers) sent to the URL asked for but not after a redirect (curl only)',
      },
      decompress: boolSchema('Decode a gzip-encoded answer (target download with curl)', true),
      tmp_dest: {
        type: 'string',
        description: 'Folder on the target for the temp file (default: the dest folder, so the final rename is atomic)',
      },
      download: {
        enum: ['target', 'controller'],
        description: "Who downloads: 'target' (default) or 'controller' (once, cached, pushed to every host)",
      },
    },
  },
  decide: (ctx, args) => deciding(async () => decideGetUrl(ctx, args)),
});

/** The sha1 of nothing: what Ansible's check mode (a HEAD request) registers as checksum_src. */
const EMPTY_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/** Ansible's url_filename: the last part of the URL's path as written (not decoded), index.html when empty. */
export function urlFilename(url: string): string {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/s, '');
  return path.slice(path.lastIndexOf('/') + 1) || 'index.html';
}

/** The file name of a Content-Disposition header as Ansible reads it (`attachment; filename=...`, basename). */
export function dispositionFilename(value: string): string | undefined {
  const m = /^attachment; ?filename="?([^"]+)/.exec(value);
  if (!m) return undefined;
  return m[1]!.slice(m[1]!.lastIndexOf('/') + 1) || undefined;
}

/**
 * A request made by the target into a temp file (mktemp: outside dest's folder), removed before the command ends:
 * its answer, the body (when asked), the body's sha1 and, with `algo`, its digest in that algorithm.
 */
async function targetRequest(
  ctx: ModuleContext,
  tool: HttpTool | undefined,
  req: HttpRequest,
  unredirected: string[],
  keepBody: boolean,
  algo?: ChecksumAlgo,
): Promise<{ answer: TargetAnswer; body: string; sha1: string; digest: string }> {
  const script = [
    'bosun_t=$(mktemp) || exit 9',
    requestScript(tool, req, unredirected),
    PRINT_ANSWER,
    `bosun_s=$(sha1sum < "$bosun_t"); printf 'S1 %s\\n' "\${bosun_s%% *}"`,
    algo ? `bosun_h=$(${digestCommand(algo)} < "$bosun_t"); printf 'S2 %s\\n' "\${bosun_h%% *}"` : ':',
    keepBody ? 'echo BODY; cat -- "$bosun_t"' : ':',
    'rm -f -- "$bosun_t"',
  ].join('\n');
  const res = await ctx.conn.exec(script);
  if (res.rc === 9) throw new RemoteFailure(`get_url cannot make a temp file on the target: ${res.stderr.trim()}`);
  const at = res.stdout.indexOf('\nBODY\n');
  const head = at < 0 ? res.stdout : res.stdout.slice(0, at);
  return {
    answer: parseAnswer(head, res.stderr),
    body: at < 0 ? '' : res.stdout.slice(at + 6),
    sha1: /^S1 (\S+)$/m.exec(head)?.[1] ?? '',
    digest: /^S2 (\S+)$/m.exec(head)?.[1] ?? '',
  };
}

/** Whether `headers` has `name` (any case). */
const hasHeader = (headers: Record<string, string> | undefined, name: string): boolean =>
  Object.keys(headers ?? {}).some((k) => k.toLowerCase() === name);

/**
 * A dest the download cannot go to, for both download modes: a missing folder (in check mode predicted as a change,
 * since an earlier task may create it; see put-file) or a folder where a file is wanted. Undefined when usable.
 */
function destUnusable(
  ctx: ModuleContext,
  dest: string,
  cur: RemoteStat,
  parentExists: boolean,
  url: string,
  data: Record<string, unknown>,
): Decision | undefined {
  if (!parentExists) {
    if (!ctx.check) return failed(`Destination ${posix.dirname(dest)} does not exist`, data);
    return assumedChange({
      msg: `would download ${url} to ${dest} (its folder does not exist yet: an earlier task must create it)`,
      data,
      diff: [{ path: dest, before: 'state: absent\n', after: 'state: file\n' }],
      realFailure: `Destination ${posix.dirname(dest)} does not exist`,
    });
  }
  if (cur.type === 'directory') return failed(`dest ${dest} is a directory`, data);
  return undefined;
}

async function decideGetUrl(ctx: ModuleContext, given: GetUrlArgs): Promise<Decision> {
  const args: GetUrlArgs = { ...given };
  if (args.username !== undefined) args.url_username ??= args.username;
  if (args.password !== undefined) args.url_password ??= args.password;
  const mode = downloadMode(args.download, ctx.vars);
  if (mode === 'controller') return decideController(ctx, args);
  const attrs = wantedAttrs(args);
  const url = shownUrl(args.url);
  const req = requestOf({ ...args, http_agent: args.http_agent ?? 'ansible-httpget' }, 10);
  req.decompress = toBool(args.decompress, true);
  req.challenge = !toBool(args.force_basic_auth);
  const unredirected = (args.unredirected_headers ?? []).map((h) => h.toLowerCase());
  const isFile = fileUrlPath(args.url) !== undefined;
  for (const [k, v] of Object.entries(args.headers ?? {}))
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v))
      return failed(
        `header '${k.replace(/[\r\n]/g, ' ')}' has a line break: refused (a header of its own would follow)`,
      );
  let force = toBool(args.force);
  if (force && !hasHeader(args.headers, 'cache-control')) req.headers = { 'Cache-Control': 'no-cache', ...req.headers };

  let spec: ChecksumSpec | undefined;
  let specError: string | undefined;
  try {
    spec = parseChecksum(args.checksum);
  } catch (e) {
    if (!(e instanceof ModuleArgError)) throw e;
    specError = e.message;
  }
  const algo = spec?.algo ?? 'sha256';
  let probe = await probeDest(ctx.conn, args.dest, undefined, algo, true);
  const tool = probe.tool;
  // What Ansible registers when it fails before the download: dest as given, and what it is.
  const early = (): Record<string, unknown> => ({
    dest: args.dest,
    url,
    checksum_dest: null,
    checksum_src: null,
    ...pathInfo(probe.stat),
  });
  if (specError !== undefined) return failed(specError, early());
  if (spec && probe.missing.includes(digestCommand(algo)))
    return failed(`get_url needs '${digestCommand(algo)}' on the target (not found)`, { dest: args.dest, url });
  if (!isFile && !tool) return failed("get_url needs 'curl' or 'wget' on the target (neither found)");
  if (unredirected.length && tool === 'wget') return failed('get_url unredirected_headers needs curl on the target');

  let expected: string | undefined;
  if (spec) {
    let value = spec.value;
    if (spec.isUrl) {
      const sums = await targetRequest(ctx, tool, { ...req, url: spec.value }, unredirected, true);
      const f = answerFailure(tool, spec.value, sums.answer);
      if (f) return failed(f.msg, { url: shownUrl(spec.value), dest: args.dest, ...f.data, ...pathInfo(probe.stat) });
      const filename = urlFilename(args.url);
      const picked = pickChecksum(sums.body, filename);
      if (picked === undefined)
        return failed(`Unable to find a checksum for file '${filename}' in '${shownUrl(spec.value)}'`);
      value = picked;
    }
    expected = cleanChecksum(value);
    if (expected === undefined) return failed('The checksum format is invalid', early());
  }

  const intoFolder = probe.isFolder;
  if (intoFolder) {
    // Ansible names the file after the answer: Content-Disposition's filename, else the last URL's basename (after
    // redirects). A HEAD request asks for them before the download; if it fails, the download says why.
    const head = await targetRequest(ctx, tool, { ...req, method: 'HEAD' }, unredirected, false);
    const bad = answerFailure(tool, args.url, head.answer);
    if (bad && ctx.check) return failed(bad.msg, { url, dest: args.dest, ...bad.data, ...pathInfo(probe.stat) });
    const name =
      (bad ? undefined : dispositionFilename(head.answer.disposition)) ??
      urlFilename(bad || !head.answer.effective ? args.url : head.answer.effective);
    probe = await probeDest(ctx.conn, posix.join(probe.dest, name), undefined, algo, false);
    probe.tool = tool;
  }
  const { dest, stat: cur } = probe;
  const data: Record<string, unknown> = { dest, url };
  const unusable = destUnusable(ctx, dest, cur, probe.parentExists, url, data);
  if (unusable) return unusable;
  if (spec && probe.missing.includes(digestCommand(algo)))
    return failed(`get_url needs '${digestCommand(algo)}' on the target (not found)`, data);

  const current = currentAttrs(cur);
  const plan = planAttrs(attrs, current);
  const finalMode =
    attrs.mode !== undefined ? parseMode(attrs.mode, current?.mode ?? 0o644, false) : (current?.mode ?? 0o644);
  if (!intoFolder && cur.exists) {
    if (!force && expected !== undefined) {
      const shown = { ...data, checksum_dest: null, checksum_src: null, ...pathInfo(cur) };
      if (probe.digest === expected) {
        if (isEmptyPlan(plan)) return { kind: 'ok', msg: 'file already exists', data: shown };
        return {
          kind: 'change',
          msg: 'file already exists but file attributes changed',
          diff: [attrDiff(dest, plan, current)],
          data: shown,
          apply: () => applyTargetDownload({ ...dlPlan(), attrsOnly: true }),
        };
      }
      // A mismatch forces the download (no If-Modified-Since: dest may be newer than the server's copy).
      force = true;
      if (!hasHeader(args.headers, 'cache-control')) req.headers = { 'Cache-Control': 'no-cache', ...req.headers };
    }
    if (!force && cur.mtime > 0 && !hasHeader(args.headers, 'if-modified-since'))
      req.headers = { 'If-Modified-Since': new Date(cur.mtime * 1000).toUTCString(), ...req.headers };
  }
  if (args.tmp_dest !== undefined) {
    const t = await ctx.conn.exec(
      sh`if [ -d ${args.tmp_dest} ]; then echo D; elif [ -e ${args.tmp_dest} ]; then echo F; fi`,
    );
    if (!t.stdout.includes('D'))
      return failed(
        t.stdout.includes('F')
          ? `${args.tmp_dest} is a file but should be a directory.`
          : `${args.tmp_dest} directory does not exist.`,
      );
  }
  function dlPlan(): DownloadPlan {
    return {
      ctx,
      req,
      dest,
      url,
      algo,
      expected,
      finalMode,
      owner: attrs.owner ?? (cur.exists ? String(cur.uid) : undefined),
      group: attrs.group ?? (cur.exists ? String(cur.gid) : undefined),
      plan,
      cur,
      tool,
      tmpDir: args.tmp_dest ?? posix.dirname(dest),
      unredirected,
    };
  }

  const attrLines = attrDiffLines(plan, current);
  const diff = [
    {
      path: dest,
      before: cur.exists
        ? `${expected ? `${algo}: ${probe.digest}` : `sha1: ${cur.checksum ?? ''}`}\n${attrLines.before.map((l) => `${l}\n`).join('')}`
        : 'state: absent\n',
      after: `${expected ? `${algo}: ${expected}` : `downloaded from ${url}`}\n${attrLines.after.map((l) => `${l}\n`).join('')}`,
    },
  ];

  if (ctx.check && !cur.exists) {
    // As Ansible: a HEAD request (a file:// URL is read), so a URL that fails fails the check run too.
    const head = await targetRequest(ctx, tool, { ...req, method: 'HEAD' }, unredirected, false);
    const bad = answerFailure(tool, args.url, head.answer);
    if (bad) return failed(bad.msg, { ...data, ...bad.data, ...pathInfo(cur) });
    return {
      kind: 'change',
      msg: okMessage(head.answer),
      data: { ...data, checksum_src: isFile ? head.sha1 : EMPTY_SHA1, checksum_dest: null, ...pathInfo(cur) },
      diff,
      apply: () => applyTargetDownload(dlPlan()),
    };
  }
  if (ctx.check) {
    // dest exists and the real run downloads again (no checksum, force, a checksum mismatch, a folder dest), so
    // check mode makes the same request (If-Modified-Since and all) into a temp file outside dest's folder, removed at
    // once, and predicts what the run will do: 304 leaves dest, the same content changes at most the attributes, a
    // download without the checksum fails. Ansible sends HEAD and reports changed for any non-empty dest
    // (docs/ansible-differences.md).
    const got = await targetRequest(ctx, tool, req, unredirected, false, expected ? algo : undefined);
    if (got.answer.status === 304)
      return {
        kind: 'ok',
        msg: 'HTTP Error 304: Not Modified',
        data: { ...data, status_code: 304, ...pathInfo(cur) },
      };
    const bad = answerFailure(tool, args.url, got.answer);
    if (bad) return failed(bad.msg, { ...data, ...bad.data, ...pathInfo(cur) });
    const shown = { ...data, checksum_src: got.sha1, checksum_dest: cur.checksum ?? null, ...pathInfo(cur) };
    if (expected !== undefined && got.digest !== expected)
      return failed(`The checksum for ${dest} did not match ${expected}; it was ${got.digest}.`, {
        ...shown,
        state: 'absent',
      });
    const msg = okMessage(got.answer);
    if (got.sha1 === cur.checksum) {
      if (isEmptyPlan(plan)) return { kind: 'ok', msg, data: shown };
      return {
        kind: 'change',
        msg,
        data: shown,
        diff: [
          {
            path: dest,
            before: attrLines.before.map((l) => `${l}\n`).join(''),
            after: attrLines.after.map((l) => `${l}\n`).join(''),
          },
        ],
        apply: () => applyTargetDownload(dlPlan()),
      };
    }
    return { kind: 'change', msg, data: shown, diff, apply: () => applyTargetDownload(dlPlan()) };
  }
  // The real run: an existing dest is replaced only when the download differs (apply says unchanged otherwise).
  return {
    kind: 'change',
    msg: cur.exists ? 'file would be replaced' : 'file would be downloaded',
    diff,
    data,
    apply: () => applyTargetDownload(dlPlan()),
  };
}

/** `download: controller`: the controller downloads once (cached) and pushes the file to every host. */
async function decideController(ctx: ModuleContext, args: GetUrlArgs): Promise<Decision> {
  const attrs = wantedAttrs(args);
  if (args.client_cert !== undefined || args.client_key !== undefined)
    return failed(
      'client_cert and client_key are files on the target: they need the target to download (download: target)',
    );
  const spec = parseChecksum(args.checksum);
  const algo = spec?.algo ?? 'sha256';
  const req = requestOf({ ...args, http_agent: args.http_agent ?? 'ansible-httpget' }, 10);
  req.decompress = toBool(args.decompress, true);
  const url = safeUrl(args.url);
  let probe = await probeDest(ctx.conn, args.dest, urlBasename(args.url), algo, false);
  if (probe.isFolder) {
    const name = (await controllerDownload(req)).filename ?? urlFilename(args.url);
    probe = await probeDest(ctx.conn, posix.join(args.dest, name), undefined, algo, false);
  }
  const { dest, stat: cur } = probe;
  const data: Record<string, unknown> = { dest, url };
  const unusable = destUnusable(ctx, dest, cur, probe.parentExists, url, data);
  if (unusable) return unusable;
  let expected: string | undefined;
  if (spec) {
    let value = spec.value;
    if (spec.isUrl) {
      const filename = urlFilename(args.url);
      const picked = pickChecksum(await fetchText({ ...req, url: spec.value }), filename);
      if (picked === undefined)
        return failed(`Unable to find a checksum for file '${filename}' in '${safeUrl(spec.value)}'`);
      value = picked;
    }
    expected = cleanChecksum(value);
    if (expected === undefined) return failed('The checksum format is invalid', data);
  }
  const current = currentAttrs(cur);
  const plan = planAttrs(attrs, current);
  const finalMode =
    attrs.mode !== undefined ? parseMode(attrs.mode, current?.mode ?? 0o644, false) : (current?.mode ?? 0o644);
  if (cur.exists) {
    Object.assign(data, { checksum_dest: cur.checksum, ...pathInfo(cur) });
    // dest has the content (the checksum, else the controller's download says so): nothing is pushed, only the
    // attributes may change (check mode then downloads nothing more than the real run).
    let same = expected !== undefined && probe.digest === expected;
    if (!same && expected === undefined) same = (await controllerDownload(req)).sha1 === cur.checksum;
    if (same) {
      if (isEmptyPlan(plan))
        return {
          kind: 'ok',
          msg: expected ? 'file already exists' : 'file already exists with the same content',
          data,
        };
      return {
        kind: 'change',
        msg: 'file already exists but file attributes changed',
        diff: [attrDiff(dest, plan, current)],
        data,
        apply: () =>
          applyTargetDownload({
            ctx,
            req,
            dest,
            url,
            algo,
            expected,
            finalMode,
            plan,
            cur,
            owner: undefined,
            group: undefined,
            tool: undefined,
            tmpDir: posix.dirname(dest),
            attrsOnly: true,
          }),
      };
    }
  }
  const dl: DownloadPlan = {
    ctx,
    req,
    dest,
    url,
    algo,
    expected,
    finalMode,
    plan,
    cur,
    owner: attrs.owner ?? (cur.exists ? String(cur.uid) : undefined),
    group: attrs.group ?? (cur.exists ? String(cur.gid) : undefined),
    tool: undefined,
    tmpDir: posix.dirname(dest),
  };
  const attrLines = attrDiffLines(plan, current);
  return {
    kind: 'change',
    msg: cur.exists ? 'file would be replaced' : 'file would be downloaded',
    diff: [
      {
        path: dest,
        before: cur.exists
          ? `${algo}: ${probe.digest}\n${attrLines.before.map((l) => `${l}\n`).join('')}`
          : 'state: absent\n',
        after: `${expected ? `${algo}: ${expected}` : `downloaded from ${url}`}\n${attrLines.after.map((l) => `${l}\n`).join('')}`,
      },
    ],
    data: { ...data, mode: formatMode(finalMode), state: 'file' },
    apply: () => applyControllerDownload(dl),
  };
}
