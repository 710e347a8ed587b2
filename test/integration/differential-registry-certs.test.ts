/**
 * registry_auths' certsPath (roles/download/tasks/registry-certs.yml, shared by the runtime roles, and
 * containerd's hosts.toml), Ansible vs bosun: the same files, results and registered values on sandbox
 * hosts (127.197.1.x); a missing certsPath is refused at the same task by both.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.197.1.1', slots: 2 });
const SETUP =
  'mkdir -p /opt/diff/src/reg /opt/diff/src/tls && cd /opt/diff/src && ' +
  'echo ca > reg/ca.crt && echo cert > reg/client.cert && echo key > reg/client.key && chmod 600 reg/client.key && ' +
  'echo ca2 > tls/extra.crt && echo c > tls/a.cert && echo k > tls/a.key && echo c > tls/b.cert && echo k > tls/b.key && ' +
  // A folder an earlier run copied into (marked) whose registry is gone, and a stale file in a kept one.
  'mkdir -p /opt/diff/certs.d/gone.example.com /opt/diff/certs.d/tls-only.example.com && ' +
  'touch /opt/diff/certs.d/gone.example.com/.bosun-managed /opt/diff/certs.d/tls-only.example.com/.bosun-managed && ' +
  'echo old > /opt/diff/certs.d/tls-only.example.com/old.crt';
const COPY = "TLS files of the registries (copied from certsPath into the runtime's certs.d)";

suite.describe("The runtime roles' certsPath tasks: Ansible vs bosun", () => {
  suite.case('copies, markers, clean-up and hosts.toml, twice', 'registry-certs', {
    setup: SETUP,
    compare: {
      files: '/opt/diff',
      registered: {
        [COPY]: ['results[].changed', 'results[].dest', 'results[].mode'],
        'hosts.toml per registry': ['results[].changed', 'results[].checksum'],
      },
      command: 'cd /opt/diff && cat hosts-*.toml && find certs.d -type f | sort',
    },
    check: (r) => {
      for (const side of [r.ansible, r.bosun]) {
        for (const out of Object.values(side.command)) {
          expect(out).toContain('ca = ["/opt/diff/src/reg/ca.crt"]');
          expect(out).toContain(
            'client = [["/opt/diff/src/tls/a.cert", "/opt/diff/src/tls/a.key"], ["/opt/diff/src/tls/b.cert", "/opt/diff/src/tls/b.key"]]',
          );
          expect(out).toContain('certs.d/reg.local:5000/client.key');
          expect(out).not.toContain('gone.example.com');
          expect(out).not.toContain('old.crt');
        }
      }
    },
  });

  suite.case('a certsPath that is no folder is refused', 'registry-certs', {
    setup: SETUP,
    extraArgs: ['-e', JSON.stringify({ registry_auths: { 'reg.local:5000': { certsPath: '/opt/diff/missing' } } })],
    compare: { files: '/opt/diff' },
  });
});
