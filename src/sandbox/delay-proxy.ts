/**
 * A userspace TCP delay proxy in front of sandbox hosts, for measuring
 * behaviour behind a slow link (the kernel's netem is not available in the
 * sandbox: it would change the machine's network). Each host gets a proxy on
 * a loopback address of its own that forwards to the host's sshd and holds
 * every chunk for half the round-trip time in each direction (and the TCP
 * connect for one round trip), so a tool sees the host as if it were `rtt`
 * milliseconds away. Byte order is kept (timers of equal delay fire in order).
 *
 * The proxy counts round trips per host: a connection's set-up is one, and
 * every turn of the conversation (data from the client after data from the
 * server, or the first data) is one more. That is the number of times a tool
 * waited for the network, which bounds its wall time from below at rtt × n.
 */
import { promises as fs } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { assertLoopback } from './address.js';
import type { Sandbox, SandboxHost } from './sandbox.js';

/** Round trips and connections one host's proxy saw. */
export interface ProxyCounts {
  connections: number;
  roundTrips: number;
  /** When each connection was accepted (ms since the epoch). */
  openedAt: number[];
}

/** One proxy: listening on `address:port`, forwarding to `target:targetPort`. */
export interface DelayProxy {
  address: string;
  port: number;
  counts: ProxyCounts;
  close(): Promise<void>;
}

export interface DelayProxyOptions {
  /** Where the proxy listens (a loopback address). */
  address: string;
  port?: number;
  target: string;
  targetPort?: number;
  /** The round-trip time to add, in milliseconds (half each way). */
  rttMs: number;
  /** Hold the first N connections: accepted, never forwarded (a host that answers TCP but stalls; for tests). */
  stallFirst?: number;
}

/** Start one delay proxy. */
export async function startDelayProxy(opts: DelayProxyOptions): Promise<DelayProxy> {
  assertLoopback(opts.address);
  assertLoopback(opts.target);
  const half = opts.rttMs / 2;
  const counts: ProxyCounts = { connections: 0, roundTrips: 0, openedAt: [] };
  let toStall = opts.stallFirst ?? 0;
  const sockets = new Set<Socket>();
  const later = (fn: () => void) => (half > 0 ? setTimeout(fn, half) : setImmediate(fn));
  const server: Server = createServer((client) => {
    counts.connections++;
    counts.roundTrips++;
    counts.openedAt.push(Date.now());
    sockets.add(client);
    if (toStall > 0) {
      toStall--;
      client.on('error', () => client.destroy());
      client.on('close', () => sockets.delete(client));
      return;
    }
    let clientTurn = true;
    let upstream: Socket | undefined;
    const queued: Buffer[] = [];
    let clientEnded = false;
    const closeBoth = () => {
      client.destroy();
      upstream?.destroy();
    };
    client.on('error', closeBoth);
    client.on('close', () => {
      sockets.delete(client);
      later(() => upstream?.destroy());
    });
    client.on('data', (chunk: Buffer) => {
      if (clientTurn) {
        counts.roundTrips++;
        clientTurn = false;
      }
      later(() => {
        if (upstream) upstream.write(chunk);
        else queued.push(chunk);
      });
    });
    client.on('end', () =>
      later(() => {
        clientEnded = true;
        upstream?.end();
      }),
    );
    // The TCP handshake to a host rtt away takes one round trip.
    setTimeout(() => {
      if (client.destroyed) return;
      const up = connect({ host: opts.target, port: opts.targetPort ?? 22 });
      upstream = up;
      sockets.add(up);
      up.on('connect', () => {
        for (const c of queued.splice(0)) up.write(c);
        if (clientEnded) up.end();
      });
      up.on('data', (chunk: Buffer) => {
        clientTurn = true;
        later(() => client.write(chunk));
      });
      up.on('end', () => later(() => client.end()));
      up.on('error', closeBoth);
      up.on('close', () => {
        sockets.delete(up);
        later(() => client.destroy());
      });
    }, opts.rttMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 22, opts.address, () => resolve());
  });
  return {
    address: opts.address,
    port: (server.address() as { port: number }).port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A sandbox seen through delay proxies: its own inventory and known_hosts naming the proxies. */
export interface DelayedSandbox {
  hosts: SandboxHost[];
  proxies: DelayProxy[];
  inventoryFile: string;
  knownHostsFile: string;
  privateKeyFile: string;
  /** Round trips per host since the last reset, and connections. */
  counts(): { roundTripsPerHost: number; connectionsPerHost: number };
  reset(): void;
  close(): Promise<void>;
}

/**
 * Put a delay proxy in front of every host of `sb`: host i's proxy listens on
 * the address `offset` (third octet) above its own (127.B.y.z → 127.B.y+offset.z),
 * and the files to reach the hosts through the proxies are written to `dir`.
 */
export async function delayedSandbox(
  sb: Pick<Sandbox, 'hosts' | 'knownHostsFile' | 'privateKeyFile'>,
  rttMs: number,
  dir: string,
  opts: { offset?: number; stallFirst?: (host: SandboxHost) => number } = {},
): Promise<DelayedSandbox> {
  const offset = opts.offset ?? 128;
  const proxies: DelayProxy[] = [];
  const hosts: SandboxHost[] = [];
  const moved = new Map<string, string>();
  try {
    for (const h of sb.hosts) {
      const [a, b, c, d] = h.address.split('.').map(Number) as [number, number, number, number];
      if (c + offset > 255) throw new Error(`no proxy address above ${h.address} (offset ${offset})`);
      const address = `${a}.${b}.${c + offset}.${d}`;
      const stallFirst = opts.stallFirst?.(h) ?? 0;
      proxies.push(await startDelayProxy({ address, target: h.address, rttMs, stallFirst }));
      hosts.push({ ...h, address });
      moved.set(h.address, address);
    }
  } catch (e) {
    await Promise.all(proxies.map((p) => p.close()));
    throw e;
  }
  await fs.mkdir(dir, { recursive: true });
  const knownHostsFile = join(dir, 'known_hosts');
  const known = await fs.readFile(sb.knownHostsFile, 'utf8');
  await fs.writeFile(
    knownHostsFile,
    known
      .split('\n')
      .map((line) => {
        const [addr, ...rest] = line.split(' ');
        const to = addr === undefined ? undefined : moved.get(addr);
        return to === undefined ? line : [to, ...rest].join(' ');
      })
      .join('\n'),
  );
  const inventoryFile = join(dir, 'inventory');
  await fs.writeFile(
    inventoryFile,
    [
      '[sandbox]',
      ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
      '',
      '[sandbox:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${sb.privateKeyFile}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHostsFile}'`,
      '',
    ].join('\n'),
  );
  return {
    hosts,
    proxies,
    inventoryFile,
    knownHostsFile,
    privateKeyFile: sb.privateKeyFile,
    counts() {
      const n = Math.max(1, proxies.length);
      const sum = (f: (c: ProxyCounts) => number) => proxies.reduce((s, p) => s + f(p.counts), 0);
      return { roundTripsPerHost: sum((c) => c.roundTrips) / n, connectionsPerHost: sum((c) => c.connections) / n };
    },
    reset() {
      for (const p of proxies) {
        p.counts.connections = 0;
        p.counts.roundTrips = 0;
        p.counts.openedAt = [];
      }
    },
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
    },
  };
}
