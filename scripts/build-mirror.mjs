#!/usr/bin/env node
/**
 * A local download mirror for the built-in runtime roles, shaped like the
 * real one (`<mirror>/<upstream host>/<upstream path>`), made from what this
 * machine can reach: Debian's containerd and runc packages (real binaries,
 * fetched with `apt-get download`, nothing installed) repacked as upstream's
 * release files, plus a FIXTURE crictl archive (a shell script printing
 * `crictl version v<V>`), since cri-tools cannot be downloaded here.
 *
 *   node scripts/build-mirror.mjs DIR                 build, print the manifest
 *   node scripts/build-mirror.mjs DIR --serve [--port-file F]
 *                                                     build, serve on 127.0.0.1 until stopped
 *
 * The tests (test/helpers/runtime-mirror.ts) and the demo (scripts/demo.sh)
 * both use it. The checksums it prints are test fixtures: never pin them in
 * role defaults.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  openSync,
  renameSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
  chmodSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Version of the fixture crictl (what its `--version` prints). */
export const CRICTL_FIXTURE_VERSION = '1.31.1';
/** Version of the fixture kk (KubeKey), for site.yml's KubeKey step in check mode. */
export const KUBEKEY_FIXTURE_VERSION = '3.1.12';

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }).toString();

/**
 * Debian's .deb files of containerd and runc, downloaded once into a cache folder (apt-get update first when the lists
 * lack them).
 */
export function downloadDebs(cacheDir = path.join(homedir(), '.cache', 'bosun', 'runtime-debs'), log = () => {}) {
  mkdirSync(cacheDir, { recursive: true });
  const find = (name) => readdirSync(cacheDir).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  const found = () => ({
    containerd: path.join(cacheDir, find('containerd')),
    runc: path.join(cacheDir, find('runc')),
  });
  if (find('containerd') && find('runc')) return found();
  // Into a folder of our own, then renamed in: two builds at once never see half a file.
  const tmp = mkdtempSync(path.join(cacheDir, '.download-'));
  try {
    const get = () => run('apt-get', ['download', 'containerd', 'runc'], { cwd: tmp });
    try {
      log('apt-get download containerd runc (Debian packages, nothing is installed)');
      get();
    } catch {
      log('apt-get update (package lists missing), then apt-get download again');
      run('apt-get', ['update', '-qq']);
      get();
    }
    for (const f of readdirSync(tmp)) renameSync(path.join(tmp, f), path.join(cacheDir, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return found();
}

/** The upstream version in a Debian version: 1.6.20~ds1-1+deb12u3 -> 1.6.20. */
export function upstreamVersion(debVersion) {
  const m = /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(debVersion);
  if (!m) throw new Error(`cannot read an upstream version in '${debVersion}'`);
  return m[1];
}

/** A reproducible .tar.gz of `members` (relative to `root`): same bytes, same sha256, every time. */
function tarGz(root, members, out) {
  mkdirSync(path.dirname(out), { recursive: true });
  const tar = `${out}.tar`;
  run('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    root,
    '-cf',
    tar,
    ...members,
  ]);
  const fd = openSync(out, 'w');
  try {
    execFileSync('gzip', ['-n', '-1', '-c', tar], { stdio: ['ignore', fd, 'pipe'] });
  } finally {
    closeSync(fd);
    rmSync(tar, { force: true });
  }
}

/**
 * Build the mirror in `dir`: containerd's archive and runc's binary from
 * Debian's packages, the crictl fixture archive; returns (and writes to
 * `dir/manifest.json`) each file's version, upstream path and sha256.
 */
export function buildRuntimeMirror(
  dir,
  { arch = run('dpkg', ['--print-architecture']).trim(), debCache, log = () => {} } = {},
) {
  const reused = reuse(dir, arch);
  if (reused) {
    log(`reusing the mirror built before in ${dir}`);
    return reused;
  }
  // Built beside `dir` and renamed into place, so that two builds at once (two
  // test files) never serve half a mirror: the second one keeps the first's.
  mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  const building = mkdtempSync(`${path.resolve(dir)}.build-`);
  try {
    const manifest = buildInto(building, arch, debCache, log);
    if (existsSync(dir) && !reuse(dir, arch)) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(building, dir);
    } catch (e) {
      const other = reuse(dir, arch);
      if (!other) throw e;
      return other;
    }
    return manifest;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Build the mirror's files into `dir` (a fresh folder). */
function buildInto(dir, arch, debCache, log) {
  const debs = downloadDebs(debCache, log);
  const work = mkdtempSync(path.join(tmpdir(), 'bosun-mirror-'));
  try {
    const manifest = { arch };
    // containerd: bin/ as upstream's containerd-<V>-linux-<arch>.tar.gz holds it.
    const cVersion = upstreamVersion(run('dpkg-deb', ['-f', debs.containerd, 'Version']).trim());
    const cRoot = path.join(work, 'containerd');
    run('dpkg-deb', ['-x', debs.containerd, cRoot]);
    mkdirSync(path.join(cRoot, 'pkg', 'bin'), { recursive: true });
    const cBins = readdirSync(path.join(cRoot, 'usr', 'bin')).filter((f) => f === 'ctr' || f.startsWith('containerd'));
    for (const b of cBins) copyFileSync(path.join(cRoot, 'usr', 'bin', b), path.join(cRoot, 'pkg', 'bin', b));
    const cPath = `github.com/containerd/containerd/releases/download/v${cVersion}/containerd-${cVersion}-linux-${arch}.tar.gz`;
    log(`containerd ${cVersion}: bin/{${cBins.join(',')}} -> ${cPath}`);
    tarGz(path.join(cRoot, 'pkg'), ['bin'], path.join(dir, cPath));
    manifest.containerd = {
      version: cVersion,
      upstream: cPath,
      sha256: sha256(path.join(dir, cPath)),
      binaries: cBins.sort(),
    };
    // runc: the plain binary runc.<arch>.
    const rVersion = upstreamVersion(run('dpkg-deb', ['-f', debs.runc, 'Version']).trim());
    const rRoot = path.join(work, 'runc');
    run('dpkg-deb', ['-x', debs.runc, rRoot]);
    const rPath = `github.com/opencontainers/runc/releases/download/v${rVersion}/runc.${arch}`;
    mkdirSync(path.dirname(path.join(dir, rPath)), { recursive: true });
    copyFileSync(path.join(rRoot, 'usr', 'sbin', 'runc'), path.join(dir, rPath));
    chmodSync(path.join(dir, rPath), 0o644);
    log(`runc ${rVersion}: usr/sbin/runc -> ${rPath}`);
    manifest.runc = { version: rVersion, upstream: rPath, sha256: sha256(path.join(dir, rPath)) };
    // crictl: a FIXTURE (cri-tools is not reachable from here), upstream's layout: the archive holds only `crictl`;
    // `completion` prints a line, as kubespray's crictl role's handler runs it.
    const kVersion = CRICTL_FIXTURE_VERSION;
    const kRoot = path.join(work, 'crictl');
    mkdirSync(kRoot);
    writeFileSync(
      path.join(kRoot, 'crictl'),
      `#!/bin/sh\n# bosun test fixture standing in for crictl ${kVersion}\ncase "$1" in\n  --version|-v) echo "crictl version v${kVersion}" ;;\n  completion) echo "# crictl completion (fixture)" ;;\n  *) echo "crictl fixture: only --version and completion are implemented" >&2; exit 1 ;;\nesac\n`,
      { mode: 0o755 },
    );
    const kPath = `github.com/kubernetes-sigs/cri-tools/releases/download/v${kVersion}/crictl-v${kVersion}-linux-${arch}.tar.gz`;
    tarGz(kRoot, ['crictl'], path.join(dir, kPath));
    log(`crictl ${kVersion} (fixture script) -> ${kPath}`);
    manifest.crictl = { version: kVersion, upstream: kPath, sha256: sha256(path.join(dir, kPath)), fixture: true };
    // kk: a FIXTURE too (KubeKey's archive holds only `kk`); the demo runs the KubeKey step in check mode.
    const gVersion = KUBEKEY_FIXTURE_VERSION;
    const gRoot = path.join(work, 'kubekey');
    mkdirSync(gRoot);
    writeFileSync(
      path.join(gRoot, 'kk'),
      `#!/bin/sh\n# bosun test fixture standing in for KubeKey ${gVersion}\ncase "$1 $2 $3" in\n  "version -o short") echo "v${gVersion}" ;;\n  *) echo "kk fixture: only 'version -o short' is implemented" >&2; exit 1 ;;\nesac\n`,
      { mode: 0o755 },
    );
    const gPath = `github.com/kubesphere/kubekey/releases/download/v${gVersion}/kubekey-v${gVersion}-linux-${arch}.tar.gz`;
    tarGz(gRoot, ['kk'], path.join(dir, gPath));
    log(`kk ${gVersion} (fixture script) -> ${gPath}`);
    manifest.kubekey = { version: gVersion, upstream: gPath, sha256: sha256(path.join(dir, gPath)), fixture: true };
    writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A mirror built before in `dir` for `arch`, when every file is still there with its sha256. */
function reuse(dir, arch) {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8'));
    if (m.arch !== arch) return undefined;
    for (const k of ['containerd', 'runc', 'crictl', 'kubekey']) {
      if (!m[k]) return undefined;
      const f = path.join(dir, m[k].upstream);
      if (!existsSync(f) || sha256(f) !== m[k].sha256) return undefined;
    }
    return m;
  } catch {
    return undefined;
  }
}

/** The role variables that install the mirror's versions from `url` (test/demo fixtures, not defaults). */
export function mirrorVars(manifest, url) {
  return {
    download_mirror: url,
    runc_version: manifest.runc.version,
    runc_checksum: manifest.runc.sha256,
    containerd_version: manifest.containerd.version,
    containerd_checksum: manifest.containerd.sha256,
    crictl_version: manifest.crictl.version,
    crictl_checksum: manifest.crictl.sha256,
    kubekey_version: manifest.kubekey.version,
    kubekey_checksum: manifest.kubekey.sha256,
    // The Kubernetes minor of the mirror's crictl (site.yml checks that they match).
    kubekey_kubernetes_version: `v${manifest.crictl.version.split('.').slice(0, 2).join('.')}.0`,
  };
}

/** Serve `dir` over HTTP on 127.0.0.1 (GET and HEAD of files only); counts requests per path. */
export function serveMirror(dir, { port = 0 } = {}) {
  const hits = new Map();
  const root = path.resolve(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = path.resolve(root, `.${decodeURIComponent(url.pathname)}`);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    if (!file.startsWith(`${root}${path.sep}`) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolve({
        url: `http://127.0.0.1:${bound}`,
        hits,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

async function cli(argv) {
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) {
    process.stderr.write('usage: node scripts/build-mirror.mjs DIR [--serve] [--port-file FILE] [--vars-file FILE]\n');
    return 2;
  }
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const log = (m) => process.stderr.write(`  mirror: ${m}\n`);
  const manifest = buildRuntimeMirror(dir, { log });
  if (!argv.includes('--serve')) {
    process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    return 0;
  }
  const srv = await serveMirror(dir);
  const vars = mirrorVars(manifest, srv.url);
  if (opt('--vars-file')) writeFileSync(opt('--vars-file'), `${JSON.stringify(vars, null, 2)}\n`);
  if (opt('--port-file')) writeFileSync(opt('--port-file'), `${srv.url}\n`);
  log(`serving ${path.resolve(dir)} on ${srv.url}`);
  const stop = () => {
    srv.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exit(code);
    },
    (e) => {
      process.stderr.write(`build-mirror: ${e.message}\n`);
      process.exit(1);
    },
  );
}
