/**
 * The live line on a real pseudo-terminal (`script`), against the built CLI
 * (`npm run build`; `npm ci` builds it): redrawn in place with hosts
 * done/total, changed/failed and the elapsed time, per-host lines above it;
 * and not a single control sequence when stdout is a pipe.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BUILT = path.resolve('dist/cli/run-output-options.js');
const fresh =
  existsSync(BUILT) && statSync(BUILT).mtimeMs >= statSync(path.resolve('src/cli/run-output-options.ts')).mtimeMs;
const skip = !existsSync('/usr/bin/script')
  ? "needs 'script' (util-linux)"
  : !fresh
    ? 'needs a current build: npm run build'
    : undefined;

describe.skipIf(skip !== undefined)(`the live line on a terminal${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-tty-'));
  const playbook = path.join(dir, 'slow.yml');
  writeFileSync(
    playbook,
    '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: sleep 1.2\n    - debug: { msg: hi }\n',
  );
  const bosun = `node ${path.resolve('bin/bosun.js')} run ${playbook}`;

  it('draws and redraws the line on a TTY, with the host lines above it', () => {
    const typescript = path.join(dir, 'tty.out');
    execFileSync('script', ['-qfec', `stty cols 100; ${bosun}`, typescript], {
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const out = execFileSync('cat', [typescript], { encoding: 'utf8' });
    expect(out).toContain('\r\x1b[2K');
    expect(out).toMatch(/command {2}0\/1 hosts {2}changed 0 {2}failed 0 {2}1\.\ds/);
    /* eslint-disable no-control-regex -- the terminal output is matched by its ANSI escapes (ESC [) on purpose */
    expect(out).toMatch(/\x1b\[2Kchanged: \[localhost\]\r?\n/);
    expect(out).not.toMatch(/\x1b\[3\dm/);
    // The recap comes after the line was cleared for good.
    expect(out).toMatch(/\x1b\[2K\r?\nPLAY RECAP/);
    /* eslint-enable no-control-regex */
  });

  it('prints no control sequence at all when stdout is not a TTY', () => {
    const out = execFileSync('sh', ['-c', `${bosun} | cat`], { encoding: 'utf8' });
    expect(out).toContain('changed: [localhost]');
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\r');
  });
});
