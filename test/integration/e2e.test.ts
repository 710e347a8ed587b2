/**
 * The foundation's "done when", end to end over real SSH: a 13-task playbook
 * on 10 sandbox hosts changes them, the second run reports changed=0,
 * `--check` after a hand edit reports exactly that change and touches
 * nothing, a typo in a variable name fails with file:line:col, and a stopped
 * host is unreachable while the others finish (exit 4).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { sandboxStartHost, sandboxStopHost } from '../../src/sandbox/index.js';
import { runJson } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';

const PLAYBOOK = path.resolve('test/fixtures/playbooks/thirteen.yml');
const HOSTS = 10;
const fixture = withSandbox(HOSTS, { base: '127.81.0.1' });

interface JsonEvent {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  hosts?: Record<string, Record<string, number>>;
}

const bosun = (args: string[]) => runJson<JsonEvent>(args);

const recapOf = (events: JsonEvent[]) => events.at(-1)!.hosts!;
const changedTasks = (events: JsonEvent[]) =>
  events
    .filter((e) => e.type === 'task_result' && e.status === 'changed')
    .map((e) => `${e.host}|${e.task}`)
    .sort();

/** sha256 of every file under /opt/thirteen on every host (and its mode), through our own SSH connection. */
async function snapshot(): Promise<string[]> {
  return Promise.all(
    fixture.sandbox.hosts.map(async (h) => {
      const conn = new SshConnection(fixture.specFor(h));
      try {
        await conn.connect();
        const r = await conn.exec(
          "cd /opt/thirteen && find . -exec stat -c '%n %a %Y' {} + | sort && find . -type f -exec sha256sum {} + | sort",
        );
        return `${h.name}\n${r.stdout}`;
      } finally {
        await conn.close();
      }
    }),
  );
}

fixture.describe('13 tasks on 10 sandbox hosts over SSH', () => {
  const inv = () => fixture.sandbox.inventoryFile;

  it('changes on the first run and reports changed=0 on the second', async () => {
    const t0 = Date.now();
    const first = await bosun(['run', PLAYBOOK, '-i', inv()]);
    const firstMs = Date.now() - t0;
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    for (const h of fixture.sandbox.hosts) {
      expect(recapOf(first.events)[h.name]).toEqual({
        ok: 13,
        changed: 10,
        unreachable: 0,
        failed: 0,
        skipped: 0,
        rescued: 0,
        ignored: 0,
      });
    }
    const t1 = Date.now();
    const second = await bosun(['run', PLAYBOOK, '-i', inv()]);
    const secondMs = Date.now() - t1;
    expect(second.code).toBe(0);
    for (const h of fixture.sandbox.hosts) {
      expect(recapOf(second.events)[h.name]).toEqual({
        ok: 13,
        changed: 0,
        unreachable: 0,
        failed: 0,
        skipped: 0,
        rescued: 0,
        ignored: 0,
      });
    }
    console.info(`13 tasks x ${HOSTS} hosts: first run ${firstMs} ms, second run ${secondMs} ms`);
  });

  it('--check after a hand edit reports that one change, touches nothing, and predicts the real run', async () => {
    const victim = fixture.sandbox.hosts[3]!;
    const conn = new SshConnection(fixture.specFor(victim));
    await conn.connect();
    await conn.exec("printf 'edited by hand\\n' > /opt/thirteen/etc/crictl.yaml");
    await conn.close();

    const before = await snapshot();
    const check = await bosun(['run', PLAYBOOK, '-i', inv(), '--check', '--diff']);
    expect(check.code).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(changedTasks(check.events)).toEqual([`${victim.name}|5 second config`]);
    for (const h of fixture.sandbox.hosts) {
      expect(recapOf(check.events)[h.name]!['changed']).toBe(h === victim ? 1 : 0);
    }

    const real = await bosun(['run', PLAYBOOK, '-i', inv()]);
    expect(real.code).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    const again = await bosun(['run', PLAYBOOK, '-i', inv()]);
    expect(changedTasks(again.events)).toEqual([]);
  });

  it('fails a typo in a variable name with its file:line:col on every host', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-typo-'));
    const file = path.join(dir, 'typo.yml');
    writeFileSync(
      file,
      [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  vars: { base: /opt/thirteen }',
        '  tasks:',
        '    - copy:',
        '        dest: "{{ bsae }}/etc/typo"',
        '        content: x',
        '',
      ].join('\n'),
    );
    const res = await bosun(['run', file, '-i', inv()]);
    expect(res.code).toBe(2);
    const failures = res.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
    expect(failures).toHaveLength(HOSTS);
    for (const f of failures) expect(f.msg).toBe(`${file}:6:19: undefined variable 'bsae'`);
  });

  it('reports a stopped host unreachable while the others finish (exit 4)', async () => {
    const victim = fixture.sandbox.hosts[HOSTS - 1]!;
    expect(await sandboxStopHost({ stateDir: fixture.sandbox.stateDir }, victim.name)).toBe(true);
    const res = await bosun(['run', PLAYBOOK, '-i', inv()]);
    expect(res.code).toBe(4);
    const recap = recapOf(res.events);
    expect(recap[victim.name]).toMatchObject({ unreachable: 1, ok: 0 });
    const unreachable = res.events.find((e) => e.type === 'task_result' && e.status === 'unreachable');
    expect(unreachable?.msg).toMatch(/refused/);
    for (const h of fixture.sandbox.hosts.filter((x) => x !== victim)) {
      expect(recap[h.name]).toEqual({
        ok: 13,
        changed: 0,
        unreachable: 0,
        failed: 0,
        skipped: 0,
        rescued: 0,
        ignored: 0,
      });
    }
  });

  it('a stopped host started again keeps its files: the next run changes nothing', async () => {
    const victim = fixture.sandbox.hosts[HOSTS - 1]!;
    expect(await sandboxStartHost({ stateDir: fixture.sandbox.stateDir }, victim.name)).toBe(true);
    const res = await bosun(['run', PLAYBOOK, '-i', inv()]);
    expect(res.code).toBe(0);
    expect(changedTasks(res.events)).toEqual([]);
  });
});
