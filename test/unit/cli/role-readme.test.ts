/**
 * Role authoring through the real CLI on a temporary role (issue 20 point
 * 6): `role init`'s next step, `doc role` with nested options and each
 * variable's own comment, `lint` noticing a README whose variables table no
 * longer matches `argument_specs`, and `doc role --markdown --write` mending it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const SPEC = `argument_specs:
  main:
    short_description: A web server
    options:
      web_message:
        type: str
        default: hello from web
        description: Greeting written into the configuration file.
      web_vhosts:
        type: list
        elements: dict
        default: []
        description: Virtual hosts.
        options:
          name: { type: str, required: true, description: Server name. }
          root: { type: path, description: Document root. }
`;

describe('role authoring (CLI, no hosts)', () => {
  it('init, doc role, lint noticing a stale README, --markdown --write mending it', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'bosun-role-readme-'));
    const dir = path.join(parent, 'web');
    const init = await runCli(['role', 'init', 'web', '--path', parent], { BOSUN_SANDBOX_BASE: '' });
    expect(init.code).toBe(0);
    // The role's test addresses are free here: the next step is the plain command, no --base.
    expect(init.out).toContain(`next: bosun lint ${dir} && bosun role test ${dir}\n`);
    expect(init.out).not.toContain('--base');
    expect((await runCli(['lint', dir])).code).toBe(0);

    writeFileSync(path.join(dir, 'meta/argument_specs.yml'), SPEC);
    const doc = await runCli(['doc', 'role', dir]);
    expect(doc.out).toContain('      web_vhosts[].name  (str; required)\n          Server name.\n');
    // The defaults file's header comment is not the first variable's description.
    expect(doc.out).not.toContain('Every knob');
    expect(doc.out).toContain('web_config_dir  (default: "/etc/web")\n      Folder the role writes');

    const stale = await runCli(['lint', dir]);
    expect(stale.code).toBe(2);
    expect(stale.out).toContain("readme-vars: option 'web_vhosts' of role web is not in README.md's variables table");
    expect(stale.out).toContain(`fix: regenerate the section: bosun doc role ${dir} --markdown --write`);

    const write = await runCli(['doc', 'role', dir, '--markdown', '--write']);
    expect(write.out).toBe(`wrote the Variables section of ${path.join(dir, 'README.md')}\n`);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('| `web_vhosts[].name` | str | required | Server name. |');
    expect(readme.match(/^## Variables$/gm)).toHaveLength(1);
    const mended = await runCli(['lint', dir]);
    expect(mended.out).toMatch(/^no findings in/);
    expect(mended.code).toBe(0);

    const alone = await runCli(['doc', 'role', dir, '--write']);
    expect(alone.code).toBe(5);
    expect(alone.err).toContain('--write goes with --markdown');
  });
});
