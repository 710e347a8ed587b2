/**
 * The target side of get_url: one probe round trip (dest, its folder, the
 * file inside a folder dest, their digests, the HTTP tool and the digest
 * command), the requests the target makes (requestScript: its answer as
 * tagged lines, read as Ansible's urllib would report it), and the two ways of
 * acting: the target downloads to a temp file, compares, renames and verifies
 * (one round trip); or the controller's cached copy is pushed with an atomic
 * write.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Connection } from '../../connection/types.js';
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, ModuleContext } from '../types.js';
import { attrCommands, isEmptyPlan, type AttrPlan } from './attrs.js';
import { digestCommand, type ChecksumAlgo } from './checksum.js';
import { controllerDownload } from './controller-download.js';
import { atomicWrite, parseStatLines, runThenStat, statScript, type RemoteStat } from './remote-file.js';
import { applying } from './result.js';
import {
  curlConfig,
  detectHttpToolScript,
  parseHttpTool,
  requestCommand,
  type HttpRequest,
  type HttpTool,
} from './target-http.js';

/** What the probe found about dest. */
export interface DestProbe {
  /** The file path (inside dest when dest is a folder and the name is known). */
  dest: string;
  stat: RemoteStat;
  /** The file's digest in the checksum algorithm ('' when absent). */
  digest: string;
  /** dest is a folder and the file name is still unknown. */
  isFolder: boolean;
  parentExists: boolean;
  /** Needed commands that the target lacks. */
  missing: string[];
  tool: HttpTool | undefined;
}

/** Probe dest (and dest/basename when dest is a folder) in one round trip. */
export async function probeDest(
  conn: Connection,
  dest: string,
  base: string | undefined,
  algo: ChecksumAlgo,
  detectTool: boolean,
): Promise<DestProbe> {
  const given = dest.length > 1 ? dest.replace(/\/+$/, '') : dest;
  const inside = base ? posix.join(given, base) : given;
  const cmd = digestCommand(algo);
  const digest = (tag: string, p: string): string =>
    `if [ -f ${shq(p)} ] && [ -r ${shq(p)} ] && command -v ${cmd} >/dev/null 2>&1; then printf 'H${tag} '; ${cmd} < ${shq(p)}; fi`;
  const script = [
    statScript('0', given, { checksum: 'sha1', follow: true }),
    statScript('1', inside, { checksum: 'sha1', follow: true }),
    statScript('2', posix.dirname(given), { follow: true }),
    digest('0', given),
    digest('1', inside),
    `command -v ${cmd} >/dev/null 2>&1 || echo 'M ${cmd}'`,
    detectTool ? detectHttpToolScript : ':',
  ].join('\n');
  const res = await conn.exec(script);
  const stats = parseStatLines(res.stdout);
  const hashes = new Map([...res.stdout.matchAll(/^H(\d) (\S+)/gm)].map((m) => [m[1]!, m[2]!]));
  const missing = [...res.stdout.matchAll(/^M (\S+)$/gm)].map((m) => m[1]!);
  const tool = parseHttpTool(res.stdout);
  const st0 = stats.get('0')!;
  const common = { missing, tool };
  if (st0.type === 'directory' || dest.endsWith('/')) {
    const isDir = st0.type === 'directory';
    if (!base) return { dest: given, stat: st0, digest: '', isFolder: isDir, parentExists: isDir, ...common };
    return {
      dest: inside,
      stat: stats.get('1')!,
      digest: hashes.get('1') ?? '',
      isFolder: false,
      parentExists: isDir,
      ...common,
    };
  }
  const parent = stats.get('2')!;
  return {
    dest: given,
    stat: st0,
    digest: hashes.get('0') ?? '',
    isFolder: false,
    parentExists: parent.type === 'directory',
    ...common,
  };
}

/** Everything the apply step needs. */
export interface DownloadPlan {
  ctx: ModuleContext;
  req: HttpRequest;
  dest: string;
  /** The URL as shown in results (password hidden). */
  url: string;
  algo: ChecksumAlgo;
  /** The digest the download must have (as Ansible cleans it), if any. */
  expected: string | undefined;
  /** Mode, owner and group of a new or replaced file. */
  finalMode: number;
  owner: string | undefined;
  group: string | undefined;
  /** The attribute changes an unchanged dest still needs. */
  plan: AttrPlan;
  cur: RemoteStat;
  tool: HttpTool | undefined;
  tmpDir: string;
  /** Headers sent to the URL asked for but not after a redirect (Ansible's unredirected_headers, lowercase). */
  unredirected?: string[];
  /** Only the attributes change (dest has the checksum). */
  attrsOnly?: boolean;
}

/** What Ansible's add_path_info adds to a result about dest: its attributes, or `state: absent`. */
export function pathInfo(st: RemoteStat | undefined): Record<string, unknown> {
  if (!st?.exists) return { state: 'absent' };
  return {
    uid: st.uid,
    gid: st.gid,
    owner: st.owner,
    group: st.group,
    mode: st.mode,
    state: st.type === 'directory' ? 'directory' : st.type === 'link' ? 'link' : 'file',
    size: st.size,
  };
}

/** The answer to a request the target made, as requestScript's tagged lines give it. */
export interface TargetAnswer {
  rc: number;
  /** HTTP status, 0 when none (no answer; or a file:// URL read). */
  status: number;
  reason: string;
  length: string;
  /** The URL of the last request (after redirects). */
  effective: string;
  disposition: string;
  err: string;
}

/** The path a file:// URL names. */
export function fileUrlPath(url: string): string | undefined {
  if (!/^file:/i.test(url)) return undefined;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
}

/** curl's config for a request without its `url` line, with the URL from a shell word appended. */
function curlWithUrl(req: HttpRequest, urlWord: string): string {
  const rest = curlConfig(req).split('\n').slice(1).join('\n');
  const esc = `$(printf '%s' ${urlWord} | sed 's/[\\\\"]/\\\\&/g')`;
  return `{ printf 'url = "%s"\\n' "${esc}"; printf '%s' ${shq(rest)}; }`;
}

/**
 * sh that makes one request with the target's tool into the file "$bosun_t" (set before), and sets bosun_rc,
 * bosun_status (000: no answer), bosun_len (Content-Length), bosun_reason, bosun_eff, bosun_disp and bosun_err. A
 * file:// URL is read with cat. With `unredirected`, curl asks without following; a redirect is then followed
 * without those headers, as urllib drops unredirected headers.
 */
export function requestScript(tool: HttpTool | undefined, req: HttpRequest, unredirected: string[] = []): string {
  const path = fileUrlPath(req.url);
  if (path !== undefined) {
    return [
      sh`bosun_p=${path}`,
      'bosun_status=000; bosun_len=; bosun_reason=; bosun_disp=; bosun_err=',
      sh`bosun_eff=${req.url}`,
      'if [ ! -e "$bosun_p" ]; then bosun_rc=2',
      'elif [ -d "$bosun_p" ]; then bosun_rc=21',
      'elif cat -- "$bosun_p" > "$bosun_t" 2>/dev/null; then bosun_rc=0; bosun_len=$(wc -c < "$bosun_p"); bosun_len=${bosun_len##* }',
      'else bosun_rc=13; fi',
    ].join('\n');
  }
  if (tool === 'wget') {
    return [
      `bosun_w=$(${requestCommand('wget', req, '"$bosun_t"')} 2>&1); bosun_rc=$?`,
      "bosun_status=$(printf '%s\\n' \"$bosun_w\" | sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9][0-9][0-9]\\).*/\\1/p' | tail -n 1)",
      '[ -n "$bosun_status" ] || bosun_status=000',
      "bosun_reason=$(printf '%s\\n' \"$bosun_w\" | sed -n 's/^ *HTTP\\/[0-9.]* [0-9][0-9][0-9] *//p' | tail -n 1 | tr -d '\\r')",
      "bosun_len=$(printf '%s\\n' \"$bosun_w\" | sed -n 's/^ *[Cc]ontent-[Ll]ength: *//p' | tail -n 1 | tr -d '\\r')",
      "bosun_disp=$(printf '%s\\n' \"$bosun_w\" | sed -n 's/^ *[Cc]ontent-[Dd]isposition: *//p' | tail -n 1 | tr -d '\\r')",
      sh`bosun_eff=${req.url}`,
      "bosun_err=$(printf '%s\\n' \"$bosun_w\" | grep -v '^  ' | tail -n 3)",
    ].join('\n');
  }
  const w = shq(
    '%{http_code}\n%header{content-length}\n%{redirect_url}\n%{url_effective}\n%header{content-disposition}\n',
  );
  const run = (config: string): string =>
    `bosun_w=$(${config} | curl -K - -sS -o "$bosun_t" -D "$bosun_t.h" -w ${w} 2>"$bosun_t.e"); bosun_rc=$?`;
  const lines = [run(`printf '%s' ${shq(curlConfig(unredirected.length ? { ...req, follow: false } : req))}`)];
  const line = (n: number): string => `$(printf '%s\\n' "$bosun_w" | sed -n ${n}p)`;
  if (unredirected.length && req.follow !== false) {
    const headers = Object.fromEntries(
      Object.entries(req.headers ?? {}).filter(([k]) => !unredirected.includes(k.toLowerCase())),
    );
    lines.push(
      `bosun_next=${line(3)}`,
      `case "$bosun_rc:${line(1)}" in 0:30[12378]) [ -z "$bosun_next" ] || ${run(curlWithUrl({ ...req, headers }, '"$bosun_next"'))};; esac`,
    );
  }
  lines.push(
    `bosun_status=${line(1)}; bosun_len=${line(2)}; bosun_eff=${line(4)}; bosun_disp=${line(5)}`,
    '[ -n "$bosun_status" ] || bosun_status=000',
    "bosun_reason=$(tr -d '\\r' < \"$bosun_t.h\" 2>/dev/null | sed -n 's/^HTTP\\/[0-9.]* [0-9][0-9][0-9] *//p' | tail -n 1)",
    'bosun_err=$(cat "$bosun_t.e" 2>/dev/null); rm -f -- "$bosun_t.h" "$bosun_t.e"',
  );
  return lines.join('\n');
}

/** sh printing requestScript's variables as tagged lines (parse them with parseAnswer). */
export const PRINT_ANSWER =
  'printf \'Q %s\\nW %s\\nL %s\\nR %s\\nU %s\\nP %s\\n\' "$bosun_rc" "$bosun_status" "$bosun_len" "$bosun_reason" "$bosun_eff" "$bosun_disp"; printf \'%s\' "$bosun_err" >&2';

/** The answer from PRINT_ANSWER's lines. */
export function parseAnswer(stdout: string, stderr: string): TargetAnswer {
  const get = (tag: string): string => new RegExp(`^${tag} (.*)$`, 'm').exec(stdout)?.[1]?.trim() ?? '';
  return {
    rc: Number(get('Q') || 0),
    status: Number(get('W') || 0),
    length: get('L'),
    reason: get('R'),
    effective: get('U'),
    disposition: get('P'),
    err: stderr,
  };
}

/** The `OK (N bytes)` message urllib's answer gets in Ansible (N: the Content-Length, else `unknown`). */
export function okMessage(a: TargetAnswer): string {
  return `OK (${a.length === '' ? 'unknown' : a.length} bytes)`;
}

/**
 * Ansible's failure for a request that got no usable answer: its message and the result keys it adds, or undefined
 * when the answer is 200 (or 304, or a file read).
 */
export function answerFailure(
  tool: HttpTool | undefined,
  url: string,
  a: TargetAnswer,
): { msg: string; data: Record<string, unknown> } | undefined {
  const path = fileUrlPath(url);
  if (path !== undefined) {
    if (a.rc === 0) return undefined;
    const what = a.rc === 2 ? 'No such file or directory' : a.rc === 21 ? 'Is a directory' : 'Permission denied';
    return { msg: `Request failed: <urlopen error [Errno ${a.rc}] ${what}: '${path}'>`, data: {} };
  }
  if (a.status === 0 || (tool === 'curl' && a.rc !== 0) || (tool === 'wget' && a.rc !== 0 && a.rc !== 8))
    return { msg: connectionFailure(tool ?? 'curl', a.rc, a.err), data: {} };
  if (a.status === 200 || a.status === 304) return undefined;
  const response = a.status >= 400 ? `HTTP Error ${a.status}: ${a.reason}` : okMessage(a);
  return { msg: 'Request failed', data: { status_code: a.status, response } };
}

/** What urllib says in Ansible where curl or wget got no answer (the common cases), else the tool's words. */
export function connectionFailure(tool: HttpTool, rc: number, stderr: string): string {
  const said = /^curl: \(\d+\) (.*)$/m.exec(stderr)?.[1]?.trim();
  if (tool === 'curl') {
    if (rc === 7 && /refused|Couldn't connect/i.test(stderr))
      return 'Request failed: <urlopen error [Errno 111] Connection refused>';
    if (rc === 6) return 'Request failed: <urlopen error [Errno -2] Name or service not known>';
    if (rc === 28 && /Connection timed out|Failed to connect/i.test(stderr))
      return 'Request failed: <urlopen error timed out>';
    if (rc === 28) return 'Connection failure: timed out';
    const cert = /^SSL certificate problem: (.*)$/.exec(said ?? '');
    if (rc === 60 && cert)
      return `Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${cert[1] ?? ''}>`;
  }
  const why =
    said ??
    stderr
      .split('\n')
      .filter((l) => !l.startsWith('  ') && l.trim())
      .pop()
      ?.trim() ??
    `${tool} exit code ${rc}`;
  return `Request failed: ${why}`;
}

const seconds = (t0: number): number => Math.round((Date.now() - t0) / 1000);

/**
 * Download on the target as Ansible's get_url does, in one round trip: the answer into a temp file (in tmp_dest or
 * beside dest); 304 leaves dest as it is; dest is replaced only when the download differs (sha1), then the checksum
 * is verified on what dest now holds (a mismatch removes dest, as Ansible does) and the attributes are set.
 */
export function applyTargetDownload(p: DownloadPlan): Promise<ApplyResult> {
  return applying(async () => {
    const t0 = Date.now();
    if (p.attrsOnly) {
      const st = await runThenStat(p.ctx.conn, attrCommands(p.dest, p.plan), p.dest, { checksum: 'sha1' });
      return {
        kind: 'applied',
        data: { dest: p.dest, url: p.url, checksum_dest: null, checksum_src: null, elapsed: 0, ...pathInfo(st) },
        msg: 'file already exists but file attributes changed',
      };
    }
    const tmp = posix.join(p.tmpDir, `.bosun-get-${randomBytes(6).toString('hex')}`);
    const lines = [
      sh`bosun_t=${tmp}`,
      requestScript(p.tool, p.req, p.unredirected),
      PRINT_ANSWER,
      'case "$bosun_status:$bosun_rc" in',
      `  304:*) rm -f -- "$bosun_t"; echo NOT-MODIFIED; ${statScript('D', p.dest, { follow: true })}; exit 0;;`,
      `  200:0|${fileUrlPath(p.req.url) !== undefined ? '000:0' : '200:8'}) ;;`,
      '  *) rm -f -- "$bosun_t"; exit 3;;',
      'esac',
      `bosun_s=$(sha1sum < "$bosun_t") || { rm -f -- "$bosun_t"; exit 5; }; bosun_s=\${bosun_s%% *}; printf 'SRC %s\\n' "$bosun_s"`,
    ];
    if (p.expected)
      lines.push(
        `bosun_h=$(${digestCommand(p.algo)} < "$bosun_t"); bosun_h=\${bosun_h%% *}; printf 'H %s\\n' "$bosun_h"`,
      );
    const attrs: AttrPlan = { mode: p.finalMode };
    if (p.owner !== undefined) attrs.owner = p.owner;
    if (p.group !== undefined) attrs.group = p.group;
    const onTmp = attrCommands(tmp, attrs).map((c) => `${c} || { rm -f -- "$bosun_t"; exit 6; }`);
    const onDest = attrCommands(p.dest, p.plan).map((c) => `${c} || exit 6`);
    lines.push(
      `if [ "$bosun_s" != ${shq(p.cur.exists ? (p.cur.checksum ?? '') : '')} ]; then`,
      ...onTmp,
      `  ${sh`mv -f -- "$bosun_t" ${p.dest}`} || { rm -f -- "$bosun_t"; exit 7; }`,
      '  echo MOVED',
      'else',
      '  rm -f -- "$bosun_t"',
      ...onDest,
      'fi',
    );
    if (p.expected) {
      lines.push(`if [ "$bosun_h" != ${shq(p.expected)} ]; then ${sh`rm -f -- ${p.dest}`}; exit 4; fi`);
    }
    lines.push(`bosun_m=$(md5sum < ${shq(p.dest)}) && printf 'M5 %s\\n' "\${bosun_m%% *}"`);
    lines.push(statScript('D', p.dest, { checksum: 'sha1', follow: true }));
    const res = await p.ctx.conn.exec(lines.join('\n'));
    const elapsed = seconds(t0);
    const answer = parseAnswer(res.stdout, res.stderr);
    const base = { dest: p.dest, url: p.url, elapsed };
    if (res.rc === 3) {
      const f = answerFailure(p.tool, p.req.url, answer) ?? { msg: 'Request failed', data: {} };
      return { kind: 'failed', msg: f.msg, data: { ...base, ...f.data, ...pathInfo(p.cur) } };
    }
    const src = /^SRC (\S+)$/m.exec(res.stdout)?.[1];
    const moved = /^MOVED$/m.test(res.stdout);
    const checksumDest = p.cur.exists ? (p.cur.checksum ?? null) : null;
    if (res.rc === 4) {
      const got = /^H (\S+)$/m.exec(res.stdout)?.[1] ?? '?';
      return {
        kind: 'failed',
        msg: `The checksum for ${p.dest} did not match ${p.expected ?? '?'}; it was ${got}.`,
        data: { ...base, checksum_src: src, checksum_dest: checksumDest, state: 'absent' },
        ...(moved ? { changed: true as const } : {}),
      };
    }
    if (res.rc !== 0)
      return {
        kind: 'failed',
        msg: res.stderr.trim() || `downloading to ${p.dest} failed (rc ${res.rc})`,
        data: base,
      };
    const st = parseStatLines(res.stdout).get('D')!;
    // As Ansible: a 304 to If-Modified-Since leaves dest (and its attributes: Ansible returns before setting them).
    if (/^NOT-MODIFIED$/m.test(res.stdout))
      return {
        kind: 'unchanged',
        msg: 'HTTP Error 304: Not Modified',
        data: { ...base, status_code: 304, ...pathInfo(st) },
      };
    const data = {
      ...base,
      checksum_src: src,
      checksum_dest: checksumDest,
      md5sum: /^M5 (\S+)$/m.exec(res.stdout)?.[1],
      status_code: fileUrlPath(p.req.url) !== undefined ? null : answer.status,
      ...pathInfo(st),
    };
    const changed = moved || !isEmptyPlan(p.plan);
    return { kind: changed ? 'applied' : 'unchanged', data, msg: okMessage(answer) };
  });
}

/** Download once on the controller (cached, verified) and push the file to this host atomically. */
export function applyControllerDownload(p: DownloadPlan): Promise<ApplyResult> {
  return applying(async () => {
    const t0 = Date.now();
    const file = await controllerDownload(p.req, p.expected ? { algo: p.algo, hex: p.expected } : undefined);
    const bytes = await file.bytes();
    const res = await atomicWrite(p.ctx.conn, p.dest, bytes, {
      mode: p.finalMode,
      ...(p.owner !== undefined ? { owner: p.owner } : {}),
      ...(p.group !== undefined ? { group: p.group } : {}),
    });
    const extra = { status_code: file.statusCode ?? 200, elapsed: seconds(t0), checksum_src: file.sha1 };
    if (res.stat.checksum !== file.sha1)
      return {
        kind: 'failed',
        msg: `the copy of ${p.url} pushed to ${p.dest} is corrupt (sha1 ${res.stat.checksum ?? '?'}, expected ${file.sha1})`,
      };
    return {
      kind: 'applied',
      data: {
        dest: p.dest,
        url: p.url,
        checksum_dest: p.cur.exists ? (p.cur.checksum ?? null) : null,
        ...extra,
        ...pathInfo(res.stat),
      },
      msg: `OK (${file.size} bytes)${file.statusCode === undefined ? ', from the controller cache' : ''}`,
    };
  });
}
