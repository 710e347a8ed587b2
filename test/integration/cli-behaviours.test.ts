/**
 * `bosun run` command-line behaviours next to ansible-playbook 2.14, on the
 * local connection (no sandbox host): the same playbook run by both, the
 * exit code, the message and the recap compared.
 *
 * - `--start-at-task` that matches no task: `[ERROR]: No matching task "X"
 *   found.` after the recap, the exit code stays the run's (0), as Ansible.
 * - no `-i` (and no default inventory): Ansible's two warnings; a play for
 *   `all` matches no host, a play for `localhost` runs on the implicit one.
 * - `--tags` naming a tag no task has: a warning (Ansible 2.14 says
 *   nothing; the issue asks for one), the run goes on, exit 0 like Ansible.
 * - `no_log`: a real run's censored results in every output (text -v with
 *   --diff, --json, --log, --report), in Ansible's words.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ANSIBLE = '/usr/bin/ansible-playbook';
const haveAnsible = existsSync(ANSIBLE);
const dir = mkdtempSync(path.join(tmpdir(), 'bosun-cli-behaviours-'));
writeFileSync(path.join(dir, 'inv.ini'), 'localhost ansible_connection=local\n');
const playbook = (hosts: string): string => {
  const file = path.join(dir, `${hosts}.yml`);
  writeFileSync(
    file,
    [
      `- hosts: ${hosts}`,
      '  gather_facts: false',
      '  tasks:',
      '    - name: first',
      '      debug: { msg: one }',
      '      tags: [a]',
      '    - name: second',
      '      debug: { msg: two }',
      '',
    ].join('\n'),
  );
  return file;
};
const ALL = playbook('all');
const LOCALHOST = playbook('localhost');

/** ansible-playbook's exit code, stdout and stderr (run in the test folder, where no ansible.cfg or inventory is). */
async function ansible(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_LOCALHOST_WARNING: 'true',
  };
  delete env['ANSIBLE_INVENTORY'];
  try {
    const r = await promisify(execFile)(ANSIBLE, args, { cwd: dir, env });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

const recap = (text: string): string[] =>
  [...text.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)].map((m) =>
    m.slice(1).join(' '),
  );
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');

describe('bosun run: command-line behaviours as ansible-playbook 2.14', () => {
  it('--start-at-task that matches no task: an error after the recap, the exit code stays 0', async () => {
    const b = await runCli(['run', '-i', path.join(dir, 'inv.ini'), ALL, '--start-at-task', 'no such task']);
    expect(b.code).toBe(0);
    expect(b.err).toBe('[ERROR]: No matching task "no such task" found.\n');
    expect(recap(b.out)).toEqual(['localhost 0 0 0 0']);
    // A glob that matches starts there, and no error.
    const ok = await runCli(['run', '-i', path.join(dir, 'inv.ini'), ALL, '--start-at-task', 'sec*']);
    expect([ok.code, ok.err, recap(ok.out)]).toEqual([0, '', ['localhost 1 0 0 0']]);
    if (!haveAnsible) return;
    const a = await ansible(['-i', 'inv.ini', ALL, '--start-at-task', 'no such task']);
    expect(a.code).toBe(b.code);
    expect(oneLine(a.err)).toContain('[ERROR]: No matching task "no such task" found.');
    expect(recap(a.out)).toEqual([]);
    // Ansible prints no recap line for a host that did nothing; the counters bosun prints are all zero.
  });

  it('no -i: the two warnings, a play for all matches no host, a play for localhost runs on the implicit one', async () => {
    const all = await runCli(['run', ALL]);
    const warnings = [
      '[WARNING]: No inventory was parsed, only implicit localhost is available',
      "[WARNING]: provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'",
    ];
    expect(all.code).toBe(0);
    expect(all.out.split('\n').slice(0, 2)).toEqual(warnings);
    expect(all.out).toContain('skipping: no hosts matched');
    const local = await runCli(['run', LOCALHOST]);
    expect(local.code).toBe(0);
    expect(local.out.split('\n').slice(0, 2)).toEqual(warnings);
    expect(recap(local.out)).toEqual(['localhost 2 0 0 0']);
    // --json: the warnings are events, right after run_start.
    const json = await runCli(['run', LOCALHOST, '--json']);
    expect(json.events.slice(0, 3).map((e) => e['type'])).toEqual(['run_start', 'warning', 'warning']);
    // With an inventory there is no warning.
    const withInventory = await runCli(['run', '-i', path.join(dir, 'inv.ini'), LOCALHOST]);
    expect(withInventory.out).not.toContain('[WARNING]');
    if (!haveAnsible) return;
    const a = await ansible([ALL]);
    const b = await ansible([LOCALHOST]);
    expect([a.code, b.code]).toEqual([all.code, local.code]);
    for (const w of warnings) expect(oneLine(a.err + a.out)).toContain(w);
    expect(a.out).toContain('skipping: no hosts matched');
    expect(recap(b.out)).toEqual(recap(local.out));
  });

  it('--tags naming a tag no task has: a warning, the run goes on with the tags that exist', async () => {
    const b = await runCli(['run', '-i', path.join(dir, 'inv.ini'), ALL, '--tags', 'zzz,a', '--tags', 'always']);
    expect(b.code).toBe(0);
    expect(b.out.split('\n')[0]).toBe("[WARNING]: --tags 'zzz': no task in the playbooks has this tag");
    expect(recap(b.out)).toEqual(['localhost 1 0 0 0']);
    // Tags that exist (and the special ones) give no warning.
    const known = await runCli(['run', '-i', path.join(dir, 'inv.ini'), ALL, '--tags', 'a,tagged']);
    expect(known.out).not.toContain('[WARNING]');
    if (!haveAnsible) return;
    const a = await ansible(['-i', 'inv.ini', ALL, '--tags', 'zzz,a', '--tags', 'always']);
    expect(a.code).toBe(b.code);
    expect(recap(a.out)).toEqual(recap(b.out));
  });

  it("no_log: no output of the task in any reporter (text -v --diff, --json, --log, --report), Ansible's words instead", async () => {
    const secret = 'nl-Kx-40417';
    const file = path.join(dir, 'nolog.yml');
    writeFileSync(
      file,
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - name: hidden loop',
        `      shell: "echo ${secret} {{ item }}; echo ${secret} >&2"`,
        `      loop: ["${secret}-item"]`,
        '      no_log: true',
        '      register: hidden',
        '    - name: hidden copy',
        `      copy: { dest: "${dir}/nolog-out", content: "${secret}\\n" }`,
        '      no_log: true',
        '    - name: hidden failure',
        `      fail: { msg: "${secret} failed" }`,
        '      no_log: true',
        '      ignore_errors: true',
        '    - name: what register kept',
        '      assert: { that: ["(eq (length hidden.results) 1)"] }',
        '',
      ].join('\n'),
    );
    const inv = path.join(dir, 'inv.ini');
    const log = path.join(dir, 'nolog.jsonl');
    const report = path.join(dir, 'nolog.html');
    const text = await runCli(['run', '-i', inv, file, '-v', '--diff', '--log', log, '--report', report]);
    const json = await runCli(['run', '-i', inv, file, '--diff', '--json']);
    expect([text.code, json.code]).toEqual([0, 0]);
    expect(readFileSync(path.join(dir, 'nolog-out'), 'utf8')).toBe(`${secret}\n`);
    const message = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";
    for (const out of [
      text.out + text.err,
      json.out + json.err,
      readFileSync(log, 'utf8'),
      readFileSync(report, 'utf8'),
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(text.out).toContain('changed: [localhost] => (item=None) => {');
    expect(text.out).toContain(`fatal: [localhost]: FAILED! => {"censored": "${message}", "changed": false}`);
    expect(json.out).toContain(message);
    expect(readFileSync(report, 'utf8')).toContain(message.replace(/'/g, '&#39;'));
    expect(recap(text.out)).toEqual(['localhost 4 2 0 0']);
  });

  it('output lines as ansible-playbook prints them: recap, delegation, -v facts, skipped include_role (issue 20)', async () => {
    writeFileSync(
      path.join(dir, 'three.ini'),
      ['zz ansible_connection=local', 'aa ansible_connection=local', 'mm ansible_connection=local', ''].join('\n'),
    );
    mkdirSync(path.join(dir, 'roles', 'r20', 'tasks'), { recursive: true });
    writeFileSync(path.join(dir, 'roles', 'r20', 'tasks', 'main.yml'), '- debug: { msg: r20 }\n');
    const file = path.join(dir, 'output20.yml');
    writeFileSync(
      file,
      [
        '- hosts: all',
        '  gather_facts: true',
        '  tasks:',
        '    - name: on aa',
        '      ping:',
        '      delegate_to: aa',
        '    - name: skipped role',
        '      include_role: { name: r20 }',
        '      when: false',
        '    - name: skipped role items',
        '      include_role: { name: r20 }',
        '      loop: [1, 2]',
        '      when: item == 3',
        '',
      ].join('\n'),
    );
    const b = await runCli(['run', '-i', path.join(dir, 'three.ini'), file, '-v'], { ANSIBLE_CONFIG: '/dev/null' });
    expect(b.code).toBe(0);
    // The recap sorted by host and padded, byte for byte as ansible-playbook 2.14 prints it.
    const recapText = b.out.slice(b.out.indexOf('PLAY RECAP'));
    expect(recapText.split('\n').slice(1, 4)).toEqual(
      ['aa', 'mm', 'zz'].map(
        (h) =>
          `${h.padEnd(26)} : ok=2    changed=0    unreachable=0    failed=0    skipped=2    rescued=0    ignored=0   `,
      ),
    );
    // -v: no facts dumped; `-> aa` only on the hosts that are not aa.
    expect(b.out).not.toContain('ansible_facts');
    const lines = b.out.split('\n');
    const labels = (pick: (l: string) => boolean): string[] =>
      lines
        .filter(pick)
        .map((l) => l.replace(/ => \{.*$/, ' => {'))
        .sort();
    expect(labels((l) => l.startsWith('ok: [aa') && l.includes('=> {'))).toEqual(['ok: [aa] => {']);
    expect(labels((l) => l.includes(' -> aa]'))).toEqual(['ok: [mm -> aa] => {', 'ok: [zz -> aa] => {']);
    // The include_role whose `when` names the loop item: every item skipped, then the host, on every host.
    const section = (title: string, text: string): string[] => {
      const from = text.indexOf(`TASK [${title}]`);
      const rest = text.slice(from).split('\n').slice(1);
      // Without -v's data: the status words and labels are compared.
      return rest.slice(0, rest.indexOf('')).map((l) => l.replace(/ => \{.*$/, '').trimEnd());
    };
    const bosunItems = section('skipped role items', b.out);
    expect(bosunItems.filter((l) => l.startsWith('skipping: [aa]'))).toEqual([
      'skipping: [aa] => (item=1)',
      'skipping: [aa] => (item=2)',
      'skipping: [aa]',
    ]);
    expect(section('skipped role', b.out).sort()).toEqual(['skipping: [aa]', 'skipping: [mm]', 'skipping: [zz]']);
    if (!haveAnsible) return;
    const a = await ansible(['-i', 'three.ini', file]);
    expect(a.code).toBe(0);
    const ansibleRecap = a.out.slice(a.out.indexOf('PLAY RECAP'));
    expect(recapText.split('\n').slice(0, 4)).toEqual(ansibleRecap.split('\n').slice(0, 4));
    expect(bosunItems.sort()).toEqual(section('skipped role items', a.out).sort());
  });

  it('a missing copy src: the message lists every path searched, as Ansible does', async () => {
    const file = path.join(dir, 'missing-src.yml');
    writeFileSync(
      file,
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - copy: { src: no-such.txt, dest: /tmp/x }',
        '',
      ].join('\n'),
    );
    const b = await runCli(['run', '-i', path.join(dir, 'inv.ini'), file, '--json']);
    const failed = b.events.find((e) => e['type'] === 'task_result' && e['status'] === 'failed');
    const msg = String((failed?.['data'] as Record<string, unknown> | undefined)?.['msg']);
    // As Ansible lists them: the task file's folder, then the playbook's (here the same folder, so twice).
    const once = [path.join(dir, 'files', 'no-such.txt'), path.join(dir, 'no-such.txt')];
    const searched = [...once, ...once];
    expect(msg).toBe(
      `Could not find or access 'no-such.txt'\nSearched in:\n\t${searched.join('\n\t')} on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`,
    );
    if (!haveAnsible) return;
    const a = await ansible(['-i', 'inv.ini', file]);
    // Ansible's own message, word for word.
    const fatal = /^fatal: \[localhost\]: FAILED! => (.*)$/m.exec(a.out)?.[1];
    expect((JSON.parse(fatal ?? '{}') as { msg?: string }).msg).toBe(msg);
  });
});
