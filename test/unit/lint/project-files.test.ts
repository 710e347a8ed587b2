/**
 * What `bosun lint` reads besides roles and playbooks (issue 20): the
 * templates/ folder of a playbook folder, a template file named on the
 * command line, inventories given with -i and INI inventories in the tree,
 * whose group and host variables count as defined.
 */
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../../../src/lint/index.js';
import { playbook, writeTree } from './rule-tester.js';

const site = playbook(
  '    - name: Config\n      template: { src: app.conf, dest: /etc/app.conf }\n    - name: Zone\n      debug: { msg: "{{ ntp_zone }}" }',
);
const findings = (dir: string, paths: string[], inventories: string[] = []): string[] =>
  lintPaths(paths, { cwd: dir, inventories }).findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.col}`);

describe('lint: template files and inventories', () => {
  it("reads the templates/ folder of a playbook's folder, linting the whole folder or the playbook alone", () => {
    const dir = writeTree({
      'site.yml': site,
      'group_vars/all.yml': 'ntp_zone: UTC\n',
      'templates/app.conf': 'port = {{ app_prot }}\n',
    });
    for (const paths of [['.'], ['site.yml']])
      expect(findings(dir, paths)).toEqual(['undefined-var templates/app.conf:1:11']);
  });

  it('lints a template file named on the command line (a syntax error, an undefined variable)', () => {
    const dir = writeTree({ 'app.conf.hbs': 'a = {{ nope }}\n', 'broken.j2': '{{#if x}}\n' });
    expect(findings(dir, ['app.conf.hbs'])).toEqual(['undefined-var app.conf.hbs:1:8']);
    const broken = lintPaths(['broken.j2'], { cwd: dir });
    expect(broken.files).toBe(1);
    expect(broken.findings.map((f) => f.rule).sort()).toEqual(['schema', 'template-dialect']);
  });

  it('-i: the group and host variables of an INI inventory (and its group_vars/) are defined', () => {
    const dir = writeTree({
      'site.yml': site,
      'templates/app.conf': 'port = {{ app_port }} {{ dc }}\n',
      'inv/hosts.ini': '[web]\nweb1 dc=eu\n\n[web:vars]\napp_port=8080\n',
      'inv/group_vars/web.yml': 'ntp_zone: UTC\n',
    });
    expect(findings(dir, ['site.yml'])).toEqual([
      'undefined-var site.yml:8:25',
      'undefined-var templates/app.conf:1:11',
      'undefined-var templates/app.conf:1:26',
    ]);
    expect(findings(dir, ['site.yml'], ['inv/hosts.ini'])).toEqual([]);
    expect(findings(dir, ['site.yml'], ['inv'])).toEqual([]);
  });

  it('an INI inventory inside the linted folder counts as well', () => {
    const dir = writeTree({
      'site.yml': site,
      'templates/app.conf': 'port = {{ app_port }}\n',
      hosts: '[all:vars]\napp_port=80\nntp_zone=UTC\n',
    });
    expect(findings(dir, ['.'])).toEqual([]);
  });
});
