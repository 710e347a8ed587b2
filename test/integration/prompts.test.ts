/**
 * --step and --confirm on a real pseudo-terminal (`script` from util-linux),
 * against the built CLI (`npm run build`), each answer typed only once its
 * question is on the screen (issue 20): the question comes after the PLAY
 * banner and the lines it is about, the live line steps aside while it waits
 * (no spinner after the question), Gathering Facts is asked as Ansible asks;
 * piped answers are all read (the third one was lost); --confirm asks after
 * the plan's recap and summary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BUILT = path.resolve('dist/cli/prompt.js');
const fresh = existsSync(BUILT) && statSync(BUILT).mtimeMs >= statSync(path.resolve('src/cli/prompt.ts')).mtimeMs;
const skip = !existsSync('/usr/bin/script')
  ? "needs 'script' (util-linux)"
  : !fresh
    ? 'needs a current build: npm run build'
    : undefined;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-prompts-'));
writeFileSync(path.join(dir, 'inv.ini'), 'localhost ansible_connection=local\n');
const playbook = path.join(dir, 'step.yml');
writeFileSync(
  playbook,
  [
    '- hosts: all',
    '  gather_facts: true',
    '  tasks:',
    '    - name: one',
    '      command: sleep 0.8',
    '    - name: two',
    '      debug: { msg: two }',
    '    - name: three',
    '      copy: { content: "x\\n", dest: "{{ three }}" }',
    '',
  ].join('\n'),
);
const bosun = (args: string): string =>
  `node ${path.resolve('bin/bosun.js')} run -i ${path.join(dir, 'inv.ini')} ${playbook} -e three=${dir}/three ${args}`;

/** Run `command` on a pty; each time `question` has appeared once more, type the next answer. */
function onTerminal(command: string, question: RegExp, answers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `stty cols 120; ${command}`, '/dev/null'], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    let asked = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far:\n${out}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const seen = out.split(question).length - 1;
      while (asked < seen && asked < answers.length) child.stdin.write(`${answers[asked++]!}\n`);
    });
    child.on('close', () => {
      clearTimeout(timer);
      child.stdin.end();
      resolve(out);
    });
  });
}

describe.skipIf(skip !== undefined)(`--step and --confirm on a terminal${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  it('--step: every task asked, after the banner, the live line gone while asking; answers honoured', async () => {
    const out = await onTerminal(bosun('--step'), /\(N\)o\/\(y\)es\/\(c\)ontinue: /g, ['y', 'y', 'n', 'y']);
    const questions = [...out.matchAll(/Perform task: TASK: ([^(]+) \(N\)o/g)].map((m) => m[1]);
    expect(questions).toEqual(['Gathering Facts', 'one', 'two', 'three']);
    expect(out.indexOf('PLAY [all]')).toBeLessThan(out.indexOf('Perform task:'));
    // From each question to its typed answer, the live line does not come back.
    for (const m of out.matchAll(/Perform task: TASK: [^\n]*/g)) expect(m[0]).not.toMatch(SPINNER);
    expect(out).toContain('TASK [one]');
    expect(out).not.toContain('TASK [two]');
    expect(out).toContain('TASK [three]');
    expect(existsSync(path.join(dir, 'three'))).toBe(true);
    expect(out).toMatch(/localhost +: ok=3 +changed=2 /);
  });

  it('--step with piped answers: every answer is read, also the third and fourth', () => {
    const out = execFileSync('sh', ['-c', `printf 'y\\nn\\nn\\ny\\n' | ${bosun('--step')} 2>&1`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([...out.matchAll(/Perform task: TASK: ([^(]+) \(N\)o/g)].map((m) => m[1])).toEqual([
      'Gathering Facts',
      'one',
      'two',
      'three',
    ]);
    expect(out).not.toContain('TASK [one]');
    expect(out).toContain('TASK [three]');
    expect(out).not.toContain('interrupted');
  });

  it('--confirm: the plan, its recap and summary, then the question; y applies', async () => {
    const out = await onTerminal(bosun(`--confirm -e three=${dir}/confirmed`), /Apply these changes\? \[y\/N\] /g, [
      'y',
    ]);
    const question = out.indexOf('Apply these changes?');
    expect(question).toBeGreaterThan(0);
    expect(out.indexOf('PLAN (check mode')).toBeLessThan(out.indexOf('PLAY RECAP'));
    expect(out.indexOf('PLAY RECAP')).toBeLessThan(question);
    expect(out.slice(0, question)).toMatch(/\d+ change\(s\) on 1 host\(s\): localhost\s*\r?\n$/);
    expect(out.slice(question)).toContain('APPLY');
    expect(existsSync(path.join(dir, 'confirmed'))).toBe(true);
  });
});
