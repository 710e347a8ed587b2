/**
 * The target side of get_url: one probe round trip (dest, its folder, the
 * file inside a folder dest, their digests, the HTTP tool and the digest
 * command), and the two ways of acting: the target downloads to a temp file
 * beside dest, verifies and renames (one round trip); or the controller's
 * cached copy is pushed with an atomic write.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Connection } from '../../connection/types.js';
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, ModuleContext } from '../types.js';
import { attrCommands, type AttrPlan } from './attrs.js';
import { digestCommand, type ChecksumAlgo } from './checksum.js';
import { controllerDownload } from './controller-download.js';
import { atomicWrite, parseStatLines, runThenStat, statScript, type RemoteStat } from './remote-file.js';
import { applying } from './result.js';
import {
  detectHttpToolScript,
  downloadFailure,
  downloadLoop,
  parseHttpTool,
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
  expected: string | undefined;
  finalMode: number;
  plan: AttrPlan;
  cur: RemoteStat;
  owner: string | undefined;
  group: string | undefined;
  tool: HttpTool | undefined;
  tmpDir: string;
  /** force without a checksum: replace dest only when the download differs. */
  compareOnly: boolean;
  /** Only the attributes change. */
  attrsOnly?: boolean;
}

/** Registered fields of the file after the download. */
function resultData(p: DownloadPlan, st: RemoteStat, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    dest: p.dest,
    url: p.url,
    checksum_dest: st.checksum,
    checksum_src: st.checksum,
    size: st.size,
    mode: st.mode,
    owner: st.owner,
    group: st.group,
    uid: st.uid,
    gid: st.gid,
    state: 'file',
    ...extra,
  };
}

const seconds = (t0: number): number => Math.round((Date.now() - t0) / 1000);

/** Download on the target into a temp file, verify the checksum there, and rename it over dest. */
export function applyTargetDownload(p: DownloadPlan): Promise<ApplyResult> {
  return applying(async () => {
    const t0 = Date.now();
    if (p.attrsOnly) {
      const st = await runThenStat(p.ctx.conn, attrCommands(p.dest, p.plan), p.dest, { checksum: 'sha1' });
      return { kind: 'applied', data: resultData(p, st, { elapsed: 0 }), msg: 'attributes changed' };
    }
    const tool = p.tool!;
    const tmp = posix.join(p.tmpDir, `.bosun-get-${randomBytes(6).toString('hex')}`);
    const fail = (code: number, what: string): string => `{ rm -f -- "$bosun_t"; ${what}exit ${code}; }`;
    const lines = [sh`bosun_t=${tmp}`, downloadLoop(tool, p.req, '"$bosun_t"')];
    lines.push(
      `case "$bosun_rc:$bosun_status" in 0:2??) ;; ${p.compareOnly ? '0:304) rm -f -- "$bosun_t"; echo NOT-MODIFIED; exit 0;; ' : ''}*) rm -f -- "$bosun_t"; printf 'E %s %s\\n' "$bosun_rc" "$bosun_status"; printf '%s' "$bosun_err" >&2; exit 3;; esac`,
    );
    if (p.expected) {
      lines.push(
        `bosun_h=$(${digestCommand(p.algo)} < "$bosun_t") || ${fail(5, "echo 'cannot checksum the download' >&2; ")}`,
      );
      lines.push('bosun_h=${bosun_h%% *}; printf \'H %s\\n\' "$bosun_h"');
      lines.push(`[ "$bosun_h" = ${shq(p.expected)} ] || ${fail(4, '')}`);
    }
    if (p.compareOnly) {
      const same = [...attrCommands(p.dest, p.plan), 'echo SAME'].join(' && ');
      lines.push(`bosun_s=$(sha1sum < "$bosun_t"); bosun_s=\${bosun_s%% *}`);
      lines.push(`if [ "$bosun_s" = ${shq(p.cur.checksum ?? '')} ]; then rm -f -- "$bosun_t"; ${same} || exit 6; else`);
    }
    const attrs: AttrPlan = { mode: p.finalMode };
    if (p.owner !== undefined) attrs.owner = p.owner;
    if (p.group !== undefined) attrs.group = p.group;
    for (const c of attrCommands(tmp, attrs)) lines.push(`${c} || ${fail(6, '')}`);
    lines.push(`${sh`mv -f -- "$bosun_t" ${p.dest}`} || ${fail(7, '')}`);
    if (p.compareOnly) lines.push('fi');
    lines.push(statScript('D', p.dest, { checksum: 'sha1' }), `printf 'W %s\\n' "$bosun_status"`);
    const res = await p.ctx.conn.exec(lines.join('\n'));
    const elapsed = seconds(t0);
    if (res.rc === 3) {
      const m = /^E (\d+) (\d+)$/m.exec(res.stdout);
      return {
        kind: 'failed',
        msg: downloadFailure(tool, p.url, Number(m?.[1] ?? 0), m?.[2] ?? '000', res.stderr),
        data: { dest: p.dest, url: p.url, elapsed, status_code: Number(m?.[2] ?? 0) || -1 },
      };
    }
    if (res.rc === 4) {
      const got = /^H (\S+)$/m.exec(res.stdout)?.[1] ?? '?';
      return {
        kind: 'failed',
        msg: `The checksum for ${p.dest} did not match ${p.expected ?? '?'}; it was ${got}.`,
        data: { dest: p.dest, url: p.url, elapsed },
      };
    }
    if (res.rc !== 0)
      return {
        kind: 'failed',
        msg: res.stderr.trim() || `downloading to ${p.dest} failed (rc ${res.rc})`,
        data: { dest: p.dest, url: p.url, elapsed },
      };
    // As Ansible: a 304 to If-Modified-Since leaves dest (and its attributes: Ansible returns before setting them).
    if (/^NOT-MODIFIED$/m.test(res.stdout))
      return {
        kind: 'unchanged',
        msg: 'HTTP Error 304: Not Modified',
        data: { dest: p.dest, url: p.url, status_code: 304, elapsed },
      };
    const st = parseStatLines(res.stdout).get('D')!;
    const status = Number(/^W (\d+)$/m.exec(res.stdout)?.[1] ?? 0);
    const same = /^SAME$/m.test(res.stdout);
    const msg = `OK (${st.size} bytes)`;
    const data = resultData(p, st, { status_code: status, elapsed });
    const attrsChanged = p.plan.mode !== undefined || p.plan.owner !== undefined || p.plan.group !== undefined;
    return { kind: same && !attrsChanged ? 'unchanged' : 'applied', data, msg };
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
      data: resultData(p, res.stat, extra),
      msg: `OK (${file.size} bytes)${file.statusCode === undefined ? ', from the controller cache' : ''}`,
    };
  });
}
