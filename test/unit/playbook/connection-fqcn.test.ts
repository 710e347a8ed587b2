/**
 * The `connection` keyword and `-c` (checked before any host is touched), and
 * Ansible's keywords written by their full names (`ansible.builtin.include_tasks`).
 * Their behaviour on hosts: test/integration/differential-keywords.test.ts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { allTasks } from '../../../src/playbook/types.js';
import { createTemplateEngine } from '../../../src/template/index.js';
import { runCli } from '../../helpers/cli.js';
import { writeTree } from '../../helpers/tree.js';

const engine = createTemplateEngine();

async function load(text: string, extra: Record<string, string> = {}) {
  const dir = writeTree({ 'site.yml': text, ...extra });
  return loadPlaybook(path.join(dir, 'site.yml'), { engine, rolesPath: [] });
}

describe('the connection keyword', () => {
  it('passes down from play to block to task, the innermost winning', async () => {
    const pb = await load(
      [
        '- hosts: all',
        '  connection: local',
        '  tasks:',
        '    - command: "true"',
        '    - connection: ssh',
        '      block:',
        '        - command: "true"',
        '        - command: "true"',
        '          connection: "{{ how }}"',
        '',
      ].join('\n'),
    );
    expect([...allTasks(pb.plays[0]!.sections.tasks)].map((t) => t.connection)).toEqual(['local', 'ssh', '{{ how }}']);
  });

  it('a connection bosun does not have is an error at load, at its value', async () => {
    let err: unknown;
    try {
      await load('- hosts: all\n  tasks:\n    - command: "true"\n      connection: docker\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).message).toBe("connection 'docker' is not supported");
    expect((err as BosunError).source).toMatchObject({ line: 4, col: 19 });
    expect((err as BosunError).hint).toMatch(/ssh .* or local/);
  });

  it('-c with a type bosun does not have is a usage error (exit 5) before anything runs', async () => {
    const dir = writeTree({ 'site.yml': '- hosts: localhost\n  gather_facts: false\n  tasks: []\n' });
    const r = await runCli(['run', path.join(dir, 'site.yml'), '-c', 'winrm']);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/-c\/--connection: 'winrm' is not a connection type bosun has/);
  });
});

describe('keywords by their full names', () => {
  it('ansible.builtin.include_tasks, import_tasks and ansible.legacy.include_role load as the short ones', async () => {
    const pb = await load(
      [
        '- hosts: all',
        '  tasks:',
        '    - ansible.builtin.import_tasks: more.yml',
        '    - ansible.builtin.include_tasks: more.yml',
        '    - ansible.legacy.include_role: { name: r }',
        '',
      ].join('\n'),
      { 'more.yml': '- ansible.builtin.debug: { msg: hi }\n' },
    );
    const nodes = pb.plays[0]!.sections.tasks;
    expect(nodes.map((n) => n.kind)).toEqual(['task', 'include', 'include']);
    const imported = nodes[0]!;
    expect(imported.kind === 'task' && [imported.module, imported.action]).toEqual(['debug', 'ansible.builtin.debug']);
    expect(nodes[1]!.kind === 'include' && nodes[1]!.action).toBe('ansible.builtin.include_tasks');
    expect(nodes[2]!.kind === 'include' && [nodes[2]!.what, nodes[2]!.target]).toEqual(['role', 'r']);
  });

  it('an error in a full-named include points into it', async () => {
    let err: unknown;
    try {
      await load('- hosts: all\n  tasks:\n    - ansible.builtin.import_tasks: "{{ x }}.yml"\n');
    } catch (e) {
      err = e;
    }
    expect((err as BosunError).message).toMatch(/import_tasks is static/);
    expect((err as BosunError).source).toMatchObject({ line: 3, col: 38 });
  });
});
