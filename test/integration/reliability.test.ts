/**
 * Faults on real sandbox hosts: task timeouts, the run timeout, Ctrl-C
 * (SIGINT) and SIGTERM with a grace period, a second Ctrl-C, a host killed
 * mid-run, and the retry file with --limit @FILE.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { sandboxStartHost, sandboxStopHost } from '../../src/sandbox/index.js';
import { withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(3, { base: '127.111.0.1' });

interface Ev {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  hosts?: Record<string, Record<string, number>>;
}

function tree(files: Record<string, string>): string {
  return writeTree(files, 'bosun-rel-');
}

async function run(
  dir: string,
  extra: string[] = [],
  during?: (output: () => string) => void,
): Promise<{ code: number; events: Ev[]; ms: number }> {
  let out = '';
  const t0 = Date.now();
  const pending = main(['run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile, '--json', ...extra], {
    out: (t) => {
      out += t;
    },
    err: () => {},
    isTTY: false,
  });
  during?.(() => out);
  const code = await pending;
  const events = out.trim()
    ? out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Ev)
    : [];
  return { code, events, ms: Date.now() - t0 };
}

const results = (events: Ev[]) =>
  events
    .filter((e) => e.type === 'task_result')
    .map((e) => `${e.task}|${e.host}|${e.status}`)
    .sort();

async function onHost(index: number, script: string): Promise<string> {
  const conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[index]!));
  try {
    await conn.connect();
    return (await conn.exec(script)).stdout;
  } finally {
    await conn.close();
  }
}

fixture.describe('faults on sandbox hosts', () => {
  it('a task timeout fails the task on every host in time, and the host goes on with a fresh session', async () => {
    const dir = tree({
      'site.yml': [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  tasks:',
        '    - name: hangs',
        '      command: sleep 60',
        '      timeout: 1',
        '      ignore_errors: true',
        '    - name: after',
        '      command: echo fine',
        '',
      ].join('\n'),
    });
    const res = await run(dir);
    expect(res.ms).toBeLessThan(15_000);
    expect(res.code).toBe(0);
    expect(results(res.events)).toEqual([
      'after|node01|changed',
      'after|node02|changed',
      'after|node03|changed',
      'hangs|node01|failed',
      'hangs|node02|failed',
      'hangs|node03|failed',
    ]);
    const hang = res.events.find((e) => e.type === 'task_result' && e.task === 'hangs');
    expect(hang?.msg).toMatch(/timed out after 1 s/);
    // The hung command was killed on the target, not only abandoned.
    await new Promise((r) => setTimeout(r, 2500));
    for (let i = 0; i < 3; i++) expect(await onHost(i, "pgrep -x sleep -a | grep -c 'sleep 60' || true")).toBe('0\n');
  });

  it('--run-timeout stops the run and exits 99', async () => {
    const dir = tree({
      'site.yml':
        '- hosts: sandbox\n  gather_facts: false\n  tasks:\n    - command: sleep 30\n    - name: never\n      debug: msg=x\n',
    });
    const res = await run(dir, ['--run-timeout', '2', '--grace', '1']);
    expect(res.code).toBe(99);
    expect(res.ms).toBeLessThan(15_000);
    expect(results(res.events).some((r) => r.startsWith('never'))).toBe(false);
    expect(res.events.at(-1)?.type).toBe('recap');
  });

  it('Ctrl-C lets the running task finish, starts nothing new, prints the recap and exits 99', async () => {
    const dir = tree({
      'site.yml':
        '- hosts: sandbox\n  gather_facts: false\n  tasks:\n    - name: running\n      command: sleep 2\n    - name: never started\n      debug: msg=x\n',
    });
    // Ctrl-C once the task runs (not before: on a busy machine the hosts may take a while to answer).
    const res = await run(dir, ['--grace', '10'], (output) => {
      const poll = setInterval(() => {
        if (!output().includes('"type":"task_start"')) return;
        clearInterval(poll);
        setTimeout(() => process.emit('SIGINT', 'SIGINT'), 500);
      }, 50);
    });
    expect(res.code).toBe(99);
    expect(results(res.events)).toEqual(['running|node01|changed', 'running|node02|changed', 'running|node03|changed']);
    expect(res.events.some((e) => e.type === 'interrupted')).toBe(true);
    expect(res.events.at(-1)?.type).toBe('recap');
  });

  it('a second Ctrl-C exits at once (real signals to the real CLI)', async () => {
    const bin = path.resolve('bin/bosun.js');
    // The real CLI runs from dist/ (npm ci builds it); a missing build must fail, not skip silently.
    expect(existsSync(path.resolve('dist/cli/main.js')), 'run npm run build first').toBe(true);
    const dir = tree({ 'site.yml': '- hosts: sandbox\n  gather_facts: false\n  tasks:\n    - command: sleep 20\n' });
    const child = spawn(
      process.execPath,
      [bin, 'run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile, '--grace', '30'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    let out = '';
    let started: () => void = () => {};
    const taskStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('TASK [')) started();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await taskStarted;
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(99);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out).toContain('interrupted');
  });

  it('a host killed mid-task is unreachable while the others finish; the retry file lists it; --limit @FILE runs just it', async () => {
    const dir = tree({
      'site.yml':
        '- hosts: sandbox\n  gather_facts: false\n  tasks:\n    - name: slow\n      command: sleep 2\n    - name: after\n      debug: msg=ok\n',
    });
    const retry = path.join(dir, 'site.retry');
    const victim = fixture.sandbox.hosts[1]!;
    const res = await run(dir, ['--retry-file', retry], () =>
      setTimeout(() => void sandboxStopHost({ stateDir: fixture.sandbox.stateDir }, victim.name), 800),
    );
    expect(res.code).toBe(4);
    expect(results(res.events)).toEqual([
      'after|node01|ok',
      'after|node03|ok',
      'slow|node01|changed',
      `slow|${victim.name}|unreachable`,
      'slow|node03|changed',
    ]);
    expect(readFileSync(retry, 'utf8')).toBe(`${victim.name}\n`);
    await sandboxStartHost({ stateDir: fixture.sandbox.stateDir }, victim.name);
    const again = await run(dir, ['--limit', `@${retry}`, '--retry-file', retry]);
    expect(again.code).toBe(0);
    expect(results(again.events)).toEqual([`after|${victim.name}|ok`, `slow|${victim.name}|changed`]);
    expect(readFileSync(retry, 'utf8')).toBe('');
  });

  it('a connection dropped between tasks is opened again transparently; the run goes on', async () => {
    const dir = tree({
      'site.yml': [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  tasks:',
        '    - name: find the ssh session of this connection',
        '      shell: p=$$; while [ "$(ps -o comm= -p $p)" != sshd ]; do p=$(ps -o ppid= -p $p | tr -d " "); done; echo $p',
        '      register: sess',
        '      changed_when: false',
        '    - name: drop it a moment after this task ends',
        '      shell: setsid sh -c "sleep 1; kill -9 {{ trim sess.stdout }}" >/dev/null 2>&1 < /dev/null &',
        '      changed_when: false',
        '    - name: wait on the controller',
        '      pause: { seconds: 3 }',
        '    - name: after the drop',
        '      command: echo back',
        '',
      ].join('\n'),
    });
    const res = await run(dir, ['--limit', 'node01']);
    expect(res.code).toBe(0);
    expect(results(res.events)).toEqual([
      'after the drop|node01|changed',
      'drop it a moment after this task ends|node01|ok',
      'find the ssh session of this connection|node01|ok',
      'wait on the controller|node01|ok',
    ]);
    // The drop is real: with reconnecting turned off the same task finds the host unreachable.
    const off = await run(dir, ['--limit', 'node01', '-e', 'ansible_ssh_retries=0']);
    expect(off.code).toBe(4);
    expect(results(off.events)).toContain('after the drop|node01|unreachable');
    expect(off.events.find((e) => e.status === 'unreachable')?.msg).toMatch(/dropped .*not reconnecting/);
  });

  it('no temporary files are left on the targets', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        await onHost(
          i,
          "find /tmp /root /etc /opt -xdev -path /root/.cache -prune -o -name '.bosun-tmp-*' -print 2>/dev/null | head -5",
        ),
      ).toBe('');
    }
  });
});
