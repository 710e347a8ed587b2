/**
 * Background jobs of async tasks (src/modules/lib/async-job.ts) on this machine's own sh, in a temporary HOME:
 * a job's life (running, finished, its result kept in the results file, cleanup), results files written by
 * Ansible, hostile job ids, the watchdog's schedule; and the load-time checks of `async` / `poll`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localConnection } from '../../helpers/module-harness.js';
import type { Connection } from '../../../src/connection/types.js';
import {
  cleanupJob,
  finishedJob,
  isJobId,
  jobStatus,
  startJob,
  watchdogDelay,
} from '../../../src/modules/lib/async-job.js';
import asyncStatus from '../../../src/modules/async_status.js';
import type { ModuleContext } from '../../../src/modules/types.js';
import { shq } from '../../../src/util/shell.js';
import { loadError, loadText, tasksOf } from '../playbook/helpers.js';

const home = mkdtempSync(path.join(tmpdir(), 'bosun-async-home-'));
const local = localConnection();
/** This machine's shell with HOME in a temporary folder: the jobs' files go there. */
const conn: Connection = {
  spec: local.spec,
  connect: () => local.connect(),
  exec: (script, opts) => local.exec(`HOME=${shq(home)}; export HOME\n${script}`, opts),
  writeFile: (p, d, m) => local.writeFile(p, d, m),
  readFile: (p) => local.readFile(p),
  close: () => local.close(),
};
afterAll(async () => {
  await local.close();
  rmSync(home, { recursive: true, force: true });
});

const recipe = { cmd: 'x', strip: true, marker: '@none', cleanCmd: '' };

async function untilFinished(jid: string) {
  for (let i = 0; i < 50; i++) {
    const s = await jobStatus(conn, jid, { record: true });
    if (s.finished) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the job did not finish');
}

describe('async jobs on the target', () => {
  it('a job runs in the background, then its result is read, kept in the results file, and cleaned up', async () => {
    const job = await startJob(
      conn,
      { script: 'sleep 0.3; echo out; echo err >&2; exit 3', builder: 'command', recipe },
      30,
    );
    expect(job.jid).toMatch(/^j\d+\.\d+$/);
    expect(job.resultsFile).toBe(path.join(home, '.ansible_async', job.jid));
    expect(JSON.parse(readFileSync(job.resultsFile, 'utf8'))).toEqual({
      started: 1,
      finished: 0,
      ansible_job_id: job.jid,
    });
    const running = await jobStatus(conn, job.jid, { record: true });
    expect(running).toMatchObject({ kind: 'unchanged', finished: false, data: { started: 1, finished: 0 } });
    const done = await untilFinished(job.jid);
    expect(done).toMatchObject({
      kind: 'failed',
      changed: true,
      msg: 'non-zero return code',
      data: { rc: 3, stdout: 'out', stderr: 'err', finished: 1, started: 1, ansible_job_id: job.jid, cmd: 'x' },
    });
    // The result is now the results file, in Ansible's shape; the job's working folder is gone.
    expect(JSON.parse(readFileSync(job.resultsFile, 'utf8'))).toMatchObject({ rc: 3, changed: true, failed: true });
    expect(existsSync(`${job.resultsFile}.bosun`)).toBe(false);
    const again = await jobStatus(conn, job.jid, { record: true });
    expect(again).toMatchObject({ kind: 'failed', changed: true, data: { rc: 3, stdout: 'out', finished: 1 } });
    expect(await cleanupJob(conn, job.jid)).toMatchObject({ kind: 'unchanged', data: { erased: job.resultsFile } });
    expect(existsSync(job.resultsFile)).toBe(false);
    expect(await cleanupJob(conn, job.jid)).toMatchObject({ kind: 'failed', msg: 'could not find job' });
  });

  it('a results file of Ansible is read as async_status reads it; an unreadable one fails', async () => {
    const dir = path.join(home, '.ansible_async');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'j1.1'), '{"changed": false, "rc": 0, "stdout": "hi"}');
    writeFileSync(path.join(dir, 'j1.2'), '{"started": 1, "finished": 0, "ansible_job_id": "j1.2"}');
    writeFileSync(path.join(dir, 'j1.3'), 'not json');
    expect(await jobStatus(conn, 'j1.1', { record: true })).toMatchObject({
      kind: 'unchanged',
      finished: true,
      data: { rc: 0, stdout: 'hi', finished: 1, started: 1 },
    });
    expect(await jobStatus(conn, 'j1.2', { record: true })).toMatchObject({ kind: 'unchanged', finished: false });
    expect(await jobStatus(conn, 'j1.3', { record: true })).toMatchObject({
      kind: 'failed',
      msg: 'Could not parse job output: not json',
    });
  });

  it('a job decided at once (creates exists) has its result in a results file, kept only for poll 0', async () => {
    const kept = await finishedJob(conn, { kind: 'unchanged', msg: 'Did not run', data: { rc: 0 } }, true);
    expect(JSON.parse(readFileSync(kept.resultsFile, 'utf8'))).toEqual({ rc: 0, changed: false, msg: 'Did not run' });
    const gone = await finishedJob(conn, { kind: 'unchanged', data: {} }, false);
    expect(existsSync(gone.resultsFile)).toBe(false);
  });

  it('hostile job ids name no other file', async () => {
    for (const jid of ['../x', 'a/b', '.', '..', '', 'x\0y']) expect(isJobId(jid), jid).toBe(false);
    const marker = path.join(home, 'pwned');
    const s = await jobStatus(conn, `$(touch ${marker})`, { record: true });
    expect(s).toMatchObject({ kind: 'failed', msg: 'could not find job' });
    expect(existsSync(marker)).toBe(false);
    const ctx = { conn, check: false } as unknown as ModuleContext;
    expect(await asyncStatus.decide(ctx, { jid: '../../etc/passwd' })).toMatchObject({ kind: 'fail' });
  });

  it("the watchdog kills a job when Ansible's async_wrapper would: every 5 s, from 5 s on", () => {
    expect([1, 2, 5, 6, 10, 11, 60].map(watchdogDelay)).toEqual([10, 10, 10, 15, 15, 20, 65]);
  });
});

describe('async / poll at load time', () => {
  const play = (task: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n${task}`;

  it('reads async and poll (default 15), templates kept for the host', async () => {
    const pb = await loadText(
      play('    - command: sleep 1\n      async: 10\n      poll: 0\n    - shell: x\n      async: "{{ n }}"\n'),
    );
    const [a, b] = tasksOf(pb.plays[0]!);
    expect([a!.asyncSeconds, a!.pollSeconds, b!.asyncSeconds, b!.pollSeconds]).toEqual([10, 0, '{{ n }}', 15]);
  });

  it('refuses async on a module that cannot run in the background, at the keyword', async () => {
    const e = await loadError(play('    - copy: { content: x, dest: /tmp/x }\n      async: 10\n'));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/async is not supported for this task: 'copy'/);
    expect([e.source?.line, e.source?.col]).toEqual([5, 7]);
  });

  it('refuses a negative or non-numeric async or poll', async () => {
    expect((await loadError(play('    - command: x\n      async: -1\n'))).message).toMatch(
      /async must be a whole number/,
    );
    expect((await loadError(play('    - command: x\n      async: 5\n      poll: 1.5\n'))).message).toMatch(
      /'0.tasks.0.poll': expected integer or string/,
    );
    const soon = await loadError(play('    - command: x\n      async: soon\n'));
    expect([soon.code, soon.message]).toEqual([
      'SCHEMA',
      "async must be a whole number of seconds (0 or more), got 'soon'",
    ]);
  });

  it('async: 0 is not async (any module)', async () => {
    const pb = await loadText(play('    - copy: { content: x, dest: /tmp/x }\n      async: 0\n'));
    expect(tasksOf(pb.plays[0]!)[0]!.asyncSeconds).toBe(0);
  });
});
