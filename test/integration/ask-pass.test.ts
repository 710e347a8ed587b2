/**
 * -k/--ask-pass and -K on a real pseudo-terminal (test/helpers/pty.ts),
 * against the built CLI, on a sandbox host whose second sshd takes only
 * passwords (issue 20): the SSH password is read without echo and logs in;
 * after -k, -K asks `BECOME password[defaults to SSH password]: ` and an
 * empty answer becomes with the SSH password, as ansible-playbook does; the
 * two questions in ansible-playbook's words and order (compared with
 * ansible-playbook itself on a local play: it needs sshpass for a password
 * login, which this machine does not have).
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { ANSIBLE_PLAYBOOK } from '../helpers/differential.js';
import { onTerminal, ptySkip, screenLines } from '../helpers/pty.js';
import { sandboxHostKey, withSandbox } from '../helpers/sandbox.js';
import { ALICE_PASSWORD, prepareSudoUser } from '../helpers/sudo-user.js';

const BUILT = path.resolve('dist/cli/run-options.js');
const fresh = existsSync(BUILT) && statSync(BUILT).mtimeMs >= statSync(path.resolve('src/cli/run-options.ts')).mtimeMs;
const skip = ptySkip ?? (!fresh ? 'needs a current build: npm run build' : undefined);

const fixture = withSandbox(1, { base: '127.164.0.1', skip });
const tmp = mkdtempSync(path.join(tmpdir(), 'bosun-ask-pass-'));
/** The password questions (a capture group would count twice in onTerminal's split). */
const PASSWORD_QUESTION = /password(?:\[defaults to SSH password\])?: /g;
const isQuestion = (line: string): boolean => /password(?:\[defaults to SSH password\])?: /.test(line);
const whoami = path.join(tmp, 'whoami.yml');
writeFileSync(whoami, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n');
/** No agent, no key of the home folder: only the password can log in. */
const env = { ...process.env, HOME: tmp, SSH_AUTH_SOCK: '' };

fixture.describe('-k and -K on a terminal, against a password-only sshd', () => {
  let inventory = '';
  beforeAll(async () => {
    const sb = fixture.sandbox;
    const host = sb.hosts[0]!;
    const conn = new SshConnection(fixture.specFor(host));
    await conn.connect();
    try {
      await prepareSudoUser(conn, sb.privateKeyFile, true);
      const r = await conn.exec(
        `/usr/sbin/sshd -o Port=2222 -o ListenAddress=${host.address} -o HostKey=/etc/ssh/ssh_host_ed25519_key -o PidFile=/run/sshd-2222.pid -o PasswordAuthentication=yes -o KbdInteractiveAuthentication=no -o PubkeyAuthentication=no`,
      );
      expect(r.rc).toBe(0);
    } finally {
      await conn.close();
    }
    const knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, `[${host.address}]:2222 ${sandboxHostKey(sb.knownHostsFile, host.address)}\n`);
    inventory = path.join(tmp, 'inventory.ini');
    writeFileSync(
      inventory,
      `node01 ansible_host=${host.address} ansible_port=2222 ansible_user=alice ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts}'\n`,
    );
  }, 300_000);

  const bosun = (args: string): string =>
    `node ${path.resolve('bin/bosun.js')} run -i ${inventory} ${whoami} -F none -v ${args}`;

  it('-k: the SSH password, typed without echo, logs in; a wrong one is an unreachable host', async () => {
    const out = await onTerminal(bosun('-k'), PASSWORD_QUESTION, [ALICE_PASSWORD], env);
    expect(out).toContain('SSH password: ');
    expect(out).not.toContain(ALICE_PASSWORD);
    expect(out).toMatch(/"stdout": "alice"/);
    expect(out).toMatch(/node01 +: ok=1 +changed=1 +unreachable=0/);
    const wrong = await onTerminal(bosun('-k'), PASSWORD_QUESTION, ['not-the-password'], env);
    expect(wrong).not.toContain('not-the-password');
    expect(wrong).toMatch(/node01 +: ok=0 +changed=0 +unreachable=1/);
  }, 120_000);

  it('-k -K: BECOME password[defaults to SSH password], and an empty answer becomes with the SSH password', async () => {
    const out = await onTerminal(bosun('-k -K -b'), PASSWORD_QUESTION, [ALICE_PASSWORD, ''], env);
    const lines = screenLines(out);
    expect(lines.filter(isQuestion).map((l) => l.trim())).toEqual([
      'SSH password:',
      'BECOME password[defaults to SSH password]:',
    ]);
    expect(out).not.toContain(ALICE_PASSWORD);
    expect(out).toMatch(/"stdout": "root"/);
    expect(out).toMatch(/node01 +: ok=1 +changed=1 +unreachable=0 +failed=0/);
  }, 120_000);

  it.skipIf(!existsSync(ANSIBLE_PLAYBOOK))(
    '-k -K: the same questions in the same order as ansible-playbook',
    async () => {
      const local = path.join(tmp, 'local.ini');
      writeFileSync(local, 'localhost ansible_connection=local\n');
      const questions = async (command: string): Promise<string[]> => {
        const out = await onTerminal(command, PASSWORD_QUESTION, ['pw', ''], {
          ...process.env,
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_CONFIG: path.join(tmp, 'none.cfg'),
          ANSIBLE_LOCAL_TEMP: path.join(tmp, 'ansible-tmp'),
        });
        return screenLines(out)
          .filter(isQuestion)
          .map((l) => l.trim());
      };
      const ansible = await questions(`${ANSIBLE_PLAYBOOK} -i ${local} ${whoami} -k -K`);
      const bosun = await questions(`node ${path.resolve('bin/bosun.js')} run -i ${local} ${whoami} -k -K`);
      expect(ansible).toEqual(['SSH password:', 'BECOME password[defaults to SSH password]:']);
      expect(bosun).toEqual(ansible);
    },
    120_000,
  );
});
