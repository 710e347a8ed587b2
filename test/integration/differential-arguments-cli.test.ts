/**
 * Task arguments, role argument_specs and the command line, Ansible vs bosun
 * (issue #14, "Ansible behaviours to match"): the same playbook on both,
 * same results, registered values, recap and files.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.124.0.1', slots: 6 });
const files = '/opt/diff';

suite.describe('arguments and CLI: Ansible vs bosun', () => {
  suite.case('key=value escapes: content="a\\nb" writes a newline', 'arguments/kv-newline', { compare: { files } });
  suite.case("key=value escapes: replace regexp='\\b' is a word boundary", 'arguments/kv-regexp-escape', { compare: { files } });
  suite.case('assert that: with YAML booleans and a null entry', 'arguments/that-booleans-null', {
    compare: { registered: { 'booleans that hold': ['failed', 'changed'], 'a false boolean': ['failed', 'changed', 'assertion'], 'a null entry': ['failed', 'changed', 'assertion'] } },
  });
  suite.case('creates: and removes: with globs', 'arguments/creates-removes-globs', {
    setup: 'mkdir -p /opt/diff && touch /opt/diff/a.conf',
    compare: { files, registered: { 'creates matches a glob, so it does not run': ['changed', 'rc'], 'removes matches nothing, so it does not run': ['changed', 'rc'], 'removes matches a glob, so it runs': ['changed', 'rc'] } },
  });
  suite.case('command with both cmd and argv is an error', 'arguments/cmd-and-argv', {
    compare: { registered: { 'both cmd and argv': ['failed', 'changed'] } },
  });
  suite.case('role argument_specs coerce -e strings (int, bool, list)', 'arguments/argspec-coercion', {
    extraArgs: ['-e', 'port=8090', '-e', 'flag=false', '-e', 'names=a,b'],
    compare: { registered: { 'specrole : show port': ['port'], 'specrole : show flag': ['flag'], 'specrole : show names': ['names'] } },
  });
  suite.case('--start-at-task that matches nothing', 'cli/start-at-nothing', {
    extraArgs: ['--start-at-task', 'no such task'],
    compare: { error: { ansible: /No matching task "no such task" found/, bosun: /no such task/ } },
  });
  suite.case('--tags naming a tag no task has', 'cli/tags-unknown', {
    extraArgs: ['--tags', 'nosuchtag'],
    compare: { warning: { ansible: /nosuchtag/, bosun: /nosuchtag/ } },
  });
  suite.case('no -i and no default inventory warns', 'cli/no-inventory', {
    noInventory: true,
    compare: { warning: { ansible: /No inventory was parsed/, bosun: /inventory/i } },
  });
});
