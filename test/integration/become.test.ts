/**
 * become over real SSH: connect as an unprivileged `alice` with sudo rights
 * (passwordless on node01, with a password on node02) and run as root
 * through one persistent privileged shell; failures are clear and fast.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BecomeError } from '../../src/connection/become.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { gatherFacts } from '../../src/modules/lib/facts.js';
import type { Connection } from '../../src/connection/types.js';
import type { SandboxHost } from '../../src/sandbox/index.js';
import { sh } from '../../src/util/shell.js';
import { debianMirrorSkip } from '../helpers/network.js';
import { withSandbox } from '../helpers/sandbox.js';
import { ALICE_PASSWORD, prepareSudoUser } from '../helpers/sudo-user.js';

// sudo comes from this machine's own packages, or apt-get installs it into the hosts.
const fixture = withSandbox(2, {
  base: '127.85.0.1',
  skip: existsSync('/usr/bin/sudo') ? undefined : await debianMirrorSkip(),
});
const PASSWORD = ALICE_PASSWORD;
const open: Connection[] = [];

/** A connection to a host as `user`, closed after the file. */
function connectAs(host: SandboxHost, user: string): SshConnection {
  const conn = new SshConnection(fixture.specFor(host, { user }));
  open.push(conn);
  return conn;
}

/** As root: sudo (installed into the host's overlay only if missing), user alice with our key, sudo rights. */
async function prepareHost(host: SandboxHost, withPassword: boolean): Promise<void> {
  const root = connectAs(host, 'root');
  await prepareSudoUser(root, fixture.sandbox.privateKeyFile, withPassword);
}

fixture.describe('become over SSH on sandbox hosts', () => {
  beforeAll(async () => {
    const [passwordless, withPassword] = fixture.sandbox.hosts;
    await Promise.all([prepareHost(passwordless!, false), prepareHost(withPassword!, true)]);
  }, 300_000);
  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('becomes root without a password: uid 0, files into /root, /etc/shadow readable', async () => {
    const alice = connectAs(fixture.sandbox.hosts[0]!, 'alice');
    expect((await alice.exec('id -u')).stdout).not.toBe('0\n');
    const root = await alice.become({ user: 'root', method: 'sudo' });
    expect(await alice.become({ user: 'root', method: 'sudo' })).toBe(root);
    expect((await root.exec('id -u')).stdout).toBe('0\n');
    await root.writeFile('/root/bosun-become.txt', Buffer.from('written as root\n'), 0o600);
    expect((await root.exec("stat -c '%U:%G %a' /root/bosun-become.txt && cat /root/bosun-become.txt")).stdout).toBe(
      'root:root 600\nwritten as root\n',
    );
    const shadow = await root.readFile('/etc/shadow');
    expect(shadow?.toString()).toMatch(/^alice:/m);
    expect(await root.readFile('/root/no-such-file')).toBeNull();
    // nothing left behind in alice's temp dir
    expect((await alice.exec('ls /tmp | grep -c bosun-become || true')).stdout).toBe('0\n');
  });

  it('runs 50 commands through one privileged shell', async () => {
    const alice = connectAs(fixture.sandbox.hosts[0]!, 'alice');
    const root = await alice.become({ user: 'root', method: 'sudo' });
    const sudos = async () => (await alice.exec('pgrep -c -x sudo || true')).stdout;
    const before = await sudos();
    const pids = new Set<string>();
    for (let i = 0; i < 50; i++) pids.add((await root.exec('echo $$')).stdout);
    expect(pids.size).toBe(1);
    // no sudo per command: the same sudo processes as before
    expect(await sudos()).toBe(before);
  });

  it('becomes another user (nobody) through sudo -u', async () => {
    const alice = connectAs(fixture.sandbox.hosts[0]!, 'alice');
    const nobody = await alice.become({ user: 'nobody', method: 'sudo' });
    expect((await nobody.exec('id -un')).stdout).toBe('nobody\n');
    await nobody.writeFile('/tmp/by-nobody', Buffer.from('n\n'), 0o644);
    expect((await alice.exec("stat -c '%U %a' /tmp/by-nobody")).stdout).toBe('nobody 644\n');
  });

  it('writes a controller file (streamed) as root through a temp file and as nobody inline, a MiB at a time', async () => {
    const alice = connectAs(fixture.sandbox.hosts[0]!, 'alice');
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-become-'));
    const file = path.join(dir, 'data.bin');
    // 2.5 MiB of varied bytes: three pieces inline, the last one short.
    const data = Buffer.alloc(2.5 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    writeFileSync(file, data);
    const sha = createHash('sha1').update(data).digest('hex');
    const root = await alice.become({ user: 'root', method: 'sudo' });
    await root.writeFile('/root/streamed.bin', { controllerPath: file }, 0o600);
    expect((await root.exec("stat -c '%U %a' /root/streamed.bin && sha1sum < /root/streamed.bin")).stdout).toBe(
      `root 600\n${sha}  -\n`,
    );
    const nobody = await alice.become({ user: 'nobody', method: 'sudo' });
    await nobody.writeFile('/tmp/streamed-by-nobody', { controllerPath: file }, 0o640);
    expect(
      (await nobody.exec("stat -c '%U %a' /tmp/streamed-by-nobody && sha1sum < /tmp/streamed-by-nobody")).stdout,
    ).toBe(`nobody 640\n${sha}  -\n`);
    writeFileSync(file, '');
    await nobody.writeFile('/tmp/streamed-by-nobody', { controllerPath: file });
    expect((await nobody.exec('wc -c < /tmp/streamed-by-nobody')).stdout.trim()).toBe('0');
  });

  it('a root-only file larger than the output limit lets through the privileged shell: OUTPUT_LIMIT naming the file; the next command escalates again', async () => {
    const alice = new SshConnection(
      fixture.specFor(fixture.sandbox.hosts[0]!, { user: 'alice', maxOutputBytes: 1 << 20 }),
    );
    open.push(alice);
    const root = await alice.become({ user: 'root', method: 'sudo' });
    expect((await root.exec('head -c 1048576 /dev/urandom > /root/bosun-big && chmod 600 /root/bosun-big')).rc).toBe(0);
    await expect(root.readFile('/root/bosun-big')).rejects.toMatchObject({
      code: 'OUTPUT_LIMIT',
      message: expect.stringMatching(
        /^cannot read \/root\/bosun-big as root: it is larger than the output limit lets through the privileged shell \(its base64 passed 1\.0 MiB\)$/,
      ) as unknown,
      hint: expect.stringContaining('--max-output') as unknown,
    });
    expect((await root.exec('id -u; rm -f /root/bosun-big')).stdout).toBe('0\n');
  });

  it('answers the sudo prompt with the password', async () => {
    const alice = connectAs(fixture.sandbox.hosts[1]!, 'alice');
    const root = await alice.become({ user: 'root', method: 'sudo', password: PASSWORD });
    expect((await root.exec('id -u')).stdout).toBe('0\n');
    await root.writeFile('/root/with-password', Buffer.from('x'));
    expect((await root.exec("stat -c '%U' /root/with-password")).stdout).toBe('root\n');
  });

  it('a wrong password is a clear error within the timeout, and never shows the password', async () => {
    const alice = connectAs(fixture.sandbox.hosts[1]!, 'alice');
    const t0 = Date.now();
    const err = await alice
      .become({ user: 'root', method: 'sudo', password: 'not-the-password', timeoutMs: 8000 })
      .catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(err).toBeInstanceOf(BecomeError);
    expect((err as BecomeError).code).toBe('BECOME');
    expect((err as Error).message).toBe(`incorrect sudo password for alice@${fixture.sandbox.hosts[1]!.name}`);
    expect(`${(err as Error).message} ${(err as BecomeError).hint} ${(err as Error).stack}`).not.toContain(
      'not-the-password',
    );
    // the login connection is still fine
    expect((await alice.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('no password where one is needed is a clear error within the timeout', async () => {
    const alice = connectAs(fixture.sandbox.hosts[1]!, 'alice');
    const t0 = Date.now();
    const err = await alice.become({ user: 'root', method: 'sudo', timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((err as Error).message).toBe(
      `sudo needs a password for alice@${fixture.sandbox.hosts[1]!.name}: give it with --ask-become-pass, BOSUN_BECOME_PASSWORD or ansible_become_password`,
    );
  });

  it('close() of the login connection ends the privileged shells', async () => {
    const alice = connectAs(fixture.sandbox.hosts[0]!, 'alice');
    const root = await alice.become({ user: 'root', method: 'sudo' });
    const pid = (await root.exec('echo $$')).stdout.trim();
    await alice.close();
    const check = connectAs(fixture.sandbox.hosts[0]!, 'root');
    let alive = '1';
    for (let i = 0; i < 20 && alive !== '0'; i++) {
      alive = (await check.exec(sh`kill -0 ${pid} 2>/dev/null && echo 1 || echo 0`)).stdout.trim();
      if (alive !== '0') await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe('0');
  });

  it('gathers the facts of a real host, as alice and as root through become', async () => {
    const host = fixture.sandbox.hosts[0]!;
    const alice = connectAs(host, 'alice');
    const facts = await gatherFacts(alice);
    expect(facts['ansible_distribution']).toBe('Debian');
    expect(facts['ansible_os_family']).toBe('Debian');
    expect(facts['ansible_hostname']).toBe(host.name);
    expect(facts['ansible_user_id']).toBe('alice');
    expect(facts['ansible_user_dir']).toBe('/home/alice');
    expect((facts['ansible_default_ipv4'] as Record<string, unknown>)['address']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect((facts['ansible_env'] as Record<string, string>)['PATH']).toBeTruthy();
    expect(facts['ansible_pkg_mgr']).toBe('apt');
    expect(['amd64', 'arm64']).toContain(facts['bosun_arch']);
    const asRoot = await gatherFacts(await alice.become({ user: 'root', method: 'sudo' }));
    expect(asRoot['ansible_user_uid']).toBe(0);
  });
});
