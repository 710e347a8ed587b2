/**
 * Modules of issue 17 that Ansible runs on the controller or against the
 * connection itself (include_vars, add_host, group_by, known_hosts,
 * wait_for_connection, reboot), Ansible vs bosun: the same playbook on both,
 * same results, recap, files and the registered keys roles read.
 */
import { CASES_DIR, differentialSuite } from '../helpers/differential.js';
import path from 'node:path';

const suite = differentialSuite({ base: '127.143.0.1', slots: 4 });

/** The keys include_vars registers. */
const INCLUDE_KEYS = ['ansible_included_var_files', 'ansible_facts', 'changed', 'failed', 'message', 'skipped'];

suite.describe('engine modules: Ansible vs bosun', () => {
  const includeTasks = ['free form', 'file with vars prefix', 'dir ignoring unknown', 'dir depth and matching']
    .concat(['dir extensions list', 'dir unknown extension', 'dir missing', 'file missing', 'not a mapping'])
    .concat(['empty file', 'merge dicts', 'once', 'in check mode', 'spaced name'])
    .concat(['role file', 'role dir', 'role dir vars prefix']);
  const debugTasks = ['values', 'hostile value', 'task vars lose', 'dir values', 'set_fact wins', 'merged']
    .concat(['hostvars of h1', 'once everywhere', 'checked value', 'vaulted value', 'next play sees them'])
    .concat(['role values']);
  suite.case(
    'include_vars: search paths, dir options, failures, precedence, merge, loop, run_once, vault',
    'modules-engine/include_vars',
    {
      hosts: 2,
      extraArgs: ['--vault-password-file', path.join(CASES_DIR, 'modules-engine/include_vars/vault-pass')],
      compare: {
        registered: {
          ...Object.fromEntries(includeTasks.map((t) => [t, INCLUDE_KEYS])),
          ...Object.fromEntries(debugTasks.map((t) => [t, ['msg', 'failed']])),
          // Raised by Ansible's plugin: its result has no `changed` key (bosun's always has one).
          'merge a new name': ['failed', 'ansible_facts'],
          'skipped by when': ['changed', 'skipped'],
          'per host': ['results[].ansible_facts', 'results[].ansible_included_var_files', 'changed'],
        },
      },
    },
  );

  suite.case(
    'add_host: new host for later plays, unchanged again, vars, groups, port, loop, quirks, check mode',
    'modules-engine/add_host',
    {
      hosts: 2,
      compare: {
        registered: {
          ...Object.fromEntries(
            ['new variable', 'inventory host into a group', 'with a port', 'host and group are variables']
              .concat(['hostile', 'in check mode'])
              .map((t) => [t, ['changed', 'failed', 'add_host']]),
          ),
          // Each side has its own address in ansible_host: the rest of the value.
          ...Object.fromEntries(
            ['add extra', 'add extra again'].map((t) => [t, ['changed', 'add_host.host_name', 'add_host.groups']]),
          ),
          // Ansible registers no `failed` for a skipped task (bosun always does).
          'when false on the first host': ['changed', 'skipped'],
          'a loop': ['changed', 'results[].changed', 'results[].add_host'],
          'no name': ['failed', 'msg'],
          'groups seen': ['msg'],
          reached: ['stdout', 'rc'],
          'quirk variables': ['msg'],
        },
      },
    },
  );

  suite.case(
    'group_by: per host, unchanged again, spaces, shared, parents, check mode, group_vars, later plays',
    'modules-engine/group_by',
    {
      hosts: 2,
      compare: {
        registered: {
          ...Object.fromEntries(
            ['per host', 'per host again', 'spaces', 'shared', 'parents', 'parents again', 'in check mode'].map((t) => [
              t,
              ['changed', 'failed', 'add_group', 'parent_groups'],
            ]),
          ),
          'skipped on h2': ['changed', 'skipped', 'add_group'],
          'group vars now': ['msg'],
          'only h1': ['msg'],
          'both and checked': ['msg'],
        },
      },
    },
  );

  const khTasks = ['add', 'add again', 'another key same type', 'another host', 'another type', 'port']
    .concat(['upper case name', 'absent with key', 'absent with key again', 'absent without key'])
    .concat(['absent without key again', 'hostile', 'hostile again', 'in check mode', 'default path'])
    .concat(['hashed', 'hashed again']);
  // Ansible's `state` registers the file's state (its module adds the path's attributes): not compared.
  suite.case(
    'known_hosts: add, replace, types, hash_host, absent, -R, port, case, errors, hostile, check mode',
    'modules-engine/known_hosts',
    {
      setup:
        'mkdir -p /opt/diff /opt/hashed; rm -rf /opt/hashed/*; mkdir -p ~/.ssh; sed -i "/^host7 /d" ~/.ssh/known_hosts 2>/dev/null; true',
      compare: {
        files: '/opt/diff',
        registered: {
          ...Object.fromEntries(khTasks.map((t) => [t, ['changed', 'failed', 'name', 'key', 'path', 'hash_host']])),
          ...Object.fromEntries(['mismatch', 'list of names', 'no key'].map((t) => [t, ['failed', 'msg']])),
          'hashed found': ['stdout', 'rc'],
          'default path content': ['stdout', 'rc'],
        },
      },
    },
  );

  // A sandbox host cannot reboot: its "reboot" kills every process but its sshd and writes a new boot id (see the
  // playbook). What a real reboot adds (a new kernel, systemd's shutdown) is not tested here.
  suite.case(
    'wait_for_connection and reboot: connections dropped and back, boot id, failures, check mode',
    'modules-engine/reboot',
    {
      // Ansible runs the reboot command on a terminal: the playbook's fake reboot ignores SIGHUP so that the
      // terminal's hangup cannot kill it before it detaches (two CI runs had lost it: no new boot id, a timeout).
      compare: {
        registered: {
          'reboot in check mode': ['changed', 'rebooted', 'elapsed', 'failed'],
          'wait in check mode': ['changed', 'skipped'],
          'wait after the drop': ['changed', 'failed'],
          'works after the wait': ['stdout', 'rc'],
          reboot: ['changed', 'failed', 'rebooted'],
          'works after the reboot': ['rc'],
          // Ansible runs it on a terminal (stderr in stdout, and ssh's own words in stderr): the message differs.
          'reboot command fails': ['changed', 'failed', 'rebooted'],
          'reboot command not found': ['failed', 'msg'],
          'boot time fails': ['failed'],
          'wait times out': ['failed', 'changed'],
        },
      },
    },
  );
});
