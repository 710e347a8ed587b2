import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BecomeError,
  becomeFailure,
  escalationCommand,
  type BecomeParent,
  type BecomeProcess,
} from '../../../src/connection/become.js';
import { becomeEnabledFromVars, becomeOptionsFromVars } from '../../../src/connection/become-options.js';
import { LocalConnection } from '../../../src/connection/local.js';
import type { ConnectionSpec } from '../../../src/connection/types.js';
import { shq } from '../../../src/util/shell.js';

const spec: ConnectionSpec = {
  name: 'node01',
  type: 'local',
  address: 'localhost',
  port: 22,
  user: 'alice',
  strictHostKeyChecking: false,
  knownHostsFiles: [],
  connectTimeoutMs: 5000,
};
const isRoot = process.getuid?.() === 0;
const open: LocalConnection[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

/**
 * A LocalConnection whose escalation command is replaced by a fake sudo: it
 * prints the prompt found in the real command line, reads a password and
 * then behaves as `behaviour` says. The rest of the command (the marker and
 * `exec /bin/sh`) runs for real.
 */
function fakeSudo(behaviour: 'nopasswd' | 'password' | 'hang' | 'not-sudoer'): LocalConnection {
  const conn = new LocalConnection({ ...spec, user: 'alice' }) as LocalConnection & BecomeParent;
  open.push(conn);
  conn.spawnProcess = (command: string): Promise<BecomeProcess> => {
    const prompt = /-p '([^']*)'/.exec(command)?.[1];
    const inner = /-c '(.*)'$/.exec(command)![1]!.replace(/'"'"'/g, "'");
    const fake = {
      nopasswd: `exec /bin/sh -c ${shq(inner)}`,
      password:
        prompt === undefined
          ? 'echo "sudo: a password is required" >&2; exit 1'
          : `n=0; while [ $n -lt 3 ]; do printf %s ${shq(prompt)} >&2; read p; if [ "$p" = s3cret ]; then exec /bin/sh -c ${shq(inner)}; fi; echo 'Sorry, try again.' >&2; n=$((n+1)); done; exit 1`,
      hang: 'sleep 30',
      'not-sudoer': `${prompt === undefined ? '' : `printf %s ${shq(prompt)} >&2; read p; `}echo "alice is not in the sudoers file." >&2; exit 1`,
    }[behaviour];
    const child = spawn('/bin/sh', ['-c', fake], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    return Promise.resolve({
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      stop: () => {
        child.kill('SIGKILL');
      },
      onExit: (l) => {
        void closed.then(() => l('ended'));
      },
    });
  };
  return conn;
}

describe('escalation through a fake sudo', () => {
  it('runs commands in one shell and returns the same object for the same user', async () => {
    const conn = fakeSudo('nopasswd');
    const b = await conn.become({ user: 'root', method: 'sudo' });
    expect(await conn.become({ user: 'root', method: 'sudo' })).toBe(b);
    const pids = new Set<string>();
    for (let i = 0; i < 20; i++) pids.add((await b.exec('echo $$')).stdout);
    expect(pids.size).toBe(1);
    expect((await b.exec('echo $LC_ALL; exit 4')).rc).toBe(4);
    expect(b.spec.user).toBe('root');
  });

  it('answers the prompt once with the password', async () => {
    const conn = fakeSudo('password');
    const b = await conn.become({ user: 'root', method: 'sudo', password: 's3cret' });
    expect((await b.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('a wrong password is a clear error, without the password, at the second prompt', async () => {
    const conn = fakeSudo('password');
    const t0 = Date.now();
    const err = await conn.become({ user: 'root', method: 'sudo', password: 'wrong-pw' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BecomeError);
    expect((err as BecomeError).code).toBe('BECOME');
    expect((err as Error).message).toBe('incorrect sudo password for alice@node01');
    expect(JSON.stringify(err) + (err as Error).message + String((err as BecomeError).hint)).not.toContain('wrong-pw');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('no password where one is needed fails at once (sudo -n)', async () => {
    const conn = fakeSudo('password');
    const err = await conn.become({ user: 'root', method: 'sudo' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'sudo needs a password for alice@node01: give it with --ask-become-pass, BOSUN_BECOME_PASSWORD or ansible_become_password',
    );
  });

  it('a sudo that never answers times out', async () => {
    const conn = fakeSudo('hang');
    const t0 = Date.now();
    const err = await conn.become({ user: 'root', method: 'sudo', timeoutMs: 500 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^sudo to root for alice@node01 timed out after 500 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a user without sudo rights', async () => {
    const conn = fakeSudo('not-sudoer');
    const err = await conn.become({ user: 'root', method: 'sudo', password: 'x' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('sudo: alice is not in the sudoers file on node01');
  });
});

describe.skipIf(!isRoot)('su on the local connection (as root)', () => {
  it('becomes nobody: commands, files written and read', async () => {
    const conn = new LocalConnection({ ...spec, user: 'root' });
    open.push(conn);
    const b = await conn.become({ user: 'nobody', method: 'su' });
    expect((await b.exec('id -un')).stdout).toBe('nobody\n');
    const path = `/tmp/bosun-become-test-${process.pid}`;
    await b.writeFile(path, Buffer.from('hello\n'), 0o640);
    expect((await conn.exec(`stat -c '%U %a' ${path}; cat ${path}; rm -f ${path}`)).stdout).toBe('nobody 640\nhello\n');
    expect(await b.readFile('/etc/hostname')).toBeInstanceOf(Buffer);
    expect(await b.readFile('/no/such/file')).toBeNull();
    const pid = Number((await b.exec('echo $$')).stdout);
    await conn.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('becoming the login user is the login connection itself', async () => {
    const conn = new LocalConnection({ ...spec, user: 'root' });
    open.push(conn);
    expect(await conn.become({ user: 'root', method: 'sudo' })).toBe(conn);
  });
});

describe('escalation commands and messages', () => {
  it('sudo -n without a password, a random prompt with one', () => {
    expect(escalationCommand({ user: 'root', method: 'sudo' }).command).toMatch(
      /^LC_ALL=C sudo -H -S -n -u root -- \/bin\/sh -c '/,
    );
    const withPass = escalationCommand({ user: 'web', method: 'sudo', password: 'p' });
    expect(withPass.command).toContain(`-p '${withPass.prompt}' -u web`);
    expect(withPass.command).not.toContain("'p'");
    expect(escalationCommand({ user: 'nobody', method: 'su' }).command).toMatch(
      /^LC_ALL=C su - nobody -s \/bin\/sh -c '/,
    );
  });

  const f = { host: 'node01', login: 'alice', method: 'sudo' as const, user: 'root', password: 'pw123' };
  it.each([
    [
      'sudo: a password is required',
      'sudo needs a password for alice@node01: give it with --ask-become-pass, BOSUN_BECOME_PASSWORD or ansible_become_password',
    ],
    ['sudo: 1 incorrect password attempt', 'incorrect sudo password for alice@node01'],
    ['sh: 1: sudo: not found', 'sudo is not installed on node01'],
    ['sudo: unknown user zz', "sudo: no user 'root' on node01"],
    ['something odd pw123', 'sudo to root failed for alice@node01: something odd ********'],
  ])('%s', (output, message) => {
    expect(becomeFailure(f, 'exited', '', output).message).toBe(message);
  });
});

describe('becomeOptionsFromVars', () => {
  it('reads Ansible names, then --ask-become-pass, then the environment', () => {
    expect(becomeOptionsFromVars({}, {}, {})).toEqual({ user: 'root', method: 'sudo' });
    expect(
      becomeOptionsFromVars(
        { ansible_become_user: 'web', ansible_become_method: 'su', ansible_become_pass: 'a' },
        { askBecomePass: 'b' },
        {},
      ),
    ).toEqual({ user: 'web', method: 'su', password: 'a' });
    expect(becomeOptionsFromVars({ ansible_become_password: 'a2' }, {}, {}).password).toBe('a2');
    expect(becomeOptionsFromVars({}, { askBecomePass: 'b' }, { BOSUN_BECOME_PASSWORD: 'c' }).password).toBe('b');
    expect(becomeOptionsFromVars({}, {}, { BOSUN_BECOME_PASSWORD: 'c' }).password).toBe('c');
    expect(becomeOptionsFromVars({ ansible_timeout: '3' }, {}, {}).timeoutMs).toBe(3000);
    expect(() => becomeOptionsFromVars({ ansible_become_method: 'doas' }, {}, {})).toThrow(
      /become method 'doas' is not supported/,
    );
  });

  it('ansible_become', () => {
    expect(becomeEnabledFromVars({})).toBeUndefined();
    expect(becomeEnabledFromVars({ ansible_become: true })).toBe(true);
    expect(becomeEnabledFromVars({ ansible_become: 'no' })).toBe(false);
  });
});
