/**
 * The whole engine (loader, inventory, vars, templates, executor, modules,
 * reporters) against the `local` connection: real files in a temp folder.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { writeTree } from '../helpers/tree.js';
import { runCli as bosun, squeezed } from '../helpers/cli.js';

function tree(files: Record<string, string>): string {
  return writeTree(files, 'bosun-local-');
}

const INVENTORY = '[local]\nlocalhost ansible_connection=local\n';

describe('a run over the local connection', () => {
  it('changes, then reports changed=0, and check mode predicts and touches nothing', async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml': [
        '- name: local play',
        '  hosts: local',
        '  gather_facts: false',
        '  vars: { root: "@DIR@/out", greeting: hello }',
        '  tasks:',
        '    - file: { path: "{{ root }}", state: directory, mode: "0755" }',
        '    - copy: { dest: "{{ root }}/a.txt", content: "{{ greeting }} {{ inventory_hostname }}\\n", mode: "0640" }',
        '    - lineinfile: { path: "{{ root }}/b.conf", line: "x = 1", create: true }',
        '    - command: touch {{ root }}/c creates={{ root }}/c',
        '    - stat: { path: "{{ root }}/a.txt" }',
        '      register: st',
        '    - assert: { that: [st.stat.exists, (eq st.stat.mode "0640")] }',
        '    - set_fact: { seen: "{{ st.stat.size }}" }',
        '    - debug: { msg: "size {{ seen }}" }',
        '',
      ].join('\n'),
    });
    const args = ['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')];
    const first = await bosun(args);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(squeezed(first.out)).toContain(
      'localhost : ok=8 changed=4 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0',
    );
    expect(first.out).toContain('"msg": "size 16"');
    expect(readFileSync(path.join(dir, 'out/a.txt'), 'utf8')).toBe('hello localhost\n');
    expect(statSync(path.join(dir, 'out/a.txt')).mode & 0o777).toBe(0o640);

    const second = await bosun(args);
    expect(second.code).toBe(0);
    expect(squeezed(second.out)).toContain(
      'localhost : ok=8 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0',
    );

    writeFileSync(path.join(dir, 'out/a.txt'), 'edited by hand\n');
    const check = await bosun([...args, '--check', '--diff']);
    expect(check.code).toBe(0);
    expect(squeezed(check.out)).toContain(
      'localhost : ok=8 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0',
    );
    expect(check.out).toContain('-edited by hand\n+hello localhost');
    expect(readFileSync(path.join(dir, 'out/a.txt'), 'utf8')).toBe('edited by hand\n');
  });

  it('fails a host on an undefined variable, naming file:line:col', async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml':
        '- hosts: all\n  gather_facts: false\n  vars: { greeting: hi }\n  tasks:\n    - debug:\n        msg: "{{ greting }}"\n',
    });
    const res = await bosun(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.code).toBe(2);
    expect(res.out).toContain(`${path.join(dir, 'site.yml')}:6:`);
    expect(res.out).toMatch(/undefined variable 'greting'/);
    expect(squeezed(res.out)).toContain('localhost : ok=0 changed=0 unreachable=0 failed=1');
  });

  it('ends --json with the recap line', async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n',
    });
    const res = await bosun(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini'), '--json']);
    const lines = res.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({
      type: 'recap',
      hosts: { localhost: { ok: 1, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 } },
      duration_ms: expect.any(Number) as unknown,
    });
    expect(lines.some((l) => l['type'] === 'task_result')).toBe(true);
  });

  it('exits 5 on bad options and 1 on a bad playbook', async () => {
    expect((await bosun(['run', 'x.yml', '--forks', 'zero'])).code).toBe(5);
    expect((await bosun(['run'])).code).toBe(5);
    const res = await bosun(['run', '/nonexistent.yml']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('file not found: /nonexistent.yml');
  });

  it('loops, registers results and skips by condition per item', async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - copy: { dest: "@DIR@/{{ item }}.txt", content: "{{ item }}" }',
        '      loop: [a, b, c]',
        '      when: (ne item "b")',
        '      register: out',
        '    - assert:',
        '        that:',
        '          - (eq out.results.length 3)',
        '          - out.results.1.skipped',
        '          - out.changed',
        '',
      ].join('\n'),
    });
    const res = await bosun(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('changed: [localhost] => (item=a)');
    expect(res.out).toContain('skipping: [localhost] => (item=b)');
    expect(readFileSync(path.join(dir, 'c.txt'), 'utf8')).toBe('c');
  });
});

describe('become', () => {
  it('is a no-op when already connected as the become user, and a clear failure when sudo cannot work', async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  become: true',
        '  tags: [setup]',
        '  tasks:',
        '    - command: id -un',
        '      register: who',
        '      changed_when: false',
        '      tags: always',
        '    - command: id -un',
        '      become_user: nobody-here',
        '',
      ].join('\n'),
    });
    const res = await bosun([
      'run',
      path.join(dir, 'site.yml'),
      '-i',
      path.join(dir, 'hosts.ini'),
      '-e',
      'ansible_user=root',
    ]);
    expect(res.out).toContain('ok: [localhost]');
    // sudo to a user that does not exist (or no sudo at all) is a clear per-host failure, never a hang.
    expect(res.out).toMatch(/fatal: \[localhost\]: FAILED! => .*(sudo is not installed|nobody-here)/);
    expect(res.code).toBe(2);
  });
});

describe('--confirm', () => {
  it('plans in check mode, then applies with -y; nothing to change the second time', async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml':
        '- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: { dest: "@DIR@/c.txt", content: "c" }\n      notify: h\n  handlers:\n    - name: h\n      debug: msg=handled\n',
    });
    const args = ['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini'), '--confirm', '-y'];
    const first = await bosun(args);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      /PLAN \(check mode: nothing is changed yet\)[\s\S]*1 change\(s\) on 1 host\(s\): localhost\nAPPLY\n[\s\S]*RUNNING HANDLER \[h\]/,
    );
    expect(readFileSync(path.join(dir, 'c.txt'), 'utf8')).toBe('c');
    const second = await bosun(args);
    expect(second.out).toContain('nothing to change');
    expect(second.out).not.toContain('APPLY');
  });
});

describe('engine details roles rely on', () => {
  it('set_fact accumulates across loop items; retries and delay can be templates; hostvars sees hosts outside the play', async () => {
    const dir = tree({
      'hosts.ini': '[local]\nlocalhost ansible_connection=local\n[other]\nfarhost ansible_host=10.9.9.9\n',
      'site.yml': [
        '- hosts: local',
        '  gather_facts: false',
        '  vars: { tries: 2, pause: 0 }',
        '  tasks:',
        '    - set_fact: { acc: "{{ concat (default acc (list)) (list item) }}" }',
        '      loop: [a, b, c]',
        '    - assert:',
        '        that:',
        '          - (eq (join acc ",") "a,b,c")',
        '    - command: "false"',
        '      register: r',
        '      until: (eq r.rc 0)',
        '      retries: "{{ tries }}"',
        '      delay: "{{ pause }}"',
        '      ignore_errors: true',
        // retries: 2 runs 3 attempts; when all fail Ansible registers attempts: 2 (the retries), not 3.
        '    - assert: { that: [(eq r.attempts 2), (eq hostvars.farhost.ansible_host "10.9.9.9")] }',
        '',
      ].join('\n'),
    });
    const res = await bosun(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.err).toBe('');
    expect(squeezed(res.out)).toContain(
      'localhost : ok=4 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=1',
    );
  });
});

describe('variable precedence across tasks', () => {
  it('facts below play vars, set_fact above them, -e above all, a loop register in the next task, set_fact kept into the next play', async () => {
    const dir = tree({
      'hosts.ini': '[local]\nlocalhost ansible_connection=local\n127.0.0.2 ansible_connection=local\n',
      'site.yml': [
        '- hosts: local',
        '  gather_facts: true',
        '  vars: { ansible_distribution: from-play, level: play, pinned: play }',
        '  tasks:',
        '    - assert: { that: [(eq ansible_distribution "from-play"), (eq ansible_system "Linux"), (eq level "play")] }',
        '    - command: echo {{ item }}-{{ inventory_hostname }}',
        '      loop: [a, b]',
        '      register: echoed',
        '      changed_when: false',
        '    - assert: { that: [(eq echoed.results.1.stdout (join (list "b" inventory_hostname) "-")), (eq (length echoed.results) 2)] }',
        '    - set_fact: { level: set_fact, pinned: set_fact, ansible_distribution: from-set-fact }',
        '    - assert: { that: [(eq level "set_fact"), (eq pinned "extra"), (eq ansible_distribution "from-set-fact")] }',
        '- hosts: local',
        '  gather_facts: false',
        '  vars: { level: second-play }',
        '  tasks:',
        '    - assert: { that: [(eq level "set_fact"), (eq ansible_system "Linux"), (eq echoed.results.0.item "a")] }',
        '',
      ].join('\n'),
    });
    const res = await bosun([
      'run',
      path.join(dir, 'site.yml'),
      '-i',
      path.join(dir, 'hosts.ini'),
      '-e',
      'pinned=extra',
    ]);
    expect(res.err).toBe('');
    expect(res.out).not.toContain('FAILED');
    expect(res.code).toBe(0);
    expect(squeezed(res.out)).toContain('127.0.0.2 : ok=7 changed=0 unreachable=0 failed=0');
    expect(squeezed(res.out)).toContain('localhost : ok=7 changed=0 unreachable=0 failed=0');
  });
});

describe('--step', () => {
  it('asks before each task: no skips it, continue runs the rest without asking', async () => {
    const { runPlaybooks } = await import('../../src/executor/run.js');
    const dir = tree({
      'hosts.ini': INVENTORY,
      'site.yml':
        '- hosts: all\n  gather_facts: false\n  tasks:\n    - { name: one, debug: msg=1 }\n    - { name: two, debug: msg=2 }\n    - { name: three, debug: msg=3 }\n    - { name: four, debug: msg=4 }\n',
    });
    const asked: string[] = [];
    const ran: string[] = [];
    const answers: Array<'yes' | 'no' | 'continue'> = ['yes', 'no', 'continue'];
    await runPlaybooks({
      playbooks: [path.join(dir, 'site.yml')],
      inventories: [path.join(dir, 'hosts.ini')],
      check: false,
      diff: false,
      extraVars: [],
      forks: 5,
      verbosity: 0,
      tags: { only: [], skip: [] },
      connection: {},
      confirmStep: (task) => {
        asked.push(task);
        return Promise.resolve(answers.shift()!);
      },
      sink: (e) => {
        if (e.type === 'task_result') ran.push(e.result.task);
      },
    });
    expect(asked).toEqual(['TASK: one', 'TASK: two', 'TASK: three']);
    expect(ran).toEqual(['one', 'three', 'four']);
  });
});

describe('check_mode and ansible_check_mode', () => {
  it("ansible_check_mode is the run's --check (as in Ansible), even inside check_mode: true; templated include names are rendered", async () => {
    const dir = tree({
      'hosts.ini': INVENTORY,
      'inc.yml': '- debug: msg=included\n',
      'site.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  vars: { what: things }',
        '  tasks:',
        '    - check_mode: true',
        '      block:',
        '        - set_fact: { seen: "{{ ansible_check_mode }}" }',
        '    - assert: { that: [(eq seen false), (not ansible_check_mode)] }',
        '    - name: "include {{ what }}"',
        '      include_tasks: inc.yml',
        '',
      ].join('\n'),
    });
    const res = await bosun(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('TASK [include things]');
  });
});

describe('bosun run --vault-password-file', () => {
  it('decrypts !vault values and vaulted vars files written by ansible-vault or bosun vault', async () => {
    const dir = tree({ 'hosts.ini': INVENTORY, pw: 'correct horse\n' });
    let enc = '';
    expect(
      await main(
        [
          'vault',
          'encrypt_string',
          's3cr3t-value',
          '--name',
          'db_password',
          '--vault-password-file',
          path.join(dir, 'pw'),
        ],
        {
          out: (t) => {
            enc += t;
          },
          err: () => {},
          isTTY: false,
        },
      ),
    ).toBe(0);
    writeFileSync(
      path.join(dir, 'site.yml'),
      `- hosts: all\n  gather_facts: false\n  vars:\n${enc
        .split('\n')
        .map((l) => `    ${l}`)
        .join(
          '\n',
        )}\n  tasks:\n    - copy: { dest: "${dir}/out", content: "{{ db_password }}" }\n    - debug: { msg: "pw is {{ db_password }}" }\n`,
    );
    const res = await bosun([
      'run',
      path.join(dir, 'site.yml'),
      '-i',
      path.join(dir, 'hosts.ini'),
      '--vault-password-file',
      path.join(dir, 'pw'),
    ]);
    expect(res.code).toBe(0);
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe('s3cr3t-value');
    expect(res.out).not.toContain('s3cr3t-value');
    expect(res.out).toContain('pw is ********');
    const { setVaultSecrets } = await import('../../src/vault/index.js');
    setVaultSecrets([]);
    const without = await bosun(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(without.code).toBe(1);
    expect(without.err).toMatch(/VAULT/);
  });
});
