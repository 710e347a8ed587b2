/**
 * The runtime roles' Jinja2 templates for registries, credentials, proxies
 * and limits (issue 19 items 6, 8, 9), Ansible vs bosun: the same files,
 * byte for byte, and the same registered results, on sandbox hosts.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.172.1.1', slots: 2 });

suite.describe("The runtime roles' registry templates: Ansible vs bosun", () => {
  suite.case('hosts.toml, containers-auth.json and the drop-ins, rendered twice', 'registries', {
    compare: {
      files: '/opt/diff',
      registered: {
        'hosts.toml per registry': ['results[].changed', 'results[].checksum', 'results[].mode'],
        'containers-auth.json': ['changed', 'checksum', 'mode'],
        'proxy drop-in': ['changed', 'checksum'],
        'limits drop-in': ['changed', 'checksum'],
        'hosts.toml again': ['results[].changed', 'results[].checksum'],
      },
      command: 'cd /opt/diff && cat certs.d/*/hosts.toml auth.json proxy.conf limits.conf',
    },
    check: (r) => {
      for (const side of [r.ansible, r.bosun]) {
        for (const out of Object.values(side.command)) {
          expect(out).toContain('authorization = "Basic cHVsbGVyOkRpZmYtczNjcmV0IQ=="');
          expect(out).toContain('override_path = true');
          expect(out).toContain('Environment="HTTP_PROXY=http://proxy.example.com:3128"');
          expect(out).toContain('LimitNOFILE=65536');
        }
      }
    },
  });
});
