/**
 * Reaching hosts as OpenSSH does, against real sshd's: ProxyJump through a
 * bastion to hosts only it can reach (one bastion connection for all of
 * them, host keys checked at each hop), ssh config with -F, ssh-agent,
 * encrypted keys, password and keyboard-interactive authentication.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { ConnectionError } from '../../src/connection/types.js';
import { hiddenHostsSupport, startHiddenHosts, type HiddenHosts } from '../helpers/hidden-hosts.js';
import { sandboxSupport } from '../../src/sandbox/index.js';
import { sandboxHostKey, withSandbox } from '../helpers/sandbox.js';

interface JsonEvent {
  type: string;
  host?: string;
  status?: string;
  msg?: string;
  stdout?: string;
  hosts?: Record<string, Record<string, number>>;
}

/** Run the CLI in-process with --json; events parsed. */
async function bosun(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; events: JsonEvent[]; err: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
  let out = '';
  let err = '';
  try {
    const code = await main([...args, '--json'], {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      isTTY: false,
    });
    const events =
      out.trim() === ''
        ? []
        : out
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as JsonEvent);
    return { code, events, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

const results = (events: JsonEvent[]) => events.filter((e) => e.type === 'task_result');
const tmp = mkdtempSync(path.join(tmpdir(), 'bosun-ssh-setups-'));
const PLAYBOOK = path.join(tmp, 'netns.yml');
writeFileSync(PLAYBOOK, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: readlink /proc/self/ns/net\n');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const support = sandboxSupport();
const skipHidden = hiddenHostsSupport() ?? (support.ok ? undefined : support.reason);
describe.skipIf(skipHidden !== undefined)(
  `ProxyJump to hosts only a bastion reaches${skipHidden ? ` [skipped: ${skipHidden}]` : ''}`,
  () => {
    let hh: HiddenHosts;
    beforeAll(async () => {
      hh = await startHiddenHosts(2);
    }, 30_000);
    // A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
    afterAll(async () => {
      await (hh as HiddenHosts | undefined)?.stop();
    });

    const inventory = (commonArgs: string, file = 'hidden.ini') => {
      const inv = path.join(tmp, file);
      writeFileSync(
        inv,
        [
          '[hidden]',
          ...hh.hidden.map((h) => `${h.name} ansible_host=${h.address}`),
          '[hidden:vars]',
          'ansible_user=root',
          `ansible_ssh_private_key_file=${hh.privateKeyFile}`,
          `ansible_ssh_common_args='${commonArgs}'`,
          '',
        ].join('\n'),
      );
      return inv;
    };

    it('the hidden hosts cannot be reached from the controller directly', async () => {
      const refused = await new Promise<string>((resolve) => {
        const s = connect({ host: hh.hidden[0]!.address, port: 22 });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    });

    it('-J in ansible_ssh_common_args: both hosts run inside the namespace, over ONE bastion connection', async () => {
      const before = hh.bastionConnections();
      const res = await bosun([
        'run',
        PLAYBOOK,
        '-i',
        inventory(`-o UserKnownHostsFile=${hh.knownHostsFile} -J root@${hh.bastion.address}`),
      ]);
      expect(res.err).toBe('');
      expect(res.code).toBe(0);
      const rs = results(res.events);
      expect(rs.map((r) => [r.host, r.status, r.stdout]).sort()).toEqual(
        hh.hidden.map((h) => [h.name, 'changed', hh.netnsId]),
      );
      expect(hh.bastionConnections() - before).toBe(1);
    });

    it('ProxyJump from an ssh config given with -F (Host patterns, HostName, User, IdentityFile, UserKnownHostsFile)', async () => {
      const config = path.join(tmp, 'ssh_config');
      writeFileSync(
        config,
        [
          'Host hidden*',
          '  ProxyJump bastion',
          '  User root',
          `  IdentityFile ${hh.privateKeyFile}`,
          `  UserKnownHostsFile ${hh.knownHostsFile}`,
          ...hh.hidden.flatMap((h) => [`Host ${h.name}`, `  HostName ${h.address}`]),
          'Host bastion',
          `  HostName ${hh.bastion.address}`,
          '  User root',
          `  IdentityFile ${hh.privateKeyFile}`,
          `  UserKnownHostsFile ${hh.knownHostsFile}`,
          '',
        ].join('\n'),
      );
      const inv = path.join(tmp, 'names.ini');
      writeFileSync(inv, `${hh.hidden.map((h) => h.name).join('\n')}\n`);
      const before = hh.bastionConnections();
      const res = await bosun(['run', PLAYBOOK, '-i', inv, '-F', config]);
      expect(res.code).toBe(0);
      expect(
        results(res.events)
          .map((r) => r.stdout)
          .sort(),
      ).toEqual(hh.hidden.map(() => hh.netnsId));
      expect(hh.bastionConnections() - before).toBe(1);
    });

    it('checks the host key of every hop: an unknown hidden host key and an unknown bastion key are refused, each named', async () => {
      const onlyBastion = path.join(tmp, 'kh-bastion');
      writeFileSync(onlyBastion, `${hh.knownLines.bastion}\n${hh.knownLines.hidden[1]}\n`);
      const res = await bosun(
        [
          'run',
          PLAYBOOK,
          '-i',
          inventory(`-o UserKnownHostsFile=${onlyBastion} -J root@${hh.bastion.address}`, 'kh1.ini'),
        ],
        { HOME: tmp },
      );
      expect(res.code).toBe(4);
      const [first, second] = results(res.events).sort((a, b) => a.host!.localeCompare(b.host!));
      expect(first).toMatchObject({ host: 'hidden1', status: 'unreachable' });
      expect(first!.msg).toContain(`host key verification failed for hidden1 (${hh.hidden[0]!.address}:22)`);
      expect(second).toMatchObject({ host: 'hidden2', status: 'changed' });

      const onlyHidden = path.join(tmp, 'kh-hidden');
      writeFileSync(onlyHidden, `${hh.knownLines.hidden.join('\n')}\n`);
      const res2 = await bosun(
        [
          'run',
          PLAYBOOK,
          '-i',
          inventory(`-o UserKnownHostsFile=${onlyHidden} -J root@${hh.bastion.address}`, 'kh2.ini'),
        ],
        { HOME: tmp },
      );
      expect(res2.code).toBe(4);
      for (const r of results(res2.events)) {
        expect(r.status).toBe('unreachable');
        const b = hh.bastion.address;
        expect(r.msg).toContain(`through jump host root@${b}: host key verification failed for root@${b} (${b}:22)`);
      }
    });
  },
);

const fixture = withSandbox(1, { base: '127.89.0.1' });
fixture.describe('authentication on a sandbox host: agent, encrypted key, password, keyboard-interactive', () => {
  let agent: ChildProcess | undefined;
  const agentSock = path.join(tmp, 'agent.sock');
  const encKey = path.join(tmp, 'enc_key');
  const host = () => fixture.sandbox.hosts[0]!;
  let knownHosts = '';

  beforeAll(async () => {
    const sb = fixture.sandbox;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-C', 'enc', '-f', encKey]);
    const conn = new SshConnection(fixture.specFor(host()));
    await conn.connect();
    const pub = readFileSync(`${encKey}.pub`, 'utf8').trim();
    const addr = host().address;
    const r = await conn.exec(
      [
        `printf '%s\\n' '${pub}' >> /root/.ssh/authorized_keys`,
        "echo 'root:s3cret-pw' | chpasswd",
        `/usr/sbin/sshd -o Port=2222 -o ListenAddress=${addr} -o HostKey=/etc/ssh/ssh_host_ed25519_key -o PidFile=/run/sshd-2222.pid -o PermitRootLogin=yes -o PasswordAuthentication=yes -o KbdInteractiveAuthentication=no -o PubkeyAuthentication=no`,
        `/usr/sbin/sshd -o Port=2223 -o ListenAddress=${addr} -o HostKey=/etc/ssh/ssh_host_ed25519_key -o PidFile=/run/sshd-2223.pid -o PermitRootLogin=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=yes -o UsePAM=yes -o PubkeyAuthentication=no`,
      ].join(' && '),
    );
    expect(r.stderr).toBe('');
    expect(r.rc).toBe(0);
    await conn.close();
    const key = sandboxHostKey(sb.knownHostsFile, addr);
    knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, `${addr} ${key}\n[${addr}]:2222 ${key}\n[${addr}]:2223 ${key}\n`);
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSocket(agentSock); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync('ssh-add', [sb.privateKeyFile], {
      env: { ...process.env, SSH_AUTH_SOCK: agentSock },
      stdio: 'ignore',
    });
  });
  afterAll(() => {
    if (agent?.pid && agent.exitCode === null) process.kill(agent.pid, 'SIGTERM');
  });

  const spec = (extra: Record<string, unknown>) => ({
    ...fixture.specFor(host()),
    privateKeyFile: undefined,
    knownHostsFiles: [knownHosts],
    ...extra,
  });
  const hostsFile = (vars: string) => {
    const inv = path.join(tmp, `auth-${Math.random().toString(36).slice(2)}.ini`);
    writeFileSync(
      inv,
      `node01 ansible_host=${host().address} ansible_user=root ${vars} ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts}'\n`,
    );
    return inv;
  };
  const whoami = path.join(tmp, 'whoami.yml');
  writeFileSync(whoami, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n');

  it('ssh-agent (SSH_AUTH_SOCK): no key file, the agent signs', async () => {
    const res = await bosun(['run', whoami, '-i', hostsFile(''), '-F', 'none'], {
      SSH_AUTH_SOCK: agentSock,
      HOME: tmp,
    });
    expect(res.code).toBe(0);
    expect(results(res.events)[0]!.stdout).toBe('root');
    // IdentitiesOnly: the agent is not asked; with no key file, nothing is left to try.
    const conn = new SshConnection(spec({ identityAgent: agentSock, identitiesOnly: true }));
    await expect(conn.connect()).rejects.toThrow(`authentication failed for root@${host().address}:22`);
  });

  it('an encrypted key: a clear error without its passphrase, works with BOSUN_KEY_PASSPHRASE, refuses a wrong one', async () => {
    const inv = hostsFile(`ansible_ssh_private_key_file=${encKey}`);
    const none = await bosun(['run', whoami, '-i', inv, '-F', 'none'], {
      SSH_AUTH_SOCK: undefined,
      HOME: tmp,
      BOSUN_KEY_PASSPHRASE: undefined,
    });
    expect(none.code).toBe(4);
    expect(results(none.events)[0]!.msg).toMatch(
      /private key .*enc_key is encrypted: give its passphrase with --ask-key-passphrase or BOSUN_KEY_PASSPHRASE/,
    );
    const ok = await bosun(['run', whoami, '-i', inv, '-F', 'none'], {
      SSH_AUTH_SOCK: undefined,
      HOME: tmp,
      BOSUN_KEY_PASSPHRASE: 'correct horse',
    });
    expect(ok.code).toBe(0);
    const wrong = await bosun(['run', whoami, '-i', inv, '-F', 'none'], {
      SSH_AUTH_SOCK: undefined,
      HOME: tmp,
      BOSUN_KEY_PASSPHRASE: 'wrong',
    });
    expect(results(wrong.events)[0]!.msg).toMatch(
      /cannot use private key .*enc_key: the passphrase given does not decrypt it/,
    );
    expect(JSON.stringify(wrong.events)).not.toContain('wrong"');
  });

  it('--ask-key-passphrase and --ask-pass without a terminal: a clear error, nothing run', async () => {
    for (const flag of ['--ask-key-passphrase', '-k']) {
      const res = await bosun(['run', whoami, '-i', hostsFile('')].concat(flag));
      expect(res.code).toBe(5);
      expect(res.err).toMatch(/needs a terminal/);
    }
  });

  it('password authentication (ansible_password) on a second sshd, port 2222; the password is never shown', async () => {
    const res = await bosun(
      ['run', whoami, '-i', hostsFile('ansible_port=2222 ansible_password=s3cret-pw'), '-F', 'none'],
      { SSH_AUTH_SOCK: undefined, HOME: tmp },
    );
    expect(res.code).toBe(0);
    expect(results(res.events)[0]!.stdout).toBe('root');
    const bad = await bosun(
      ['run', whoami, '-i', hostsFile('ansible_port=2222 ansible_password=not-it'), '-F', 'none'],
      { SSH_AUTH_SOCK: undefined, HOME: tmp },
    );
    expect(bad.code).toBe(4);
    expect(results(bad.events)[0]!.msg).toContain(
      `authentication failed for root@${host().address}:2222 (tried: password)`,
    );
    expect(JSON.stringify(bad.events)).not.toContain('not-it');
  });

  it('keyboard-interactive (PAM asks "Password:") on port 2223 answers with the password', async () => {
    const conn = new SshConnection(spec({ port: 2223, password: 's3cret-pw', identityAgent: 'none' }));
    try {
      await conn.connect();
      expect((await conn.exec('id -un')).stdout.trim()).toBe('root');
    } finally {
      await conn.close();
    }
    const bad = new SshConnection(spec({ port: 2223, password: 'nope', identityAgent: 'none' }));
    const err = await bad.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/tried: .*keyboard-interactive/);
    expect((err as Error).message).not.toContain('nope');
  });
});

/** Whether a path exists (the agent's socket appears when it is ready). */
function existsSocket(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
