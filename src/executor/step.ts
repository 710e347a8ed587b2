/**
 * `--step`: the question asked before a task, an include or a handler, in
 * ansible-playbook's words (StrategyBase._take_step), and the answers.
 */

/** An answer to a step question: run it, skip it, or run it and every later one without asking. */
export type StepAnswer = 'yes' | 'no' | 'continue';

/**
 * What --step calls before a task: `title` is Ansible's `TASK: name` or
 * `HANDLER: name` (the name as written, not rendered); `host` is given
 * under `strategy: free`, which asks per host.
 */
export type ConfirmStep = (title: string, host?: string) => Promise<StepAnswer>;

/** The question's text: `Perform task: TASK: one (N)o/(y)es/(c)ontinue: ` (with `on HOST ` under strategy free). */
export function stepQuestion(title: string, host?: string): string {
  return `Perform task: ${title} ${host === undefined ? '' : `on ${host} `}(N)o/(y)es/(c)ontinue: `;
}

/** Ansible's reading of an answer: y/yes runs, c/continue runs and stops asking, anything else (empty included) skips. */
export function stepAnswer(text: string | undefined): StepAnswer {
  const t = (text ?? '').trim().toLowerCase();
  if (t === 'y' || t === 'yes') return 'yes';
  if (t === 'c' || t === 'continue') return 'continue';
  return 'no';
}
