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
    gap: 'copy: content="a\\nb" in key=value form: Ansible writes a, newline, b (and "x\\ty" a tab); bosun writes the backslash '
      + 'and the n (and the t) as they stand. Both turn \\" into "',
  });
  suite.case("key=value escapes: replace regexp='\\b' as Ansible decodes it", 'arguments/kv-regexp-escape', {
    compare: { files },
    gap: "replace: path=... regexp='\\bfoo\\b' replace=bar in key=value form: Ansible decodes \\b as a backspace, nothing "
      + "matches, 'replace whole words|h1|ok' and the file stays 'foo food foo' (recap changed=2); bosun keeps \\b as the regex word "
      + "boundary, 'replace whole words|h1|changed', file 'bar food bar' (changed=3)",
  });
  suite.case('assert that: with YAML booleans and a null entry', 'arguments/that-booleans-null', {
    compare: { registered: { 'booleans that hold': ['failed', 'changed'], 'a false boolean': ['failed', 'changed', 'assertion'], 'a null entry': ['failed', 'changed', 'assertion'] } },
    gap: "bosun rejects that: [true, 1] at load (ERROR [SCHEMA] arguments of module 'assert' at 'that.0': expected string), exit 1; "
      + "Ansible: 'booleans that hold|h1|ok', 'a false boolean|h1|failed (ignored)' with assertion: false, 'a null entry' "
      + '(that: [true, ~]) ok: the null entry passes; recap ok=3 ignored=1, exit 0',
  });
  suite.case('creates: and removes: with globs', 'arguments/creates-removes-globs', {
    setup: 'mkdir -p /opt/diff && touch /opt/diff/a.conf',
    compare: { files, registered: { 'creates matches a glob, so it does not run': ['changed', 'rc'], 'removes matches nothing, so it does not run': ['changed', 'rc'], 'removes matches a glob, so it runs': ['changed', 'rc'] } },
    gap: "bosun does not expand the globs: 'creates matches a glob, so it does not run' runs (changed, /opt/diff/created made) and "
      + "'removes matches a glob, so it runs' does not (ok); Ansible: creates: /opt/diff/*.conf matches a.conf so ok and not run, "
      + 'removes: /opt/diff/*.conf matches so it runs (changed, /opt/diff/removed-some)',
  });
  suite.case('command with both cmd and argv is an error', 'arguments/cmd-and-argv', {
    compare: { registered: { 'both cmd and argv': ['failed', 'changed'] } },
    gap: "Ansible fails the task on the host: 'both cmd and argv|h1|failed', msg 'only command or argv can be given, not both', "
      + "exit 2, recap failed=1; bosun rejects the playbook at load, exit 1, with \"arguments of module 'command': must NOT be valid\" "
      + '(which does not say what is wrong)',
  });
  suite.case('role argument_specs accept -e strings (int, bool, list)', 'arguments/argspec-coercion', {
    extraArgs: ['-e', 'port=8090', '-e', 'flag=false', '-e', 'names=a,b'],
    compare: { registered: { 'specrole : show port': ['port'], 'specrole : show flag': ['flag'], 'specrole : show names': ['names'] } },
    gap: "Ansible's validation accepts -e port=8090 (int), flag=false (bool), names=a,b (list): \"specrole : Validating arguments "
      + "against arg spec 'main' - typed options|h1|ok\", and the variables stay the strings '8090', 'false', 'a,b' (debug var shows "
      + "them), recap ok=4; bosun fails 'specrole : Validating arguments against arg spec main' (port: must be integer, flag: must "
      + 'be boolean, names: must be array), exit 2. The task name differs too',
  });
  suite.case('--start-at-task that matches nothing', 'cli/start-at-nothing', {
    extraArgs: ['--start-at-task', 'no such task'],
    compare: { error: { ansible: /No matching task "no such task" found/, bosun: /no such task/ } },
    gap: 'Ansible 2.14 prints \'[ERROR]: No matching task "no such task" found. Note: --start-at-task can only follow static '
      + "includes.' and runs no task, exit 0 (not an error exit); bosun runs no task and exits 0 too but prints nothing about it",
  });
  // Ansible 2.14 does not warn here (the issue thought it did): both print nothing about the tag, run no task, exit 0.
  suite.case('--tags naming a tag no task has', 'cli/tags-unknown', {
    extraArgs: ['--tags', 'nosuchtag'],
    compare: { warning: { ansible: /nosuchtag/, bosun: /nosuchtag/ } },
  });
  suite.case('no -i and no default inventory warns', 'cli/no-inventory', {
    noInventory: true,
    compare: { warning: { ansible: /No inventory was parsed/, bosun: /inventory/i } },
    gap: "Ansible warns '[WARNING]: No inventory was parsed, only implicit localhost is available' and 'provided hosts list is "
      + "empty, only localhost is available. Note that the implicit localhost does not match 'all''; bosun warns nothing. Both "
      + 'run no task and exit 0',
  });
});
