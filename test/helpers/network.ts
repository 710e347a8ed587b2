/**
 * Tests that fetch Debian packages (an apt install in a sandbox host, sudo
 * when this machine lacks it, the runtime mirror's containerd and runc) need
 * apt's mirror. One short TCP probe of it, at collection time, decides: when
 * it does not answer, those tests are skipped with one line saying why,
 * instead of failing after apt's own long timeouts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';

/** How long the probe waits for a TCP connection. */
const PROBE_MS = 3000;

/** Where apt would connect first: its HTTP proxy if one is configured, else the host of its first source. */
export function aptEndpoint(): { host: string; port: number } {
  let proxy = '';
  try {
    proxy =
      /^P='(.*)'$/m.exec(execFileSync('apt-config', ['shell', 'P', 'Acquire::http::Proxy']).toString())?.[1] ?? '';
  } catch {
    // no apt-config: no proxy
  }
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir))
    files.push(
      ...readdirSync(dir)
        .filter((f) => /\.(list|sources)$/.test(f))
        .map((f) => path.join(dir, f)),
    );
  let source = '';
  for (const file of files.filter((f) => existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    source =
      /^URIs:\s*(https?:\/\/\S+)/m.exec(text)?.[1] ??
      /^deb\s+(?:\[[^\]]*\]\s+)?(https?:\/\/\S+)/m.exec(text)?.[1] ??
      '';
    if (source) break;
  }
  const url = new URL(proxy || source || 'http://deb.debian.org/debian');
  return { host: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
}

/** undefined when host:port accepts a TCP connection within PROBE_MS, else why not. */
function probe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`no answer in ${PROBE_MS / 1000} s`), PROBE_MS);
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? 'cannot resolve the name' : (e.code ?? e.message)),
    );
  });
}

let cached: Promise<string | undefined> | undefined;

/** Why Debian's package mirror cannot be reached from here (one line), or undefined when it can. */
export function debianMirrorSkip(): Promise<string | undefined> {
  cached ??= (async () => {
    const { host, port } = aptEndpoint();
    const why = await probe(host, port);
    return why === undefined ? undefined : `needs the network: apt's mirror ${host}:${port} did not answer (${why})`;
  })();
  return cached;
}

/** debianMirrorSkip, unless the runtime mirror's Debian packages are cached already (then nothing is fetched). */
export async function runtimeDebsSkip(
  cacheDir = path.join(homedir(), '.cache', 'bosun', 'runtime-debs'),
): Promise<string | undefined> {
  const cachedDebs = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  const has = (name: string) => cachedDebs.some((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  return has('containerd') && has('runc') ? undefined : debianMirrorSkip();
}

/** The title of a test that is skipped for `reason` (unchanged when it runs). */
export const skipNote = (title: string, reason: string | undefined): string =>
  reason === undefined ? title : `${title} [skipped: ${reason}]`;
