/**
 * Checks before the run (issue 20 point 4), on two real sandbox hosts over
 * SSH: a play whose first four tasks change both hosts and whose role then
 * renders a template file with a syntax error stops at load with the
 * template's file:line:col, and neither host changed. The tasks' `dest` is
 * templated, as in real roles: the load-time check used to skip a task as
 * soon as any argument was templated, so the four tasks ran first. With the
 * template mended the same play runs and changes what it said it would.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { runCli } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(2, { base: '127.169.0.1' });
const open: SshConnection[] = [];

const PATHS = ['/opt/preflight/one', '/opt/preflight/two', '/opt/preflight/three', '/etc/preflight-site.conf'];

function project(): string {
  return writeTree(
    {
      'site.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  vars: { base: /opt/preflight }',
        '  pre_tasks:',
        '    - name: folder',
        '      file: { path: "{{ base }}", state: directory, mode: "0755" }',
        '    - name: one',
        '      copy: { content: "1\\n", dest: "{{ base }}/one" }',
        '    - name: two',
        '      lineinfile: { path: "{{ base }}/two", line: "x = 1", create: true }',
        '    - name: three',
        '      command: { cmd: "touch {{ base }}/three", creates: "{{ base }}/three" }',
        '  roles: [site]',
        '',
      ].join('\n'),
      'roles/site/defaults/main.yml': 'site_conf_dir: /etc\nsite_port: 8080\n',
      'roles/site/tasks/main.yml': [
        '- name: site config',
        '  template: { src: site.conf.j2, dest: "{{ site_conf_dir }}/preflight-site.conf", mode: "0644" }',
        '',
      ].join('\n'),
      'roles/site/templates/site.conf.j2': 'port = {{ site_port }}\n{% if site_port > 1024 %}\nhigh = yes\n',
    },
    'bosun-preflight-',
  );
}

/** Which of PATHS exist on a host. */
async function existing(index: number): Promise<string[]> {
  const conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[index]!));
  open.push(conn);
  const r = await conn.exec(PATHS.map((p) => `if test -e ${p}; then echo ${p}; fi`).join('; '));
  return r.stdout.split('\n').filter(Boolean);
}

fixture.describe('a template syntax error stops the run before any host changes', () => {
  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('exit 1 at load, the template file:line:col shown, no task run, both hosts untouched', async () => {
    const dir = project();
    const r = await runCli(['run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile]);
    const template = path.join(dir, 'roles/site/templates/site.conf.j2');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `ERROR [TEMPLATE_SYNTAX] ${template}:2:4: Jinja2 syntax error: {% if %} without {% endif %}`,
    );
    expect(r.err).toContain(`(in the template of the task at ${path.join(dir, 'roles/site/tasks/main.yml')}:1)`);
    expect(r.out).not.toContain('TASK [');
    expect(await existing(0)).toEqual([]);
    expect(await existing(1)).toEqual([]);

    // Mended, the same play runs on both hosts and writes every file.
    writeFileSync(template, 'port = {{ site_port }}\n{% if site_port > 1024 %}\nhigh = yes\n{% endif %}\n');
    const ok = await runCli(['run', path.join(dir, 'site.yml'), '-i', fixture.sandbox.inventoryFile]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out.replace(/ {2,}/g, ' ')).toMatch(/changed=5 /);
    expect(await existing(0)).toEqual(PATHS);
    expect(await existing(1)).toEqual(PATHS);
  });
});
