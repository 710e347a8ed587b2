/**
 * A tiny HTTP server on 127.0.0.1 (random port) for the download modules'
 * tests: routes with a body, status and headers, a request counter per path,
 * routes that fail N times before answering, and the last request's headers.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** One route's answer. */
export interface Route {
  body?: string | Buffer;
  status?: number;
  headers?: Record<string, string>;
  /** Answer 503 this many times first. */
  failFirst?: number;
  /** Require this Authorization header value (401 otherwise). */
  auth?: string;
}

/** A running test server. */
export interface TestServer {
  url(path: string): string;
  routes: Map<string, Route>;
  /** Requests seen per path. */
  hits: Map<string, number>;
  /** Request headers of the last request per path. */
  lastHeaders: Map<string, http.IncomingHttpHeaders>;
  /** Request bodies and methods per path (last one). */
  lastBody: Map<string, { method: string; body: string }>;
  close(): Promise<void>;
}

/** Start a server on 127.0.0.1 with a random port. */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const lastHeaders = new Map<string, http.IncomingHttpHeaders>();
  const lastBody = new Map<string, { method: string; body: string }>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    lastHeaders.set(path, req.headers);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      lastBody.set(path, { method: req.method ?? '', body: Buffer.concat(chunks).toString('utf8') });
      const route = routes.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
        return;
      }
      if (route.failFirst && n <= route.failFirst) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('try later\n');
        return;
      }
      if (route.auth && req.headers.authorization !== route.auth) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="t"' });
        res.end('auth\n');
        return;
      }
      const body = route.body ?? '';
      res.writeHead(route.status ?? 200, {
        'content-length': String(Buffer.byteLength(body)),
        ...(route.headers ?? {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    routes,
    hits,
    lastHeaders,
    lastBody,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A folder of links to every command in /usr/bin and /bin except `omit`, to use as PATH. */
export async function binWithout(omit: string[]): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'bosun-bin-'));
  for (const base of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    for (const name of await fs.readdir(base).catch(() => [] as string[])) {
      if (omit.includes(name)) continue;
      await fs.symlink(join(base, name), join(dir, name)).catch(() => undefined);
    }
  }
  return dir;
}
