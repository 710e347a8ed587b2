/**
 * The lookups that ask the controller: `env` (bosun's own environment),
 * `pipe` (a shell command run on the controller, as Ansible's Popen with
 * shell=True) and `url` (an HTTP GET from the controller, with Node's fetch).
 * Rendering is synchronous, so `pipe` and `url` run in a child process and
 * wait for it (outside the render budget); their output is data.
 */
import { spawnSync } from 'node:child_process';
import { checkOptions, LookupOptionsError, optionBool, optionText } from './options.js';
import { LookupError, type LookupFn } from './types.js';
import { isPlainObject } from '../values.js';

/** `env`: each variable's value on the controller, or `default=` ('' unless given). */
export const env: LookupFn = (terms, options) => {
  checkOptions('env', options, ['default']);
  const fallback = options['default'] ?? '';
  return terms.map((term) => {
    const name = String(term).trim().split(/\s+/)[0] ?? '';
    return process.env[name] ?? fallback;
  });
};

/** `pipe`: each command's standard output (trailing whitespace removed); a failed command fails the lookup. */
export const pipe: LookupFn = (terms, options, host) => {
  checkOptions('pipe', options, []);
  return terms.map((term) => {
    const command = String(term);
    const run = host.untimed(() =>
      spawnSync('/bin/sh', ['-c', command], {
        cwd: host.search.basedir,
        input: '',
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    if (run.error) throw new LookupError(`lookup_plugin.pipe(${command}) could not run: ${run.error.message}`);
    if (run.status !== 0) {
      const why = run.status === null ? `was killed by ${run.signal ?? 'a signal'}` : `returned ${run.status}`;
      const stderr = run.stderr.trim();
      throw new LookupError(`lookup_plugin.pipe(${command}) ${why}${stderr ? `: ${stderr.slice(0, 400)}` : ''}`);
    }
    return run.stdout.replace(/\s+$/, '');
  });
};

const URL_OPTIONS = [
  'validate_certs',
  'split_lines',
  'use_proxy',
  'headers',
  'username',
  'password',
  'force',
  'force_basic_auth',
  'timeout',
  'http_agent',
  'follow_redirects',
  'ca_path',
];

/** What the child process does: one GET, the answer as JSON on stdout (the body in base64). */
const FETCH_SCRIPT = `
const o = JSON.parse(process.argv[1]);
const headers = { 'user-agent': o.agent, ...o.headers };
if (o.force) headers['cache-control'] = 'no-cache';
const basic = o.user !== undefined ? 'Basic ' + Buffer.from(o.user + ':' + (o.password ?? '')).toString('base64') : undefined;
if (basic && o.forceBasic) headers.authorization = basic;
const get = (h) => fetch(o.url, { headers: h, redirect: o.follow ? 'follow' : 'manual', signal: AbortSignal.timeout(o.timeoutMs) });
try {
  let r = await get(headers);
  if (r.status === 401 && basic && !o.forceBasic && /basic/i.test(r.headers.get('www-authenticate') ?? '')) r = await get({ ...headers, authorization: basic });
  const body = Buffer.from(await r.arrayBuffer()).toString('base64');
  process.stdout.write(JSON.stringify({ status: r.status, statusText: r.statusText, body }));
} catch (e) {
  const c = e.cause ?? e;
  process.stdout.write(JSON.stringify({ error: String(c.code ?? c.name ?? 'error') + ': ' + String(c.message ?? c) }));
}
`;

/** bytes.splitlines(): on \n, \r\n and \r. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `url`: each URL's body from the controller (`split_lines`, the default, gives its lines). */
export const url: LookupFn = (terms, options, host) => {
  checkOptions('url', options, URL_OPTIONS);
  const headers = options['headers'] ?? {};
  if (!isPlainObject(headers)) throw new LookupOptionsError('headers must be a dict');
  const timeout = Number(options['timeout'] ?? 10);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new LookupOptionsError('timeout must be a number of seconds');
  const follow = optionText(options, 'follow_redirects') ?? 'urllib2';
  if (!['urllib2', 'all', 'yes', 'safe', 'none', 'no'].includes(follow))
    throw new LookupOptionsError(`follow_redirects must be one of urllib2, all, yes, safe, none, no; got '${follow}'`);
  const validate = optionBool(options, 'validate_certs', true);
  const split = optionBool(options, 'split_lines', true);
  const caPath = options['ca_path'];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  if (!validate) childEnv['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  if (typeof caPath === 'string') childEnv['NODE_EXTRA_CA_CERTS'] = caPath;
  return terms.flatMap((term) => {
    const target = String(term);
    const request = {
      url: target,
      agent: optionText(options, 'http_agent') ?? 'ansible-httpget',
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
      force: optionBool(options, 'force', false),
      user: optionText(options, 'username'),
      password: optionText(options, 'password'),
      forceBasic: optionBool(options, 'force_basic_auth', false),
      follow: !['none', 'no'].includes(follow),
      timeoutMs: Math.round(timeout * 1000),
    };
    const run = host.untimed(() =>
      spawnSync(process.execPath, ['--input-type=module', '-e', FETCH_SCRIPT, JSON.stringify(request)], {
        encoding: 'utf8',
        env: childEnv,
        maxBuffer: 256 * 1024 * 1024,
        timeout: request.timeoutMs + 10_000,
      }),
    );
    let answer: { status?: number; statusText?: string; body?: string; error?: string };
    try {
      answer = JSON.parse(run.stdout) as typeof answer;
    } catch {
      throw new LookupError(
        `Failed lookup url for ${target} : ${run.error?.message ?? (run.stderr.trim() || 'no answer')}`,
      );
    }
    if (answer.error !== undefined) {
      const tls = /CERT|SSL|TLS|self.signed|certificate/i.test(answer.error);
      throw new LookupError(
        tls
          ? `Error validating the server's certificate for ${target}: ${answer.error}`
          : `Failed lookup url for ${target} : ${answer.error}`,
        tls ? 'give the CA with ca_path=, or validate_certs=false for a test server' : undefined,
      );
    }
    if (answer.status! >= 300)
      throw new LookupError(
        `Received HTTP error for ${target} : HTTP Error ${answer.status!}: ${answer.statusText ?? ''}`,
      );
    const body = Buffer.from(answer.body ?? '', 'base64').toString('utf8');
    return split ? splitLines(body) : [body];
  });
};
