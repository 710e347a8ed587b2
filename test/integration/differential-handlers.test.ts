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
  });
  suite.case('a handler that is an include_tasks runs its tasks', 'handlers/include-tasks', {
    compare: { files },
  });
  suite.case('notify of a handler that does not exist is an error', 'handlers/missing-handler', {
    compare: { error: { ansible: /requested handler 'no such handler' was not found/, bosun: /no such handler/ } },
  });
  suite.case('handler names with {{ }} match the rendered notify', 'handlers/templated-names', {
    compare: { files },
  });
  suite.case('meta: flush_handlers honours when', 'handlers/flush-when', {
    hosts: 2,
    hostVars: { h1: { do_flush: true }, h2: { do_flush: false } },
    // Ansible 2.14 lets h2 go on to the next task while h1 runs the flushed handler.
    compare: { files, results: 'per-host' },
  });
  suite.case("a play's force_handlers: false overrides --force-handlers", 'handlers/force-handlers-play', {
    hosts: 2,
    hostVars: { h1: { fail_in_one: true }, h2: { fail_in_one: false } },
    extraArgs: ['--force-handlers'],
    compare: { files },
  });
  suite.case('notify on a block is inherited by its tasks', 'handlers/notify-block', {
    compare: { files },
  });
  suite.case('handlers notifying each other: the handler-notify-loop count', 'handlers/notify-loop', {
    compare: { files },
  });
  suite.case('a looping task notifies its handler once', 'handlers/notify-loop-task', { compare: { files } });
});
