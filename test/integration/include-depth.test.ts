/**
 * include_tasks nesting at run time, on two local-connection hosts (no
 * sandbox): a file that includes itself without a `when:` stops at the depth
 * limit (64) with a failed result naming the limit and the include chain
 * with positions, within seconds (before, the run grew the heap until V8
 * crashed, and Ctrl-C was not heard meanwhile); a recursion that a counter
 * ends runs its five levels.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { writeTree } from '../helpers/tree.js';

interface Ev {
  type: string;
  task?: string;
  host?: string;
  status?: string;
  msg?: string;
  module?: string;
  file?: string;
  hosts?: string[];
  error?: { code?: string; source?: { file: string; line: number; col: number } };
}

const INVENTORY =
  'a ansible_connection=local ansible_python_interpreter=/usr/bin/python3\nb ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n';

describe('include_tasks depth at run time', () => {
  it('a self-include without a when stops at the depth limit with the chain, within seconds', async () => {
    const dir = writeTree(
      {
        'inv.ini': INVENTORY,
        'site.yml': [
          '- hosts: all',
          '  gather_facts: false',
          '  tasks:',
          '    - include_tasks: loop.yml',
          '    - debug: { msg: never }',
          '',
        ].join('\n'),
        'loop.yml': '- debug: { msg: again }\n- include_tasks: loop.yml\n',
      },
      'bosun-include-depth-',
    );
    const started = Date.now();
    const res = await runJson<Ev>(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'inv.ini')]);
    const elapsed = Date.now() - started;
    console.log(`depth-64 run: ${String(elapsed)} ms`);
    expect(elapsed).toBeLessThan(10_000);
    expect(res.code).toBe(2);
    const failed = res.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
    expect(failed.map((e) => e.host).sort()).toEqual(['a', 'b']);
    for (const f of failed) {
      // The message starts with the position of the include that went past the limit, then names the chain.
      expect(f.msg).toBe(
        `${path.join(dir, 'loop.yml')}:2:3: include depth limit of 64 exceeded: site.yml:4:7 includes loop.yml, loop.yml:2:3 includes loop.yml (64 times)`,
      );
      expect(f.error?.code).toBe('INCLUDE_DEPTH');
      expect(f.error?.source).toEqual({ file: path.join(dir, 'loop.yml'), line: 2, col: 3 });
    }
    // 64 levels ran (each one's debug), then the 65th include failed; nothing after it ran.
    const again = res.events.filter((e) => e.type === 'task_result' && e.msg === 'again');
    expect(again).toHaveLength(2 * 64);
    expect(res.events.some((e) => e.type === 'task_result' && e.msg === 'never')).toBe(false);
    // The text output says it too, with the position and the hint.
    const text = await runCli(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'inv.ini'), '--limit', 'a']);
    expect(text.code).toBe(2);
    expect(text.out).toContain('include depth limit of 64 exceeded: site.yml:4:7 includes loop.yml');
  }, 30_000);

  it('an include_role of the role itself stops at the limit too', async () => {
    const dir = writeTree(
      {
        'inv.ini': INVENTORY,
        'site.yml': '- hosts: a\n  gather_facts: false\n  tasks:\n    - include_role: { name: r }\n',
        'roles/r/tasks/main.yml': '- include_role: { name: r }\n',
      },
      'bosun-include-depth-',
    );
    const res = await runJson<Ev>(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'inv.ini')]);
    expect(res.code).toBe(2);
    const failed = res.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
    expect(failed.map((e) => e.msg)).toEqual([
      `${path.join(dir, 'roles/r/tasks/main.yml')}:1:3: include depth limit of 64 exceeded: site.yml:4:7 includes role r (roles/r/tasks/main.yml), roles/r/tasks/main.yml:1:3 includes role r (roles/r/tasks/main.yml) (64 times)`,
    ]);
  }, 30_000);

  it('a recursion that a counter ends at depth 5 runs its five levels', async () => {
    const dir = writeTree(
      {
        'inv.ini': INVENTORY,
        'site.yml': [
          '- hosts: all',
          '  gather_facts: false',
          '  vars: { marks: "" }',
          '  tasks:',
          '    - include_tasks: rec.yml',
          '    - debug: { msg: after }',
          '',
        ].join('\n'),
        'rec.yml': [
          '- set_fact: { marks: "{{ marks }}x" }',
          '- debug: { msg: "depth {{ length marks }}" }',
          '- include_tasks: rec.yml',
          '  when: (lt (length marks) 5)',
          '',
        ].join('\n'),
      },
      'bosun-include-depth-',
    );
    const res = await runJson<Ev>(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'inv.ini')]);
    expect(res.code).toBe(0);
    const depths = res.events
      .filter((e) => e.type === 'task_result' && e.host === 'a' && e.msg?.startsWith('depth'))
      .map((e) => e.msg);
    expect(depths).toEqual(['depth 1', 'depth 2', 'depth 3', 'depth 4', 'depth 5']);
    expect(res.events.filter((e) => e.type === 'task_result' && e.msg === 'after')).toHaveLength(2);
    expect(res.events.filter((e) => e.type === 'task_result' && e.status === 'failed')).toEqual([]);
  }, 30_000);
});
