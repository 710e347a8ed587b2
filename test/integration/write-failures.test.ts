/**
 * A write that the target's disk cannot take: a small tmpfs mounted inside
 * the sandbox host (its own mount namespace; the machine is not touched)
 * and nearly filled, then `copy` and `template` of more than is left. The
 * task fails with `changed: false` and the kernel's reason, "No space left
 * on device" (SFTP itself only says "Failure"); the file that was there is
 * untouched, no temporary file is left, and the host goes on.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { TargetError } from '../../src/errors.js';
import { runJson } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(1, { base: '127.142.1.1' });
const MOUNT = '/mnt/bosun-full';

interface JsonEvent {
  type: string;
  task?: string;
  status?: string;
  changed?: boolean;
  msg?: string;
}

fixture.describe('writes to a full disk on a sandbox host', () => {
  let conn: SshConnection;
  let mountError: string | undefined;

  beforeAll(async () => {
    conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[0]!));
    await conn.connect();
    // 1 MiB of tmpfs, filled but for about 64 KiB; the file that is already there holds "old".
    const r = await conn.exec(
      [
        `mkdir -p ${MOUNT}`,
        `(mountpoint -q ${MOUNT} || mount -t tmpfs -o size=1m tmpfs ${MOUNT})`,
        `printf old > ${MOUNT}/there.txt`,
        `dd if=/dev/zero of=${MOUNT}/filler bs=1k count=960 2>/dev/null`,
      ].join(' && '),
    );
    if (r.rc !== 0) mountError = r.stderr.trim() || `rc ${r.rc}`;
  });
  afterAll(async () => {
    await conn.exec(`umount ${MOUNT} 2>/dev/null; true`);
    await conn.close();
  });

  it('copy and template of more than fits: failed, changed false, "No space left on device"; the old file stays', async (ctx) => {
    if (mountError !== undefined) ctx.skip(`cannot mount a small tmpfs on the sandbox host: ${mountError}`);
    const big = 'x'.repeat(512 * 1024);
    const dir = writeTree({
      'files/big.bin': big,
      'templates/big.j2': `{{ filler }}\n${big}`,
      'site.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  vars: { filler: "yes" }',
        '  tasks:',
        '    - name: copy a new file',
        `      copy: { src: big.bin, dest: ${MOUNT}/new.bin }`,
        '      ignore_errors: true',
        '    - name: copy over an existing file',
        `      copy: { content: "${'y'.repeat(200 * 1024)}", dest: ${MOUNT}/there.txt }`,
        '      ignore_errors: true',
        '    - name: template',
        `      template: { src: big.j2, dest: ${MOUNT}/there.txt }`,
        '      ignore_errors: true',
        '    - name: still reachable',
        '      command: echo ok',
        '',
      ].join('\n'),
    });
    const run = await runJson<JsonEvent>(['run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile]);
    const byTask = (name: string) => run.events.find((e) => e.type === 'task_result' && e.task === name)!;
    for (const name of ['copy a new file', 'copy over an existing file', 'template']) {
      const r = byTask(name);
      expect(r.status, `${name}: ${r.msg}`).toBe('failed');
      expect(r.changed, name).toBe(false);
      expect(r.msg, name).toMatch(/No space left on device/);
      expect(r.msg, name).not.toMatch(/\bFailure\b/);
    }
    expect(byTask('still reachable').status).toBe('changed');
    const after = await conn.exec(`cat ${MOUNT}/there.txt; echo; ls -A ${MOUNT}`);
    expect(after.stdout).toBe('old\nfiller\nthere.txt\n');
  });

  it('the connection layer: a write of more than fits is a TargetError that names the kernel reason', async (ctx) => {
    if (mountError !== undefined) ctx.skip(`cannot mount a small tmpfs on the sandbox host: ${mountError}`);
    const e = await conn.writeFile(`${MOUNT}/direct.bin`, Buffer.alloc(512 * 1024, 1)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TargetError);
    expect((e as Error).message).toMatch(
      /^cannot write \/mnt\/bosun-full\/direct\.bin on \S+: No space left on device$/,
    );
    await conn.exec(`rm -f ${MOUNT}/direct.bin`);
    expect((await conn.exec('echo ok')).stdout).toBe('ok\n');
  });
});
