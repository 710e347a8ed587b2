/**
 * ProxyJump: tunnels through jump hosts over their own ssh2 connections
 * (`forwardOut`, a direct-tcpip channel), the tunnel then handed to the
 * target's client as its socket. One connection per jump host (and the hops
 * before it) is shared by every host behind it and closed when the last one
 * is released. Each hop's host key is verified like any host's.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { openClient } from './ssh-client.js';
import { ConnectionError, type ConnectionSpec } from './types.js';

/** One shared jump host connection. */
interface PoolEntry {
  client: Promise<Client>;
  users: number;
  /** Releases the hops before this one. */
  releaseBefore: () => void;
}

/** A tunnel to a target: its socket, and the release of the jump host connections it holds. */
export interface Tunnel {
  sock: Duplex;
  /** Give the jump hosts back (idempotent); the last user closes them. */
  release: () => void;
}

/** What identifies a jump host connection: every hop up to it (the same hop reached another way is another connection). */
function keyOf(chain: ConnectionSpec[]): string {
  return JSON.stringify(
    chain.map((h) => [
      h.address,
      h.port,
      h.user,
      h.privateKeyFile,
      h.identityFiles,
      h.knownHostsFiles,
      h.strictHostKeyChecking,
      h.acceptNewHostKeys,
    ]),
  );
}

/** Shared jump host connections of this process (a run's hosts share them; tests may look at `size`). */
export class JumpPool {
  private readonly entries = new Map<string, PoolEntry>();

  /** Jump host connections open (or opening) now. */
  get size(): number {
    return this.entries.size;
  }

  /** Open a tunnel through `chain` (nearest the controller first) to address:port. */
  async tunnel(targetName: string, chain: ConnectionSpec[], address: string, port: number): Promise<Tunnel> {
    const last = chain.length - 1;
    const { client, entry } = await this.acquire(targetName, chain);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(chain, entry);
    };
    try {
      const sock = await forward(client, address, port).catch((e: unknown) => {
        throw new ConnectionError(
          targetName,
          `jump host ${chain[last]!.name} (${chain[last]!.address}:${chain[last]!.port}) cannot reach ${address}:${port}: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e },
        );
      });
      return { sock, release };
    } catch (e) {
      release();
      throw e;
    }
  }

  /** The connection to the last hop of `chain`, opened through the hops before it if needed. */
  private async acquire(targetName: string, chain: ConnectionSpec[]): Promise<{ client: Client; entry: PoolEntry }> {
    const key = keyOf(chain);
    let entry = this.entries.get(key);
    if (!entry) {
      const hop = chain[chain.length - 1]!;
      const before = chain.slice(0, -1);
      let releaseBefore = () => {};
      const client = (async () => {
        let sock: Duplex | undefined;
        if (before.length > 0) {
          const t = await this.tunnel(targetName, before, hop.address, hop.port);
          sock = t.sock;
          releaseBefore = t.release;
        }
        try {
          return await openClient(hop, sock);
        } catch (e) {
          releaseBefore();
          const why = e instanceof Error ? e.message : String(e);
          throw new ConnectionError(targetName, `through jump host ${hop.name}: ${why}`, { cause: e });
        }
      })();
      const created: PoolEntry = { client, users: 0, releaseBefore: () => releaseBefore() };
      entry = created;
      this.entries.set(key, created);
      // A failed or lost jump connection is forgotten, so the next host (or a reconnect) opens a fresh one.
      client.then(
        (c) => {
          const forget = () => {
            if (this.entries.get(key) === created) {
              this.entries.delete(key);
              created.releaseBefore();
            }
          };
          c.on('close', forget);
          c.on('error', forget);
        },
        () => {
          if (this.entries.get(key) === created) this.entries.delete(key);
        },
      );
    }
    entry.users++;
    try {
      return { client: await entry.client, entry };
    } catch (e) {
      entry.users--;
      throw e;
    }
  }

  /** One user fewer of the last hop of `chain`; the last one closes it. */
  private release(chain: ConnectionSpec[], entry: PoolEntry): void {
    entry.users--;
    if (entry.users > 0) return;
    const key = keyOf(chain);
    if (this.entries.get(key) === entry) this.entries.delete(key);
    void entry.client
      .then(
        (c) => c.end(),
        () => undefined,
      )
      .finally(() => entry.releaseBefore());
  }
}

/** A direct-tcpip channel from the jump host to address:port. */
function forward(client: Client, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, address, port, (err, channel) => (err ? reject(err) : resolve(channel)));
  });
}

/** The pool every SshConnection of this process uses. */
export const jumpPool = new JumpPool();
