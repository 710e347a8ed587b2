import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { fingerprintSha256, parseKnownHosts } from '../../src/connection/known-hosts.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { ConnectionError, HostKeyError } from '../../src/connection/types.js';
import { sandboxHostKey, testAddress, withSandbox } from '../helpers/sandbox.js';

const env = withSandbox(3, { base: '127.78.0.1' });
/** node01's address in this run's block. */
const ADDRESS = testAddress('127.78.0.1');
const open: SshConnection[] = [];

/** A connection closed after the test. */
function connection(index: number, overrides: Parameters<typeof env.specFor>[1] = {}): SshConnection {
  const c = new SshConnection(env.specFor(env.sandbox.hosts[index]!, overrides));
  open.push(c);
  return c;
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

/** A known_hosts file in a fresh temporary directory. */
async function knownHostsFile(text: string): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'bosun-kh-'));
  const file = join(dir, 'known_hosts');
  await fs.writeFile(file, text);
  return file;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

env.describe('SshConnection against sandbox hosts', () => {
  it('connects with host keys verified, and each host is itself', async () => {
    for (const [i, host] of env.sandbox.hosts.entries()) {
      const c = connection(i);
      expect(c.spec.strictHostKeyChecking).toBe(true);
      const r = await c.exec('hostname; id -un');
      expect(r).toEqual({ rc: 0, stdout: `${host.name}\nroot\n`, stderr: '' });
    }
  });

  it('runs 100 commands through one channel and one shell', async () => {
    const c = connection(0);
    const first = await c.exec('echo $$');
    for (let i = 0; i < 100; i++) {
      const r = await c.exec(`echo ${i}; echo $$`);
      expect(r.stdout).toBe(`${i}\n${first.stdout}`);
    }
    expect(c.channelCount).toBe(1);
    // The shell's parent is the sshd session process; it has no other channel's process.
    const children = await c.exec('ps -o pid= --ppid "$PPID" | wc -l');
    expect(children.stdout.trim()).toBe('1');
  });

  it('round-trips binary files through SFTP, with modes, and reads a missing file as null', async () => {
    const c = connection(1);
    const small = Buffer.from([0, 1, 2, 255, 10, 13, 0x1b, 0x80]);
    const big = randomBytes(1024 * 1024);
    await c.writeFile('/tmp/small.bin', small);
    await c.writeFile('/root/big.bin', big, 0o600);
    expect((await c.readFile('/tmp/small.bin'))?.equals(small)).toBe(true);
    expect((await c.readFile('/root/big.bin'))?.equals(big)).toBe(true);
    expect((await c.exec('stat -c %a /root/big.bin; sha256sum < /root/big.bin')).stdout.split('\n')[0]).toBe('600');
    await c.writeFile('/root/big.bin', small, 0o644);
    expect((await c.readFile('/root/big.bin'))?.equals(small)).toBe(true);
    expect((await c.exec('stat -c %a /root/big.bin')).stdout).toBe('644\n');
    expect(await c.readFile('/nonexistent/file')).toBeNull();
    expect(c.channelCount).toBe(2);
    // A file written on one host is not on another, nor on this machine.
    expect(await connection(2).readFile('/root/big.bin')).toBeNull();
  });

  it('refuses a changed host key, naming the presented fingerprint', async () => {
    const [a, b] = env.sandbox.hosts as [(typeof env.sandbox.hosts)[0], (typeof env.sandbox.hosts)[0]];
    const keyOf = (addr: string): string => sandboxHostKey(env.sandbox.knownHostsFile, addr);
    const file = await knownHostsFile(`${a.address} ${keyOf(b.address)}\n`);
    const presented = fingerprintSha256(parseKnownHosts(`${a.address} ${keyOf(a.address)}`)[0]!.key);
    const err = await hostKeyRejection(connection(0, { knownHostsFiles: [file] }).connect());
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.verdict).toBe('mismatch');
    expect(err.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(err.message).toContain(presented);
    expect(err.message).toContain(`${a.address}:22`);
  });

  it('refuses an unknown host key with the fix, and accepts it when checking is off', async () => {
    const file = await knownHostsFile('# empty\n');
    const err = await rejection(connection(0, { knownHostsFiles: [file] }).exec('true'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(
      new RegExp(
        `host key verification failed for node01 \\(${ADDRESS.replace(/\./g, '\\.')}:22\\): the ssh-ed25519 key SHA256:\\S+ is not in`,
      ),
    );
    expect(err.message).toContain(`ssh-keyscan -p 22 ${ADDRESS} >> ~/.ssh/known_hosts`);
    const loose = connection(0, { knownHostsFiles: [file], strictHostKeyChecking: false });
    expect((await loose.exec('hostname')).stdout).toBe('node01\n');
  });

  it('reports a failed login with the methods tried', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'bosun-key-'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const err = await rejection(connection(0, { privateKeyFile: join(dir, 'other') }).connect());
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toBe(`authentication failed for root@${ADDRESS}:22 (tried: publickey)`);
  });

  it('rejects the running command when the connection drops, then reconnects', async () => {
    const c = connection(2);
    await c.exec('true');
    // $PPID of the shell is its sshd session process: killing it drops the connection.
    const err = await rejection(c.exec('kill -9 $PPID; sleep 5'));
    expect(err).toBeInstanceOf(ConnectionError);
    expect((await c.exec('hostname')).stdout).toBe('node03\n');
  });

  it('breaks the session on a command timeout, and the next command reconnects', async () => {
    const c = connection(2);
    const err = await rejection(c.exec('sleep 10', { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/timed out after 300 ms/);
    expect((await c.exec('echo back')).stdout).toBe('back\n');
  });

  it('closes idempotently, and can be used again after close', async () => {
    const c = connection(1);
    await c.exec('true');
    await c.close();
    await c.close();
    expect(c.channelCount).toBe(0);
    expect((await c.exec('echo again')).stdout).toBe('again\n');
  });

  it('measures per-command latency over the persistent shell', async () => {
    const c = connection(0);
    await c.exec('true');
    const n = 300;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await c.exec('true');
    const perCommandMs = Number(process.hrtime.bigint() - start) / 1e6 / n;
    expect(perCommandMs).toBeLessThan(20);
  });
});
