/**
 * A private key file named by the inventory (ansible_ssh_private_key_file)
 * that does not exist: as `ssh -i` does, one warning for the file and the
 * login goes on with the other ways (ssh-agent, the default keys, a
 * password), on a real sshd. When nothing else works, the failure says the
 * key file is missing.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { runJson } from '../helpers/cli.js';
import { sandboxHostKey, withSandbox } from '../helpers/sandbox.js';

interface JsonEvent {
  type: string;
  host?: string;
  status?: string;
  message?: string;
  msg?: string;
  stdout?: string;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'bosun-missing-key-'));
const missingKey = path.join(tmp, 'keys', 'no_such_key');
const fixture = withSandbox(1, { base: '127.142.0.1' });

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run the CLI with these environment variables set (undefined: unset), restoring them after. */
async function bosun(args: string[], env: Record<string, string | undefined>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
  try {
    return await runJson<JsonEvent>(args);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

fixture.describe('a missing ansible_ssh_private_key_file on a sandbox host', () => {
  let agent: ChildProcess | undefined;
  const agentSock = path.join(tmp, 'agent.sock');
  const emptyHome = path.join(tmp, 'empty-home');
  const keyHome = path.join(tmp, 'key-home');
  let knownHosts = '';
  const host = () => fixture.sandbox.hosts[0]!;
  const playbook = path.join(tmp, 'whoami.yml');

  beforeAll(async () => {
    const sb = fixture.sandbox;
    const addr = host().address;
    const conn = new SshConnection(fixture.specFor(host()));
    await conn.connect();
    const r = await conn.exec(
      [
        "echo 'root:miss1ng-key-pw' | chpasswd",
        `/usr/sbin/sshd -o Port=2222 -o ListenAddress=${addr} -o HostKey=/etc/ssh/ssh_host_ed25519_key -o PidFile=/run/sshd-2222.pid -o PermitRootLogin=yes -o PasswordAuthentication=yes -o KbdInteractiveAuthentication=no -o PubkeyAuthentication=no`,
      ].join(' && '),
    );
    expect(r.rc).toBe(0);
    await conn.close();
    const key = sandboxHostKey(sb.knownHostsFile, addr);
    knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, `${addr} ${key}\n[${addr}]:2222 ${key}\n`);
    mkdirSync(path.join(emptyHome, '.ssh'), { recursive: true });
    mkdirSync(path.join(keyHome, '.ssh'), { recursive: true, mode: 0o700 });
    copyFileSync(sb.privateKeyFile, path.join(keyHome, '.ssh', 'id_ed25519'));
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync('ssh-add', [sb.privateKeyFile], {
      env: { ...process.env, SSH_AUTH_SOCK: agentSock },
      stdio: 'ignore',
    });
    writeFileSync(playbook, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n');
  });
  afterAll(() => {
    if (agent?.pid !== undefined && agent.exitCode === null) process.kill(agent.pid, 'SIGTERM');
  });

  /** An inventory of `names`, all on the sandbox host, with the missing key and `vars`. */
  const inventory = (names: string[], vars = ''): string => {
    const file = path.join(tmp, `hosts-${Math.random().toString(36).slice(2)}.ini`);
    const line = (n: string) =>
      `${n} ansible_host=${host().address} ansible_user=root ansible_ssh_private_key_file=${missingKey} ${vars} ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts}'`;
    writeFileSync(file, `${names.map(line).join('\n')}\n`);
    return file;
  };
  const results = (events: JsonEvent[]) => events.filter((e) => e.type === 'task_result');
  const warnings = (events: JsonEvent[]) =>
    events.filter((e) => e.type === 'warning' && e.message?.includes(missingKey));

  it('warns once for the file and logs in with ssh-agent, as ssh -i does', async () => {
    const run = await bosun(['run', playbook, '-i', inventory(['node01', 'node02']), '-F', 'none'], {
      SSH_AUTH_SOCK: agentSock,
      HOME: emptyHome,
    });
    expect(run.code).toBe(0);
    expect(
      results(run.events)
        .map((e) => [e.host, e.stdout])
        .sort(),
    ).toEqual([
      ['node01', 'root'],
      ['node02', 'root'],
    ]);
    expect(warnings(run.events)).toHaveLength(1);
    expect(warnings(run.events)[0]!.message).toMatch(/private key file .*no_such_key .*does not exist/);

    // OpenSSH itself: the same missing -i, the same agent
    const ssh = spawnSync(
      'ssh',
      ['-F', 'none', '-i', missingKey, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'BatchMode=yes'].concat(
        `root@${host().address}`,
        'id -un',
      ),
      { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, encoding: 'utf8' },
    );
    expect(ssh.stdout.trim()).toBe('root');
    expect(ssh.stderr).toMatch(/Identity file .*no_such_key not accessible/);
  });

  it('falls back to a password', async () => {
    const run = await bosun(
      ['run', playbook, '-i', inventory(['node01'], 'ansible_port=2222 ansible_password=miss1ng-key-pw'), '-F', 'none'],
      { SSH_AUTH_SOCK: undefined, HOME: emptyHome },
    );
    expect(run.code).toBe(0);
    expect(results(run.events)[0]!.stdout).toBe('root');
    expect(warnings(run.events)).toHaveLength(1);
  });

  it('falls back to the default keys (~/.ssh/id_ed25519)', async () => {
    const run = await bosun(['run', playbook, '-i', inventory(['node01']), '-F', 'none'], {
      SSH_AUTH_SOCK: undefined,
      HOME: keyHome,
    });
    expect(run.code).toBe(0);
    expect(results(run.events)[0]!.stdout).toBe('root');
  });

  it('with no other way in, the host is unreachable and the message names the missing file', async () => {
    const run = await bosun(['run', playbook, '-i', inventory(['node01']), '-F', 'none'], {
      SSH_AUTH_SOCK: undefined,
      HOME: emptyHome,
    });
    expect(run.code).toBe(4);
    const [result] = results(run.events);
    expect(result!.status).toBe('unreachable');
    expect(result!.msg).toMatch(/authentication failed .*the private key file .*no_such_key does not exist/);
  });
});
