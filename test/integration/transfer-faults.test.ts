/**
 * A file transfer (SFTP) whose connection is lost, whose run is stopped or
 * whose run is out of time ends cleanly: the real CLI in a child process of
 * its own (from the sources, test/helpers/bosun-source.mjs) copies a 200 MB
 * file while the target's sshd is killed, the CLI gets SIGTERM, or
 * --run-timeout passes. A transfer is held in flight by stopping the
 * target's sftp-server (SIGSTOP), so the timing does not depend on the speed
 * of the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sandboxStartHost, sandboxStopHost, type SandboxHost } from '../../src/sandbox/index.js';
import { withSandbox } from '../helpers/sandbox.js';
import { squeezed } from '../helpers/cli.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(2, { base: '127.141.0.1' });
const CHILD = path.resolve('test/helpers/bosun-source.mjs');
const DEST_DIR = '/opt/xfer';

/** A playbook copying a 200 MB file (sparse on the controller) to DEST_DIR/big.bin on one host. */
function project(): string {
  const dir = writeTree({
    'site.yml': [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      `    - file: { path: ${DEST_DIR}, state: directory }`,
      '    - name: big copy',
      `      copy: { src: big.bin, dest: ${DEST_DIR}/big.bin }`,
      '    - name: after',
      '      debug: { msg: done }',
      '',
    ].join('\n'),
    'big.bin': '',
  });
  truncateSync(path.join(dir, 'big.bin'), 200 * 1024 * 1024);
  // Not only zeros: a last line that differs per project, so a copy is never already in place.
  writeFileSync(path.join(dir, 'big.bin'), `${dir}\n`, { flag: 'r+' });
  return dir;
}

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

const children: ChildProcess[] = [];
const stopped: number[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of stopped.splice(0)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone already */
    }
  }
});

function bosun(dir: string, args: string[]): Child {
  const child = spawn(
    process.execPath,
    [CHILD, 'run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return { child, output: () => out, exited };
}

/** The temp files bosun left in DEST_DIR on a host (read from the host's overlay, on the controller). */
function leftovers(host: SandboxHost): string[] {
  const dir = path.join(host.dir, 'upper', DEST_DIR);
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.bosun-tmp-')) : [];
}

/** The host's sftp-server processes (chrooted into its overlay). */
function sftpServers(host: SandboxHost): number[] {
  const root = path.join(host.dir, 'merged');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('sftp-server')) continue;
      if (readlinkSync(`/proc/${entry}/root`) === root) pids.push(Number(entry));
    } catch {
      /* ended meanwhile */
    }
  }
  return pids;
}

/** Whether the copy's temp file on `host` is being written. */
function writing(host: SandboxHost): boolean {
  const tmp = leftovers(host)[0];
  return tmp !== undefined && statSync(path.join(host.dir, 'upper', DEST_DIR, tmp)).size > 0;
}

/** Wait until a transfer to or from `host` runs (`started`), then hold it there (SIGSTOP its sftp-server). */
async function holdTransfer(
  host: SandboxHost,
  run: Child,
  started: (host: SandboxHost) => boolean = writing,
  timeoutMs = 40_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (started(host)) {
      const pids = sftpServers(host);
      if (pids.length > 0) {
        for (const pid of pids) {
          process.kill(pid, 'SIGSTOP');
          stopped.push(pid);
        }
        return;
      }
    }
    if (Date.now() > until)
      throw new Error(`no transfer to ${host.name} started within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

fixture.describe('a transfer that cannot finish ends cleanly', () => {
  it('the target sshd killed mid-copy: the run ends at once, the host unreachable, exit 4, the retry file; the next run clears the temp file', async () => {
    const victim = fixture.sandbox.hosts[0]!;
    const dir = project();
    const retry = path.join(dir, 'site.retry');
    const run = bosun(dir, ['--limit', victim.name, '--retry-file', retry]);
    await holdTransfer(victim, run);
    const killed = Date.now();
    await sandboxStopHost({ stateDir: fixture.sandbox.stateDir }, victim.name);
    const { code, at } = await run.exited;
    const seconds = (at - killed) / 1000;
    console.log(`transfer-faults: ended ${seconds.toFixed(2)} s after the sshd kill, exit ${code}`);
    expect(code, run.output()).toBe(4);
    expect(seconds).toBeLessThan(10);
    expect(run.output()).toMatch(/fatal: \[node01\]: UNREACHABLE! .*the connection was lost during the transfer/);
    expect(squeezed(run.output())).toMatch(/PLAY RECAP[\s\S]*node01 : ok=1 changed=1 unreachable=1 failed=0/);
    expect(readFileSync(retry, 'utf8')).toBe('node01\n');
    // The host died with the temp file half written; the next write to the same folder removes it.
    expect(leftovers(victim)).toHaveLength(1);
    await sandboxStartHost({ stateDir: fixture.sandbox.stateDir }, victim.name);
    const again = bosun(dir, ['--limit', victim.name]);
    expect((await again.exited).code, again.output()).toBe(0);
    expect(leftovers(victim)).toEqual([]);
  }, 120_000);

  it('SIGTERM mid-copy: the recap, exit 99, no temp file left on the target', async () => {
    const host = fixture.sandbox.hosts[1]!;
    const dir = project();
    const run = bosun(dir, ['--limit', host.name, '--grace', '1']);
    await holdTransfer(host, run);
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    const { code, at } = await run.exited;
    console.log(`transfer-faults: ended ${((at - signalled) / 1000).toFixed(2)} s after SIGTERM, exit ${code}`);
    expect(code, run.output()).toBe(99);
    expect(at - signalled).toBeLessThan(10_000);
    expect(squeezed(run.output())).toMatch(/PLAY RECAP[\s\S]*node02 : ok=1 /);
    expect(leftovers(host)).toEqual([]);
  }, 90_000);

  it('--run-timeout mid-copy: the run ends at the deadline, the recap, exit 99, no temp file left', async () => {
    const host = fixture.sandbox.hosts[1]!;
    const dir = project();
    const started = Date.now();
    const run = bosun(dir, ['--limit', host.name, '--run-timeout', '15', '--grace', '30']);
    await holdTransfer(host, run);
    const { code, at } = await run.exited;
    console.log(
      `transfer-faults: ended ${((at - started) / 1000).toFixed(2)} s after the start (--run-timeout 15), exit ${code}`,
    );
    expect(code, run.output()).toBe(99);
    // The deadline counts from the CLI's start, a little after the spawn.
    expect(at - started).toBeGreaterThanOrEqual(15_000);
    expect(at - started).toBeLessThan(15_000 + 8_000);
    expect(run.output()).toMatch(/the run timed out/);
    expect(squeezed(run.output())).toMatch(/PLAY RECAP[\s\S]*node02 : ok=1 /);
    expect(leftovers(host)).toEqual([]);
  }, 90_000);
  it('the target sshd killed mid-fetch: the run ends at once, the host unreachable, exit 4', async () => {
    const victim = fixture.sandbox.hosts[0]!;
    const dir = writeTree({
      'site.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        `    - shell: mkdir -p ${DEST_DIR} && truncate -s 200M ${DEST_DIR}/remote.bin`,
        '    - name: big fetch',
        '      fetch: { src: /opt/xfer/remote.bin, dest: "@DIR@/fetched/", flat: true }',
        '',
      ].join('\n'),
    });
    const run = bosun(dir, ['--limit', victim.name]);
    // The read runs once the host's sftp-server does (the first SFTP use of the run).
    await holdTransfer(victim, run, (host) => run.output().includes('big fetch') && sftpServers(host).length > 0);
    const killed = Date.now();
    await sandboxStopHost({ stateDir: fixture.sandbox.stateDir }, victim.name);
    const { code, at } = await run.exited;
    console.log(
      `transfer-faults: fetch ended ${((at - killed) / 1000).toFixed(2)} s after the sshd kill, exit ${code}`,
    );
    await sandboxStartHost({ stateDir: fixture.sandbox.stateDir }, victim.name);
    expect(code, run.output()).toBe(4);
    expect(at - killed).toBeLessThan(10_000);
    expect(run.output()).toMatch(/fatal: \[node01\]: UNREACHABLE! .*the connection was lost during the transfer/);
    expect(existsSync(path.join(dir, 'fetched'))).toBe(false);
  }, 90_000);
});
