import { describe, expect, it } from 'vitest';
import { stripNewlines } from '../../../../src/modules/lib/run-command.js';

describe('stripNewlines (strip_empty_ends)', () => {
  it.each([
    ['', ''],
    ['a', 'a'],
    ['a\n', 'a'],
    ['a\r\n\n\r', 'a'],
    ['\n\n', ''],
    ['a\n\nb\n', 'a\n\nb'],
    [' a \n', ' a '],
  ])('%j -> %j', (text, want) => {
    expect(stripNewlines(text)).toBe(want);
  });

  it('takes linear time on many newlines followed by text (the regex it replaces backtracked quadratically)', () => {
    const text = `${'\n'.repeat(2_000_000)}x`;
    const started = Date.now();
    expect(stripNewlines(text)).toBe(text);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
