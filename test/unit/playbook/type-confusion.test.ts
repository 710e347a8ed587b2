/**
 * What Ansible users write by habit, in YAML 1.1 style or with loose types:
 * each case either does the right thing or is a clear error with the fix.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { squeezed } from '../../helpers/cli.js';

async function play(tasks: string): Promise<{ code: number; out: string; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-types-'));
  writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n');
  writeFileSync(
    path.join(dir, 'site.yml'),
    `- hosts: all\n  gather_facts: no\n  tasks:\n${tasks.replaceAll('@DIR@', dir)}`,
  );
  let out = '';
  const code = await main(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts')], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      out += t;
    },
    isTTY: false,
  });
  return { code, out, dir };
}

describe('type confusion', () => {
  it('yes/no/on/off/True/False in conditions and boolean keywords mean booleans', async () => {
    const r = await play(
      [
        '    - debug: msg=a',
        '      when: yes',
        '    - debug: msg=b',
        '      when: False',
        '    - command: "true"',
        '      changed_when: no',
        '      ignore_errors: on',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(squeezed(r.out)).toContain('localhost : ok=2 changed=0 unreachable=0 failed=0 skipped=1');
  });

  it('boolean module arguments take yes/no', async () => {
    const r = await play(
      '    - lineinfile: { path: "@DIR@/l", line: x, create: yes }\n    - file: { path: "@DIR@/d", state: directory, recurse: on }\n',
    );
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(r.dir, 'l'), 'utf8')).toBe('x\n');
  });

  it('mode: 0644 unquoted is the octal mode an Ansible author means', async () => {
    const r = await play('    - file: { path: "@DIR@/m", state: touch, mode: 0640 }\n');
    expect(r.code).toBe(0);
    expect(statSync(path.join(r.dir, 'm')).mode & 0o777).toBe(0o640);
  });

  it('mode: 644 (a decimal number) is an error that says how to fix it', async () => {
    const r = await play('    - file: { path: "@DIR@/m", state: touch, mode: 644 }\n');
    expect(r.code).toBe(2);
    expect(r.out).toContain("mode 644 is a number; quote it as '0644'");
  });

  it('a number where a string is expected is written as text', async () => {
    const r = await play('    - copy: { dest: "@DIR@/n", content: 123 }\n');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(r.dir, 'n'), 'utf8')).toBe('123');
  });

  it('an undefined variable in content is an error, never an empty string written to the host', async () => {
    const r = await play('    - copy: { dest: "@DIR@/u", content: "port={{ prot }}\\n" }\n');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/undefined variable 'prot'/);
    expect(() => statSync(path.join(r.dir, 'u'))).toThrow();
  });
});

describe('empty values in templates', () => {
  it('a null variable rendered into text is an error with its position, nothing is written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-null-'));
    writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n');
    writeFileSync(
      path.join(dir, 'site.yml'),
      `- hosts: all\n  gather_facts: no\n  vars:\n    port:\n  tasks:\n    - copy: { dest: "${dir}/cfg", content: "port={{ port }}\\n" }\n`,
    );
    let out = '';
    const code = await main(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts')], {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        out += t;
      },
      isTTY: false,
    });
    expect(code).toBe(2);
    expect(out).toContain(`${path.join(dir, 'site.yml')}:6:`);
    expect(out).toContain('this expression is empty (null)');
    expect(() => statSync(path.join(dir, 'cfg'))).toThrow();
  });
});
