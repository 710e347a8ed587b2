/**
 * --step and --confirm on a real pseudo-terminal (`script` from util-linux,
 * test/helpers/pty.ts), against the built CLI (`npm run build`), each answer
 * typed only once its question is on the screen (issue 20): the question
 * comes after the PLAY banner and the lines it is about, the live line
 * steps aside while it waits (no spinner after the question), every task,
 * include and handler is asked as Ansible asks (Gathering Facts included),
 * the answered question is printed again as a banner; piped answers are all
 * read (the third one was lost), an answer other than y or c skips the task
 * without asking again, `strategy: free` asks per host; --confirm asks
 * after the plan's recap and summary. differential-step.test.ts compares
 * the questions with ansible-playbook's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onTerminal, ptySkip, screenLines, STEP_QUESTION, stepBanners, stepQuestions } from '../helpers/pty.js';

const BUILT = path.resolve('dist/cli/prompt.js');
const fresh = existsSync(BUILT) && statSync(BUILT).mtimeMs >= statSync(path.resolve('src/cli/prompt.ts')).mtimeMs;
const skip = ptySkip ?? (!fresh ? 'needs a current build: npm run build' : undefined);
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-prompts-'));
writeFileSync(path.join(dir, 'inv.ini'), 'localhost ansible_connection=local\n');
writeFileSync(path.join(dir, 'two.ini'), 'a ansible_connection=local\nb ansible_connection=local\n');
const playbook = path.join(dir, 'step.yml');
writeFileSync(
  playbook,
  [
    '- hosts: all',
    '  gather_facts: true',
    '  tasks:',
    '    - name: one',
    '      command: sleep 0.8',
    '      notify: the handler',
    '    - name: two',
    '      debug: { msg: two }',
    '    - name: three',
    '      copy: { content: "x\\n", dest: "{{ three }}" }',
    '  handlers:',
    '    - name: the handler',
    '      debug: { msg: handled }',
    '',
  ].join('\n'),
);
const free = path.join(dir, 'free.yml');
writeFileSync(
  free,
  '- hosts: all\n  gather_facts: false\n  strategy: free\n  tasks:\n    - name: one\n      debug: { msg: one }\n',
);
const bosun = (args: string): string =>
  `node ${path.resolve('bin/bosun.js')} run -i ${path.join(dir, 'inv.ini')} ${playbook} -e three=${dir}/three ${args}`;

describe.skipIf(skip !== undefined)(`--step and --confirm on a terminal${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  it('--step: every task and handler asked, after the banner, the live line gone while asking; answers honoured', async () => {
    const out = await onTerminal(bosun('--step'), STEP_QUESTION, ['y', 'y', 'n', 'y', 'y']);
    const lines = screenLines(out);
    const asked = ['TASK: Gathering Facts', 'TASK: one', 'TASK: two', 'TASK: three', 'HANDLER: the handler'];
    expect(stepQuestions(lines)).toEqual(asked);
    // Each answered question again as a banner, as ansible-playbook prints it.
    expect(stepBanners(lines)).toEqual(asked);
    expect(out.indexOf('PLAY [all]')).toBeLessThan(out.indexOf('Perform task:'));
    // From each question to its typed answer, the live line does not come back.
    for (const m of out.matchAll(/Perform task: [^\n]*/g)) expect(m[0]).not.toMatch(SPINNER);
    expect(out).toContain('TASK [one]');
    expect(out).not.toContain('TASK [two]');
    expect(out).toContain('TASK [three]');
    expect(out).toContain('RUNNING HANDLER [the handler]');
    expect(existsSync(path.join(dir, 'three'))).toBe(true);
    expect(out).toMatch(/localhost +: ok=4 +changed=2 /);
  });

  it('--step: an answer other than y or c skips the task and is not asked again (as Ansible); c runs the rest', () => {
    const out = execFileSync('sh', ['-c', `printf 'y\\nwhat\\nc\\n' | ${bosun('--step')} 2>&1`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stepQuestions(screenLines(out))).toEqual(['TASK: Gathering Facts', 'TASK: one', 'TASK: two']);
    expect(out).not.toContain('TASK [one]');
    expect(out).toContain('TASK [two]');
    expect(out).toContain('TASK [three]');
    expect(out).not.toContain('RUNNING HANDLER');
  });

  it('--step under strategy free: asked per host ("on HOST"), one question at a time', () => {
    const out = execFileSync(
      'sh',
      ['-c', `printf 'y\\nn\\n' | node ${path.resolve('bin/bosun.js')} run -i ${dir}/two.ini ${free} --step 2>&1`],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(stepQuestions(screenLines(out))).toEqual(['TASK: one on a', 'TASK: one on b']);
    expect(out).toMatch(/ok: \[a\]/);
    expect(out).not.toMatch(/ok: \[b\]/);
  });

  it('--step with piped answers: every answer is read, also the third and fourth', () => {
    const out = execFileSync('sh', ['-c', `printf 'y\\nn\\nn\\ny\\n' | ${bosun('--step')} 2>&1`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(stepQuestions(screenLines(out))).toEqual(['TASK: Gathering Facts', 'TASK: one', 'TASK: two', 'TASK: three']);
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
