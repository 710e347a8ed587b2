import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { ConnectionError } from '../../src/connection/types.js';
import { BosunError } from '../../src/errors.js';
import { sandboxAddresses, sandboxDown, sandboxSupport, sandboxUp, type Sandbox } from '../../src/sandbox/index.js';
import { testAddress, withSandbox } from '../helpers/sandbox.js';

const support = sandboxSupport();
const skip = support.ok ? undefined : support.reason;

/** Whether a PID exists (zombies count as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Mount points of this machine's mount namespace under a directory. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((p) => p.startsWith(dir));
}

/** Connection to a sandbox host with host keys verified against the sandbox's known_hosts. */
function connect(sb: Sandbox, index: number, systemd = false): SshConnection {
  const host = sb.hosts[index]!;
  return new SshConnection({
    name: host.name,
    type: 'ssh',
    address: host.address,
    port: 22,
    user: 'root',
    privateKeyFile: sb.privateKeyFile,
    strictHostKeyChecking: true,
    knownHostsFiles: [sb.knownHostsFile],
    connectTimeoutMs: systemd ? 15_000 : 5000,
  });
}

describe('sandbox addresses', () => {
  it('gives consecutive loopback addresses, skipping .0 and .255', () => {
    expect(sandboxAddresses('127.77.0.1', 3)).toEqual(['127.77.0.1', '127.77.0.2', '127.77.0.3']);
    expect(sandboxAddresses('127.77.0.253', 4)).toEqual(['127.77.0.253', '127.77.0.254', '127.77.1.1', '127.77.1.2']);
  });
  it.each([
    ['10.0.0.1', 2],
    ['192.168.1.10', 1],
    ['127.255.255.253', 5],
    ['127.0.0', 1],
    ['localhost', 1],
  ])('refuses %s (x%s)', (base, count) => {
    expect(() => sandboxAddresses(base, count)).toThrow(BosunError);
  });
  it('refuses before starting anything', async () => {
    await expect(sandboxUp({ count: 2, base: '10.1.2.3', name: 'never' })).rejects.toThrow(
      /only use loopback addresses/,
    );
  });
});

const env = withSandbox(3, { base: '127.79.0.1' });
/** This file's addresses in this run's block. */
const [A1, A2, A3] = sandboxAddresses(testAddress('127.79.0.1'), 3) as [string, string, string];
/** A sandbox name of this file's own, unique to the block (two jobs on one machine share the home folder). */
const nameOf = (what: string) => `${what}-${testAddress('127.79.0.1').split('.')[1]}`;

env.describe('sandbox up and down', () => {
  it('writes an inventory, a known_hosts line per host and distinct host keys', async () => {
    const sb = env.sandbox;
    expect(sb.hosts.map((h) => [h.name, h.address])).toEqual([
      ['node01', A1],
      ['node02', A2],
      ['node03', A3],
    ]);
    const inventory = await fs.readFile(sb.inventoryFile, 'utf8');
    expect(inventory).toContain(`[sandbox]\nnode01 ansible_host=${A1}\n`);
    expect(inventory).toContain(
      `[sandbox:vars]\nansible_user=root\nansible_ssh_private_key_file=${sb.privateKeyFile}\n`,
    );
    expect(inventory).toContain(`ansible_ssh_common_args='-o UserKnownHostsFile=${sb.knownHostsFile}'`);
    const known = (await fs.readFile(sb.knownHostsFile, 'utf8')).trim().split('\n');
    expect(known.map((l) => l.split(' ')[0])).toEqual([A1, A2, A3]);
    expect(new Set(known.map((l) => l.split(' ')[2])).size).toBe(3);
    const state = JSON.parse(await fs.readFile(join(sb.stateDir, 'state.json'), 'utf8')) as {
      hosts: Array<{ pid: number }>;
    };
    expect(state.hosts.map((h) => h.pid)).toEqual(sb.hosts.map((h) => h.pid));
    for (const h of sb.hosts) expect(alive(h.pid)).toBe(true);
  });

  it('isolates hosts: own hostname (resolvable), own files, private /tmp, login shell from /etc/skel', async () => {
    const [a, b] = [connect(env.sandbox, 0), connect(env.sandbox, 1)];
    try {
      await a.exec('echo one > /etc/bosun-sandbox-test; echo t > /tmp/t');
      expect((await b.exec('cat /etc/bosun-sandbox-test /tmp/t 2>&1; echo $?')).stdout).toMatch(
        /No such file[\s\S]*\n1\n$/,
      );
      expect(existsSync('/etc/bosun-sandbox-test')).toBe(false);
      expect((await a.exec('cmp /root/.bashrc /etc/skel/.bashrc && echo same')).stdout).toBe('same\n');
      expect((await a.exec('ps -e -o comm= | sort -u | tr "\\n" " "')).stdout).not.toMatch(/node|vitest/);
      expect((await a.exec('stat -c %a /')).stdout).toBe('755\n');
      // Its own name resolves from its /etc/hosts (not through this machine's DNS server, which may time out).
      expect((await a.exec('getent hosts "$(hostname)"')).stdout).toMatch(
        new RegExp(`^${env.sandbox.hosts[0]!.address.replace(/\./g, '\\.')}\\s+${env.sandbox.hosts[0]!.name}\n$`),
      );
      expect((await a.exec('hostname -f')).stdout).toBe(`${env.sandbox.hosts[0]!.name}\n`);
      expect((await a.exec('cat /etc/hosts')).stdout).toContain(
        `${env.sandbox.hosts[0]!.address} ${env.sandbox.hosts[0]!.name}\n`,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reports a stopped host as connection refused', async () => {
    const host = env.sandbox.hosts[2]!;
    const init = Number(readFileSync(`/proc/${host.pid}/task/${host.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    process.kill(init, 'SIGTERM');
    for (let i = 0; i < 200 && alive(host.pid); i++) await new Promise((r) => setTimeout(r, 10));
    const err = await connect(env.sandbox, 2)
      .connect()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(`connection refused on ${A3}:22`);
  });

  it('refuses to start on an address whose port 22 is taken', async () => {
    const server = createServer();
    const [first, taken] = sandboxAddresses(testAddress('127.79.9.1'), 2) as [string, string];
    await new Promise<void>((r) => server.listen(22, taken, r));
    try {
      const err = await sandboxUp({ count: 2, base: first, name: nameOf('taken') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BosunError);
      expect((err as BosunError).message).toBe(`port 22 is already in use on ${taken}`);
      expect((err as BosunError).hint).toMatch(/another user's or CI job's.*BOSUN_SANDBOX_BASE/);
    } finally {
      server.close();
    }
  });

  it('brings a sandbox down: no process, no mount, no directory; a second down is harmless', async () => {
    const name = nameOf('down-test');
    const sb = await sandboxUp({ count: 2, base: testAddress('127.79.1.1'), name });
    // A second up of the same name replaces the first.
    const again = await sandboxUp({ count: 2, base: testAddress('127.79.1.1'), name });
    for (const h of sb.hosts) expect(alive(h.pid)).toBe(false);
    expect(await sandboxDown({ name })).toBe(2);
    for (const h of again.hosts) expect(alive(h.pid)).toBe(false);
    expect(mountsUnder(again.stateDir)).toEqual([]);
    expect(existsSync(again.stateDir)).toBe(false);
    expect(await sandboxDown({ name })).toBe(0);
  });

  it('refuses to remove a directory that is not a sandbox', async () => {
    const dir = await fs.mkdtemp('/tmp/bosun-not-a-sandbox-');
    await fs.writeFile(join(dir, 'precious.txt'), 'x');
    await expect(sandboxDown({ stateDir: dir })).rejects.toThrow(/does not look like a sandbox/);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
    await fs.rm(dir, { recursive: true });
  });
});

const systemdSkip =
  skip ?? (existsSync('/lib/systemd/systemd') ? undefined : 'no /lib/systemd/systemd on this machine');

describe.skipIf(systemdSkip !== undefined)(
  `sandbox hosts with systemd${systemdSkip ? ` [skipped: ${systemdSkip}]` : ''}`,
  () => {
    it('boots systemd confined to its own cgroups, with read-only kernel settings, and powers off cleanly', async () => {
      const name = nameOf('systemd-test');
      const sb = await sandboxUp({ count: 2, base: testAddress('127.79.2.1'), name, systemd: true });
      const leaves = ['node01', 'node02'].map((n) => `bosun-sandbox-${name}-${n}`);
      try {
        const c = connect(sb, 0, true);
        try {
          const r = await c.exec(
            'systemctl is-system-running; systemctl --failed --no-legend | wc -l; hostname; cat /proc/1/comm',
          );
          expect(r.stdout).toBe('running\n0\nnode01\nsystemd\n');
          expect((await c.exec('systemctl is-active ssh.service')).stdout).toBe('active\n');
          const sysctl = await c.exec('echo 1 > /proc/sys/kernel/sysrq');
          expect(sysctl.rc).not.toBe(0);
          expect(sysctl.stderr).toMatch(/Read-only|cannot create/i);
        } finally {
          await c.close();
        }
        const own = readFileSync('/proc/self/cgroup', 'utf8');
        expect(own).not.toContain('bosun-sandbox');
        expect(existsSync(`/sys/fs/cgroup/pids/${leaves[0]}/system.slice`)).toBe(true);
        // Nothing systemd made lands at the root of the machine's hierarchies.
        expect(existsSync('/sys/fs/cgroup/pids/system.slice/ssh.service')).toBe(false);
      } finally {
        expect(await sandboxDown({ name })).toBe(2);
      }
      for (const h of sb.hosts) expect(alive(h.pid)).toBe(false);
      for (const leaf of leaves) expect(existsSync(`/sys/fs/cgroup/pids/${leaf}`)).toBe(false);
    }, 180_000);
  },
);
