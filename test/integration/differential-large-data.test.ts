/**
 * Streamed copies and large command output, Ansible vs bosun: a controller
 * file of several SFTP requests copied and then found up to date, and a
 * command printing 3 MB registered whole; same results, registered values,
 * recap and files.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.151.100.1', slots: 2 });

suite.describe('large data: Ansible vs bosun', () => {
  suite.case('a controller file copied twice, a command printing 3 MB', 'large-data/copy-and-output', {
    compare: {
      registered: {
        'copy a controller file': ['changed', 'checksum', 'size', 'dest', 'mode'],
        'copy it again': ['changed', 'checksum', 'size'],
        'print 3 MB': ['rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines'],
      },
      files: '/opt/diff',
    },
  });
});
