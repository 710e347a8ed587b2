/**
 * The polling of an async task (src/executor/async-task.ts) against a scripted connection: Ansible's count of
 * looks before the limit message, a look that fails retried on a new connection, a stopped run not retried.
 */
import { describe, expect, it } from 'vitest';
import type { Connection, ExecResult } from '../../../src/connection/types.js';
import { InterruptedError } from '../../../src/errors.js';
import { asyncDecision } from '../../../src/executor/async-task.js';
import type { Decision } from '../../../src/modules/types.js';

const recipe = { cmd: 'x', strip: true, marker: '@none', cleanCmd: '' };
const plan: Decision = {
  kind: 'unpredictable',
  reason: 'would run',
  apply: () => Promise.reject(new Error('not in the background')),
  background: { script: 'echo out', builder: 'command', recipe },
};
const DONE = `/h/.ansible_async/j1.2\nDONE 0 100.5 101.0\n${JSON.stringify({ builder: 'command', recipe })}\nout\n`;

/** A connection whose status looks answer from `looks` in turn (an Error is thrown). */
function scripted(looks: Array<string | Error>): Connection & { resets: number; statusLooks: number } {
  const conn = {
    resets: 0,
    statusLooks: 0,
    spec: {} as Connection['spec'],
    connect: () => Promise.resolve(),
    exec: (script: string): Promise<ExecResult> => {
      if (script.includes('setsid'))
        return Promise.resolve({ rc: 0, stdout: 'j1.2\n/h/.ansible_async/j1.2\n', stderr: '' });
      if (script.includes('RUNNING')) {
        const next = looks[Math.min(conn.statusLooks++, looks.length - 1)]!;
        if (next instanceof Error) return Promise.reject(next);
        return Promise.resolve({ rc: 0, stdout: next, stderr: '' });
      }
      return Promise.resolve({ rc: 0, stdout: '/h/.ansible_async/j1.2\nERASED\n', stderr: '' });
    },
    writeFile: () => Promise.resolve(),
    readFile: () => Promise.resolve(null),
    close: () => Promise.resolve(),
    reset: () => {
      conn.resets++;
      return Promise.resolve();
    },
  };
  return conn;
}

const apply = async (conn: Connection, seconds: number, poll: number, slept: number[] = []) => {
  const d = asyncDecision(plan, conn, { seconds, poll }, (ms) => {
    slept.push(ms);
    return Promise.resolve();
  });
  if (d.kind !== 'change') throw new Error('expected a plan');
  return d.apply();
};

describe('async polling', () => {
  it("looks ceil(async / poll) times, then fails with Ansible's message and the last look", async () => {
    const conn = scripted(['/h/.ansible_async/j1.2\nRUNNING\n']);
    const slept: number[] = [];
    const r = await apply(conn, 5, 2, slept);
    expect(slept).toEqual([2000, 2000, 2000]);
    expect(r).toMatchObject({
      kind: 'failed',
      msg: 'async task did not complete within the requested time - 5s',
      data: { async_result: { started: 1, finished: 0, ansible_job_id: 'j1.2', changed: false } },
    });
  });

  it('a look that fails is retried on a new connection; the result is the module result plus the job keys', async () => {
    const conn = scripted([new Error('connection lost'), DONE]);
    const r = await apply(conn, 10, 1);
    expect(conn.resets).toBe(1);
    expect(r).toMatchObject({
      kind: 'applied',
      data: {
        rc: 0,
        stdout: 'out',
        finished: 1,
        started: 1,
        ansible_job_id: 'j1.2',
        results_file: '/h/.ansible_async/j1.2',
      },
    });
  });

  it('a look that fails at the limit, or because the run stopped, fails the task', async () => {
    await expect(apply(scripted([new Error('connection lost')]), 2, 1)).rejects.toThrow('connection lost');
    const stopped = scripted([new InterruptedError('the run was interrupted')]);
    await expect(apply(stopped, 10, 1)).rejects.toThrow('interrupted');
    expect(stopped.resets).toBe(0);
  });

  it('poll 0: started, changed, the job keys only', async () => {
    expect(await apply(scripted([]), 10, 0)).toEqual({
      kind: 'applied',
      data: { started: 1, finished: 0, ansible_job_id: 'j1.2', results_file: '/h/.ansible_async/j1.2' },
    });
  });
});
