/**
 * git: Ansible's GIT_SSH_COMMAND for the ssh options, its reading of HEAD files and of the tag lines of
 * `git ls-remote`. Clones, updates and check mode are checked for real by the differential case.
 */
import { describe, expect, it } from 'vitest';
import { headSplitter, sshCommand, tagCommit } from '../../../src/modules/git.js';

describe('git', () => {
  it('builds the ssh command as Ansible does', () => {
    const base = { acceptHostkey: false, acceptNewHostkey: false };
    expect(sshCommand(base)).toBe('ssh  -o BatchMode=yes');
    expect(sshCommand({ ...base, acceptHostkey: true })).toBe('ssh  -o StrictHostKeyChecking=no -o BatchMode=yes');
    expect(sshCommand({ ...base, acceptNewHostkey: true, keyFile: '/k' })).toBe(
      'ssh  -o StrictHostKeyChecking=accept-new -o BatchMode=yes  -i /k -o IdentitiesOnly=yes',
    );
    expect(sshCommand({ ...base, sshOpts: '-p 2222' })).toBe('ssh  -p 2222 -o BatchMode=yes');
  });

  it('reads the branch of a HEAD file', () => {
    expect(headSplitter('ref: refs/heads/main\n', 'origin')).toBe('main');
    expect(headSplitter('ref: refs/heads/feature/x\n', 'origin')).toBe('feature/x');
    expect(headSplitter('ref: refs/remotes/origin/main\n', 'origin')).toBe('main');
    expect(headSplitter(null, 'origin')).toBeNull();
  });

  it('takes the commit of an annotated tag', () => {
    const out = 'aaa\trefs/tags/v1\nbbb\trefs/tags/v1a\nccc\trefs/tags/v1a^{}\n';
    expect(tagCommit(out, 'v1')).toBe('aaa');
    expect(tagCommit(out, 'v1a')).toBe('ccc');
  });
});
