/**
 * ansible.cfg's display_skipped_hosts / display_ok_hosts (and their ANSIBLE_* variables) and the path on an
 * `included:` line, bosun against ansible-core 2.14: the same playbook (two inventory hosts on the local
 * connection, no sandbox: nothing here needs an address) run by both, and the lines of their text output
 * that the settings change (TASK / RUNNING HANDLER banners, ok/changed/skipping/included lines, the recap)
 * compared line for line.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, squeezed } from '../helpers/cli.js';

const ANSIBLE = '/usr/bin/ansible-playbook';
const run = promisify(execFile);

const work = mkdtempSync(path.join(tmpdir(), 'bosun-display-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: all skip
      command: echo x
      when: false
    - name: one skips
      command: echo x
      changed_when: false
      when: inventory_hostname == 'h1'
    - name: changed on h2
      command: echo x
      changed_when: inventory_hostname == 'h2'
    - name: loop, some items skip
      debug: { msg: "{{ item }}" }
      loop: [a, b, c]
      when: item != 'b'
    - name: items that are lists and dicts are labelled as Python prints them
      debug: { msg: x }
      loop: [[a, b], {z: 1, y: true, n: null}, 3, true]
    - name: playbook include, not normalised as written
      include_tasks: sub/../inc.yml
    - name: notify
      command: echo x
      notify: [h]
  roles: [r1]
  handlers:
    - name: h
      debug: { msg: handled }
      when: inventory_hostname == 'h2'
`;

function tree(): { pb: string; inv: string } {
  const dir = path.join(work, 'p');
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  mkdirSync(path.join(dir, 'roles', 'r1', 'tasks'), { recursive: true });
  mkdirSync(path.join(dir, 'roles', 'r2', 'tasks'), { recursive: true });
  writeFileSync(path.join(dir, 'site.yml'), PLAYBOOK);
  writeFileSync(path.join(dir, 'inc.yml'), '- name: in inc\n  command: echo x\n  when: false\n- debug: { msg: inc }\n');
  writeFileSync(
    path.join(dir, 'roles', 'r1', 'tasks', 'main.yml'),
    [
      '- name: role include through another role',
      '  include_tasks: "../../r2/tasks/other.yml"',
      '- name: role include, absolute',
      `  include_tasks: ${JSON.stringify(path.join(dir, 'sub', '..', 'inc.yml'))}`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'roles', 'r2', 'tasks', 'other.yml'), '- name: other\n  command: echo x\n');
  const inv = path.join(dir, 'hosts.ini');
  writeFileSync(
    inv,
    ['h1', 'h2'].map((h) => `${h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`).join(''),
  );
  return { pb: path.join(dir, 'site.yml'), inv };
}

/**
 * The lines compared: banners, result lines, included lines and the recap (spaces squeezed); the lines under one
 * banner sorted, as hosts finish in any order (with both tools).
 */
function shown(out: string): string[] {
  const blocks: string[][] = [];
  for (const l of lines(out)) {
    if (/^(TASK|RUNNING HANDLER|PLAY|PLAY RECAP) /.test(l) || blocks.length === 0) blocks.push([l]);
    else blocks[blocks.length - 1]!.push(l);
  }
  return blocks.flatMap(([head, ...rest]) => [head!, ...rest.sort()]);
}

function lines(out: string): string[] {
  return (
    squeezed(out)
      .split('\n')
      .map((l) => l.trimEnd())
      // Ansible lists an include's hosts in the order they finished it: compared as a set.
      .map((l) =>
        l.replace(
          /^(included: .* for )(.*)$/,
          (_m, head: string, hosts: string) => head + hosts.split(', ').sort().join(', '),
        ),
      )
      .filter((l) =>
        /^(TASK \[|RUNNING HANDLER \[|PLAY \[|PLAY RECAP|ok: |changed: |skipping: |included: |fatal: |h[12] : )/.test(
          l,
        ),
      )
  );
}

/** Each case: a config file's [defaults] lines, and environment variables. */
const CASES: Array<[string, string[], Record<string, string>]> = [
  ['defaults', [], {}],
  ['ansible.cfg display_skipped_hosts = no', ['display_skipped_hosts = no'], {}],
  ['ansible.cfg display_ok_hosts = false', ['display_ok_hosts = false'], {}],
  ['both hidden in ansible.cfg', ['display_skipped_hosts = no', 'display_ok_hosts = no'], {}],
  ['ANSIBLE_DISPLAY_SKIPPED_HOSTS=0', [], { ANSIBLE_DISPLAY_SKIPPED_HOSTS: '0' }],
  ['ANSIBLE_DISPLAY_OK_HOSTS=no over the file', ['display_ok_hosts = yes'], { ANSIBLE_DISPLAY_OK_HOSTS: 'no' }],
];

describe.skipIf(!existsSync(ANSIBLE))(
  'display_skipped_hosts / display_ok_hosts and included: paths, as ansible-core',
  () => {
    const { pb, inv } = tree();
    it.concurrent.each(CASES)(
      '%s: the same banners and result lines',
      async (name, cfgLines, vars) => {
        const cfg = path.join(work, `${name.replace(/\W+/g, '_')}.cfg`);
        writeFileSync(cfg, `[defaults]\n${cfgLines.join('\n')}\n`);
        const env = { ANSIBLE_CONFIG: cfg, ...vars };
        const ansible = await run(ANSIBLE, ['-i', inv, pb], {
          env: { ...process.env, ...env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' },
          maxBuffer: 8 * 1024 * 1024,
        });
        const bosun = await runCli(['run', pb, '-i', inv], env);
        expect(bosun.err).toBe('');
        const want = shown(ansible.stdout);
        expect(want.length).toBeGreaterThan(5);
        expect(shown(bosun.out)).toEqual(want);
      },
      120_000,
    );
  },
);
