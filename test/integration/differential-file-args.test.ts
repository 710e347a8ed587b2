/**
 * The file arguments every file module shares, Ansible vs bosun (issue 16):
 * SELinux context parts (setype, seuser, serole, selevel) and unsafe_writes
 * are accepted and, where SELinux is absent, ignored; the files and changed
 * counts are Ansible's. attributes (chattr flags) is refused with a clear
 * message (docs/ansible-differences.md).
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.188.1.1', slots: 2 });

suite.describe('shared file arguments: Ansible vs bosun', () => {
  suite.case('SELinux context parts and unsafe_writes are accepted and ignored', 'modules/selinux-args', {
    compare: { files: '/opt/diff', command: 'cat /opt/diff/t.txt /opt/diff/c.txt' },
    check: (r) => {
      expect(r.bosun.recap['h1']?.['changed']).toBe(4);
      expect(Object.values(r.bosun.command)).toEqual(['hello h1\nx\ny\n']);
    },
  });
});
