/**
 * Jinja2 expressions, Ansible vs bosun (issue 16): a playbook written in
 * Jinja2 (conditions with and / is defined / in, filters, default, inline if,
 * ~, register + .stdout.split()) gives the same results, registered values
 * and files on both.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.156.0.1', slots: 4 });

suite.describe('Jinja2 expressions and template files: Ansible vs bosun', () => {
  suite.case('template files written in Jinja2, rendered twice', 'jinja/templates', {
    hosts: 2,
    compare: {
      files: '/opt/diff',
      registered: {
        'config.toml': ['changed', 'failed', 'checksum', 'size', 'mode'],
        'hosts.toml per registry': ['results[].changed', 'results[].checksum', 'results[].mode'],
        'users with macros and include': ['changed', 'checksum', 'size'],
        'config.toml again': ['changed', 'checksum'],
        'users again': ['changed', 'checksum'],
        'check mode over a changed template': ['changed', 'failed'],
      },
      command: 'cd /opt/diff && cat config.toml certs.d/*/hosts.toml etc/*',
    },
    check: (r) => {
      for (const side of [r.ansible, r.bosun]) {
        expect(side.recap['h1']).toMatchObject({ changed: 10, failed: 0 });
        for (const out of Object.values(side.command)) expect(out).toContain('admins = alice\n');
      }
    },
  });

  suite.case('omit leaves a module argument out, at the top and below', 'jinja/omit', {
    compare: {
      files: '/opt/diff',
      registered: {
        'copy with omitted arguments': ['changed', 'mode', 'checksum'],
        'command with an omitted chdir': ['stdout'],
        'debug with msg omitted': ['msg'],
      },
    },
  });
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
