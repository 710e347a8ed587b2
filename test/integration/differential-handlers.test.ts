/**
 * Handlers, Ansible vs bosun (issue #14, "Ansible behaviours to match"): the
 * same playbook on both, same results, recap and files (test/helpers/differential.ts).
 * A `gap` says what bosun does differently today; the case is skipped until it matches.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.120.0.1', slots: 8 });
const files = '/opt/diff';

suite.describe('handlers: Ansible vs bosun', () => {
  suite.case('several handlers with one listen topic all run', 'handlers/listen', {
    compare: { files },
    gap: "only the first listener runs: Ansible runs HANDLER 'handler one' and 'handler two' (both listen: restart stack) on h1, "
      + "recap ok=4 changed=4; bosun runs only 'handler one' (ok=3 changed=3, no /opt/diff/two)",
  });
  suite.case('a handler that is an include_tasks runs its tasks', 'handlers/include-tasks', {
    compare: { files },
    gap: "Ansible: 'HANDLER reload via file|h1|ok', then 'included handler step one' and 'step two' changed (recap ok=4 changed=3); "
      + 'bosun runs no handler task at all (ok=1 changed=1, no /opt/diff/one, /opt/diff/two)',
  });
  suite.case('notify of a handler that does not exist is an error', 'handlers/missing-handler', {
    compare: { error: { ansible: /requested handler 'no such handler' was not found/, bosun: /no such handler/ } },
    gap: "Ansible 2.14 stops when the changed task notifies: \"ERROR! The requested handler 'no such handler' was not found in either "
      + 'the main handlers list nor in the listening handlers list", exit 1, no recap (a run-time error, not at load); '
      + "bosun runs 'change something' and 'after', exit 0, recap ok=2 changed=2, no error",
  });
  suite.case('handler names with {{ }} match the rendered notify', 'handlers/templated-names', {
    compare: { files },
    gap: "Ansible runs HANDLER 'restart web' (handler named \"restart {{ svc }}\", notify: restart web) and 'reload web' "
      + "(notify: \"reload {{ svc }}\"), recap ok=5 changed=5; bosun runs neither (ok=3 changed=3, no files)",
  });
  suite.case('meta: flush_handlers honours when', 'handlers/flush-when', {
    hosts: 2,
    hostVars: { h1: { do_flush: true }, h2: { do_flush: false } },
    // Ansible 2.14 lets h2 go on to the next task while h1 runs the flushed handler.
    compare: { files, results: 'per-host' },
    gap: "on h2 (when false) Ansible skips 'flush when asked' (a skipped result) and runs 'write marker' at the end of the play, "
      + "after 'after the flush' (so h2's /opt/diff/marker lists 'after'); bosun shows no result for the meta task and runs "
      + "'write marker' on h2 at the flush, before 'after the flush'",
  });
  suite.case("a play's force_handlers: false overrides --force-handlers", 'handlers/force-handlers-play', {
    hosts: 2,
    hostVars: { h1: { fail_in_one: true }, h2: { fail_in_one: false } },
    extraArgs: ['--force-handlers'],
    compare: { files },
    gap: "bosun runs 'HANDLER handler of play one' on h1, which failed in play one (force_handlers: false there); Ansible does not: "
      + 'h1 recap ok=1 changed=1 failed=1 (bosun ok=2 changed=2 failed=1) and no /opt/diff/one on h1',
  });
  suite.case('notify on a block is inherited by its tasks', 'handlers/notify-block', {
    compare: { files },
    gap: "bosun rejects the playbook at load: \"ERROR [SCHEMA] 'notify' is not allowed on a block\", exit 1; Ansible runs it, "
      + "the changed task in the block notifies: 'HANDLER block handler|h1|changed', recap ok=4 changed=3, exit 0",
  });
  suite.case('handlers notifying each other: the handler-notify-loop count', 'handlers/notify-loop', { compare: { files } });
  suite.case('a looping task notifies its handler once', 'handlers/notify-loop-task', { compare: { files } });
});
