import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRoleDoc, renderRoleMarkdown } from '../../../src/cli/doc-role.js';
import { roleTestNext } from '../../../src/role-test/scenario.js';
import { replaceVarsSection } from '../../../src/playbook/role-docs.js';
import { main } from '../../../src/cli/main.js';

describe('bosun doc role', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-docrole-'));
  mkdirSync(path.join(dir, 'roles', 'web', 'meta'), { recursive: true });
  mkdirSync(path.join(dir, 'roles', 'web', 'defaults'), { recursive: true });
  writeFileSync(
    path.join(dir, 'roles', 'web', 'meta', 'argument_specs.yml'),
    [
      'argument_specs:',
      '  main:',
      '    short_description: A web server',
      '    options:',
      '      web_port: { type: int, required: true, description: Port to listen on }',
      '      web_mode: { type: str, choices: [a, b] }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'roles', 'web', 'defaults', 'main.yml'),
    '# How the server runs.\nweb_mode: a\n# Extra headers to send.\nweb_headers: []\n',
  );

  it('prints the variables from the argument spec and the commented defaults', () => {
    const text = renderRoleDoc('web', { cwd: dir });
    expect(text).toContain('A web server');
    expect(text).toContain('  web_port  (int; required)\n      Port to listen on');
    expect(text).toContain('  web_mode  (str; default: "a"; choices: "a", "b")\n      How the server runs.');
    expect(text).toContain('  web_headers  (default: [])\n      Extra headers to send.');
  });

  it('documents the built-in roles through the CLI, and names a missing role', async () => {
    let out = '';
    expect(
      await main(['doc', 'role', 'runc'], {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          out += t;
        },
        isTTY: false,
      }),
    ).toBe(0);
    expect(out).toMatch(/^ROLE runc/);
    expect(out).toContain('runc_version');
    let err = '';
    expect(
      await main(['doc', 'role', 'nope'], {
        out: () => {},
        err: (t) => {
          err += t;
        },
        isTTY: false,
      }),
    ).toBe(1);
    expect(err).toContain("role 'nope' not found");
  });

  describe('nested options and the README section (issue 20)', () => {
    const nested = mkdtempSync(path.join(tmpdir(), 'bosun-docrole-nested-'));
    mkdirSync(path.join(nested, 'roles', 'site', 'meta'), { recursive: true });
    writeFileSync(
      path.join(nested, 'roles', 'site', 'meta', 'argument_specs.yml'),
      [
        'argument_specs:',
        '  main:',
        '    options:',
        '      site_vhosts:',
        '        type: list',
        '        elements: dict',
        '        default: []',
        '        description: Virtual hosts',
        '        options:',
        '          name: { type: str, required: true, description: Server name }',
        '          tls:',
        '            type: dict',
        '            options:',
        '              cert: { type: path, description: "Certificate | PEM" }',
        '      site_port: { type: int, default: 80, choices: [80, 8080] }',
        '',
      ].join('\n'),
    );

    it('doc role shows nested options under their variable', () => {
      const text = renderRoleDoc('site', { cwd: nested });
      expect(text).toContain(
        [
          '  site_vhosts  (list; default: [])',
          '      Virtual hosts',
          '      site_vhosts[].name  (str; required)',
          '          Server name',
          '      site_vhosts[].tls  (dict)',
          '          site_vhosts[].tls.cert  (path)',
          '              Certificate | PEM',
        ].join('\n'),
      );
    });

    it('--markdown prints the README variables table, every nested option a row', () => {
      expect(renderRoleMarkdown('site', { cwd: nested })).toBe(
        [
          '## Variables',
          '',
          '| name | type | default | description |',
          '|---|---|---|---|',
          '| `site_port` | int | `80` | One of: `80`, `8080`. |',
          '| `site_vhosts` | list | `[]` | Virtual hosts |',
          '| `site_vhosts[].name` | str | required | Server name |',
          '| `site_vhosts[].tls` | dict |  |  |',
          '| `site_vhosts[].tls.cert` | path |  | Certificate \\| PEM |',
          '',
        ].join('\n'),
      );
    });

    it("role init's next step asks for --base only when the role's test addresses are taken here", () => {
      const dir = path.join(nested, 'roles', 'site');
      const free = roleTestNext(dir, {}, 0, false);
      expect(free).toEqual({ command: `bosun lint ${dir} && bosun role test ${dir}`, notes: [] });
      const taken = roleTestNext(dir, {}, 0, true);
      expect(taken.command).toBe(`bosun lint ${dir} && bosun role test ${dir} --base 127.B.0.1`);
      expect(taken.notes.join('\n')).toMatch(
        /its hosts would listen on 127\.\d+\.\d+\.1 and up, where port 22 is already in use on this machine: pick a free block B for --base/,
      );
      expect(roleTestNext(dir, { BOSUN_SANDBOX_BASE: '127.147.0.1' }, 0, true).notes).toEqual([]);
      expect(roleTestNext(dir, { BOSUN_SANDBOX_BASE: '127.147.0.1' }, 1000, false).notes).toEqual([
        'role test starts sandbox hosts in namespaces: run it as root',
      ]);
    });

    it('replaceVarsSection: the section is replaced up to the next heading, or added at the end', () => {
      const section = '## Variables\n\n| name |\n|---|\n| `a` |\n';
      expect(replaceVarsSection('# r\n\nIntro.\n\n## Variables\n\nold\n\n## Example\n\nx\n', section)).toBe(
        '# r\n\nIntro.\n\n## Variables\n\n| name |\n|---|\n| `a` |\n\n## Example\n\nx\n',
      );
      expect(replaceVarsSection('# r\n\n## Variables\n\n### Nested\nold\n', section)).toBe(`# r\n\n${section}`);
      expect(replaceVarsSection('# r\nIntro.\n', section)).toBe(`# r\nIntro.\n\n${section}`);
    });
  });
});
