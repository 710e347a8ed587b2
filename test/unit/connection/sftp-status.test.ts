/**
 * SFTP write refusals in words, against an in-process ssh2 Server whose SFTP
 * subsystem answers every WRITE with a status (no root needed): a server
 * that gives its reason with SSH_FX_FAILURE ("No space left on device", as
 * servers other than OpenSSH's do) is quoted; OpenSSH's bare "Failure" is
 * never the message; the named statuses are said in words.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, utils } from 'ssh2';
import { SshConnection } from '../../../src/connection/ssh.js';
import type { ConnectionSpec } from '../../../src/connection/types.js';
import { TargetError } from '../../../src/errors.js';
import { runExec } from '../../helpers/ssh2-exec.js';

const hostKey = utils.generateKeyPairSync('ed25519');
let server: Server;
let port = 0;
let dir = '';
/** What the server answers a WRITE with, by the file's base name. */
const ANSWERS: Record<string, [number, string]> = {
  'full.bin': [4, 'No space left on device'],
  'bare.bin': [4, 'Failure'],
  'denied.bin': [3, 'Permission denied'],
  'gone.bin': [2, 'No such file'],
};

beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'bosun-sftp-status-'));
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          runExec(acceptExec(), info.command);
        });
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const names = new Map<string, string>();
          sftp.on('OPEN', (reqid, filename) => {
            const handle = Buffer.from(String(names.size));
            names.set(handle.toString(), filename.split('/').pop()!);
            sftp.handle(reqid, handle);
          });
          sftp.on('WRITE', (reqid, handle) => {
            const [code, message] = ANSWERS[names.get(handle.toString()) ?? ''] ?? [0, ''];
            sftp.status(reqid, code, message);
          });
          sftp.on('CLOSE', (reqid) => sftp.status(reqid, 0));
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

function spec(): ConnectionSpec {
  return {
    name: 'srv',
    type: 'ssh',
    address: '127.0.0.1',
    port,
    user: 'tester',
    password: 'pw',
    strictHostKeyChecking: false,
    knownHostsFiles: [],
    connectTimeoutMs: 3000,
  };
}

describe('SFTP write refusals', () => {
  it.each([
    ['full.bin', 'No space left on device'],
    ['denied.bin', 'permission denied'],
    ['gone.bin', 'no such file or folder'],
    // OpenSSH's sftp-server says only "Failure": the shell is asked, and here it knows nothing either.
    ['bare.bin', 'the SFTP server gave no reason (SSH_FX_FAILURE)'],
  ])('%s: "%s"', async (file, reason) => {
    const conn = new SshConnection(spec());
    try {
      const path = join(dir, file);
      const e = await conn.writeFile(path, Buffer.from('data')).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(TargetError);
      expect((e as Error).message).toBe(`cannot write ${path} on srv: ${reason}`);
    } finally {
      await conn.close();
    }
  });
});
