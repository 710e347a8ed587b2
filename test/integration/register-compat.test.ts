/**
 * What `register` stores, bosun against ansible-core 2.14: one playbook
 * (written so that both read it the same: literal conditions only) run by
 * both on localhost over the local connection; every registered value is
 * printed with `debug: var=`, and the keys Ansible registers for status,
 * output, loops and until must be in bosun's value with the same values.
 * No sandbox host: nothing here needs an address.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';

const ANSIBLE = '/usr/bin/ansible-playbook';
const run = promisify(execFile);

/** The cases: a task that registers `rN` and the name shown in failures. */
const CASES: Array<[string, string[]]> = [
  ['command ok', ['command: echo hi']],
  ['command failed', ["command: sh -c 'echo out; echo err >&2; exit 3'", 'ignore_errors: true']],
  ['skipped by when', ['command: echo x', 'when: false']],
  ['loop with index_var', ['command: "echo {{ item }}"', 'loop: [a, b]', 'loop_control: { index_var: idx }']],
  ['empty loop', ['command: "echo {{ item }}"', 'loop: []']],
  ['until exhausted', ['shell: echo x', 'until: false', 'retries: 2', 'delay: 0', 'ignore_errors: true']],
  ['assert', ['assert: { that: [true] }']],
  ['copy changed', ['copy: { content: "hello\\n", dest: "{{ dir }}/f.txt" }']],
  ['copy ok', ['copy: { content: "hello\\n", dest: "{{ dir }}/f.txt" }']],
  ['stat', ['stat: { path: "{{ dir }}/f.txt" }']],
  ['set_fact', ['set_fact: { a: 1 }']],
  ['failed_when', ['command: echo hi', 'failed_when: true', 'ignore_errors: true']],
  ['changed_when', ['command: echo hi', 'changed_when: false']],
  ['check mode command', ['command: echo hi', 'check_mode: true']],
];

/** Keys whose values must agree wherever Ansible registers them. */
const COMPARED = [
  'changed',
  'failed',
  'skipped',
  'skip_reason',
  'skipped_reason',
  'msg',
  'rc',
  'stdout',
  'stdout_lines',
  'stderr',
  'stderr_lines',
  'attempts',
  'ansible_facts',
  'failed_when_result',
  'cmd',
  'dest',
  'state',
  'mode',
  'size',
];
/** Keys of each loop item that must agree. */
const ITEM_KEYS = [
  'changed',
  'failed',
  'item',
  'ansible_loop_var',
  'idx',
  'ansible_index_var',
  'rc',
  'stdout',
  'stdout_lines',
];
/** Messages bosun words on purpose (docs/ansible-differences.md). */
const OWN_MSG = new Set(['until exhausted', 'copy changed', 'copy ok']);

const work = mkdtempSync(path.join(tmpdir(), 'bosun-register-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function playbook(dir: string): string {
  const lines = ['- hosts: localhost', '  gather_facts: false', `  vars: { dir: ${JSON.stringify(dir)} }`, '  tasks:'];
  CASES.forEach(([name, task], i) => {
    lines.push(`    - name: ${JSON.stringify(name)}`, ...task.map((l) => `      ${l}`), `      register: r${i}`);
  });
  CASES.forEach((_c, i) => lines.push(`    - debug: { var: r${i} }`));
  return `${lines.join('\n')}\n`;
}

/** Write the playbook and inventory for one side; returns their paths. */
function tree(side: string): { pb: string; inv: string; dir: string } {
  const dir = path.join(work, side);
  rmSync(dir, { recursive: true, force: true });
  const pb = path.join(work, `${side}.yml`);
  const inv = path.join(work, `${side}.ini`);
  writeFileSync(inv, 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  // Each side gets its own folder for copy/stat; created by the first copy (its folder must exist).
  writeFileSync(pb, playbook(dir));
  return { pb, inv, dir };
}

describe.skipIf(!existsSync(ANSIBLE))('register: the same keys as ansible-core', () => {
  it("every case registers Ansible's status, output, loop and until keys with Ansible's values", async () => {
    const a = tree('ansible');
    const b = tree('bosun');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(a.dir);
    mkdirSync(b.dir);
    const { stdout } = await run(ANSIBLE, ['-i', a.inv, a.pb], {
      env: {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: 'json',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_LOCALHOST_WARNING: '0',
        ANSIBLE_INVENTORY_UNPARSED_WARNING: '0',
      },
      maxBuffer: 32 * 1024 * 1024,
    });
    const doc = JSON.parse(stdout) as {
      plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, Record<string, unknown>> }> }>;
    };
    const ansible = new Map<string, Record<string, unknown>>();
    for (const t of doc.plays[0]!.tasks) {
      const res = t.hosts['localhost']!;
      for (const [k, v] of Object.entries(res)) if (/^r\d+$/.test(k)) ansible.set(k, v as Record<string, unknown>);
    }
    const res = await runJson<{ type: string; module?: string; data?: Record<string, unknown> }>([
      'run',
      b.pb,
      '-i',
      b.inv,
    ]);
    expect(res.err).toBe('');
    const bosun = new Map<string, Record<string, unknown>>();
    for (const e of res.events) {
      if (e.type !== 'task_result' || e.module !== 'debug') continue;
      for (const [k, v] of Object.entries(e.data ?? {}))
        if (/^r\d+$/.test(k)) bosun.set(k, v as Record<string, unknown>);
    }
    const problems: string[] = [];
    CASES.forEach(([name], i) => {
      const want = ansible.get(`r${i}`);
      const got = bosun.get(`r${i}`);
      if (!want || !got) return problems.push(`${name}: not registered (${want ? 'bosun' : 'ansible'})`);
      for (const key of COMPARED) {
        if (!(key in want)) continue;
        if (key === 'msg' && OWN_MSG.has(name)) continue;
        const norm = (v: unknown): unknown =>
          (key === 'dest' || key === 'cmd') && typeof v === 'string' ? v.replace(a.dir, b.dir) : v;
        if (JSON.stringify(norm(want[key])) !== JSON.stringify(got[key]))
          problems.push(`${name}: ${key} is ${JSON.stringify(got[key])}, Ansible ${JSON.stringify(want[key])}`);
      }
      // bosun always registers `failed`, so `not r.failed` works everywhere.
      if (got['failed'] !== (want['failed'] === true))
        problems.push(`${name}: failed is ${JSON.stringify(got['failed'])}`);
      const wantItems = want['results'] as Array<Record<string, unknown>> | undefined;
      const gotItems = got['results'] as Array<Record<string, unknown>> | undefined;
      if (wantItems) {
        if (gotItems?.length !== wantItems.length)
          return problems.push(`${name}: ${gotItems?.length} results, Ansible ${wantItems.length}`);
        wantItems.forEach((w, j) => {
          for (const key of ITEM_KEYS) {
            if (key in w && JSON.stringify(w[key]) !== JSON.stringify(gotItems[j]![key]))
              problems.push(
                `${name}[${j}]: ${key} is ${JSON.stringify(gotItems[j]![key])}, Ansible ${JSON.stringify(w[key])}`,
              );
          }
        });
      }
      return undefined;
    });
    expect(problems).toEqual([]);
  }, 180_000);
});
