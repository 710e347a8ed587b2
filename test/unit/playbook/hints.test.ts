/**
 * Load-time hints (issue 20): "did you mean" for argument names and module
 * names only when the name is a typo away; an unknown module with nothing
 * close says it does not exist and what to do instead.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { suggestName } from '../../../src/util/suggest.js';

async function syntaxCheck(task: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-hints-'));
  const file = path.join(dir, 'site.yml');
  writeFileSync(file, `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ${task}\n`);
  const r = await runCli(['run', file, '--syntax-check']);
  return r.err + r.out;
}

describe('load-time hints', () => {
  it('an argument name a typo away: did you mean (recursive -> recurse)', async () => {
    const out = await syntaxCheck('file: { path: /tmp/d, state: directory, recursive: true }');
    expect(out).toContain("unknown key 'recursive' in arguments of module 'file'");
    expect(out).toContain("hint: did you mean 'recurse'?");
  });

  it('the same with a templated argument beside it (checked before the values are known)', async () => {
    const out = await syntaxCheck('file: { path: "{{ where }}", state: directory, recursive: true }');
    expect(out).toContain("unknown argument 'recursive' for module 'file'");
    expect(out).toContain("hint: did you mean 'recurse'?");
  });

  it('an argument name far from every one: the arguments there are', async () => {
    const out = await syntaxCheck('ping: { zzzzzz: 1 }');
    expect(out).toContain("unknown key 'zzzzzz'");
    expect(out).toContain('hint: expected one of: data');
  });

  it('a module a typo away: did you mean; nothing close: it does not exist, and what to do', async () => {
    expect(await syntaxCheck('cpoy: { src: a, dest: /b }')).toContain("hint: did you mean 'copy'?");
    const none = await syntaxCheck('zypper_repo: { name: x }');
    expect(none).toContain("module 'zypper_repo' does not exist in bosun");
    expect(none).toContain('bosun doc --list');
    expect(none).toContain('library/');
    expect(none).toContain('namespace.collection.module');
    expect(none).not.toContain('did you mean');
  });

  it.each([
    ['cron', ['copy', 'cron'], 'cron'],
    ['crn', ['copy', 'cron'], 'cron'],
    ['cronjob', ['cron', 'copy'], 'cron'],
    ['cron', ['copy'], undefined],
    ['mount', ['copy', 'file'], undefined],
  ])('suggestName(%s, %j) = %s', (name, candidates, expected) => {
    expect(suggestName(name, candidates)).toBe(expected);
  });
});
