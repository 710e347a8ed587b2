/**
 * `get_url`: download a file over HTTP(S) to the target. By default the
 * target downloads it itself (curl or wget) to a temp file beside dest,
 * verifies the checksum there and renames; `download: controller` (or the
 * `bosun_download` variable) downloads once on the controller, caches it and
 * pushes it to every host. No download when dest already has the checksum.
 */
import { posix } from 'node:path';
import { defineModule, type Decision, type FileDiff, type ModuleContext } from './types.js';
import {
  attrDiffLines,
  attrSchemaProps,
  formatMode,
  isEmptyPlan,
  parseMode,
  planAttrs,
  wantedAttrs,
  type AttrArgs,
} from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { digestCommand, parseChecksum, pickChecksum } from './lib/checksum.js';
import { controllerDownload, fetchText } from './lib/controller-download.js';
import { applyControllerDownload, applyTargetDownload, probeDest, type DownloadPlan } from './lib/get-url-apply.js';
import { currentAttrs, RemoteFailure } from './lib/remote-file.js';
import { assumedChange, deciding, failed } from './lib/result.js';
import {
  contentDispositionName,
  parseResponse,
  requestCommand,
  urlBasename,
  type HttpRequest,
} from './lib/target-http.js';

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

/** The request arguments get_url and uri share (Ansible's url_argument_spec), read by requestOf. */
export const URL_SCHEMA_PROPS = {
  url_username: { type: 'string', description: 'User for HTTP basic authentication' },
  url_password: { type: 'string', description: 'Password for HTTP basic authentication (never shown in results)' },
  force_basic_auth: boolSchema('Send basic authentication up front (always done when url_username is set)', false),
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

/** Find the file name for a folder dest: the URL's basename, else Content-Disposition (a HEAD request). */
async function nameForFolder(
  ctx: ModuleContext,
  mode: 'target' | 'controller',
  req: HttpRequest,
  tool: string | undefined,
): Promise<string> {
  const base = urlBasename(req.url);
  if (base) return base;
  let name: string | undefined;
  if (mode === 'controller') {
    name = (await controllerDownload(req)).filename;
  } else if (tool === 'curl' || tool === 'wget') {
    const res = await ctx.conn.exec(
      requestCommand(tool, { ...req, method: 'HEAD' }, '/dev/null', { headers: true, writeOut: '' }),
    );
    name = contentDispositionName(parseResponse(tool, res.stdout, res.stderr).headers['content-disposition']);
  }
  // As Ansible's url_filename: a URL without a basename and no Content-Disposition name is index.html.
  return name ?? 'index.html';
}

/** The `get_url` module. */
export default defineModule<GetUrlArgs>({
  name: 'get_url',
  docs: {
    short: 'Download a file over HTTP(S) to the target, verified by checksum',
    description:
      'The target downloads with its own curl or wget (download: target), or the controller downloads once, caches and pushes to every host (download: controller, or the bosun_download variable).',
  },
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'dest'],
    properties: {
      url: { type: 'string', pattern: '^(https?|ftp)://', description: 'HTTP, HTTPS or FTP URL to download' },
      dest: {
        type: 'string',
        minLength: 1,
        description: 'Absolute path of the file, or of a folder (the file then takes the URL basename)',
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

async function decideGetUrl(ctx: ModuleContext, args: GetUrlArgs): Promise<Decision> {
  const attrs = wantedAttrs(args);
  const mode = downloadMode(args.download, ctx.vars);
  if (mode === 'controller' && (args.client_cert !== undefined || args.client_key !== undefined))
    return failed(
      'client_cert and client_key are files on the target: they need the target to download (download: target)',
    );
  const spec = parseChecksum(args.checksum);
  const algo = spec?.algo ?? 'sha256';
  const req = requestOf({ ...args, http_agent: args.http_agent ?? 'ansible-httpget' }, 10);
  req.decompress = toBool(args.decompress, true);
  const force = toBool(args.force);
  const url = safeUrl(args.url);
  let probe = await probeDest(ctx.conn, args.dest, urlBasename(args.url), algo, mode === 'target');
  if (probe.isFolder && !urlBasename(args.url)) {
    const name = await nameForFolder(ctx, mode, req, probe.tool);
    probe = await probeDest(ctx.conn, posix.join(args.dest, name), undefined, algo, mode === 'target');
  }
  const { dest, stat: cur } = probe;
  const data: Record<string, unknown> = { dest, url };
  // Check mode: the folder may come from an earlier task (see put-file); predict the download instead of failing.
  if (!probe.parentExists) {
    if (!ctx.check) return failed(`Destination dir ${posix.dirname(dest)} does not exist`, data);
    return assumedChange({
      msg: `would download ${url} to ${dest} (its folder does not exist yet: an earlier task must create it)`,
      data,
      diff: [{ path: dest, before: 'state: absent\n', after: 'state: file\n' }],
      realFailure: `Destination dir ${posix.dirname(dest)} does not exist`,
    });
  }
  if (cur.type === 'directory') return failed(`dest ${dest} is a directory`, data);
  if (spec && probe.missing.includes(digestCommand(algo)))
    return failed(`get_url needs '${digestCommand(algo)}' on the target (not found)`, data);

  let expected = spec?.hex;
  if (spec?.url) {
    const filename = urlBasename(args.url) ?? posix.basename(dest);
    const text =
      mode === 'controller'
        ? await fetchText({ ...req, url: spec.url })
        : await targetText(ctx, probe.tool, { ...req, url: spec.url });
    expected = pickChecksum(spec.algo, text, filename, spec.url);
  }
  const current = currentAttrs(cur);
  const plan = planAttrs(attrs, current);
  const finalMode =
    attrs.mode !== undefined ? parseMode(attrs.mode, current?.mode ?? 0o644, false) : (current?.mode ?? 0o644);
  if (cur.exists) {
    Object.assign(data, {
      checksum_dest: cur.checksum,
      size: cur.size,
      mode: cur.mode,
      owner: cur.owner,
      group: cur.group,
      uid: cur.uid,
      gid: cur.gid,
      state: 'file',
    });
    if (expected && probe.digest === expected && isEmptyPlan(plan))
      return { kind: 'ok', msg: 'file already exists with the right checksum', data };
  }
  // Without a checksum an existing dest is downloaded again, as Ansible does: with If-Modified-Since (its mtime)
  // unless force, so a server that keeps dates answers 304 and nothing is transferred; dest is replaced only when
  // the download differs.
  const contentPlanned = !cur.exists || (expected !== undefined && probe.digest !== expected) || !expected;
  const attrLines = attrDiffLines(plan, current);
  const diff: FileDiff[] = [];
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
    tool: probe.tool,
    tmpDir: args.tmp_dest ?? posix.dirname(dest),
    compareOnly: false,
  };
  if (!contentPlanned) {
    diff.push({
      path: dest,
      before: attrLines.before.map((l) => `${l}\n`).join(''),
      after: attrLines.after.map((l) => `${l}\n`).join(''),
    });
    return {
      kind: 'change',
      msg: 'attributes changed',
      diff,
      data,
      apply: () => applyTargetDownload({ ...dl, attrsOnly: true }),
    };
  }
  if (mode === 'target' && !probe.tool)
    return failed("get_url needs 'curl' or 'wget' on the target (neither found)", data);
  let unpredictable: string | undefined;
  if (cur.exists && !expected) {
    // force without a checksum: only the download says whether the content differs.
    if (mode === 'controller') {
      const file = await controllerDownload(req);
      if (file.sha1 === cur.checksum && isEmptyPlan(plan))
        return { kind: 'ok', msg: 'file already exists with the same content', data };
    } else {
      unpredictable = 'get_url without a checksum cannot know whether the content changed without downloading';
      dl.compareOnly = true;
      if (!force && cur.mtime > 0)
        dl.req = { ...req, headers: { ...req.headers, 'If-Modified-Since': new Date(cur.mtime * 1000).toUTCString() } };
    }
  }
  const before = cur.exists
    ? `${algo}: ${probe.digest}\n${attrLines.before.map((l) => `${l}\n`).join('')}`
    : 'state: absent\n';
  const after = `${expected ? `${algo}: ${expected}` : `downloaded from ${url}`}\n${attrLines.after.map((l) => `${l}\n`).join('')}`;
  diff.push({ path: dest, before, after });
  const predicted = { ...data, mode: formatMode(finalMode), state: 'file' };
  const plan2 = {
    msg: cur.exists ? 'file would be replaced' : 'file would be downloaded',
    diff,
    data: predicted,
    apply: () => (mode === 'controller' ? applyControllerDownload(dl) : applyTargetDownload(dl)),
  };
  return unpredictable ? { kind: 'unpredictable', reason: unpredictable, ...plan2 } : { kind: 'change', ...plan2 };
}

/** A small text (a checksum file) fetched by the target to stdout. */
async function targetText(ctx: ModuleContext, tool: string | undefined, req: HttpRequest): Promise<string> {
  if (tool !== 'curl' && tool !== 'wget')
    throw new RemoteFailure("get_url needs 'curl' or 'wget' on the target (neither found)");
  const res = await ctx.conn.exec(
    tool === 'curl' ? `${requestCommand(tool, req, '-', { writeOut: '' })} --fail` : requestCommand(tool, req, '-'),
  );
  if (res.rc !== 0)
    throw new RemoteFailure(
      `cannot fetch the checksum file ${req.url}: ${res.stderr.trim().split('\n').pop() ?? `rc ${res.rc}`}`,
    );
  return res.stdout;
}
