/**
 * A command on a real pseudo-terminal, through `script` (util-linux): what
 * a person at a terminal sees, and answers typed as questions appear.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Why pty tests cannot run here, or undefined. */
export const ptySkip: string | undefined = existsSync('/usr/bin/script') ? undefined : "needs 'script' (util-linux)";

/**
 * Run `command` (a shell line) on a pty 120 columns wide; each time `question` has appeared once more in the
 * output, type the next answer and Enter. Resolves to everything the terminal showed.
 */
export function onTerminal(
  command: string,
  question: RegExp,
  answers: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 60_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `stty cols 120; ${command}`, '/dev/null'], {
      env: { ...env, NO_COLOR: '1' },
    });
    let out = '';
    let asked = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far:\n${out}`));
    }, timeoutMs);
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

/**
 * The lines a terminal shows at the end: control sequences removed, and of a line redrawn with `\r` only
 * what was written last (the live line, cleared and written over).
 */
export function screenLines(out: string): string[] {
  return (
    out
      .replace(/\r\n/g, '\n')
      // eslint-disable-next-line no-control-regex -- the terminal's escapes (ESC [ ... letter) are what is removed
      .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
      .split('\n')
      .map((line) => line.split('\r').pop()!)
  );
}

/** A --step question as typed at (not its banner): `Perform task: TASK: one (N)o/(y)es/(c)ontinue: ` then no star. */
export const STEP_QUESTION = /\(N\)o\/\(y\)es\/\(c\)ontinue: (?!\*)/g;

/** The step questions asked, in order (`TASK: one`, `HANDLER: h`), from the screen's lines. */
export function stepQuestions(lines: string[]): string[] {
  return lines.flatMap((l) => {
    const m = /^Perform task: (.*?) \(N\)o\/\(y\)es\/\(c\)ontinue: (?!\*)/.exec(l);
    return m ? [m[1]!] : [];
  });
}

/** The banners of step questions that were answered (Ansible prints the question again as a banner). */
export function stepBanners(lines: string[]): string[] {
  return lines.flatMap((l) => {
    const m = /^Perform task: (.*?) \(N\)o\/\(y\)es\/\(c\)ontinue: \*+$/.exec(l);
    return m ? [m[1]!] : [];
  });
}

/** The TASK and RUNNING HANDLER banners, in order (`TASK [one]`). */
export function taskBanners(lines: string[]): string[] {
  return lines.flatMap((l) => {
    const m = /^((?:TASK|RUNNING HANDLER) \[.*\]) \*+$/.exec(l);
    return m ? [m[1]!] : [];
  });
}
