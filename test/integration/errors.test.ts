/**
 * User and target errors over real SSH are failed tasks in words (never
 * "internal error", never a stack, the host stays reachable): permission
 * errors under become (su to nobody), a controller folder with a symlink
 * loop (made again as a link, as Ansible does), and SFTP refusals with their real reason (a folder, a read-only file
 * system, permission denied for an unprivileged login user).
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { ConnectionError, TargetError } from '../../src/errors.js';
import { sh } from '../../src/util/shell.js';
import { runCli } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';

const fixture = withSandbox(1, { base: '127.129.0.1' });
const STACK_LINE = /^\s+at .+[:(]/m;
const open: SshConnection[] = [];

function connect(user = 'root'): SshConnection {
  const conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[0]!, { user }));
  open.push(conn);
  return conn;
}

interface Result {
  type: string;
  task?: string;
  status?: string;
  msg?: string;
  error?: { code: string };
}

/** A project folder: the playbook and a controller folder with a link loop. */
function project(tasks: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-it-errors-'));
  mkdirSync(path.join(dir, 'files/tree/sub'), { recursive: true });
  writeFileSync(path.join(dir, 'files/tree/a'), 'a\n');
  symlinkSync('..', path.join(dir, 'files/tree/sub/up'));
  mkdirSync(path.join(dir, 'files/archive'));
  writeFileSync(path.join(dir, 'files/archive/x'), 'x\n');
  execFileSync('tar', ['czf', '../a.tgz', 'x'], { cwd: path.join(dir, 'files/archive') });
  writeFileSync(
    path.join(dir, 'site.yml'),
    ['- hosts: all', '  gather_facts: false', '  tasks:', ...tasks, ''].join('\n'),
  );
  return dir;
}

fixture.describe('errors on a sandbox host over SSH', () => {
  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('become and copy errors fail their tasks in words; the host stays reachable', async () => {
    const root = connect();
    await root.exec('printf secret > /root/bosun-it-secret && chmod 600 /root/bosun-it-secret && chmod 755 /root');
    const nobody = [
      '      become: true',
      '      become_user: nobody',
      '      become_method: su',
      '      ignore_errors: true',
    ];
    const dir = project([
      '    - name: copy into a root-only folder as nobody',
      '      copy: { content: "x", dest: /root/private/bosun-it-x }',
      ...nobody,
      '    - name: diff over a file nobody may not read',
      '      copy: { content: "y", dest: /root/bosun-it-secret }',
      ...nobody,
      '    - name: unarchive into a root-only folder as nobody',
      '      unarchive: { src: a.tgz, dest: /root/private/ }',
      ...nobody,
      '    - name: copy a folder with a link loop',
      '      copy: { src: tree/, dest: /opt/bosun-it-tree/ }',
      '      ignore_errors: true',
      '    - name: still reachable',
      '      command: echo ok',
    ]);
    await root.exec('mkdir -p /root/private && chmod 700 /root/private');
    const args = ['run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile, '--diff'];
    const text = await runCli([...args, '-vvv']);
    expect(text.out).not.toMatch(/internal error|exception occurred|traceback/i);
    expect(text.out).not.toMatch(STACK_LINE);
    const json = await runCli<Result>([...args, '--json']);
    const results = json.events.filter((e) => e.type === 'task_result');
    const byTask = (t: string): Result => results.find((e) => e.task === t)!;
    expect(byTask('copy into a root-only folder as nobody')).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(
        /^cannot write \/root\/private\/bosun-it-x: .*as nobody: .*Permission denied/,
      ) as unknown,
    });
    expect(byTask('diff over a file nobody may not read')).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(
        /^cannot read \/root\/bosun-it-secret as nobody: cannot open \/root\/bosun-it-secret: Permission denied/,
      ) as unknown,
    });
    expect(byTask('unarchive into a root-only folder as nobody')).toMatchObject({
      status: 'failed',
      msg: expect.stringMatching(/as nobody: .*Permission denied/) as unknown,
    });
    // As Ansible's copy: the loop is made again as a link, not followed (by the first run; this second one finds it
    // in place).
    expect(byTask('copy a folder with a link loop')).toMatchObject({ status: 'ok' });
    expect(byTask('still reachable').status).toBe('changed');
    expect(json.code).toBe(0);
    const after = await root.exec('cat /root/bosun-it-secret; ls -A /root/private; readlink /opt/bosun-it-tree/sub/up');
    expect(after.stdout).toBe('secret..\n');
  });

  it('SFTP: writing over a folder says "it is a folder"; the connection goes on', async () => {
    const conn = connect();
    const e = await conn.writeFile('/tmp', Buffer.from('x')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TargetError);
    expect(e).not.toBeInstanceOf(ConnectionError);
    expect((e as TargetError).message).toBe(`cannot write /tmp on ${fixture.sandbox.hosts[0]!.name}: it is a folder`);
    expect((await conn.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('SFTP: a read-only file system is named (SFTP only says "Failure")', async (ctx) => {
    const conn = connect();
    const mounted = await conn.exec(
      'mkdir -p /mnt/bosun-ro && (mountpoint -q /mnt/bosun-ro || mount -t tmpfs -o ro tmpfs /mnt/bosun-ro)',
    );
    if (mounted.rc !== 0) ctx.skip(`cannot mount a read-only tmpfs here: ${mounted.stderr.trim()}`);
    try {
      const e = await conn.writeFile('/mnt/bosun-ro/x', Buffer.from('x')).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(TargetError);
      expect((e as TargetError).message).toMatch(/^cannot write \/mnt\/bosun-ro\/x on \S+: Read-only file system$/);
    } finally {
      await conn.exec('umount /mnt/bosun-ro');
    }
  });

  it('SFTP as an unprivileged login user: permission denied, with the hint to use become', async () => {
    const root = connect();
    const pub = readFileSync(`${fixture.sandbox.privateKeyFile}.pub`, 'utf8').trim();
    const made = await root.exec(
      [
        'id bosunit >/dev/null 2>&1 || useradd -m -s /bin/sh bosunit',
        'mkdir -p /home/bosunit/.ssh',
        sh`printf '%s\n' ${pub} > /home/bosunit/.ssh/authorized_keys`,
        'chown -R bosunit /home/bosunit/.ssh && chmod 700 /home/bosunit/.ssh && chmod 600 /home/bosunit/.ssh/authorized_keys',
        'mkdir -p /root/private && chmod 700 /root/private && printf s > /root/private/f',
      ].join('\n'),
    );
    expect({ rc: made.rc, stderr: made.stderr }).toMatchObject({ rc: 0 });
    const user = connect('bosunit');
    const w = await user.writeFile('/root/private/x', Buffer.from('x')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(w).toBeInstanceOf(TargetError);
    expect((w as TargetError).message).toMatch(/^cannot write \/root\/private\/x on \S+: permission denied$/);
    expect((w as TargetError).hint).toMatch(/bosunit may not do this on \S+: use become/);
    const r = await user.readFile('/root/private/f').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(r).toBeInstanceOf(TargetError);
    expect((r as TargetError).message).toMatch(/^cannot read \/root\/private\/f on \S+: permission denied$/);
    expect((await user.exec('echo ok')).stdout).toBe('ok\n');
  });
});
