/**
 * `wait_for`: wait on the target for a TCP port to open or close, or a file
 * to appear (optionally containing a pattern) or disappear. The loop runs in
 * the target's shell, bounded by `timeout`; a port is probed with bash's
 * /dev/tcp (or `nc -z` without bash). Reads only, so it runs in check mode.
 */
import { shq } from '../util/shell.js';
import { deciding, failed } from './lib/result.js';
import { defineModule } from './types.js';

/** Arguments of `wait_for`. */
export interface WaitForArgs {
  host?: string;
  port?: number;
  path?: string;
  state?: 'started' | 'stopped' | 'present' | 'absent' | 'drained';
  timeout?: number;
  connect_timeout?: number;
  delay?: number;
  sleep?: number;
  search_regex?: string;
  msg?: string;
}

const ERE_CLASSES: Record<string, string> = {
  d: '[0-9]',
  D: '[^0-9]',
  w: '[[:alnum:]_]',
  W: '[^[:alnum:]_]',
  s: '[[:space:]]',
  S: '[^[:space:]]',
};

/** A Python/JavaScript regex as a POSIX extended regex for the target's grep -E (classes \\d \\w \\s, named and non-capturing groups). */
export function toEre(regex: string): string {
  return regex
    .replace(/\(\?(?:P?<[A-Za-z_][A-Za-z0-9_]*>|:)/g, '(')
    .replace(/\\([dDwWsS])/g, (_m, c: string) => ERE_CLASSES[c]!);
}

/** The regex for JavaScript (match_groups): Python's `(?P<name>` becomes `(?<name>`. */
function toJs(regex: string): RegExp {
  return new RegExp(regex.replace(/\(\?P</g, '(?<'), 'm');
}

/** The sh loop; prints `OK <elapsed>` or `TIMEOUT <elapsed>`, and `C` + the matched text's lines for a search. */
function waitScript(args: WaitForArgs, want: 'up' | 'down', probeTool: string): string {
  const host = args.host ?? '127.0.0.1';
  const ct = args.connect_timeout ?? 5;
  const regex = args.search_regex === undefined ? undefined : toEre(args.search_regex);
  const lim = (cmd: string): string =>
    `if command -v timeout >/dev/null 2>&1; then timeout ${ct} ${cmd}; else ${cmd}; fi`;
  let check: string;
  if (args.port !== undefined) {
    const target = `/dev/tcp/${host}/${args.port}`;
    const open =
      probeTool === 'bash'
        ? lim(`bash -c ${shq(`exec 3<>${target}${regex !== undefined ? ' && cat <&3' : ''}`)}`)
        : regex !== undefined
          ? lim(`nc -w ${ct} ${shq(host)} ${args.port} </dev/null`)
          : `nc -z -w ${ct} ${shq(host)} ${args.port}`;
    check =
      regex !== undefined && want === 'up'
        ? `bosun_c=$(${open} 2>/dev/null); printf '%s' "$bosun_c" | grep -Eq -- ${shq(regex)}`
        : `${open} >/dev/null 2>&1`;
  } else {
    const p = shq(args.path!);
    check =
      regex !== undefined && want === 'up'
        ? `[ -f ${p} ] && bosun_c=$(grep -E -m 1 -- ${shq(regex)} ${p} 2>/dev/null)`
        : `[ -e ${p} ]`;
  }
  const done = want === 'up' ? check : `! { ${check}; }`;
  return [
    'bosun_c=',
    `[ ${args.delay ?? 0} -gt 0 ] && sleep ${args.delay ?? 0}`,
    'bosun_s=$(date +%s)',
    'while :; do',
    `  if ${done}; then echo "OK $(( $(date +%s) - bosun_s ))"; printf '%s\\n' "$bosun_c" | sed 's/^/C /'; exit 0; fi`,
    `  if [ $(( $(date +%s) - bosun_s )) -ge ${args.timeout ?? 300} ]; then echo "TIMEOUT $(( $(date +%s) - bosun_s ))"; exit 0; fi`,
    `  sleep ${args.sleep ?? 1}`,
    'done',
  ].join('\n');
}

/** The `wait_for` module. */
export default defineModule<WaitForArgs>({
  name: 'wait_for',
  docs: {
    short: 'Wait on the target for a port or a file (or a pattern in it)',
    description:
      'The wait loop runs in the target shell; ports are probed from the target (host defaults to 127.0.0.1 there).',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      host: {
        type: 'string',
        minLength: 1,
        default: '127.0.0.1',
        description: 'Host to connect to, as seen from the target',
      },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'TCP port to wait for' },
      path: { type: 'string', minLength: 1, description: 'File on the target to wait for' },
      state: {
        enum: ['started', 'stopped', 'present', 'absent', 'drained'],
        default: 'started',
        description: 'started/present: wait until open or present; stopped/absent: until closed or gone',
      },
      timeout: { type: 'integer', minimum: 0, default: 300, description: 'Seconds to wait in all' },
      connect_timeout: { type: 'integer', minimum: 1, default: 5, description: 'Seconds for each connection attempt' },
      delay: { type: 'integer', minimum: 0, default: 0, description: 'Seconds to wait before the first check' },
      sleep: { type: 'integer', minimum: 1, default: 1, description: 'Seconds between checks' },
      search_regex: {
        type: 'string',
        description:
          'Regex to find in the file, or in the banner read from the port (run as grep -E on the target; \\d \\w \\s and (?P<name>...) are translated)',
      },
      msg: { type: 'string', description: 'Message on failure instead of the default' },
    },
    not: { required: ['port', 'path'], properties: { port: true, path: true } },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = args.state ?? 'started';
      if (state === 'drained')
        return failed(
          'wait_for state=drained is not supported by bosun (it needs ss/netstat parsing); wait for stopped instead',
        );
      const want = state === 'started' || state === 'present' ? 'up' : 'down';
      let tool = '';
      if (args.port !== undefined) {
        const det = await ctx.conn.exec(
          'if command -v bash >/dev/null 2>&1; then echo bash; elif command -v nc >/dev/null 2>&1; then echo nc; fi',
        );
        tool = det.stdout.trim();
        if (!tool) return failed("wait_for needs 'bash' or 'nc' on the target to test a port (neither found)");
      }
      const t0 = Date.now();
      const limit = ((args.delay ?? 0) + (args.timeout ?? 300) + (args.connect_timeout ?? 5) + 30) * 1000;
      const res = await ctx.conn.exec(waitScript(args, want, tool), { timeoutMs: limit });
      const m = /^(OK|TIMEOUT) (\d+)$/m.exec(res.stdout);
      const elapsed = m ? Number(m[2]) : Math.round((Date.now() - t0) / 1000);
      const where = args.port !== undefined ? { port: args.port } : { path: args.path };
      const data: Record<string, unknown> = { elapsed, state, ...where };
      if (!m || m[1] === 'TIMEOUT') {
        const what = args.port !== undefined ? `${args.host ?? '127.0.0.1'}:${args.port}` : `file ${args.path ?? ''}`;
        const dflt =
          args.search_regex !== undefined && want === 'up'
            ? `Timeout when waiting for search string ${args.search_regex} in ${what}`
            : `Timeout when waiting for ${what}${want === 'down' ? ' to stop' : ''}`;
        return failed(m ? (args.msg ?? dflt) : `wait_for failed: ${res.stderr.trim() || `rc ${res.rc}`}`, data);
      }
      if (args.search_regex !== undefined && want === 'up') {
        const text = [...res.stdout.matchAll(/^C (.*)$/gm)].map((x) => x[1]).join('\n');
        const found = toJs(args.search_regex).exec(text);
        data['match_groups'] = found ? found.slice(1) : [];
        data['match_groupdict'] = found?.groups ?? {};
      }
      return { kind: 'ok', data };
    }),
});
