/**
 * A scenario's `mirror:` folder served read-only over HTTP on the loopback,
 * so a role's downloads (`{{ download_mirror }}/github.com/...`) work with no
 * network. Sandbox hosts share the machine's network, so they reach it.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

/** A running mirror. */
export interface Mirror {
  url: string;
  close(): Promise<void>;
}

/** Serve `dir` on `address` (a port chosen by the system). */
export async function serveMirror(dir: string, address = '127.0.0.1'): Promise<Mirror> {
  const root = path.resolve(dir);
  const server: Server = createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const file = path.resolve(root, `.${rel}`);
    let size = -1;
    try {
      const st = statSync(file);
      if (st.isFile() && file.startsWith(root + path.sep)) size = st.size;
    } catch {
      // missing: 404 below
    }
    if (size < 0 || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(size < 0 ? 404 : 405).end();
      return;
    }
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${address}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
