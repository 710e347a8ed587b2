/**
 * Downloads made BY THE CONTROLLER (`get_url download: controller`,
 * `unarchive` from a URL): once per URL or checksum for the whole run (one
 * in-flight promise per cache entry, shared by every host), cached under
 * `~/.cache/bosun/downloads/<algo>/<hex>` (or `url/<sha256 of the URL>`
 * without a checksum) so later runs reuse verified files. Retries transient
 * failures (connection refused/reset, timeouts, 5xx) with backoff.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { ChecksumAlgo } from './checksum.js';
import { RemoteFailure } from './remote-file.js';
import { contentDispositionName, RETRY_DELAYS } from './target-http.js';

/** A request made by the controller. */
export interface ControllerRequest {
  url: string;
  headers?: Record<string, string>;
  username?: string;
  password?: string;
  /** Seconds; 0 or absent: none. */
  timeout?: number;
  validateCerts: boolean;
}

/** A verified file in the controller's download cache. */
export interface CachedDownload {
  path: string;
  size: number;
  sha1: string;
  /** Digest in the algorithm of the checksum it was verified against (sha256 without one). */
  digest: string;
  /** The HTTP status of the download; undefined when the file came from the cache. */
  statusCode: number | undefined;
  /** The name a Content-Disposition header gave, if any. */
  filename: string | undefined;
  /** The file's bytes, read once and shared by every host that pushes it. */
  bytes(): Promise<Buffer>;
}

const inflight = new Map<string, Promise<CachedDownload>>();
/** How many HTTP requests this process made for downloads (for tests and reports). */
export const downloadStats = { requests: 0 };

/** The cache folder: `$XDG_CACHE_HOME/bosun/downloads` or `~/.cache/bosun/downloads`. */
export function downloadCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(process.env['HOME'] || homedir(), '.cache');
  return join(base, 'bosun', 'downloads');
}

/** Forget in-flight and finished downloads of this process (tests; a new run in the same process). */
export function resetDownloads(): void {
  inflight.clear();
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`Request failed: HTTP Error ${status} for ${url}`);
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

function isTransient(e: unknown): boolean {
  if (e instanceof HttpStatusError) return e.status >= 500;
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined && TRANSIENT_CODES.has(code)) || /socket hang up|timed out/i.test((e as Error).message);
}

const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));

/** Open a response (following up to 10 redirects); rejects on a non-2xx status. */
function open(req: ControllerRequest, url = req.url, hops = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!lib) return reject(new RemoteFailure(`unsupported URL scheme '${u.protocol}' (http and https only): ${url}`));
    const headers: Record<string, string> = { 'user-agent': 'bosun', ...(req.headers ?? {}) };
    if (req.username !== undefined)
      headers['authorization'] = `Basic ${Buffer.from(`${req.username}:${req.password ?? ''}`).toString('base64')}`;
    downloadStats.requests++;
    const r = lib.get(
      u,
      { headers, rejectUnauthorized: req.validateCerts, timeout: (req.timeout ?? 0) * 1000 || undefined },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && hops < 10) {
          res.resume();
          resolve(open(req, new URL(res.headers.location, u).toString(), hops + 1));
        } else if (status < 200 || status >= 300) {
          res.resume();
          reject(new HttpStatusError(status, url));
        } else resolve(res);
      },
    );
    r.on('timeout', () =>
      r.destroy(Object.assign(new Error(`timed out after ${req.timeout ?? 0} s`), { code: 'ETIMEDOUT' })),
    );
    r.on('error', reject);
  });
}

/** Run `attempt` with retries of transient failures; the last error is rethrown as a task failure. */
async function withRetries<T>(url: string, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i < RETRY_DELAYS.length && isTransient(e)) {
        await sleep(RETRY_DELAYS[i]!);
        continue;
      }
      if (e instanceof RemoteFailure || e instanceof HttpStatusError) throw new RemoteFailure(e.message);
      throw new RemoteFailure(`Request failed: ${(e as Error).message} (${url})`);
    }
  }
}

/** Fetch a small text (a checksum file) on the controller, with retries. */
export async function fetchText(req: ControllerRequest): Promise<string> {
  return withRetries(req.url, async () => {
    const res = await open(req);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  });
}

/** Digest a file on the controller. */
export async function digestFile(path: string, algo: string): Promise<string> {
  const h = createHash(algo);
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

function finish(
  path: string,
  size: number,
  sha1: string,
  digest: string,
  statusCode: number | undefined,
  filename: string | undefined,
): CachedDownload {
  let bytes: Promise<Buffer> | undefined;
  return { path, size, sha1, digest, statusCode, filename, bytes: () => (bytes ??= fs.readFile(path)) };
}

/**
 * The file at `req.url`, downloaded once for the whole run and verified
 * against `checksum` when given (a mismatch fails every host and keeps
 * nothing in the cache).
 */
export function controllerDownload(
  req: ControllerRequest,
  checksum?: { algo: ChecksumAlgo; hex: string },
): Promise<CachedDownload> {
  const key = checksum
    ? `${checksum.algo}/${checksum.hex}`
    : `url/${createHash('sha256').update(req.url).digest('hex')}`;
  let p = inflight.get(key);
  if (!p) {
    p = download(req, join(downloadCacheDir(), key), checksum);
    inflight.set(key, p);
    p.catch(() => inflight.delete(key));
  }
  return p;
}

async function download(
  req: ControllerRequest,
  path: string,
  checksum?: { algo: ChecksumAlgo; hex: string },
): Promise<CachedDownload> {
  const algo = checksum?.algo ?? 'sha256';
  if (checksum) {
    const cached = await fs.stat(path).catch(() => undefined);
    if (cached?.isFile() && (await digestFile(path, algo)) === checksum.hex) {
      return finish(path, cached.size, await digestFile(path, 'sha1'), checksum.hex, undefined, undefined);
    }
  }
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.part-${randomBytes(6).toString('hex')}`;
  try {
    const got = await withRetries(req.url, async () => {
      const res = await open(req);
      const sha1 = createHash('sha1');
      const digest = createHash(algo);
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          sha1.update(chunk);
          digest.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(res, tap, createWriteStream(tmp));
      const filename = contentDispositionName(res.headers['content-disposition']);
      return { status: res.statusCode ?? 200, size, sha1: sha1.digest('hex'), digest: digest.digest('hex'), filename };
    });
    if (checksum && got.digest !== checksum.hex) {
      throw new RemoteFailure(`The checksum for ${req.url} did not match ${checksum.hex}; it was ${got.digest}.`);
    }
    await fs.rename(tmp, path);
    return finish(path, got.size, got.sha1, got.digest, got.status, got.filename);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
