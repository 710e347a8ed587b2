/**
 * Questions on the terminal: yes/no, a secret without echo, --step's choice.
 */
import { BosunError } from '../errors.js';
import type { CliIO } from './context.js';

/** A yes/no question on the terminal (default no). */
export async function askYes(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Read a secret from the terminal without echoing it. */
export async function askSecret(prompt: string, io: CliIO): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new BosunError('BAD_OPTION', '--ask-become-pass needs a terminal', {
      hint: 'set BOSUN_BECOME_PASSWORD or ansible_become_password instead',
    });
  }
  const { createInterface } = await import('node:readline');
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    io.err(prompt);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      io.err('\n');
      resolve(answer);
    });
  });
}

/** --step: ask on the terminal before a task. */
export async function askStep(task: string, io: CliIO): Promise<'yes' | 'no' | 'continue'> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const answer = (await rl.question(`Perform task: TASK: ${task} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return 'yes';
      if (answer === 'c' || answer === 'continue') return 'continue';
      if (answer === '' || answer === 'n' || answer === 'no') return 'no';
      io.err('answer y, n or c\n');
    }
  } finally {
    rl.close();
  }
}
