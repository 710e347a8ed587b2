import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRoleDoc } from '../../../src/cli/doc-role.js';
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
});
