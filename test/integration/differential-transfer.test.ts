/**
 * File transfers, Ansible vs bosun: the same playbook on both, same results,
 * registered values, recap and files, or a documented difference.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.155.0.1', slots: 2 });

suite.describe('file transfers: Ansible vs bosun', () => {
  // Ansible falls back from sftp to scp to `dd` through the shell (two warnings); bosun fails the transfer and says
  // which login script to fix (docs/ansible-differences.md). Both keep the host reachable for commands.
  suite.case('a login script that prints breaks SFTP', 'transfer/noisy-login', {
    setup: "sed -i '1i echo Welcome to this host' /root/.bashrc",
    compare: {
      registered: { 'commands still work': ['stdout', 'rc'] },
      error: {
        ansible: /sftp transfer mechanism failed/,
        bosun: /the login shell printed \\?"Welc\.\.\.\\?" before the SFTP server started/,
      },
      differs: {
        why: 'bosun does not fall back from SFTP to dd through the shell',
        ansible: {
          recap: { h1: { ok: 3, changed: 3, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 } },
          results: ['make the folder|h1|changed', 'copy over sftp|h1|changed', 'commands still work|h1|changed'],
        },
        bosun: {
          recap: { h1: { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 1 } },
          results: [
            'make the folder|h1|changed',
            'copy over sftp|h1|failed (ignored)',
            'commands still work|h1|changed',
          ],
        },
      },
    },
  });
});
