/**
 * Modules of issue 17 (ping, raw, tempfile, find, getent, ini_file,
 * authorized_key, cron, hostname), Ansible vs bosun: the same playbook on
 * both, same results, recap, files and the registered keys roles read.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.157.0.1', slots: 2 });

suite.describe('modules: Ansible vs bosun', () => {
  suite.case('ping: pong, data, data=crash, check mode', 'modules/ping', {
    compare: {
      registered: {
        ping: ['ping', 'changed', 'failed'],
        'ping with data': ['ping', 'changed'],
        'ping crash': ['failed', 'changed', 'msg', 'ping'],
        'ping in check mode': ['ping', 'changed', 'skipped'],
      },
    },
  });

  // Ansible runs raw with a terminal: its stdout ends lines in \r\n (docs/ansible-differences.md), so stdout_lines.
  suite.case('raw: as given, failing, executable, check mode, a file', 'modules/raw', {
    compare: {
      files: '/opt/diff',
      registered: {
        'raw echo': ['rc', 'stdout_lines', 'changed', 'failed'],
        'raw fails': ['rc', 'stdout_lines', 'changed', 'failed', 'msg'],
        'raw with an executable': ['rc', 'stdout_lines', 'changed'],
        'raw in check mode': ['changed', 'skipped', 'rc'],
        'raw writes a file': ['rc', 'changed', 'stdout_lines'],
      },
    },
  });

  suite.case('tempfile: file, folder, default folder, missing folder, check mode', 'modules/tempfile', {
    compare: {
      registered: {
        'tempfile file': ['changed', 'failed'],
        'tempfile folder': ['changed'],
        shapes: ['stdout'],
        'tempfile missing folder': ['changed', 'failed'],
        'tempfile in check mode': ['changed', 'skipped', 'msg', 'path'],
      },
    },
  });
});
