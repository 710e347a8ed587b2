/** --step's question and its reading of answers, as ansible-playbook's StrategyBase._take_step. */
import { describe, expect, it } from 'vitest';
import { stepAnswer, stepQuestion } from '../../../src/executor/step.js';

describe('stepQuestion', () => {
  it.each([
    ['TASK: one', undefined, 'Perform task: TASK: one (N)o/(y)es/(c)ontinue: '],
    ['HANDLER: restart', undefined, 'Perform task: HANDLER: restart (N)o/(y)es/(c)ontinue: '],
    ['TASK: one', 'web1', 'Perform task: TASK: one on web1 (N)o/(y)es/(c)ontinue: '],
  ])('%s (host %s)', (title, host, question) => {
    expect(stepQuestion(title, host)).toBe(question);
  });
});

describe('stepAnswer', () => {
  it.each([
    ['y', 'yes'],
    ['Yes', 'yes'],
    ['YES\r', 'yes'],
    ['c', 'continue'],
    ['Continue', 'continue'],
    ['n', 'no'],
    ['', 'no'],
    ['what', 'no'],
    ['yy', 'no'],
    [undefined, 'no'],
  ] as const)('%j is %s', (text, answer) => {
    expect(stepAnswer(text)).toBe(answer);
  });
});
