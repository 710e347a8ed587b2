/**
 * What real Ansible content (kubespray) needs, Ansible vs bosun (issue 16):
 * the file arguments every file module shares (SELinux context parts and
 * unsafe_writes accepted and, where SELinux is absent, ignored; attributes is
 * refused with a clear message, docs/ansible-differences.md), and role
 * dependencies found beside the role that depends on them, and lazy variables
 * reading an undefined name being undefined themselves.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.188.1.1', slots: 2 });

suite.describe('real content: Ansible vs bosun', () => {
  suite.case('SELinux context parts and unsafe_writes are accepted and ignored', 'modules/selinux-args', {
    compare: { files: '/opt/diff', command: 'cat /opt/diff/t.txt /opt/diff/c.txt' },
    check: (r) => {
      expect(r.bosun.recap['h1']?.['changed']).toBe(4);
      expect(Object.values(r.bosun.command)).toEqual(['hello h1\nx\ny\n']);
    },
  });

  suite.case('a role dependency is found beside the role that depends on it', 'meta/role-dep-basedir', {
    compare: { registered: { 'suite/app : app task': ['msg'], 'app/sub : sub result': ['sub_seen'] } },
    check: (r) => {
      expect(r.bosun.registered['app/sub : sub result']?.['h1']).toEqual([
        { sub_seen: 'app/sub from-app sub-default' },
      ]);
    },
  });

  suite.case(
    'a variable reading an undefined name is undefined; ansible_facts is {} before gathering',
    'jinja/lazy-undefined',
    {
      compare: { registered: { defaults: ['msg'], 'facts before gathering': ['msg'], used: ['failed'] } },
      check: (r) => {
        expect(r.bosun.registered['defaults']?.['h1']).toEqual([{ msg: 'dflt False n-dflt amd64' }]);
      },
    },
  );

  suite.case('with_first_found over a term reading an undefined name fails the task', 'loops/first-found-undefined', {
    compare: { registered: { 'include the first file found': ['failed'], 'nothing renders': ['failed'] } },
  });

  suite.case('pause with a prompt does not wait for an answer without an interactive stdin', 'modules/pause-prompt', {
    compare: {
      registered: { confirm: ['user_input', 'echo', 'delta'], 'bare pause': ['user_input'], answer: ['msg'] },
    },
    check: (r) => {
      // Ansible prints its warning (display.warning); bosun registers it with the result and prints it.
      expect(r.ansible.warnings.filter((w) => w.includes('Not waiting for response to prompt'))).toHaveLength(2);
      expect(r.bosun.stdout).toMatch(/Not waiting for response to prompt as stdin is not interactive/);
    },
  });
});
