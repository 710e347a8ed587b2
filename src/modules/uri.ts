/**
 * `uri`: an HTTP request made by the target itself (curl, else wget), as
 * Ansible's runs on the target. GET and HEAD change nothing and run while
 * deciding (so check mode shows the real answer); other methods are changes,
 * made in the apply step, and unpredictable in check mode unless
 * `creates`/`removes` decide.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { sh, shq } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { requestOf, safeUrl } from './get_url.js';
import { applying, deciding, failed } from './lib/result.js';
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
  body_format?: 'json' | 'form-urlencoded' | 'raw';
  headers?: Record<string, string>;
  status_code?: number | number[];
  return_content?: boolean | string;
  timeout?: number;
  validate_certs?: boolean | string;
  url_username?: string;
  url_password?: string;
  force_basic_auth?: boolean | string;
  follow_redirects?: string;
  dest?: string;
  creates?: string;
  removes?: string;
}

const META = '__BOSUN_HTTP__';

/** The body as text and the Content-Type it implies. */
function encodeBody(args: UriArgs): { body?: string; type?: string } {
  if (args.body === undefined) return {};
  const format = args.body_format ?? 'raw';
  if (format === 'json')
    return { body: typeof args.body === 'string' ? args.body : JSON.stringify(args.body), type: 'application/json' };
  if (format === 'form-urlencoded') {
    const body =
      typeof args.body === 'string'
        ? args.body
        : new URLSearchParams(
            Object.entries(args.body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]),
          ).toString();
    return { body, type: 'application/x-www-form-urlencoded' };
  }
  return { body: typeof args.body === 'string' ? args.body : JSON.stringify(args.body) };
}

/** Run the request on the target; the body goes to stdout, or to `out` (a quoted sh word) when saving to dest. */
async function perform(
  ctx: ModuleContext,
  tool: HttpTool,
  req: HttpRequest,
  args: UriArgs,
  out = '-',
): Promise<Response> {
  const t0 = Date.now();
  const cmd = requestCommand(tool, req, out, {
    headers: true,
    writeOut: `\n${META} %{http_code} %{num_redirects} %{url_effective}`,
  });
  const res = await ctx.conn.exec(`${cmd}; bosun_rc=$?; echo; echo "${META}RC $bosun_rc"`);
  const rc = Number(new RegExp(`^${META}RC (\\d+)$`, 'm').exec(res.stdout)?.[1] ?? res.rc);
  let stdout = res.stdout.replace(new RegExp(`\\n${META}RC \\d+\\n?$`), '');
  let finalUrl = args.url;
  if (tool === 'curl') {
    const at = stdout.lastIndexOf(`\n${META} `);
    if (at >= 0) {
      finalUrl =
        stdout
          .slice(at + META.length + 2)
          .trim()
          .split(' ')
          .slice(2)
          .join(' ') || args.url;
      stdout = stdout.slice(0, at);
    }
  }
  const r = parseResponse(tool, stdout, res.stderr);
  const wanted =
    args.status_code === undefined ? [200] : Array.isArray(args.status_code) ? args.status_code : [args.status_code];
  const data: Record<string, unknown> = {
    url: safeUrl(finalUrl),
    status: r.status || -1,
    redirected: r.responses > 1,
    elapsed: Math.round((Date.now() - t0) / 1000),
  };
  for (const [k, v] of Object.entries(r.headers)) data[k.replace(/-/g, '_')] = v;
  if (toBool(args.return_content) && out === '-') data['content'] = r.body;
  if (out === '-' && /json/i.test(r.headers['content-type'] ?? '')) {
    try {
      data['json'] = JSON.parse(r.body);
    } catch {
      // not JSON after all: leave `json` out, as Ansible does
    }
  }
  if (!r.status) {
    const why =
      res.stderr
        .split('\n')
        .filter((l) => !l.startsWith('  ') && l.trim())
        .pop() ?? `${tool} exit code ${rc}`;
    return {
      ok: false,
      status: -1,
      msg: `Status code was -1 and not [${wanted.join(', ')}]: Request failed: ${why.trim()}`,
      data,
    };
  }
  if (!wanted.includes(r.status)) {
    return {
      ok: false,
      status: r.status,
      msg: `Status code was ${r.status} and not [${wanted.join(', ')}]: HTTP Error ${r.status}`,
      data,
    };
  }
  data['msg'] = `OK (${r.headers['content-length'] ?? 'unknown'} bytes)`;
  return { ok: true, status: r.status, msg: String(data['msg']), data };
}

/** The `uri` module. */
export default defineModule<UriArgs>({
  name: 'uri',
  docs: {
    short: 'Make an HTTP request from the target and check the answer',
    description:
      'The target runs curl (or wget). GET and HEAD are never changes; other methods are, and are skipped in check mode unless creates/removes decide.',
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
        enum: ['json', 'form-urlencoded', 'raw'],
        default: 'raw',
        description: 'How to encode body (json and form-urlencoded also set Content-Type)',
      },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers (a map)' },
      status_code: {
        anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }],
        description: 'Status code(s) that mean success (default 200)',
      },
      return_content: boolSchema('Register the response body as content', false),
      timeout: {
        type: 'integer',
        minimum: 1,
        default: 30,
        description: 'Seconds to connect, and seconds without data before giving up',
      },
      validate_certs: boolSchema('Verify the server TLS certificate', true),
      url_username: { type: 'string', description: 'User for HTTP basic authentication' },
      url_password: { type: 'string', description: 'Password for HTTP basic authentication (never shown in results)' },
      force_basic_auth: boolSchema('Send basic authentication up front (always done when url_username is set)', false),
      follow_redirects: {
        enum: ['all', 'safe', 'none', 'urllib2', 'yes', 'no'],
        default: 'safe',
        description: "Follow redirects ('none'/'no': do not)",
      },
      dest: { type: 'string', description: 'Save the response body to this file on the target' },
      creates: { type: 'string', description: 'A path on the target; when it exists the request is not made' },
      removes: { type: 'string', description: 'A path on the target; when it does not exist the request is not made' },
    },
  },
  decide: (ctx, args) => deciding(async () => decideUri(ctx, args)),
});

async function decideUri(ctx: ModuleContext, args: UriArgs): Promise<Decision> {
  const probes = [detectHttpToolScript];
  if (args.creates !== undefined) probes.push(sh`[ -e ${args.creates} ] && echo 'C 1'`);
  if (args.removes !== undefined) probes.push(sh`[ -e ${args.removes} ] || echo 'R 0'`);
  const res = await ctx.conn.exec(probes.join('; '));
  if (args.creates !== undefined && /^C 1$/m.test(res.stdout))
    return { kind: 'ok', msg: `skipped, since '${args.creates}' exists`, data: { url: safeUrl(args.url) } };
  if (args.removes !== undefined && /^R 0$/m.test(res.stdout))
    return { kind: 'ok', msg: `skipped, since '${args.removes}' does not exist`, data: { url: safeUrl(args.url) } };
  const tool = parseHttpTool(res.stdout);
  if (!tool) return failed("uri needs 'curl' or 'wget' on the target (neither found)", { url: safeUrl(args.url) });
  const req = requestOf(args, 30);
  const method = (args.method ?? 'GET').toUpperCase();
  const { body, type } = encodeBody(args);
  req.method = method;
  req.follow = !['none', 'no'].includes(args.follow_redirects ?? 'safe');
  if (body !== undefined) req.body = body;
  if (type && !Object.keys(req.headers ?? {}).some((k) => k.toLowerCase() === 'content-type'))
    req.headers = { ...req.headers, 'Content-Type': type };
  const readOnly = method === 'GET' || method === 'HEAD';
  if (readOnly && args.dest === undefined) {
    const r = await perform(ctx, tool, req, args);
    return r.ok ? { kind: 'ok', msg: r.msg, data: r.data } : failed(r.msg, r.data);
  }
  const plan = {
    data: { url: safeUrl(args.url) },
    apply: () =>
      applying(async () =>
        args.dest === undefined
          ? sent(await perform(ctx, tool, req, args))
          : saveTo(ctx, tool, req, args, args.dest, readOnly),
      ),
  };
  if (args.creates === undefined && args.removes === undefined)
    return { kind: 'unpredictable', reason: `uri ${method} would be sent if not in check mode`, ...plan };
  if (args.dest !== undefined && readOnly)
    return {
      kind: 'unpredictable',
      reason: 'uri with dest cannot know whether the content changed without downloading',
      ...plan,
    };
  return { kind: 'change', ...plan };
}

/** A request that is not read-only is a change once sent; an unwanted answer fails it (the request was still sent). */
function sent(r: Response): ApplyResult {
  return r.ok
    ? { kind: 'applied', msg: r.msg, data: r.data }
    : { kind: 'failed', msg: r.msg, data: r.data, changed: true };
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
  return { kind: !readOnly || !same ? 'applied' : 'unchanged', data: { ...r.data, path: dest }, msg: r.msg };
}
