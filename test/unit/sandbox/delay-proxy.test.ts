import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDelayProxy } from '../../../src/sandbox/delay-proxy.js';

/** An echo server on 127.0.0.1 (an ephemeral port). */
let echo: Server;
let echoPort = 0;
beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => echo.close(() => r())));

/** Send `msg` through a proxy on `port` `turns` times, waiting for each echo; ms taken after connecting. */
async function talk(port: number, turns: number): Promise<number> {
  const sock = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const started = Date.now();
  for (let i = 0; i < turns; i++) {
    await new Promise<void>((resolve) => {
      sock.once('data', () => resolve());
      sock.write(`ping ${i}`);
    });
  }
  sock.end();
  return Date.now() - started;
}

describe('delay proxy', () => {
  it('holds each direction for half the round-trip time and counts the turns', async () => {
    const proxy = await startDelayProxy({
      address: '127.0.0.1',
      port: 0,
      target: '127.0.0.1',
      targetPort: echoPort,
      rttMs: 100,
    });
    try {
      const port = proxy.port;
      const ms = await talk(port, 3);
      // One round trip to connect upstream, then one per turn: at least 3 x 100 ms after connecting.
      expect(ms).toBeGreaterThanOrEqual(300);
      expect(proxy.counts.connections).toBe(1);
      // The connection's set-up and three turns.
      expect(proxy.counts.roundTrips).toBe(4);
    } finally {
      await proxy.close();
    }
  });

  it('keeps byte order under load', async () => {
    const proxy = await startDelayProxy({
      address: '127.0.0.1',
      port: 0,
      target: '127.0.0.1',
      targetPort: echoPort,
      rttMs: 10,
    });
    try {
      const sock = connect({ host: '127.0.0.1', port: proxy.port });
      const want = Array.from({ length: 500 }, (_, i) => `${i},`).join('');
      let got = '';
      const done = new Promise<void>((r) =>
        sock.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.length >= want.length) r();
        }),
      );
      for (let i = 0; i < 500; i++) sock.write(`${i},`);
      await done;
      sock.destroy();
      expect(got).toBe(want);
    } finally {
      await proxy.close();
    }
  });

  it('stalls the first connections when asked: accepted, never forwarded', async () => {
    const proxy = await startDelayProxy({
      address: '127.0.0.1',
      port: 0,
      target: '127.0.0.1',
      targetPort: echoPort,
      rttMs: 0,
      stallFirst: 1,
    });
    try {
      const sock = connect({ host: '127.0.0.1', port: proxy.port });
      let answered = false;
      sock.on('data', () => (answered = true));
      sock.write('hello');
      await new Promise((r) => setTimeout(r, 200));
      sock.destroy();
      expect(answered).toBe(false);
      expect(await talk(proxy.port, 1)).toBeGreaterThanOrEqual(0);
      expect(proxy.counts.connections).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('refuses an address outside 127.0.0.0/8', async () => {
    await expect(startDelayProxy({ address: '10.0.0.1', target: '127.0.0.1', rttMs: 1 })).rejects.toThrow();
  });
});
