/**
 * Ctrl-C (SIGINT) and SIGTERM end the commands running on the targets: the
 * real CLI (from the sources, in a child process of its own) runs a long
 * command on six sandbox hosts, gets one signal once the command runs on
 * every host, and must exit 99 within seconds with the recap, the hosts
 * failed (interrupted), not unreachable, and no process of the command left
 * on any host (read from /proc on the controller: a sandbox host's processes
 * are the controller's, chrooted into the host's overlay). Also under become
 * (sudo to root, the command's processes root's) and on the local connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import type { SandboxHost } from '../../src/sandbox/index.js';
import { withSandbox } from '../helpers/sandbox.js';
import { ALICE_PASSWORD, prepareSudoUser } from '../helpers/sudo-user.js';
import { writeTree } from '../helpers/tree.js';

// Hosts 0-7: the four interrupt tests side by side, two hosts each; 8-9: the become tests.
const fixture = withSandbox(10, { base: '127.152.0.1' });
const CHILD = path.resolve('test/helpers/bosun-source.mjs');
const PASSWORD = ALICE_PASSWORD;

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; at: number }>;
}

const children: ChildProcess[] = [];

// At the end, not after each test: the tests run side by side, and one's end must not kill another's run.
afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** `bosun run DIR/site.yml -i INVENTORY ARGS` from the sources, in a child process. */
function bosun(dir: string, inventory: string, args: string[]): Child {
  const child = spawn(process.execPath, [CHILD, 'run', path.join(dir, 'site.yml'), '-i', inventory, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return { child, output: () => out, exited };
}

/** How the run ended: its exit code, or 'hung' (then it is killed) when it did not end within `ms`. */
async function exitWithin(run: Child, ms: number): Promise<{ code: number | null | 'hung'; at: number }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ code: 'hung'; at: number }>((resolve) => {
    timer = setTimeout(() => resolve({ code: 'hung', at: Date.now() }), ms);
  });
  const ended = await Promise.race([run.exited, hung]);
  clearTimeout(timer);
  if (ended.code === 'hung') run.child.kill('SIGKILL');
  return ended;
}

/** A number no other process on the machine has in its command line: `sleep MARK` is the command's own. */
function uniqueSeconds(): number {
  return 100_000 + Math.floor(Math.random() * 800_000);
}

/** The pids of processes whose command line holds `mark`, per root folder ('/' for the controller's own). */
function processesWith(mark: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => a.includes(mark))) continue;
      const root = readlinkSync(`/proc/${entry}/root`);
      found.set(root, [...(found.get(root) ?? []), Number(entry)]);
    } catch {
      /* ended meanwhile */
    }
  }
  return found;
}

/** The processes of `mark` on each host (empty lists for none). */
function onHosts(hosts: SandboxHost[], mark: string): Record<string, number[]> {
  const found = processesWith(mark);
  return Object.fromEntries(hosts.map((h) => [h.name, found.get(path.join(h.dir, 'merged')) ?? []]));
}

/** Wait until every host runs a process with `mark` (the run's task is under way there). */
async function whenRunningOn(hosts: SandboxHost[], mark: string, run: Child): Promise<void> {
  const until = Date.now() + 90_000;
  while (Object.values(onHosts(hosts, mark)).some((pids) => pids.length === 0)) {
    if (Date.now() > until) throw new Error(`the command never ran on every host:\n${run.output()}`);
    if (run.child.exitCode !== null) throw new Error(`bosun ended first:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The processes of `mark` left on each host once they had `ms` to go (a timed-out command is killed after its result). */
async function leftAfter(hosts: SandboxHost[], mark: string, ms: number): Promise<Record<string, number[]>> {
  const until = Date.now() + ms;
  let left = onHosts(hosts, mark);
  while (Object.values(left).some((pids) => pids.length > 0) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = onHosts(hosts, mark);
  }
  return left;
}

/** Run a playbook whose task times out on `hosts`; its command must be gone from every host soon after. */
async function timeoutAndCheck(hosts: SandboxHost[], inventory: string, task: string[], mark: string): Promise<void> {
  const dir = writeTree({
    'site.yml': ['- hosts: all', '  gather_facts: false', '  tasks:', ...task, '    - debug: msg=after', ''].join('\n'),
  });
  const run = bosun(dir, inventory, ['--forks', '20']);
  const { code } = await exitWithin(run, 60_000);
  const out = run.output();
  expect(await leftAfter(hosts, mark, 5000), out).toEqual(Object.fromEntries(hosts.map((h) => [h.name, []])));
  expect(code, out).toBe(0);
  expect(out).toMatch(/timed out after 2 s/);
  for (const h of hosts) expect(recapOf(out, h.name), out).toMatch(/unreachable=0\s+failed=0/);
}

/** The recap line of `host` ("ok=0 changed=0 unreachable=0 failed=1 ..."). */
function recapOf(output: string, host: string): string {
  const recap = output.slice(output.lastIndexOf('PLAY RECAP'));
  return new RegExp(`^${host}\\s*:\\s*(.*)$`, 'm').exec(recap)?.[1] ?? `no recap line for ${host}`;
}

/** Send `signal` once the command runs on every host; then the run must end in time, the hosts failed, nothing left. */
async function interruptAndCheck(o: {
  hosts: SandboxHost[];
  inventory: string;
  task: string[];
  mark: string;
  signal: NodeJS.Signals;
}): Promise<void> {
  const dir = writeTree({
    'site.yml': ['- hosts: all', '  gather_facts: false', '  tasks:', ...o.task, '    - debug: msg=never', ''].join(
      '\n',
    ),
  });
  const retry = path.join(dir, 'site.retry');
  const run = bosun(dir, o.inventory, ['--grace', '1', '--retry-file', retry, '--forks', '20']);
  await whenRunningOn(o.hosts, o.mark, run);
  const signalled = Date.now();
  run.child.kill(o.signal);
  const { code, at } = await exitWithin(run, 20_000);
  const left = onHosts(o.hosts, o.mark);
  const out = run.output();
  console.log(
    `interrupt: ${o.signal} on ${o.hosts.length} hosts, exit ${code} ${((at - signalled) / 1000).toFixed(2)} s after`,
  );
  // First what the interrupt is for: nothing of the command is left on any host.
  expect(left, out).toEqual(Object.fromEntries(o.hosts.map((h) => [h.name, []])));
  expect(code, out).toBe(99);
  // --grace 1, then the kill (at most ~2.5 s); the rest is the recap and Node's exit.
  expect(at - signalled, out).toBeLessThan(8000);
  expect(out).toContain('PLAY RECAP');
  for (const h of o.hosts) expect(recapOf(out, h.name), out).toMatch(/unreachable=0\s+failed=1/);
  expect(out).not.toContain('never');
  expect(out).toMatch(/interrupted|terminated/);
  expect(readFileSync(retry, 'utf8').split('\n').filter(Boolean).sort()).toEqual(o.hosts.map((h) => h.name).sort());
}

/** Two hosts of the sandbox and an inventory of just them (as root): tests on disjoint pairs run side by side. */
function pair(n: number): { hosts: SandboxHost[]; inventory: string } {
  const hosts = fixture.sandbox.hosts.slice(2 * n, 2 * n + 2);
  const inventory = path.join(
    writeTree({
      hosts: [
        '[pair]',
        ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
        '[pair:vars]',
        'ansible_user=root',
        `ansible_ssh_private_key_file=${fixture.sandbox.privateKeyFile}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${fixture.sandbox.knownHostsFile}'`,
        '',
      ].join('\n'),
    }),
    'hosts',
  );
  return { hosts, inventory };
}

fixture.describe('an interrupt ends the commands running on the targets', () => {
  it.concurrent(
    'SIGINT: the recap, exit 99 within seconds, the hosts failed (not unreachable), no process left on any host',
    async () => {
      const seconds = uniqueSeconds();
      await interruptAndCheck({
        ...pair(0),
        task: ['    - name: long', `      command: sleep ${seconds}`],
        mark: String(seconds),
        signal: 'SIGINT',
      });
    },
    120_000,
  );

  it.concurrent(
    'SIGTERM: the same for a shell command with a child in the background',
    async () => {
      const seconds = uniqueSeconds();
      await interruptAndCheck({
        ...pair(1),
        task: ['    - name: long', `      shell: sleep ${seconds} & sleep ${seconds}; wait`],
        mark: String(seconds),
        signal: 'SIGTERM',
      });
    },
    120_000,
  );

  it.concurrent(
    'an interrupted task is neither retried (until) nor hidden by ignore_errors',
    async () => {
      const seconds = uniqueSeconds();
      await interruptAndCheck({
        ...pair(2),
        task: [
          '    - name: long',
          `      command: sleep ${seconds}`,
          '      register: r',
          '      until: (eq (default r.rc 1) 0)',
          '      retries: 5',
          '      delay: 10',
          '      ignore_errors: true',
        ],
        mark: String(seconds),
        signal: 'SIGINT',
      });
    },
    120_000,
  );

  it.concurrent(
    'a second SIGINT kills the commands at once (no waiting for --grace 30), then exit 99 with the recap',
    async () => {
      const seconds = uniqueSeconds();
      const mark = String(seconds);
      const { hosts, inventory } = pair(3);
      const dir = writeTree({
        'site.yml': ['- hosts: all', '  gather_facts: false', '  tasks:', `    - command: sleep ${seconds}`, ''].join(
          '\n',
        ),
      });
      const run = bosun(dir, inventory, ['--grace', '30', '--forks', '20']);
      await whenRunningOn(hosts, mark, run);
      const signalled = Date.now();
      run.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      run.child.kill('SIGINT');
      const { code, at } = await exitWithin(run, 20_000);
      const out = run.output();
      console.log(
        `interrupt: two SIGINTs on ${hosts.length} hosts, exit ${code} ${((at - signalled) / 1000).toFixed(2)} s after the first`,
      );
      expect(onHosts(hosts, mark), out).toEqual(Object.fromEntries(hosts.map((h) => [h.name, []])));
      expect(code, out).toBe(99);
      expect(at - signalled, out).toBeLessThan(5000);
      expect(out).toContain('again: killing the running commands');
      expect(out).toContain('PLAY RECAP');
    },
    120_000,
  );

  describe('under become (sudo to root)', () => {
    let inventory = '';
    beforeAll(async () => {
      const hosts = fixture.sandbox.hosts.slice(8, 10);
      await Promise.all(hosts.map((h, i) => prepareAlice(h, i === 1)));
      inventory = path.join(
        writeTree({
          hosts: [
            '[alice]',
            ...hosts.map(
              (h, i) => `${h.name} ansible_host=${h.address}${i === 1 ? ` ansible_become_password=${PASSWORD}` : ''}`,
            ),
            '[alice:vars]',
            'ansible_user=alice',
            `ansible_ssh_private_key_file=${fixture.sandbox.privateKeyFile}`,
            `ansible_ssh_common_args='-o UserKnownHostsFile=${fixture.sandbox.knownHostsFile}'`,
            '',
          ].join('\n'),
        }),
        'hosts',
      );
    }, 300_000);

    it('SIGINT: the root-owned command is killed too (the kill runs with become); no process left', async () => {
      const seconds = uniqueSeconds();
      await interruptAndCheck({
        hosts: fixture.sandbox.hosts.slice(8, 10),
        inventory,
        task: ['    - name: long', '      become: true', `      command: sleep ${seconds}`],
        mark: String(seconds),
        signal: 'SIGINT',
      });
    }, 120_000);

    it('a task timeout under become kills the root-owned command (the kill runs with become)', async () => {
      const seconds = uniqueSeconds();
      const task = [
        '    - become: true',
        `      command: sleep ${seconds}`,
        '      timeout: 2',
        '      ignore_errors: true',
      ];
      await timeoutAndCheck(fixture.sandbox.hosts.slice(8, 10), inventory, task, String(seconds));
    }, 120_000);

    it('a task timeout kills the command of a login user whose shell is dash (kill -s TERM --)', async () => {
      const seconds = uniqueSeconds();
      const task = [`    - command: sleep ${seconds}`, '      timeout: 2', '      ignore_errors: true'];
      await timeoutAndCheck(fixture.sandbox.hosts.slice(8, 10), inventory, task, String(seconds));
    }, 120_000);
  });
});

/** As root: sudo (installed into the host's overlay if missing) and a user alice with our key and sudo rights. */
async function prepareAlice(host: SandboxHost, withPassword: boolean): Promise<void> {
  const root = new SshConnection(fixture.specFor(host));
  try {
    await prepareSudoUser(root, fixture.sandbox.privateKeyFile, withPassword);
  } finally {
    await root.close();
  }
}

it('the local connection: SIGINT kills the command with its process group', async () => {
  const seconds = uniqueSeconds();
  const dir = writeTree({
    'site.yml': [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      `    - shell: sleep ${seconds} & sleep ${seconds}; wait`,
      '    - debug: msg=never',
      '',
    ].join('\n'),
    hosts: 'localhost ansible_connection=local\n',
  });
  const run = bosun(dir, path.join(dir, 'hosts'), ['--grace', '1']);
  const mark = String(seconds);
  const until = Date.now() + 60_000;
  while ((processesWith(mark).get('/') ?? []).length < 3) {
    if (Date.now() > until || run.child.exitCode !== null) throw new Error(`the command never ran:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const signalled = Date.now();
  run.child.kill('SIGINT');
  const { code, at } = await exitWithin(run, 20_000);
  const left = processesWith(mark).get('/') ?? [];
  for (const pid of left) process.kill(pid, 'SIGKILL');
  expect(left, run.output()).toEqual([]);
  expect(code, run.output()).toBe(99);
  expect(at - signalled).toBeLessThan(8000);
  expect(recapOf(run.output(), 'localhost')).toMatch(/unreachable=0\s+failed=1/);
}, 60_000);
