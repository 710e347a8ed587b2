/**
 * Task arguments, role argument_specs and the command line, Ansible vs bosun
 * (issue #14, "Ansible behaviours to match"): the same playbook on both,
 * same results, registered values, recap and files.
 * A `gap` says what bosun does differently today; the case is skipped until it matches.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.124.0.1', slots: 6 });
const files = '/opt/diff';

suite.describe('arguments and CLI: Ansible vs bosun', () => {
  suite.case('key=value escapes: content="a\\nb" writes a newline', 'arguments/kv-newline', {
    compare: { files },
  });
  suite.case("key=value escapes: replace regexp='\\b' as Ansible decodes it", 'arguments/kv-regexp-escape', {
    compare: { files },
  });
  suite.case('assert that: with YAML booleans and a null entry', 'arguments/that-booleans-null', {
    compare: {
      registered: {
        'booleans that hold': ['failed', 'changed'],
        'a false boolean': ['failed', 'changed', 'assertion'],
        'a null entry': ['failed', 'changed', 'assertion'],
      },
    },
  });
  suite.case('creates: and removes: with globs', 'arguments/creates-removes-globs', {
    setup: 'mkdir -p /opt/diff && touch /opt/diff/a.conf',
    compare: {
      files,
      registered: {
        'creates matches a glob, so it does not run': ['changed', 'rc'],
        'removes matches nothing, so it does not run': ['changed', 'rc'],
        'removes matches a glob, so it runs': ['changed', 'rc'],
      },
    },
  });
  // Both say what is wrong; bosun says it at load (module arguments are checked before any host is touched).
  suite.case('command with both cmd and argv is an error', 'arguments/cmd-and-argv', {
    compare: {
      registered: { 'both cmd and argv': ['failed', 'changed'] },
      error: {
        ansible: /only command or argv can be given, not both/,
        bosun: /playbook\.yml:\d+:\d+: module 'command' takes 'cmd' or 'argv', not both/,
      },
      differs: {
        why: 'module arguments are checked at load',
        ansible: { exitCode: 2, results: ['both cmd and argv|h1|failed'] },
        bosun: { exitCode: 1, recap: {}, results: [], registered: {} },
      },
    },
  });
  suite.case('role argument_specs accept -e strings (int, bool, list)', 'arguments/argspec-coercion', {
    extraArgs: ['-e', 'port=8090', '-e', 'flag=false', '-e', 'names=a,b'],
    compare: {
      registered: {
        'specrole : show port': ['port'],
        'specrole : show flag': ['flag'],
        'specrole : show names': ['names'],
      },
    },
  });
  suite.case('--start-at-task that matches nothing', 'cli/start-at-nothing', {
    extraArgs: ['--start-at-task', 'no such task'],
    compare: { error: { ansible: /No matching task "no such task" found/, bosun: /no such task/ } },
  });
  // Ansible 2.14 does not warn here; bosun does on purpose (a mistyped tag runs nothing). Both run no task, exit 0.
  suite.case('--tags naming a tag no task has', 'cli/tags-unknown', {
    extraArgs: ['--tags', 'nosuchtag'],
    compare: {
      warning: { ansible: /nosuchtag/, bosun: /nosuchtag/ },
      differs: {
        why: 'bosun warns of a --tags tag that no task has',
        ansible: { warned: false },
        bosun: { warned: true },
      },
    },
  });
  suite.case('ansible.cfg: roles_path and gathering = smart', 'cli/ansible-cfg', {
    ansibleCfg: '[defaults]\nroles_path = shared\ngathering = smart\n',
    compare: { files, registered: { 'facts are still there': ['changed', 'rc'] } },
  });
  // Issue 20: the inventory an Ansible user keeps in ansible.cfg or the environment, without -i.
  suite.case('no -i: the inventory from ansible.cfg [defaults] inventory', 'cli/inventory-from-cfg', {
    hosts: 2,
    inventoryFrom: 'ansible.cfg',
    compare: { files, registered: { "write the host's name": ['changed'] } },
  });
  suite.case('no -i: the inventory from ANSIBLE_INVENTORY', 'cli/inventory-from-cfg', {
    hosts: 2,
    inventoryFrom: 'ANSIBLE_INVENTORY',
    compare: { files, registered: { "write the host's name": ['changed'] } },
  });
  suite.case('no -i and no default inventory warns', 'cli/no-inventory', {
    noInventory: true,
    compare: { warning: { ansible: /No inventory was parsed/, bosun: /inventory/i } },
  });
});
