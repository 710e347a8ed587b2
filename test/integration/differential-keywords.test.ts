/**
 * Keywords, Ansible vs bosun (issue #14, "Ansible behaviours to match"): the
 * same playbook on both, same results, recap, registered values and files.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.122.0.1', slots: 8 });
/** Marks the sandbox hosts, so a task can tell whether it ran there or on the controller. */
const WHERE = 'echo sandbox > /etc/bosun-diff-where';
const files = '/opt/diff';

/** Two users besides root, reachable with the sandbox key (sandbox hosts have only root's key). */
const USERS = ['diffone', 'difftwo']
  .map((u) =>
    [
      `id ${u} >/dev/null 2>&1 || useradd -m -s /bin/bash ${u}`,
      `install -d -m 700 -o ${u} -g ${u} /home/${u}/.ssh`,
      `install -m 600 -o ${u} -g ${u} /root/.ssh/authorized_keys /home/${u}/.ssh/authorized_keys`,
    ].join('\n'),
  )
  .join('\n');

suite.describe('keywords: Ansible vs bosun', () => {
  suite.case('templated run_once', 'keywords/run-once-templated', {
    hosts: 2,
    compare: { files },
  });
  suite.case('boolean keywords as templates, rendered per host', 'keywords/bool-templated', {
    hosts: 2,
    hostVars: { h1: { dry: true }, h2: {} },
    compare: {
      files,
      registered: {
        'no_log from a template': ['changed', 'censored', 'stdout'],
        'ignore_errors per host': ['failed', 'rc'],
        'check_mode per host': ['changed'],
        'diff from a template': ['changed'],
        'become from a template': ['stdout'],
        'inherited no_log': ['censored', 'stdout'],
        "plain no_log over the block's template": ['censored', 'stdout'],
      },
    },
  });
  suite.case('delegate_facts puts the facts on the delegate', 'keywords/delegate-facts', {
    hosts: 2,
    compare: { registered: { 'read them': ['stdout'] } },
  });
  suite.case('a collection module bosun lacks, in a task that does not run', 'keywords/collection-module', {
    compare: { registered: { 'after it': ['stdout'] } },
  });
  suite.case(
    'ansible.builtin.import_playbook, templated any_errors_fatal, timeout and throttle',
    'keywords/play-templated',
    {
      hosts: 2,
    },
  );
  suite.case(
    'roles as kubespray lays them out: a path below roles_path, defaults/main/, handlers importing handlers',
    'keywords/role-layout',
    {
      ansibleCfg: '[defaults]\nroles_path = lib\n',
      compare: { registered: { values: ['stdout'], 'listening handler': ['stdout'] } },
    },
  );
  suite.case('templated strategy (free)', 'keywords/strategy-templated', {
    // h1 sleeps long enough that h2 finishes both tasks first even on a loaded machine.
    hosts: 2,
    hostVars: { h1: { pause: 6 }, h2: { pause: 0 } },
    compare: { results: 'raw' },
  });
  suite.case('templated tags take part in --tags', 'keywords/tags-templated', {
    extraArgs: ['--tags', 'deploy'],
    compare: { files },
  });
  suite.case('loop_control.loop_var, also templated', 'keywords/loop-var', {
    compare: {
      files,
      registered: {
        'loop with a named variable': ['changed', 'results[].colour', 'results[].ansible_loop_var'],
        'loop with a templated variable name': ['changed', 'results[].shape', 'results[].ansible_loop_var'],
      },
    },
  });
  suite.case('remote_user on play, block and task', 'keywords/remote-user', {
    noUser: true,
    setup: USERS,
    compare: {
      registered: {
        'as the play says': ['stdout'],
        'as the block says': ['stdout'],
        'as the task in the block says': ['stdout'],
      },
    },
  });
  suite.case('connection on play, block and task', 'keywords/connection', {
    setup: WHERE,
    compare: {
      registered: {
        'as the play says': ['stdout'],
        'as the block says': ['stdout'],
        'as the task in the block says': ['stdout'],
      },
    },
  });
  suite.case('an ansible_connection variable wins over the connection keyword', 'keywords/connection', {
    setup: WHERE,
    hostVars: { h1: { ansible_connection: 'ssh' } },
    compare: {
      registered: {
        'as the play says': ['stdout'],
        'as the block says': ['stdout'],
        'as the task in the block says': ['stdout'],
      },
    },
  });
  suite.case('-c local, and a play connection keyword over it', 'keywords/connection-cli', {
    setup: WHERE,
    extraArgs: ['-c', 'local'],
    compare: { registered: { 'as -c says': ['stdout'], 'as the play says over -c': ['stdout'] } },
  });
  suite.case('keywords and modules by their full names', 'keywords/fqcn', {
    compare: { files, registered: { 'ansible.legacy.command': ['stdout', 'changed'] } },
  });
  suite.case('play vars as a list of mappings', 'keywords/vars-list', {
    compare: { files },
  });
  suite.case('include_tasks: file=X in key=value form', 'keywords/include-kv', {
    compare: { files },
  });
  suite.case('import_role: name=X tasks_from=Y in key=value form', 'keywords/import-role-kv', {
    compare: { files },
  });
  suite.case('include_tasks with loop_control.index_var visible inside', 'keywords/index-var-include', {
    compare: { files },
  });
  suite.case('when: false with a loop over an undefined variable skips', 'keywords/when-false-undefined-loop', {});
  suite.case('until: attempts registered and seen by changed_when/failed_when', 'keywords/until-attempts', {
    compare: { files, registered: { 'count to three': ['attempts', 'changed', 'failed', 'stdout'] } },
  });
  suite.case('recap counts include_tasks and include_role as ok', 'keywords/recap-include', {
    compare: { files },
  });
  suite.case('include_role with a loop asks its when per item (issue 20)', 'keywords/include-role-loop-when', {
    compare: { files },
  });
});
