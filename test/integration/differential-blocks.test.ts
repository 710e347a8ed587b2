/**
 * Blocks and meta tasks, Ansible vs bosun (issue #14, "Ansible behaviours to
 * match"): the same playbook on both, same results, recap and files.
 * A `gap` says what bosun does differently today; the case is skipped until it matches.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.121.0.1', slots: 8 });
const files = '/opt/diff';
const h1Only = (name: string) => ({ h1: { [name]: true }, h2: { [name]: false } });

suite.describe('blocks and meta end_*: Ansible vs bosun', () => {
  suite.case('any_errors_fatal: a rescued failure runs the rescue and the play goes on', 'blocks/fatal-rescue', {
    hosts: 2,
    hostVars: h1Only('fail_here'),
    compare: { files },
  });
  suite.case('any_errors_fatal: a failing rescue fails the host and the run', 'blocks/fatal-rescue-fails', {
    hosts: 2,
    hostVars: h1Only('fail_here'),
    compare: { files },
  });
  suite.case('clear_host_errors in always: clears the failure', 'blocks/clear-host-errors', {
    hosts: 2,
    hostVars: h1Only('fail_here'),
    compare: { files },
  });
  suite.case('meta with an undefined variable in when is an error', 'blocks/meta-when-undefined', {
    compare: { files },
  });
  suite.case('notify on import_tasks reaches the imported tasks', 'blocks/notify-import-tasks', {
    compare: { files },
  });
  suite.case('end_play under serial ends the play for later batches too', 'meta/end-play-serial', {
    hosts: 2,
    compare: { files },
  });
  suite.case('end_batch under serial ends only the batch', 'meta/end-batch-serial', { hosts: 2, compare: { files } });
  suite.case('end_host ends the play for that host only', 'meta/end-host', {
    hosts: 2,
    hostVars: h1Only('end_here'),
    compare: { files },
  });
});
