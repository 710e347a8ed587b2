/**
 * SshConnection against an in-process ssh2 Server on 127.0.0.1 (no root
 * needed): host key verdicts, authentication failures, timeouts, and the
 * persistent shell, whose exec channel the server backs with a local `sh`.
 */
import { promises as fs } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, utils } from 'ssh2';
import { fingerprintSha256 } from '../../../src/connection/known-hosts.js';
import { SshConnection } from '../../../src/connection/ssh.js';
import { ConnectionError, HostKeyError, type ConnectionSpec } from '../../../src/connection/types.js';
import { runExec } from '../../helpers/ssh2-exec.js';

const hostKey = utils.generateKeyPairSync('ed25519');
const otherKey = utils.generateKeyPairSync('ed25519');
let server: Server;
let port = 0;
let execChannels = 0;
let dir = '';

beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'bosun-ssh2-'));
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === 'tester' && ctx.password === 'right') ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          execChannels++;
          runExec(acceptExec(), info.command);
        });
      });
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await fs.rm(dir, { recursive: true, force: true });
});

/** A spec for the test server; host key checking on, against `known`. */
async function spec(known: string, overrides: Partial<ConnectionSpec> = {}): Promise<ConnectionSpec> {
  const file = join(dir, `kh-${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(file, known);
  return {
    name: 'srv',
    type: 'ssh',
    address: '127.0.0.1',
    port,
    user: 'tester',
    password: 'right',
    strictHostKeyChecking: true,
    knownHostsFiles: [file],
    connectTimeoutMs: 3000,
    ...overrides,
  };
}

/** Whatever a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** The HostKeyError `p` rejects with (another error fails the test). */
async function hostKeyRejection(p: Promise<unknown>): Promise<HostKeyError> {
  const err = await rejection(p);
  if (err instanceof HostKeyError) return err;
  throw new Error(`expected a HostKeyError, got: ${err.message}`);
}

const line = (key: string) => `[127.0.0.1]:${port} ${key}\n`;
const blob = (pub: string) => Buffer.from(pub.split(' ')[1]!, 'base64');

describe('SshConnection against an ssh2 Server', () => {
  it('connects when known_hosts has the key under [host]:port, and runs commands through one shell', async () => {
    const c = new SshConnection(await spec(line(hostKey.public)));
    try {
      const before = execChannels;
      for (let i = 0; i < 50; i++)
        expect(await c.exec(`echo ${i}; exit ${i % 3}`)).toEqual({ rc: i % 3, stdout: `${i}\n`, stderr: '' });
      expect(execChannels - before).toBe(1);
      expect((await c.exec('echo "$LC_ALL"')).stdout).toBe('C\n');
    } finally {
      await c.close();
    }
  });

  it('refuses an unknown key with the fingerprint and the ssh-keyscan fix', async () => {
    const err = await hostKeyRejection(new SshConnection(await spec('')).connect());
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.verdict).toBe('unknown');
    expect(err.message).toContain(fingerprintSha256(blob(hostKey.public)));
    expect(err.message).toContain(`ssh-keyscan -p ${port} 127.0.0.1 >> ~/.ssh/known_hosts`);
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('refuses a changed key', async () => {
    const err = await hostKeyRejection(new SshConnection(await spec(line(otherKey.public))).connect());
    expect(err.verdict).toBe('mismatch');
    expect(err.message).toMatch(
      /^REMOTE HOST IDENTIFICATION HAS CHANGED for srv \(127\.0\.0\.1:\d+\): it presents the ssh-ed25519 key SHA256:/,
    );
  });

  it('refuses a revoked key even with checking off', async () => {
    const err = await hostKeyRejection(
      new SshConnection(await spec(`@revoked * ${hostKey.public}\n`, { strictHostKeyChecking: false })).connect(),
    );
    expect(err.verdict).toBe('revoked');
  });

  it('accepts an unknown key with checking off or accept-new, but accept-new refuses a changed one', async () => {
    for (const overrides of [{ strictHostKeyChecking: false }, { acceptNewHostKeys: true }]) {
      const c = new SshConnection(await spec('', overrides));
      expect((await c.exec('echo ok')).stdout).toBe('ok\n');
      await c.close();
    }
    const err = await hostKeyRejection(
      new SshConnection(await spec(line(otherKey.public), { acceptNewHostKeys: true })).connect(),
    );
    expect(err.verdict).toBe('mismatch');
  });

  it('names the methods tried when authentication fails, without the password', async () => {
    const err = await rejection(
      new SshConnection(await spec(line(hostKey.public), { password: 'wrong-secret' })).connect(),
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`authentication failed for tester@127.0.0.1:${port} (tried: password)`);
    expect(err.message).not.toContain('wrong-secret');
  });
});

describe('SshConnection without a server', () => {
  let silent: NetServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts TCP and never says a word: the SSH handshake times out.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        silent.close(() => r());
      }),
  );

  it('times out with the address and the seconds', async () => {
    const silentPort = (silent.address() as { port: number }).port;
    const err = await rejection(
      new SshConnection(await spec('', { port: silentPort, connectTimeoutMs: 500 })).connect(),
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`timed out after 0.5 s connecting to 127.0.0.1:${silentPort}`);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await rejection(new SshConnection(await spec('', { port: closedPort })).connect());
    expect(err.message).toBe(`connection refused on 127.0.0.1:${closedPort}`);
  });
});
