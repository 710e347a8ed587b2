/**
 * The files a run writes when it ends (--retry-file, --report, --log) are
 * checked before it starts: a folder that does not exist, a path that is a
 * folder, or a place the user may not write is a BAD_OPTION error naming
 * the option and the path (exit 5), and no task runs.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputFile } from '../../../src/cli/output-paths.js';
import { BosunError } from '../../../src/errors.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let marker: string;
let playbook: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bosun-outpaths-'));
  marker = path.join(dir, 'MARKER');
  playbook = path.join(dir, 'site.yml');
  writeFileSync(
    playbook,
    `- hosts: localhost
  gather_facts: false
  tasks:
    - name: leave a marker
      copy:
        dest: ${JSON.stringify(marker)}
        content: ran
`,
  );
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('output files of a run', () => {
  it.each(['--retry-file', '--report', '--log'])(
    '%s in a folder that does not exist: exit 5 before any task',
    async (flag) => {
      const target = path.join(dir, 'no-such-folder', 'out.txt');
      const run = await runCli(['run', playbook, flag, target]);
      expect(run.code).toBe(5);
      expect(run.err).toContain(flag);
      expect(run.err).toContain(target);
      expect(run.err).toMatch(/does not exist/);
      expect(run.out).not.toContain('PLAY');
      expect(existsSync(marker)).toBe(false);
    },
  );

  it('a path that is a folder, and a folder that is a file, are refused by name', async () => {
    const asFolder = await runCli(['run', playbook, '--report', dir]);
    expect(asFolder.code).toBe(5);
    expect(asFolder.err).toContain(`--report ${dir}`);
    expect(asFolder.err).toMatch(/is a folder/);

    const file = path.join(dir, 'plain');
    writeFileSync(file, '');
    const underFile = await runCli(['run', playbook, '--retry-file', path.join(file, 'retry')]);
    expect(underFile.code).toBe(5);
    expect(underFile.err).toMatch(/--retry-file .*plain\/retry: .*plain is not a folder/);
    expect(existsSync(marker)).toBe(false);
  });

  it('a good path runs as before', async () => {
    const retry = path.join(dir, 'retry');
    const run = await runCli(['run', playbook, '--retry-file', retry]);
    expect(run.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(retry)).toBe(true);
  });

  it('a folder or file the user may not write is refused, and the check leaves nothing behind', () => {
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    const existing = path.join(dir, 'existing');
    writeFileSync(existing, 'keep');
    chmodSync(dir, 0o755);
    chmodSync(locked, 0o555);
    chmodSync(existing, 0o444);
    const asRoot = process.getuid?.() === 0;
    // root may write anywhere: check as another user (the effective uid is what open() uses)
    if (asRoot) process.seteuid!(65534);
    try {
      expect(() => checkOutputFile('--retry-file', path.join(locked, 'retry'))).toThrow(BosunError);
      expect(() => checkOutputFile('--retry-file', path.join(locked, 'retry'))).toThrow(
        /--retry-file .*locked\/retry: cannot create files in the folder .*locked \(permission denied\)/,
      );
      expect(() => checkOutputFile('--report', existing)).toThrow(
        /--report .*existing: cannot write it \(permission denied\)/,
      );
    } finally {
      if (asRoot) process.seteuid!(0);
    }
    chmodSync(locked, 0o755);
    checkOutputFile('--retry-file', path.join(locked, 'retry'));
    expect(existsSync(path.join(locked, 'retry'))).toBe(false);
    expect(readdirSync(locked)).toEqual([]);
  });
});
