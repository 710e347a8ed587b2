/**
 * Template files a play uses are parsed at load (issue 20): a syntax error
 * in a `template:` task's file stops the run before any task runs, with the
 * position in the template file; a templated or missing `src` is left to run time.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

function project(tasks: string[], files: Record<string, string>): { dir: string; args: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-template-files-'));
  writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const lines = ['- hosts: all', '  gather_facts: false', '  tasks:', ...tasks.map((t) => t.replaceAll('@DIR@', dir))];
  writeFileSync(path.join(dir, 'site.yml'), `${lines.join('\n')}\n`);
  return { dir, args: ['run', '-i', path.join(dir, 'hosts'), path.join(dir, 'site.yml')] };
}

describe('template files parsed at load', () => {
  it('a syntax error in a template file stops the run before the first task', async () => {
    const { dir, args } = project(
      [
        '    - copy: { content: "a\\n", dest: "@DIR@/first" }',
        '    - template: { src: app.conf, dest: "@DIR@/app.conf" }',
      ],
      { 'templates/app.conf': 'port = {{ port }}\n{{#if tls}}\ntls = on\n' },
    );
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(dir, 'first'))).toBe(false);
    expect(r.err).toContain(`${path.join(dir, 'templates', 'app.conf')}:`);
    expect(r.err).toContain(`(in the template of the task at ${path.join(dir, 'site.yml')}:5)`);
    expect(r.out).not.toContain('TASK [');
  });

  it('a templated dest, owner or mode does not keep the file from being checked (only the parse settings do)', async () => {
    const { dir, args } = project(
      [
        '    - copy: { content: "a\\n", dest: "{{ out }}/first" }',
        '      vars: { out: "@DIR@" }',
        '    - template: { src: app.conf.j2, dest: "{{ out }}/app.conf", mode: "{{ m }}" }',
        '      vars: { out: "@DIR@", m: "0644" }',
      ],
      { 'templates/app.conf.j2': 'a\n{% for x in xs %}\n{{ x }}\n' },
    );
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(dir, 'first'))).toBe(false);
    expect(r.err).toContain(
      `${path.join(dir, 'templates', 'app.conf.j2')}:2:4: Jinja2 syntax error: {% for %} without {% endfor %}`,
    );
  });

  it('a templated parse setting (variable_start_string) leaves the file to run time', async () => {
    const { dir, args } = project(
      [
        '    - copy: { content: "a\\n", dest: "@DIR@/first" }',
        '    - template: { src: app.conf.j2, dest: "@DIR@/app.conf", variable_start_string: "{{ vs }}" }',
        '      vars: { vs: "[[" }',
      ],
      { 'templates/app.conf.j2': 'a\n{% for x in xs %}\n' },
    );
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(existsSync(path.join(dir, 'first'))).toBe(true);
  });

  it("a role's template is found in its templates/ and checked too", async () => {
    const { args } = project(['    - include_role: { name: web }'], {
      'roles/web/tasks/main.yml': '- template: { src: site.conf.j2, dest: /tmp/never }\n',
      'roles/web/templates/site.conf.j2': 'name = {{ name\n',
    });
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.out).toContain('roles/web/templates/site.conf.j2:');
  });

  it('a templated or missing src, and a good template, are left alone', async () => {
    const { dir, args } = project(
      [
        '    - template: { src: "{{ which }}", dest: "@DIR@/x" }',
        '      vars: { which: good.conf }',
        '    - template: { src: later.conf, dest: "@DIR@/y" }',
        '      ignore_errors: true',
      ],
      { 'templates/good.conf': 'v = {{ which }}\n' },
    );
    const r = await runCli(args);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'x'))).toBe(true);
    expect(r.out).toContain("Could not find or access 'later.conf'");
  });
});
