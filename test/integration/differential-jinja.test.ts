/**
 * Jinja2 expressions, Ansible vs bosun (issue 16): a playbook written in
 * Jinja2 (conditions with and / is defined / in, filters, default, inline if,
 * ~, register + .stdout.split()) gives the same results, registered values
 * and files on both.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.156.0.1', slots: 2 });

suite.describe('Jinja2 expressions: Ansible vs bosun', () => {
  suite.case('a playbook written in Jinja2', 'jinja/expressions', {
    compare: {
      files: '/opt/diff',
      registered: { read: ['stdout', 'stdout_lines'], echo: ['stdout', 'changed', 'failed'] },
      command: 'cat /opt/diff/values /opt/diff/conditions',
    },
    check: (r) => {
      for (const side of [r.ansible, r.bosun]) {
        for (const out of Object.values(side.command)) {
          expect(out).toContain("list=[80, 443]\ndict={'tls': True}\n");
          expect(out).toContain('ok WEB\n');
        }
      }
    },
  });
});
