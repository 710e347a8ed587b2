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
    hosts: 2, hostVars: h1Only('fail_here'), compare: { files },
    gap: "bosun aborts the play for all hosts after 'fail on h1' (play_aborted 'any_errors_fatal: h1 failed'): no rescue, no "
      + "'after the failure in the block' on h2, no 'after the block' (recap h1 ok=1 rescued=1, h2 ok=1 skipped=1); Ansible runs "
      + "'the rescue' on h1, 'after the failure in the block' on h2 and 'after the block' on both (h1 ok=3 changed=3 rescued=1, h2 ok=3 changed=3 skipped=1)",
  });
  suite.case('any_errors_fatal: a failing rescue fails the host and the run', 'blocks/fatal-rescue-fails', {
    hosts: 2, hostVars: h1Only('fail_here'), compare: { files },
    gap: "Ansible runs 'the rescue fails too' on h1 (failed), then ends the play: exit 2, h1 failed=1 rescued=1; bosun never runs "
      + 'the rescue and exits 0 with h1 failed=0 rescued=1 (a failed run looks green)',
  });
  suite.case('clear_host_errors in always: clears the failure', 'blocks/clear-host-errors', {
    hosts: 2, hostVars: h1Only('fail_here'), compare: { files },
    gap: "Ansible: h1 goes on after the block ('after the block|h1|changed'), exit 0, h1 recap ok=2 changed=2 failed=1 (the counter "
      + "stays); bosun stops h1 after the block (no 'after the block' on h1, ok=1 changed=1 failed=1) and exits 2",
  });
  suite.case('meta with an undefined variable in when is an error', 'blocks/meta-when-undefined', {
    compare: { files },
    gap: "Ansible stops the run at the meta task: \"ERROR! The conditional check 'no_such_flag' failed ... 'no_such_flag' is "
      + "undefined\" with its position, exit 1, no recap, 'after the meta task' never runs; bosun takes it as false and runs "
      + "'after the meta task', exit 0, recap ok=2 changed=2",
  });
  suite.case('notify on import_tasks reaches the imported tasks', 'blocks/notify-import-tasks', {
    compare: { files },
    gap: "bosun drops the notify: no 'HANDLER imported handler|h1|changed' after 'imported change' (recap ok=3 changed=2 vs Ansible's "
      + 'ok=4 changed=3, no /opt/diff/handled)',
  });
  suite.case('end_play under serial ends the play for later batches too', 'meta/end-play-serial', {
    hosts: 2, compare: { files },
    gap: "with serial: 1, bosun runs the second batch (h2: 'make the folder|h2|changed', recap h2 ok=3 changed=2); Ansible ends the "
      + "play for h2 too: h2's first task is in the next play (h2 ok=2 changed=2, 'the folder in the next play|h2|changed')",
  });
  suite.case('end_batch under serial ends only the batch', 'meta/end-batch-serial', { hosts: 2, compare: { files } });
  suite.case('end_host ends the play for that host only', 'meta/end-host', {
    hosts: 2, hostVars: h1Only('end_here'), compare: { files },
    gap: "Ansible shows the meta task as 'end this host|h2|skipped' on h2 (when false there; not counted in the recap); bosun shows "
      + 'no result for it. Hosts, files and recap agree',
  });
});
