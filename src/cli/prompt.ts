/**
 * Questions on the terminal: yes/no, a secret without echo, --step's choice.
 */
import type { Interface } from 'node:readline';
import { BosunError } from '../errors.js';
import { stepAnswer, stepQuestion, type StepAnswer } from '../executor/step.js';
import type { CliIO } from './context.js';

/**
 * One reader of stdin's lines for every question of a run: a reader per
 * question would take the lines piped for the next questions with it (the
 * third --step answer was never read). stdin is read only while a question
 * waits, so it never keeps the process alive. undefined: stdin has ended.
 */
class LineReader {
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private closed = false;
  private readonly rl: Interface;

  constructor(createInterface: (o: { input: NodeJS.ReadableStream; terminal: boolean }) => Interface) {
    this.rl = createInterface({ input: process.stdin, terminal: false });
    this.rl.on('line', (line) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (w) w(line);
      else this.lines.push(line);
      // The answer's continuation runs later: stop reading until the next question asks.
      this.rl.pause();
    });
    this.rl.on('close', () => {
      this.closed = true;
      const w = this.waiting;
      this.waiting = undefined;
      w?.(undefined);
    });
  }

  next(): Promise<string | undefined> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.rl.resume();
    });
  }
}

let reader: LineReader | undefined;
/** What a question does first: the live line (src/reporters/progress.ts) steps aside, not to erase the question. */
let beforeQuestion: (() => void) | undefined;

/** Register what clears the terminal's live line before each question (buildReporters does). */
export function setBeforeQuestion(fn: (() => void) | undefined): void {
  beforeQuestion = fn;
}

/** The question being asked: hosts of a `strategy: free` play ask at once, and each question waits for the one before. */
let asking: Promise<unknown> = Promise.resolve();

/** Ask `question` on stderr (after stdout's pending output, so it comes after the lines it is about) and read one line. */
function ask(question: string, io: CliIO): Promise<string | undefined> {
  const turn = asking.then(() => askNow(question, io));
  asking = turn.catch(() => undefined);
  return turn;
}

async function askNow(question: string, io: CliIO): Promise<string | undefined> {
  beforeQuestion?.();
  if (!reader) {
    const { createInterface } = await import('node:readline');
    reader = new LineReader(createInterface);
  }
  io.err(question);
  const answer = await reader.next();
  // A piped answer is not echoed by a terminal: end the question's line.
  if (answer === undefined || !process.stdin.isTTY) io.err('\n');
  return answer;
}

/** A yes/no question on the terminal (default no). */
export async function askYes(question: string, io: CliIO): Promise<boolean> {
  return /^y(es)?$/i.test((await ask(question, io))?.trim() ?? '');
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

/** --step: ask before a task as ansible-playbook asks; its reading of the answer (anything but y or c, and the end of stdin, is no). */
export async function askStep(title: string, host: string | undefined, io: CliIO): Promise<StepAnswer> {
  return stepAnswer(await ask(stepQuestion(title, host), io));
}
