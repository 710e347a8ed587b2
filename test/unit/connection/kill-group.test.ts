/**
 * The script that ends a command's process group on a target, run here by
 * dash and bash against real processes in a group of their own; and the
 * local connection's interrupt, which ends its shell's group.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.js';
import { killGroupScript, ownProcessGroup } from '../../../src/connection/kill-group.js';
import { LocalConnection } from '../../../src/connection/local.js';

const run = promisify(execFile);
const started: ChildProcess[] = [];
const conns: LocalConnection[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) await c.close();
  for (const c of started.splice(0)) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
});

/** A number no other process has in its command line. */
const unique = (): string => String(100_000 + Math.floor(Math.random() * 800_000));

/** `sh -c SCRIPT` leading a process group of its own. */
function group(script: string): ChildProcess {
  const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', detached: true });
  started.push(child);
  return child;
}

/** The live (not zombie) members of a process group, from /proc. */
async function members(pgid: number): Promise<number> {
  let n = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') n++;
    } catch {
      /* ended meanwhile */
    }
  }
  return n;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('killGroupScript', () => {
  it.each(['dash', 'bash'])('%s: ends the whole group of a pid (children in the background too)', async (shell) => {
    const s = unique();
    const leader = group(`sleep ${s} & sleep ${s}; wait`);
    expect(await until(async () => (await members(leader.pid!)) === 3, 5000)).toBe(true);
    const t0 = Date.now();
    await run(shell, ['-c', killGroupScript(leader.pid!)]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await until(async () => (await members(leader.pid!)) === 0, 2000)).toBe(true);
  });

  it('ends a group that ignores SIGTERM with SIGKILL after a second', async () => {
    const s = unique();
    const leader = group(`trap '' TERM; sleep ${s} & sleep ${s}; wait`);
    expect(await until(async () => (await members(leader.pid!)) === 3, 5000)).toBe(true);
    await run('dash', ['-c', killGroupScript(leader.pid!)]);
    expect(await until(async () => (await members(leader.pid!)) === 0, 2000)).toBe(true);
  });

  it('looks the group up from any member, and spares a group it is told to (then only the pid ends)', async () => {
    const s = unique();
    const file = path.join(os.tmpdir(), `bosun-kill-group-${s}`);
    const leader = group(`sleep ${s} & echo $! > ${file}; sleep ${s}`);
    expect(await until(async () => (await members(leader.pid!)) === 3, 5000)).toBe(true);
    const member = Number(await readFile(file, 'utf8'));
    await run('dash', ['-c', killGroupScript(member, leader.pid)]);
    // Spared: the leader and its other sleep live, the member alone ended.
    expect(await until(async () => (await members(leader.pid!)) === 2, 2000)).toBe(true);
    await run('dash', ['-c', killGroupScript(member)]).catch(() => undefined);
    await run('dash', ['-c', killGroupScript(leader.pid!)]);
    expect(await until(async () => (await members(leader.pid!)) === 0, 2000)).toBe(true);
  });

  it('refuses what is not a pid, and 0 and 1', () => {
    for (const p of [0, 1, -5, 1.5, Number.NaN]) expect(() => killGroupScript(p)).toThrow(/not a pid/);
    expect(ownProcessGroup()).toBeGreaterThan(1);
  });
});

describe('LocalConnection.interrupt', () => {
  it('kills the running command with its group; it and every later command fail as interrupted', async () => {
    const conn = new LocalConnection({
      name: 'localhost',
      type: 'local',
      address: 'localhost',
      port: 22,
      user: 'root',
      strictHostKeyChecking: false,
      knownHostsFiles: [],
      connectTimeoutMs: 5000,
    });
    conns.push(conn);
    const s = unique();
    const shellPid = Number((await conn.exec('echo $$')).stdout);
    const running = conn.exec(`sleep ${s} & sleep ${s}; wait`).catch((e: unknown) => e);
    expect(await until(async () => (await members(shellPid)) >= 3, 5000)).toBe(true);
    const t0 = Date.now();
    await conn.interrupt('the run was interrupted (Ctrl-C)');
    expect(Date.now() - t0).toBeLessThan(2500);
    const err = await running;
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as Error).message).toBe('the run was interrupted (Ctrl-C); the command was killed');
    expect(await until(async () => (await members(shellPid)) === 0, 2000)).toBe(true);
    await expect(conn.exec('true')).rejects.toBeInstanceOf(InterruptedError);
  });
});
