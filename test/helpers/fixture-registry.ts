/**
 * A FIXTURE container registry for the runtime roles' credential tests: the
 * bits of the registry v2 API a pull needs (`GET /v2/`, manifests by tag or
 * digest, blobs by digest, HEAD of each) behind HTTP basic auth, serving one
 * small OCI image it builds itself (one layer holding /hello.txt). It
 * listens on a sandbox address the test owns, over plain HTTP, and records
 * every request (path, and whether it carried the right credentials).
 * With `tls` it serves HTTPS instead and refuses every connection whose
 * client certificate the given CA did not sign (mutual TLS).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One request the registry answered. */
export interface RegistryRequest {
  method: string;
  path: string;
  /** The request carried the registry's own username and password. */
  authorized: boolean;
  status: number;
}

/** A running fixture registry. */
export interface FixtureRegistry {
  /** `host:port`, as runtimes name a registry. */
  host: string;
  /** The image's repository and tag, e.g. `bosun/hello:1.0`. */
  image: string;
  /** The manifest's digest (`sha256:...`). */
  digest: string;
  requests: RegistryRequest[];
  close(): Promise<void>;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Build the image's blobs: a gzip layer, its config and the OCI manifest. */
function buildImage(): { manifest: Buffer; blobs: Map<string, Buffer> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-registry-'));
  try {
    writeFileSync(path.join(dir, 'hello.txt'), 'hello from the bosun fixture registry\n');
    const tar = path.join(dir, 'layer.tar');
    execFileSync('tar', ['--owner=0', '--group=0', '--mtime=@0', '-cf', tar, '-C', dir, 'hello.txt']);
    const diffId = sha(readFileSync(tar));
    execFileSync('gzip', ['-n', tar]);
    const layer = readFileSync(`${tar}.gz`);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: ['/hello'] },
        rootfs: { type: 'layers', diff_ids: [diffId] },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
      }),
    );
    return {
      manifest,
      blobs: new Map([
        [sha(config), config],
        [sha(layer), layer],
      ]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PEM server key and certificate, and the CA client certificates must be signed by. */
export interface FixtureRegistryTls {
  key: string;
  cert: string;
  clientCa: string;
}

/** Start the registry on `address` (a sandbox address of the test) with these credentials. */
export async function startFixtureRegistry(
  address: string,
  credentials: { username: string; password: string },
  tls?: FixtureRegistryTls,
): Promise<FixtureRegistry> {
  const { manifest, blobs } = buildImage();
  const digest = sha(manifest);
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const requests: RegistryRequest[] = [];
  const handler: http.RequestListener = (req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0]!;
    const authorized = req.headers.authorization === expected;
    const answer = (status: number, headers: Record<string, string | number>, body?: Buffer) => {
      requests.push({ method: req.method ?? '', path: urlPath, authorized, status });
      res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!authorized) {
      answer(
        401,
        { 'www-authenticate': 'Basic realm="bosun fixture registry"', 'content-type': 'application/json' },
        Buffer.from('{"errors":[{"code":"UNAUTHORIZED"}]}'),
      );
      return;
    }
    if (urlPath === '/v2/' || urlPath === '/v2') {
      answer(200, { 'content-type': 'application/json' }, Buffer.from('{}'));
      return;
    }
    const m = /^\/v2\/bosun\/hello\/(manifests|blobs)\/(.+)$/.exec(urlPath);
    if (m?.[1] === 'manifests' && (m[2] === '1.0' || m[2] === digest)) {
      answer(
        200,
        {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': digest,
          'content-length': manifest.length,
        },
        manifest,
      );
      return;
    }
    const blob = m?.[1] === 'blobs' ? blobs.get(m[2]!) : undefined;
    if (blob) {
      answer(
        200,
        { 'content-type': 'application/octet-stream', 'docker-content-digest': m![2]!, 'content-length': blob.length },
        blob,
      );
      return;
    }
    answer(404, { 'content-type': 'application/json' }, Buffer.from('{"errors":[{"code":"NOT_FOUND"}]}'));
  };
  const server = tls
    ? https.createServer(
        { key: tls.key, cert: tls.cert, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true },
        handler,
      )
    : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: `${address}:${port}`,
    image: 'bosun/hello:1.0',
    digest,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
