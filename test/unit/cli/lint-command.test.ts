/**
 * `bosun lint` through the real CLI on temporary trees (issue 20 points 4
 * and 5): the templates/ of a playbook folder, a template file named alone,
 * -i with an INI inventory (and a missing one), and hints that lead
 * somewhere: "did you mean" for argument names, an unknown module said to
 * not exist (and what to do), custom and collection modules for what they are.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { writeTree } from '../../helpers/tree.js';

const play = (tasks: string): string => `- name: Site\n  hosts: web\n  gather_facts: false\n  tasks:\n${tasks}`;

describe('bosun lint (CLI)', () => {
  it("reads a playbook folder's templates/: a syntax error at its file:line:col, exit 2", async () => {
    const dir = writeTree({
      'site.yml': play('    - name: Config\n      template: { src: app.conf.j2, dest: "{{ conf_dir }}/app.conf" }\n'),
      'group_vars/all.yml': 'conf_dir: /etc\n',
      'templates/app.conf.j2': 'a = 1\n{% for x in xs %}\n{{ x }}\n',
    });
    const r = await runCli(['lint', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      `${path.join(dir, 'templates/app.conf.j2')}:2:4: schema: Jinja2 syntax error: {% for %} without {% endfor %}`,
    );
  });

  it('lints a template file named alone (not "no findings in 0 file(s)")', async () => {
    const dir = writeTree({ 'templates/motd.j2': 'hello {{ who }\n', 'clean.j2': 'plain text\n' });
    const r = await runCli(['lint', path.join(dir, 'templates/motd.j2')]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('1 finding(s) in 1 of 1 file(s): schema 1');
    const clean = await runCli(['lint', path.join(dir, 'clean.j2')]);
    expect(clean.code).toBe(0);
    expect(clean.out).toBe('no findings in 1 file(s)\n');
  });

  it('-i INI: a group var of the inventory is defined; without -i it is an undefined-var; a missing -i is an error', async () => {
    const dir = writeTree({
      'site.yml': play('    - name: Port\n      debug: { msg: "{{ http_port }}" }\n'),
      'inventory/hosts.ini': '[web]\nweb1 ansible_host=127.0.0.1\n\n[web:vars]\nhttp_port=8080\n',
    });
    const site = path.join(dir, 'site.yml');
    const without = await runCli(['lint', site]);
    expect(without.code).toBe(2);
    expect(without.out).toContain("undefined-var: undefined variable 'http_port'");
    const withInventory = await runCli(['lint', '-i', path.join(dir, 'inventory/hosts.ini'), site]);
    expect(withInventory.out).toBe('no findings in 1 file(s)\n');
    expect(withInventory.code).toBe(0);
    const missing = await runCli(['lint', '-i', path.join(dir, 'nope.ini'), site]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`no such inventory: ${path.join(dir, 'nope.ini')}`);
  });

  it("an argument name a typo away: did you mean (recursive -> recurse), as 'bosun run' says", async () => {
    const dir = writeTree({
      'site.yml': play('    - name: Dir\n      file: { path: /srv/d, state: directory, recursive: true }\n'),
    });
    const r = await runCli(['lint', dir]);
    expect(r.out).toContain("unknown key 'recursive' in arguments of module 'file'");
    expect(r.out).toContain("fix: did you mean 'recurse'?");
  });

  it('modules: a typo gets did you mean; nothing close does not exist (and what to do); custom and collection modules', async () => {
    const dir = writeTree({
      'site.yml': play(
        [
          '    - name: Typo',
          '      cpoy: { src: a, dest: /b }',
          '    - name: Nothing close',
          '      frobnicate_widget: { x: 1 }',
          '    - name: Cron is a module',
          '      cron: { name: backup, job: /usr/local/bin/backup, minute: "0" }',
          '    - name: Custom',
          '      kube: { name: x }',
          '    - name: Collection',
          '      community.general.frobnicate: { x: 1 }',
          '',
        ].join('\n'),
      ),
      'library/kube.py': '#!/usr/bin/python\n',
    });
    const r = await runCli(['lint', dir]);
    const lines = r.out.split('\n');
    const at = (line: number): string[] => lines.filter((l) => l.includes(`site.yml:${line}:`));
    expect(r.out).toContain("unknown module 'cpoy'\n    fix: did you mean 'copy'?");
    expect(at(8).join('\n')).toContain("module 'frobnicate_widget' does not exist in bosun");
    const after = lines[lines.findIndex((l) => l.includes('frobnicate_widget')) + 1]!;
    expect(after).not.toContain('did you mean');
    expect(after).toContain('bosun doc --list');
    expect(after).toContain('library/');
    expect(at(10)).toEqual([]);
    expect(at(12).join('\n')).toContain("'kube' is a custom module (");
    expect(at(14).join('\n')).toContain("module 'community.general.frobnicate' is not in bosun");
  });

  it("bosun doc: a name with nothing close gets no 'did you mean'", async () => {
    const far = await runCli(['doc', 'frobnicate_widget']);
    expect(far.code).toBe(1);
    expect(far.err).toBe("bosun doc: no module named 'frobnicate_widget' (bosun doc --list shows them all)\n");
    const near = await runCli(['doc', 'cpoy']);
    expect(near.err).toContain("did you mean 'copy'?");
  });
});
