/**
 * The module harness and the executor settle a decision with the same
 * function (src/executor/settle.ts): proven here on an unpredictable
 * decision (a `command` without creates/removes), run through both.
 */
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../src/executor/events.js';
import { runJson } from '../../helpers/cli.js';
import { ModuleHarness } from '../../helpers/module-harness.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

/** The command task's result (as --json prints it) when the executor runs it on localhost (local connection). */
async function executorRun(cmd: string, check: boolean): Promise<TaskResult> {
  const inv = join(h.dir, 'hosts.ini');
  const pb = join(h.dir, 'site.yml');
  await fs.writeFile(inv, 'localhost ansible_connection=local\n');
  await fs.writeFile(
    pb,
    [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      `    - command: ${JSON.stringify(cmd)}`,
      '      register: r',
      '',
    ].join('\n'),
  );
  const res = await runJson<TaskResult & { type: string }>(['run', pb, '-i', inv, ...(check ? ['--check'] : [])]);
  expect(res.err).toBe('');
  const result = res.events.find((e) => e.type === 'task_result' && e.module === 'command');
  if (!result) throw new Error(`no command result (exit ${res.code}) in ${res.out} ${res.err}`);
  return result;
}

describe('harness and executor settle alike', () => {
  it('unpredictable in check mode: both skip with the reason, neither runs the command, both register the same', async () => {
    const marker = h.path('ran');
    const cmd = `touch ${marker}`;
    const harness = await h.run('command', { cmd }, { check: true });
    const executor = await executorRun(cmd, true);
    expect(existsSync(marker)).toBe(false);
    const reason = 'Command would have run if not in check mode';
    expect(harness).toMatchObject({
      status: 'skipped',
      changed: false,
      skipped: true,
      msg: reason,
      unpredictable: reason,
    });
    expect({ status: executor.status, changed: executor.changed, msg: executor.msg }).toEqual({
      status: harness.status,
      changed: harness.changed,
      msg: harness.msg,
    });
    expect(executor.data).toEqual(harness.registered);
    expect(harness.registered).toMatchObject({
      skipped: true,
      changed: false,
      failed: false,
      rc: 0,
      stdout: '',
      msg: reason,
    });
  });

  it('unpredictable in a real run: both apply (the command runs) and report changed with its output', async () => {
    const marker = h.path('ran');
    const cmd = `touch ${marker}`;
    const harness = await h.run('command', { cmd });
    expect(existsSync(marker)).toBe(true);
    await fs.rm(marker);
    const executor = await executorRun(cmd, false);
    expect(existsSync(marker)).toBe(true);
    expect(harness).toMatchObject({ status: 'changed', changed: true, failed: false });
    expect({ status: executor.status, changed: executor.changed, rc: executor.rc }).toEqual({
      status: 'changed',
      changed: true,
      rc: 0,
    });
    expect(harness.registered['rc']).toBe(0);
  });
});
