/**
 * Unsafe data, Ansible vs bosun (issue 15): target output holding template
 * text goes through register, set_fact, a loop, hostvars and `!unsafe`, and is
 * written back with copy; both tools must leave the same files, braces and all.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.140.1.1', slots: 4 });
const EVIL = 'pw={{ secret_var }} tok={{ hostvars.h2.token }}';

suite.describe('text from a target is never a template: Ansible vs bosun', () => {
  suite.case('register, set_fact, loop, hostvars and !unsafe written back', 'unsafe/register-copy', {
    hosts: 2,
    setup: `mkdir -p /opt/src && printf '%s\\n' '${EVIL}' > /opt/src/evil.txt`,
    compare: {
      files: '/opt/diff',
      command:
        'cat /opt/diff/from-register /opt/diff/from-set-fact /opt/diff/from-loop /opt/diff/from-hostvars /opt/diff/from-unsafe',
    },
    check: (r) => {
      for (const side of [r.ansible, r.bosun]) {
        for (const out of Object.values(side.command)) {
          expect(out).toBe(`${EVIL}\n${EVIL}\n${EVIL}\n${EVIL}\n{{ secret_var }}\n`);
        }
      }
    },
  });
});
